/* SPDX-License-Identifier: MIT */
/* pux509: certificate expiry for the tls and credential plugins (see x509.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "plugutil.h"
#include "x509.h"

#define PUX509_DAY 86400.0

/* See documentation in header file. */
const char *pux509_ssl_error(char *buf, size_t size)
{
	unsigned long e = ERR_get_error();
	const char *reason = e != 0 ? ERR_reason_error_string(e) : NULL;

	snprintf(buf, size, "%s", reason != NULL ? reason : "unknown error");
	ERR_clear_error();
	return buf;
}

/* Every certificate that bio holds; see pux509_load_mem. */
static STACK_OF(X509) * pux509_load_bio(BIO *bio, char *why, size_t size)
{
	STACK_OF(X509) *certs = sk_X509_new_null();
	char reason[128];
	X509 *x;
	unsigned long e;

	if (certs == NULL) {
		snprintf(why, size, "out of memory");
		return NULL;
	}
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (sk_X509_push(certs, x) == 0) {
			X509_free(x);
			snprintf(why, size, "out of memory");
			goto fail;
		}
	}
	/* The loop ends at the end of the text ("no start line") or at a
	 * certificate OpenSSL cannot read, which must not pass unnoticed. */
	e = ERR_peek_last_error();
	if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
		ERR_clear_error();
		if (sk_X509_num(certs) > 0)
			return certs;
		snprintf(why, size, "no PEM certificate in it");
		goto fail;
	}
	snprintf(why, size, "unreadable certificate: %s", pux509_ssl_error(reason, sizeof(reason)));
fail:
	sk_X509_pop_free(certs, X509_free);
	return NULL;
}

/* See documentation in header file. */
STACK_OF(X509) * pux509_load_mem(const char *data, size_t len, char *why, size_t size)
{
	BIO *bio;
	STACK_OF(X509) * certs;

	ERR_clear_error();
	bio = BIO_new_mem_buf(data, len > (size_t)0x7fffffff ? -1 : (int)len);
	if (bio == NULL) {
		snprintf(why, size, "out of memory");
		return NULL;
	}
	certs = pux509_load_bio(bio, why, size);
	BIO_free(bio);
	return certs;
}

/* See documentation in header file. */
STACK_OF(X509) * pux509_load_file(const char *path, char *why, size_t size)
{
	BIO *bio;
	STACK_OF(X509) * certs;
	char buf[128];

	ERR_clear_error();
	errno = 0;
	bio = BIO_new_file(path, "r");
	if (bio == NULL) {
		/* fopen's errno says more than OpenSSL's "system lib". */
		snprintf(why, size, "cannot open: %s",
		         errno != 0 ? pu_strerror(errno, buf, sizeof(buf))
		                    : pux509_ssl_error(buf, sizeof(buf)));
		ERR_clear_error();
		return NULL;
	}
	certs = pux509_load_bio(bio, why, size);
	BIO_free(bio);
	return certs;
}

/* Seconds from now to t (negative when t is past); -1 on a bad time. */
static int pux509_seconds_until(const ASN1_TIME *t, double *out)
{
	int day, sec;

	if (ASN1_TIME_diff(&day, &sec, NULL, t) == 0)
		return -1;
	*out = (double)day * PUX509_DAY + sec;
	return 0;
}

/* e->subject and e->when from certificate x and its time t. */
static void pux509_describe(X509 *x, const ASN1_TIME *t, struct pux509_expiry *e)
{
	BIO *bio = BIO_new(BIO_s_mem());
	struct tm tm;
	int n = 0;

	e->subject[0] = '\0';
	if (bio != NULL && X509_NAME_print_ex(bio, X509_get_subject_name(x), 0, XN_FLAG_RFC2253) >= 0)
		n = BIO_read(bio, e->subject, sizeof(e->subject) - 1);
	e->subject[n > 0 ? n : 0] = '\0';
	BIO_free(bio);
	if (e->subject[0] == '\0')
		snprintf(e->subject, sizeof(e->subject), "(empty subject)");
	e->when[0] = '\0';
	if (ASN1_TIME_to_tm(t, &tm) == 1)
		strftime(e->when, sizeof(e->when), "%Y-%m-%d %H:%M UTC", &tm);
}

