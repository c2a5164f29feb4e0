/* SPDX-License-Identifier: MIT */
/*
 * tls plugin: days until a certificate expires, read from a PEM file or
 * from a live TLS endpoint (connect and handshake within the deadline),
 * optionally verifying the endpoint's chain and name.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* getaddrinfo, SOCK_NONBLOCK */
#endif

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <healthcheckd/plugin.h>

#include "../common/plugutil.h"
#include "../common/x509.h"

/* Our own deadline ran out: distinct from every errno value and from
 * tls_handshake's -1. */
#define TLS_TIMED_OUT (-2)

struct tls {
	char *file; /* file mode: the PEM file, else NULL */
	char host[PU_HOST_MAX + 1];
	char port[6];              /* decimal, as getaddrinfo wants it */
	char sni[PU_HOST_MAX + 1]; /* "" when none is sent */
	int numeric;               /* host is an address */
	int verify;                /* check the chain and the name */
	SSL_CTX *ssl;              /* endpoint mode */
	double warn_s, fail_s;
};

static const struct hc_key tls_keys[] = {
	{ "file", "PEM file whose certificates to check (instead of host)", HC_KEY_PATH },
	{ "host", "TLS endpoint to connect to (instead of file)", 0 },
	{ "port", "TCP port of the endpoint, 1-65535 (default 443)", 0 },
	{ "sni", "server name to send and verify (default: host, when a name)", 0 },
	{ "verify", "verify the endpoint's chain and name (default yes)", 0 },
	{ "ca_file", "PEM file of trusted CAs (default: the system store)", HC_KEY_PATH },
	{ "warn_days", "warn below this many days left (default 30)", 0 },
	{ "fail_days", "fail below this many days left (default 7)", 0 },
	{ NULL, NULL, 0 }
};

static void tls_free(struct tls *t)
{
	if (t == NULL)
		return;
	free(t->file);
	SSL_CTX_free(t->ssl);
	free(t);
}

/* File mode: the endpoint keys make no sense with it. */
static int tls_init_file(const struct hc_init_ctx *ctx, struct tls *t, const char *file)
{
	static const char *const endpoint_only[] = { "port", "sni", "verify", "ca_file", NULL };
	int i;

	for (i = 0; endpoint_only[i] != NULL; i++)
		if (hc_kv_get(ctx, endpoint_only[i]) != NULL)
			return hc_init_error(ctx,
			                     "%s: applies to an endpoint "
			                     "(host), not to a file",
			                     endpoint_only[i]);
	if (file[0] == '\0')
		return hc_init_error(ctx, "file: must not be empty");
	t->file = strdup(file);
	return t->file != NULL ? HC_OK : HC_ENOMEM;
}

/* sni: a name (never an address, RFC 6066), else host when it is one. */
static int tls_parse_sni(const struct hc_init_ctx *ctx, struct tls *t)
{
	const char *v = hc_kv_get(ctx, "sni");

	if (v == NULL) {
		if (!t->numeric)
			memcpy(t->sni, t->host, sizeof(t->sni));
		return HC_OK;
	}
	if (pu_host_check(v, strlen(v)) != PU_HOST_OK || pu_host_numeric(v))
		return hc_init_error(ctx, "sni: '%s' is not a host name", v);
	snprintf(t->sni, sizeof(t->sni), "%s", v);
	return HC_OK;
}

/* The client context: trust store and verification, read now (files are
 * fine in init; only network I/O is not). */
static int tls_make_ctx(const struct hc_init_ctx *ctx, struct tls *t, int verify)
{
	const char *ca = hc_kv_get(ctx, "ca_file");
	char why[128];
	int ok;

	if (ca != NULL && !verify)
		return hc_init_error(ctx, "ca_file: useless with verify = no");
	if (ca != NULL && pu_check_readable(ctx, "ca_file", ca) < 0)
		return HC_EINVAL;
	ERR_clear_error();
	t->ssl = SSL_CTX_new(TLS_client_method());
	if (t->ssl == NULL)
		return hc_init_error(ctx, "cannot make a TLS context: %s",
		                     pux509_ssl_error(why, sizeof(why)));
	/* The handshake always completes; check reads the verification's
	 * outcome itself, to name OpenSSL's reason and still see expiry. */
	SSL_CTX_set_verify(t->ssl, SSL_VERIFY_NONE, NULL);
	t->verify = verify;
	if (!verify)
		return HC_OK;
	ok = ca != NULL ? SSL_CTX_load_verify_locations(t->ssl, ca, NULL)
	                : SSL_CTX_set_default_verify_paths(t->ssl);
	if (ok != 1)
		return hc_init_error(ctx,
		                     "%s: cannot load trusted "
		                     "certificates: %s",
		                     ca != NULL ? "ca_file" : "verify",
		                     pux509_ssl_error(why, sizeof(why)));
	return HC_OK;
}

