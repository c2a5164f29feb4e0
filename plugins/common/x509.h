/* SPDX-License-Identifier: MIT */
/*
 * pux509: when a set of certificates expires, and what that means for a
 * check. Shared by the tls and credential plugins (one convenience library,
 * libpux509.la, built when OpenSSL is found). Internal: not part of the SDK.
 */
#ifndef HC_PUX509_H
#define HC_PUX509_H

#include <stddef.h>

#include <openssl/x509.h>

#include <healthcheckd/plugin.h>

/* Subjects are cut to this many bytes (with the NUL) in messages. */
#define PUX509_SUBJECT_MAX 96

/* The certificate of a set that decides its health. */
struct pux509_expiry {
	int count;                        /* certificates in the set */
	int not_yet_valid;                /* 1: subject's notBefore is still ahead */
	double left_s;                    /* seconds until subject's notAfter (< 0: past),
	                       or until its notBefore when not_yet_valid */
	char when[32];                    /* that notAfter/notBefore, "2026-11-30 06:00 UTC" */
	char subject[PUX509_SUBJECT_MAX]; /* one-line subject */
};

/*
 * Every certificate of the PEM text data[0..len) in a new stack (free it
 * with sk_X509_pop_free(stack, X509_free)), or NULL with why (at most size
 * bytes) saying what is wrong: "no PEM certificate in it" or
 * "unreadable certificate: " and OpenSSL's reason. Other PEM blocks (keys)
 * are skipped. The text is never quoted.
 */
STACK_OF(X509) * pux509_load_mem(const char *data, size_t len, char *why, size_t size);

/* The same for the file at path; why says "cannot open: ERRNO" when it
 * cannot be opened. */
STACK_OF(X509) * pux509_load_file(const char *path, char *why, size_t size);

/*
 * Which certificate of certs (at least one) decides: the first one not yet
 * valid, else the one that expires first. Returns 0, or -1 when a time
 * cannot be read (a mangled certificate).
 */
int pux509_expiry(STACK_OF(X509) * certs, struct pux509_expiry *e);

/*
 * The verdict for something that expires in left_s seconds: fail below
 * fail_s (and once expired), warn below warn_s, else pass. Writes the
 * status and a message "WHAT expires in 3.0 days (WHEN)" (or "expired 2.0
 * days ago", "expires in 45 min") to r; when, may be NULL.
 */
void pux509_verdict(struct hc_result *r, double left_s, double warn_s, double fail_s,
                    const char *what, const char *when);

/*
 * The verdict for a certificate set: pux509_verdict on e, or fail "WHAT
 * is not valid until WHEN" when e->not_yet_valid. what names the set
 * ("/etc/ssl/a.pem", "127.0.0.1:443"); the message adds the subject.
 */
void pux509_judge(struct hc_result *r, const struct pux509_expiry *e, double warn_s, double fail_s,
                  const char *what);

/* Seconds in a day, the unit of warn_days and fail_days. */
#define PUX509_DAY 86400.0

/* The keys warn_days (default 30) and fail_days (default 7), 0 to 36500
 * each, fail_days not above warn_days, into *warn_s and *fail_s in
 * seconds. HC_OK, or HC_EINVAL after hc_init_error naming the key. */
int pux509_parse_days(const struct hc_init_ctx *ctx, double *warn_s, double *fail_s);

/* The oldest error on OpenSSL's queue of this thread as text (its reason,
 * else "unknown error"), and the queue emptied. */
const char *pux509_ssl_error(char *buf, size_t size);

#endif /* HC_PUX509_H */