/* See documentation in header file. */
int pux509_expiry(STACK_OF(X509) * certs, struct pux509_expiry *e)
{
	X509 *decider = NULL;
	const ASN1_TIME *at = NULL;
	double left, best = 0;
	int i;

	memset(e, 0, sizeof(*e));
	e->count = sk_X509_num(certs);
	for (i = 0; i < e->count; i++) {
		X509 *x = sk_X509_value(certs, i);

		if (pux509_seconds_until(X509_get0_notBefore(x), &left) < 0)
			return -1;
		if (left > 0 && !e->not_yet_valid) {
			e->not_yet_valid = 1;
			decider = x;
			at = X509_get0_notBefore(x);
			best = left;
		}
		if (e->not_yet_valid)
			continue;
		if (pux509_seconds_until(X509_get0_notAfter(x), &left) < 0)
			return -1;
		if (decider == NULL || left < best) {
			decider = x;
			at = X509_get0_notAfter(x);
			best = left;
		}
	}
	if (decider == NULL)
		return -1;
	e->left_s = best;
	pux509_describe(decider, at, e);
	return 0;
}

/* A span of seconds for people: "3.0 days", "5.5 h", "12 min", "40 s". */
static void pux509_span(char *buf, size_t size, double s)
{
	if (s >= 2 * PUX509_DAY)
		snprintf(buf, size, "%.1f days", s / PUX509_DAY);
	else if (s >= 7200)
		snprintf(buf, size, "%.1f h", s / 3600);
	else if (s >= 120)
		snprintf(buf, size, "%.0f min", floor(s / 60));
	else
		snprintf(buf, size, "%.0f s", floor(s));
}

/* See documentation in header file. */
void pux509_verdict(struct hc_result *r, double left_s, double warn_s, double fail_s,
                    const char *what, const char *when)
{
	char span[32], at[40] = "";
	int status = HC_PASS;

	if (when != NULL && when[0] != '\0')
		snprintf(at, sizeof(at), " (%s)", when);
	if (left_s <= 0) {
		pux509_span(span, sizeof(span), -left_s);
		hc_result_set(r, HC_FAIL, "%s expired %s ago%s", what, span, at);
		return;
	}
	if (left_s < fail_s)
		status = HC_FAIL;
	else if (left_s < warn_s)
		status = HC_WARN;
	pux509_span(span, sizeof(span), left_s);
	hc_result_set(r, status, "%s expires in %s%s", what, span, at);
}

/* See documentation in header file. */
void pux509_judge(struct hc_result *r, const struct pux509_expiry *e, double warn_s, double fail_s,
                  const char *what)
{
	char who[PUX509_SUBJECT_MAX + 160], span[32];

	if (e->count > 1)
		snprintf(who, sizeof(who), "certificate '%s' (%s of %d) of %s", e->subject,
		         e->not_yet_valid ? "one" : "earliest", e->count, what);
	else
		snprintf(who, sizeof(who), "certificate '%s' of %s", e->subject, what);
	if (e->not_yet_valid) {
		pux509_span(span, sizeof(span), e->left_s);
		hc_result_set(r, HC_FAIL, "%s is not valid until %s (in %s)", who, e->when, span);
		return;
	}
	pux509_verdict(r, e->left_s, warn_s, fail_s, who, e->when);
}

/* See documentation in header file. */
int pux509_parse_days(const struct hc_init_ctx *ctx, double *warn_s, double *fail_s)
{
	double warn = 30, fail = 7;

	if (pu_parse_double(ctx, "warn_days", 0, 36500, &warn) < 0 ||
	    pu_parse_double(ctx, "fail_days", 0, 36500, &fail) < 0)
		return HC_EINVAL;
	if (fail > warn)
		return hc_init_error(ctx, "fail_days: %g is more than warn_days (%g)", fail, warn);
	*warn_s = warn * PUX509_DAY;
	*fail_s = fail * PUX509_DAY;
	return HC_OK;
}