static int tls_init_endpoint(const struct hc_init_ctx *ctx, struct tls *t, const char *host)
{
	int port = 443, verify = 1;

	if (pu_parse_host(ctx, host, t->host) < 0)
		return HC_EINVAL;
	if (hc_kv_get(ctx, "port") != NULL) {
		port = pu_parse_port(ctx, hc_kv_get(ctx, "port"));
		if (port < 0)
			return port;
	}
	snprintf(t->port, sizeof(t->port), "%u", (unsigned)(uint16_t)port);
	t->numeric = pu_host_numeric(t->host);
	if (tls_parse_sni(ctx, t) < 0 || pu_parse_bool(ctx, "verify", &verify) < 0)
		return HC_EINVAL;
	return tls_make_ctx(ctx, t, verify);
}

static int tls_init(const struct hc_init_ctx *ctx, void **instance)
{
	const char *file = hc_kv_get(ctx, "file");
	const char *host = hc_kv_get(ctx, "host");
	struct tls *t;
	int rc;

	if (file != NULL && host != NULL)
		return hc_init_error(ctx, "file and host: give one, a PEM "
		                          "file or an endpoint");
	if (file == NULL && host == NULL)
		return hc_init_error(ctx, "file or host: required (a PEM file "
		                          "or an endpoint)");
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return HC_ENOMEM;
	rc = pux509_parse_days(ctx, &t->warn_s, &t->fail_s);
	if (rc == HC_OK)
		rc = file != NULL ? tls_init_file(ctx, t, file) : tls_init_endpoint(ctx, t, host);
	if (rc < 0) {
		tls_free(t);
		return rc;
	}
	*instance = t;
	return HC_OK;
}

/* The verdict on certs, what naming where they come from. */
static void tls_judge(const struct tls *t, STACK_OF(X509) * certs, const char *what,
                      struct hc_result *r)
{
	struct pux509_expiry e;

	if (pux509_expiry(certs, &e) < 0) {
		hc_result_set(r, HC_FAIL,
		              "a certificate of %s has a time "
		              "that cannot be read",
		              what);
		return;
	}
	pux509_judge(r, &e, t->warn_s, t->fail_s, what);
	if (!e.not_yet_valid)
		hc_result_observe(r, e.left_s / PUX509_DAY, "d");
	snprintf(r->measurement, sizeof(r->measurement), "expiry");
}

static void tls_check_file(const struct tls *t, struct hc_result *r)
{
	STACK_OF(X509) * certs;
	char why[160];

	certs = pux509_load_file(t->file, why, sizeof(why));
	if (certs == NULL) {
		hc_result_set(r, HC_FAIL, "%s: %s", t->file, why);
		return;
	}
	tls_judge(t, certs, t->file, r);
	sk_X509_pop_free(certs, X509_free);
}

/* A non-blocking connect to ai: the socket, or -1 with *err an errno
 * value or TLS_TIMED_OUT. */
static int tls_connect_one(const struct hc_host *host, const struct addrinfo *ai, int64_t until_ns,
                           int *err)
{
	struct pollfd pfd;
	socklen_t len = sizeof(*err);
	int fd, n;

	*err = 0;
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0) {
		*err = errno;
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		*err = errno;
		goto fail;
	}
	pfd.fd = fd;
	pfd.events = POLLOUT;
	n = pu_poll(host, &pfd, until_ns);
	if (n < 0)
		*err = errno;
	else if (n == 0)
		*err = TLS_TIMED_OUT;
	else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, err, &len) < 0)
		*err = errno;
	if (*err == 0)
		return fd;
fail:
	close(fd);
	return -1;
}

/* A connected socket to the endpoint, or -1 with r set. The time left is
 * shared among the addresses not yet tried, so that one black-holed
 * address (often IPv6) cannot use up the whole deadline. */
static int tls_connect(const struct tls *t, const struct hc_check_ctx *ctx, int64_t deadline,
                       char *endpoint, size_t size, struct hc_result *r)
{
	struct addrinfo hints, *list = NULL, *ai;
	char buf[128];
	int64_t now;
	int rc, left = 0, fd = -1, err = TLS_TIMED_OUT;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	hints.ai_flags = AI_NUMERICSERV | (t->numeric ? AI_NUMERICHOST : 0);
	rc = getaddrinfo(t->host, t->port, &hints, &list);
	if (rc != 0) {
		hc_result_set(r, HC_FAIL, "cannot resolve '%s': %s", t->host,
		              rc == EAI_SYSTEM ? pu_strerror(errno, buf, sizeof(buf))
		                               : gai_strerror(rc));
		return -1;
	}
	for (ai = list; ai != NULL; ai = ai->ai_next)
		left++;
	for (ai = list; ai != NULL && fd < 0; ai = ai->ai_next, left--) {
		now = ctx->host->now_ns();
		pu_endpoint(endpoint, size, t->host, t->port, t->numeric, ai);
		fd = tls_connect_one(ctx->host, ai, now + (deadline - now) / left, &err);
	}
	freeaddrinfo(list);
	if (fd >= 0)
		return fd;
	if (err == TLS_TIMED_OUT)
		hc_result_set(r, HC_FAIL,
		              "timed out after %u ms connecting "
		              "to %s",
		              (unsigned)ctx->timeout_ms, endpoint);
	else
		hc_result_set(r, HC_FAIL, "connect to %s: %s", endpoint,
		              pu_strerror(err, buf, sizeof(buf)));
	return -1;
}

