/* SPDX-License-Identifier: MIT */
/*
 * credential plugin: how long until the credential in a file expires — a
 * JWT's exp claim, an OAuth token JSON's expires_at/expires_in, or the
 * certificates of a PEM file. The file is read again on every run, since
 * tokens are rotated on disk; its content never reaches a message or log.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* explicit_bzero */
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <healthcheckd/plugin.h>

#include "../common/plugutil.h"
#include "../common/x509.h"
#include "expiry.h"

/* A credential is a few KiB at most; a bigger file is something else. */
#define CRED_MAX_BYTES (1024 * 1024)
/* 100 years: far beyond any credential's lifetime, in ms. */
#define CRED_MAX_MS (100ULL * 365 * 86400000)

struct cred {
	char *file;
	enum cred_type type; /* CRED_UNKNOWN: detect on every run */
	double warn_s, fail_s;
	int in_days; /* observe days (warn_days), else seconds */
};

/* The order of enum cred_type, CRED_UNKNOWN standing for auto. */
static const char *const cred_types[] = { "auto", "jwt", "oauth", "x509", NULL };

static const struct hc_key cred_keys[] = {
	{ "file", "file holding the credential (required)", HC_KEY_PATH },
	{ "type", "auto, jwt, oauth or x509 (default auto: detected)", 0 },
	{ "warn_days", "warn below this many days left (default 30)", 0 },
	{ "fail_days", "fail below this many days left (default 7)", 0 },
	{ "warn_in", "warn below this much time left (instead of warn_days)", 0 },
	{ "fail_in", "fail below this much time left (instead of fail_days)", 0 },
	{ NULL, NULL, 0 }
};

/* warn_in and fail_in: unset fail_in is 0 (fail once expired), unset
 * warn_in is fail_in (no warning band). */
static int cred_parse_in(const struct hc_init_ctx *ctx, struct cred *c)
{
	uint64_t warn = UINT64_MAX, fail = 0;

	if (pu_parse_duration(ctx, "warn_in", 0, CRED_MAX_MS, &warn) < 0 ||
	    pu_parse_duration(ctx, "fail_in", 0, CRED_MAX_MS, &fail) < 0)
		return HC_EINVAL;
	if (warn == UINT64_MAX)
		warn = fail;
	if (fail > warn)
		return hc_init_error(ctx,
		                     "fail_in: %s is longer than warn_in "
		                     "(%s)",
		                     hc_kv_get(ctx, "fail_in"), hc_kv_get(ctx, "warn_in"));
	c->warn_s = (double)warn / 1000;
	c->fail_s = (double)fail / 1000;
	return HC_OK;
}

/* Thresholds in days or as durations, not both. */
static int cred_parse_thresholds(const struct hc_init_ctx *ctx, struct cred *c)
{
	int days = hc_kv_get(ctx, "warn_days") != NULL || hc_kv_get(ctx, "fail_days") != NULL;
	int in = hc_kv_get(ctx, "warn_in") != NULL || hc_kv_get(ctx, "fail_in") != NULL;

	if (days && in)
		return hc_init_error(ctx, "warn_in, fail_in: give thresholds "
		                          "in days (warn_days, fail_days) or as "
		                          "durations (warn_in, fail_in), not both");
	if (in)
		return cred_parse_in(ctx, c);
	c->in_days = 1;
	return pux509_parse_days(ctx, &c->warn_s, &c->fail_s);
}

static int cred_init(const struct hc_init_ctx *ctx, void **instance)
{
	const char *file = hc_kv_get(ctx, "file");
	struct cred *c;
	int type = 0, rc;

	if (file == NULL || file[0] == '\0')
		return hc_init_error(ctx, "file: required (the file holding "
		                          "the credential)");
	if (pu_parse_word(ctx, "type", cred_types, &type) < 0)
		return HC_EINVAL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return HC_ENOMEM;
	c->type = (enum cred_type)type;
	rc = cred_parse_thresholds(ctx, c);
	if (rc == HC_OK) {
		c->file = strdup(file);
		rc = c->file != NULL ? HC_OK : HC_ENOMEM;
	}
	if (rc < 0) {
		free(c);
		return rc;
	}
	*instance = c;
	return HC_OK;
}

/* read() all of fd into buf (cap bytes): the length, or -1 with errno. */
static ssize_t cred_read_all(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t got;

	while (n < cap) {
		got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		if (got == 0)
			break;
		n += (size_t)got;
	}
	return (ssize_t)n;
}

/*
 * The file's content in a new NUL-terminated *buf of *len bytes (clear it
 * with explicit_bzero before freeing) and its mtime, or -1 with why. A
 * FIFO or device is refused unread: reading one could block past the
 * deadline.
 */
