/* SPDX-License-Identifier: MIT */
/*
 * curlreq: the libcurl plumbing of the plugins that speak HTTP (s3,
 * azureblob, http). One easy handle per instance, kept across runs so that
 * its connection is reused; the check's deadline as libcurl's own timeouts;
 * a response body read up to a cap; TLS and proxy options; a failed
 * transfer as one line that names the server. Linked into each of those
 * plugins (libpucurl.la). Internal: not part of the SDK.
 */
#ifndef HC_CURLREQ_H
#define HC_CURLREQ_H

#include <stddef.h>

#include <curl/curl.h>

#include <healthcheckd/plugin.h>

#include "plugutil.h"

/* What pucurl_where writes at most: "[host]:65535". */
#define PUCURL_WHERE_MAX (PU_HOST_MAX + 16)

/* One instance's HTTP client. Owned by the instance; used by one check at
 * a time (the core never runs two checks of one instance at once). */
struct pucurl {
	CURL *easy;
	char *body; /* the last response's body, NUL-terminated */
	size_t body_len;
	size_t body_max; /* the cap: body has room for body_max + 1 bytes */
	int body_cut;    /* the body was longer: the transfer stopped there */
	int started;     /* the last perform got as far as libcurl */
	char errbuf[CURL_ERROR_SIZE];
};

/* Options every request of an instance shares. */
struct pucurl_opts {
	size_t body_max;     /* most body bytes read; more stops the transfer */
	const char *ca_file; /* CA bundle (PEM); NULL = the system's */
	int tls_verify;      /* 0: accept any certificate and name (tests) */
	const char *proxy;   /* proxy URL; NULL = none (the environment's
	                        http_proxy and friends are ignored) */
	const char *user_agent;
};

/* The hc_key entries of the keys pucurl_parse_opts reads, for the key
 * table of a plugin that offers them. (clang-format would indent the second
 * entry of a braced list in a macro as a continuation.) */
/* clang-format off */
#define PUCURL_KEYS                                                                                \
	{ "ca_file",                                                                               \
	  "CA bundle (PEM) to verify the server with (default: the system's)",                     \
	  HC_KEY_PATH },                                                                           \
	{ "tls_verify",                                                                            \
	  "verify the server's certificate and name: yes or no (default yes)",                     \
	  0 },                                                                                     \
	{ "proxy",                                                                                 \
	  "proxy URL (default none; http_proxy and friends are ignored)",                          \
	  0 }
/* clang-format on */

/* opts->ca_file, tls_verify and proxy from the keys of PUCURL_KEYS
 * (tls_verify keeps its value when the key is absent). Returns HC_OK, or
 * HC_EINVAL after hc_init_error: a ca_file that cannot be read, a
 * tls_verify that is not a bool. */
int pucurl_parse_opts(const struct hc_init_ctx *ctx, struct pucurl_opts *opts);

/*
 * Create pc's easy handle with opts (no network I/O: fit for init): no
 * signals (checks run on worker threads), http and https only, no
 * redirects, TLS verification as asked, the body capped. Returns HC_OK, or
 * HC_ENOMEM / HC_EINVAL after hc_init_error naming what libcurl refused.
 * Call pucurl_close even when it fails.
 */
int pucurl_open(const struct hc_init_ctx *ctx, struct pucurl *pc, const struct pucurl_opts *opts);

/* Free the handle (closing its connection) and the body. */
void pucurl_close(struct pucurl *pc);

/*
 * The key's value url: an http:// or https:// URL without user, password,
 * query or fragment. Returns HC_OK with *out a parsed copy (curl_url_cleanup
 * it), or HC_EINVAL after hc_init_error "KEY: 'V' is not an http:// or
 * https:// URL..." / HC_ENOMEM.
 */
int pucurl_parse_url(const struct hc_init_ctx *ctx, const char *key, const char *url, CURLU **out);

/* Append "/" and segment to u's path, dropping a trailing "/" of the path
 * first: "http://h:1/acct/" + "c" gives "http://h:1/acct/c". segment must
 * need no URL encoding. Returns HC_OK or HC_ENOMEM. */
int pucurl_append_path(CURLU *u, const char *segment);

/* How messages name the server of u: "host:port", "[::1]:port" (the port
 * is the scheme's when the URL has none). "?" when u has no host. */
void pucurl_where(CURLU *u, char *buf, size_t size);

/*
 * Perform the request set on pc->easy once, bounded by the check's
 * deadline (pu_early_deadline): the time left becomes libcurl's connect
 * and total timeouts. Empties the body first. Returns libcurl's code
 * (CURLE_OK also when the body was cut at the cap: see pc->body_cut) and
 * sets *status to the HTTP status, 0 when none came. A deadline already
 * passed is CURLE_OPERATION_TIMEDOUT without any I/O.
 */
CURLcode pucurl_perform(struct pucurl *pc, const struct hc_check_ctx *ctx, long *status);

/*
 * Describe a failed pucurl_perform in r as HC_FAIL, naming where (the
 * server, from pucurl_where): "timed out after N ms connecting to WHERE"
 * (or "in the TLS handshake with", "waiting for an answer from"),
 * "connect to WHERE: Connection refused", or "WHERE: libcurl's message".
 */
void pucurl_fail(const struct pucurl *pc, CURLcode code, const struct hc_check_ctx *ctx,
                 const char *where, struct hc_result *r);

/* The value of the last response's header name (the first of that name,
 * in any case), or NULL. Valid until the next perform. */
const char *pucurl_header(const struct pucurl *pc, const char *name);

/* Seconds the last response's Date header is ahead of this machine's
 * clock (negative: behind); 0 without a Date header. Servers that sign
 * with time (S3, Azure) refuse requests more than 15 minutes off. */
long pucurl_clock_skew(const struct pucurl *pc);

#endif /* HC_CURLREQ_H */