/* Why SSL_connect gave up with SSL_get_error code e, in buf. */
static const char *tls_why(int e, char *buf, size_t size)
{
	if (e == SSL_ERROR_SSL)
		return pux509_ssl_error(buf, size);
	if (e == SSL_ERROR_SYSCALL && errno != 0)
		return pu_strerror(errno, buf, size);
	return "connection closed by the peer";
}

/* SSL_connect on the non-blocking socket of s, driven by poll until
 * until_ns: 0, TLS_TIMED_OUT, or -1 with why set. */
static int tls_handshake(const struct hc_host *host, SSL *s, int64_t until_ns, char *why, size_t size)
{
	struct pollfd pfd;
	int rc, e, n;

	pfd.fd = SSL_get_fd(s);
	for (;;) {
		ERR_clear_error();
		errno = 0;
		rc = SSL_connect(s);
		if (rc == 1)
			return 0;
		e = SSL_get_error(s, rc);
		if (e == SSL_ERROR_WANT_READ) {
			pfd.events = POLLIN;
		} else if (e == SSL_ERROR_WANT_WRITE) {
			pfd.events = POLLOUT;
		} else {
			tls_why(e, why, size);
			return -1;
		}
		n = pu_poll(host, &pfd, until_ns);
		if (n == 0)
			return TLS_TIMED_OUT;
		if (n < 0) {
			pu_strerror(errno, why, size);
			return -1;
		}
	}
}

/* A new TLS session on fd: SNI and, when verifying, the expected name. */
static SSL *tls_session(const struct tls *t, int fd)
{
	SSL *s = SSL_new(t->ssl);
	int ok;

	if (s == NULL)
		return NULL;
	ok = SSL_set_fd(s, fd);
	if (ok && t->sni[0] != '\0')
		ok = SSL_set_tlsext_host_name(s, t->sni);
	if (ok && t->verify)
		ok = t->sni[0] != '\0' ? SSL_set1_host(s, t->sni)
		                       : X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(s), t->host);
	if (!ok) {
		SSL_free(s);
		return NULL;
	}
	return s;
}

/* After the handshake: expiry of the chain the peer sent, then whether it
 * verified. An expiry failure speaks first: it says more than OpenSSL's
 * "certificate has expired". */
static void tls_judge_peer(const struct tls *t, SSL *s, const char *endpoint, struct hc_result *r)
{
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(s);
	long v;

	if (chain == NULL || sk_X509_num(chain) == 0) {
		hc_result_set(r, HC_FAIL, "%s sent no certificate", endpoint);
		return;
	}
	tls_judge(t, chain, endpoint, r);
	v = SSL_get_verify_result(s);
	if (t->verify && r->status != HC_FAIL && v != X509_V_OK)
		hc_result_set(r, HC_FAIL,
		              "certificate of %s failed "
		              "verification: %s",
		              endpoint, X509_verify_cert_error_string(v));
}

static void tls_check_endpoint(const struct tls *t, const struct hc_check_ctx *ctx,
                               struct hc_result *r)
{
	int64_t deadline = pu_early_deadline(ctx);
	char endpoint[PU_ENDPOINT_MAX] = "", why[160];
	SSL *s = NULL;
	int fd, rc;

	fd = tls_connect(t, ctx, deadline, endpoint, sizeof(endpoint), r);
	if (fd < 0)
		return;
	s = tls_session(t, fd);
	if (s == NULL) {
		hc_result_set(r, HC_FAIL, "cannot start TLS with %s: %s", endpoint,
		              pux509_ssl_error(why, sizeof(why)));
		goto out;
	}
	rc = tls_handshake(ctx->host, s, deadline, why, sizeof(why));
	if (rc == TLS_TIMED_OUT)
		hc_result_set(r, HC_FAIL,
		              "timed out after %u ms in the TLS "
		              "handshake with %s",
		              (unsigned)ctx->timeout_ms, endpoint);
	else if (rc < 0)
		hc_result_set(r, HC_FAIL, "TLS handshake with %s: %s", endpoint, why);
	else
		tls_judge_peer(t, s, endpoint, r);
	/* close_notify, as a polite client does; it never waits. */
	if (rc == 0)
		SSL_shutdown(s);
out:
	SSL_free(s);
	close(fd);
}

static int tls_check(void *instance, const struct hc_check_ctx *ctx, struct hc_result *r)
{
	const struct tls *t = instance;

	ERR_clear_error();
	if (t->file != NULL)
		tls_check_file(t, r);
	else
		tls_check_endpoint(t, ctx, r);
	return HC_OK;
}

static void tls_teardown(void *instance)
{
	tls_free(instance);
}

HC_PLUGIN_DEFINE("tls", "1.0.0",
                 "days until a certificate expires (file or "
                 "endpoint)",
                 tls_keys, tls_init, tls_check, tls_teardown);