static int cred_read(const char *path, char **buf, size_t *len, double *mtime, char *why, size_t size)
{
	struct stat st;
	char err[128];
	ssize_t n = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	*buf = NULL;
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(why, size, "cannot open: %s", pu_strerror(errno, err, sizeof(err)));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CRED_MAX_BYTES) {
		snprintf(why, size, "%s",
		         S_ISREG(st.st_mode) ? "larger than 1 MiB: not a credential"
		                             : "not a regular file");
		goto out;
	}
	/* One byte more than the size, to notice a file that grew. */
	*buf = malloc((size_t)st.st_size + 2);
	if (*buf == NULL) {
		snprintf(why, size, "out of memory");
		goto out;
	}
	n = cred_read_all(fd, *buf, (size_t)st.st_size + 1);
	if (n < 0)
		snprintf(why, size, "cannot read: %s", pu_strerror(errno, err, sizeof(err)));
	else if (n == 0)
		snprintf(why, size, "is empty");
	else if (n > st.st_size)
		snprintf(why, size, "changed while being read");
	if (n > 0 && n <= st.st_size) {
		(*buf)[n] = '\0';
		*len = (size_t)n;
		*mtime = (double)st.st_mtim.tv_sec + st.st_mtim.tv_nsec / 1e9;
	} else if (*buf != NULL) {
		explicit_bzero(*buf, (size_t)st.st_size + 2);
		free(*buf);
		*buf = NULL;
	}
out:
	if (fd >= 0)
		close(fd);
	return *buf != NULL ? 0 : -1;
}

/* Seconds since the epoch, with the fraction. */
static double cred_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The verdict on a token that expires at exp (epoch seconds). */
static void cred_judge_token(const struct cred *c, const char *kind, double exp, struct hc_result *r)
{
	char what[512], when[40] = "";
	time_t t = (time_t)exp;
	struct tm tm;

	if (gmtime_r(&t, &tm) != NULL)
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	snprintf(what, sizeof(what), "%s in %s", kind, c->file);
	exp -= cred_now();
	pux509_verdict(r, exp, c->warn_s, c->fail_s, what, when);
	hc_result_observe(r, c->in_days ? exp / PUX509_DAY : exp, c->in_days ? "d" : "s");
}

static void cred_judge_x509(const struct cred *c, const char *data, size_t len, struct hc_result *r)
{
	STACK_OF(X509) * certs;
	struct pux509_expiry e;
	char why[160];

	certs = pux509_load_mem(data, len, why, sizeof(why));
	if (certs == NULL) {
		hc_result_set(r, HC_FAIL, "%s: %s", c->file, why);
		return;
	}
	if (pux509_expiry(certs, &e) < 0) {
		hc_result_set(r, HC_FAIL,
		              "%s: a certificate has a time that "
		              "cannot be read",
		              c->file);
	} else {
		pux509_judge(r, &e, c->warn_s, c->fail_s, c->file);
		if (!e.not_yet_valid)
			hc_result_observe(r, c->in_days ? e.left_s / PUX509_DAY : e.left_s,
			                  c->in_days ? "d" : "s");
	}
	sk_X509_pop_free(certs, X509_free);
}

/* The verdict on the credential in data, of the configured or detected
 * type. */
static void cred_judge(const struct cred *c, const char *data, size_t len, double mtime,
                       struct hc_result *r)
{
	enum cred_type type = c->type;
	char why[160];
	double exp = 0;
	int rc = -1;

	if (type == CRED_UNKNOWN)
		type = cred_detect(data, len);
	switch (type) {
	case CRED_X509:
		cred_judge_x509(c, data, len, r);
		return;
	case CRED_JWT:
		rc = cred_jwt_exp(data, len, &exp, why, sizeof(why));
		break;
	case CRED_OAUTH:
		rc = cred_oauth_exp(data, len, mtime, &exp, why, sizeof(why));
		break;
	case CRED_UNKNOWN:
		snprintf(why, sizeof(why),
		         "neither a JWT, an OAuth token JSON "
		         "nor a PEM certificate");
		break;
	}
	if (rc < 0)
		hc_result_set(r, HC_FAIL, "%s: %s", c->file, why);
	else
		cred_judge_token(c, type == CRED_JWT ? "JWT" : "OAuth token", exp, r);
}

static int cred_check(void *instance, const struct hc_check_ctx *ctx, struct hc_result *r)
{
	const struct cred *c = instance;
	char *data, why[160];
	size_t len = 0;
	double mtime = 0;

	(void)ctx; /* a local file: nothing to wait for */
	if (cred_read(c->file, &data, &len, &mtime, why, sizeof(why)) < 0) {
		hc_result_set(r, HC_FAIL, "%s: %s", c->file, why);
		return HC_OK;
	}
	cred_judge(c, data, len, mtime, r);
	snprintf(r->measurement, sizeof(r->measurement), "expiry");
	explicit_bzero(data, len);
	free(data);
	return HC_OK;
}

static void cred_teardown(void *instance)
{
	struct cred *c = instance;

	if (c == NULL)
		return;
	free(c->file);
	free(c);
}

HC_PLUGIN_DEFINE("credential", "1.0.0",
                 "time until a JWT, OAuth token or "
                 "certificate file expires",
                 cred_keys, cred_init, cred_check, cred_teardown);
