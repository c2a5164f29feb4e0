/* SPDX-License-Identifier: MIT */
/*
 * tcp plugin: passes when a TCP connection to host:port opens before the
 * check's deadline.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* getaddrinfo, SOCK_NONBLOCK, GNU strerror_r */
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <healthcheckd/plugin.h>

/* Longest DNS name (RFC 1035); also bounds every message we build. */
#define TCP_HOST_MAX 253
/* "name:65535 (ipv6 address)" */
#define TCP_ENDPOINT_MAX (TCP_HOST_MAX + INET6_ADDRSTRLEN + 16)
/* Our own deadline ran out; distinct from a kernel ETIMEDOUT. */
#define TCP_TIMED_OUT (-1)
/* How much earlier than the core's deadline we give up (see tcp_deadline). */
#define TCP_SLACK_NS 10000000

struct tcp {
	char host[TCP_HOST_MAX + 1];
	char port[6];  /* decimal, as getaddrinfo wants the service */
	int numeric;   /* host is an address: resolving does no I/O */
};

static const struct hc_key tcp_keys[] = {
	{ "host", "address or name to connect to (required)", 0 },
	{ "port", "TCP port, 1-65535 (required)", 0 },
	{ NULL, NULL, 0 }
};

/* strerror() may share a buffer between threads; checks run in parallel. */
static const char *tcp_strerror(int err, char *buf, size_t size)
{
#if defined(__GLIBC__)
	return strerror_r(err, buf, size);
#else
	if (strerror_r(err, buf, size) != 0)
		snprintf(buf, size, "error %d", err);
	return buf;
#endif
}

static int tcp_parse_port(const struct hc_init_ctx *ctx, const char *v,
                          struct tcp *t)
{
	unsigned long n = 0;
	size_t i;

	/* Digits only: strtoul would accept " 80", "+80" and "0x50". */
	for (i = 0; v[i] != '\0' && i < 6; i++) {
		if (v[i] < '0' || v[i] > '9')
			break;
		n = n * 10 + (unsigned long)(v[i] - '0');
	}
	if (i == 0 || v[i] != '\0' || n < 1 || n > 65535)
		return hc_init_error(ctx,
		                     "port: '%s' is not a port number (1-65535)",
		                     v);
	snprintf(t->port, sizeof(t->port), "%lu", n);
	return HC_OK;
}

static int tcp_parse_host(const struct hc_init_ctx *ctx, const char *v,
                          struct tcp *t)
{
	unsigned char addr[sizeof(struct in6_addr)];
	size_t len = strlen(v);

	/* Accept the URL habit of writing an IPv6 address as [::1]. */
	if (len > 2 && v[0] == '[' && v[len - 1] == ']') {
		v++;
		len -= 2;
	}
	if (len == 0)
		return hc_init_error(ctx, "host: must not be empty");
	if (len > TCP_HOST_MAX)
		return hc_init_error(ctx, "host: longer than %d characters",
		                     TCP_HOST_MAX);
	if (strcspn(v, " \t") < len)
		return hc_init_error(ctx, "host: '%s' contains a blank", v);
	memcpy(t->host, v, len);
	t->host[len] = '\0';
	t->numeric = inet_pton(AF_INET, t->host, addr) == 1 ||
	             inet_pton(AF_INET6, t->host, addr) == 1;
	return HC_OK;
}

static int tcp_init(const struct hc_init_ctx *ctx, void **instance)
{
	const char *host = hc_kv_get(ctx, "host");
	const char *port = hc_kv_get(ctx, "port");
	struct tcp *t;
	int rc;

	if (host == NULL)
		return hc_init_error(ctx, "host: required (address or name "
		                          "to connect to)");
	if (port == NULL)
		return hc_init_error(ctx, "port: required (1-65535)");
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return HC_ENOMEM;
	rc = tcp_parse_host(ctx, host, t);
	if (rc == HC_OK)
		rc = tcp_parse_port(ctx, port, t);
	if (rc != HC_OK) {
		free(t);
		return rc;
	}
	*instance = t;
	return HC_OK;
}

/* poll() timeout for an absolute CLOCK_MONOTONIC instant, rounded up so
 * that poll never returns 0 before it. */
static int tcp_ms_until(const struct hc_host *host, int64_t until_ns)
{
	int64_t left = until_ns - host->now_ns();

	if (left <= 0)
		return 0;
	left = (left + 999999) / 1000000;
	return left > INT_MAX ? INT_MAX : (int)left;
}

/* The core takes the outcome at deadline_ns sharp, so a check that waits
 * until then loses the race and its message (which names the address) is
 * replaced by the core's bare "timed out". Stop a little earlier: 10 ms, or
 * a tenth of a very short timeout. */
static int64_t tcp_deadline(const struct hc_check_ctx *ctx)
{
	int64_t slack = (int64_t)ctx->timeout_ms * 1000000 / 10;

	return ctx->deadline_ns - (slack < TCP_SLACK_NS ? slack : TCP_SLACK_NS);
}

/* One non-blocking connect, closed again at once: 0, an errno value, or
 * TCP_TIMED_OUT when until_ns passed first. */
static int tcp_connect_one(const struct hc_host *host,
                           const struct addrinfo *ai, int64_t until_ns)
{
	struct pollfd pfd;
	socklen_t len = sizeof(int);
	int fd, n, err = 0;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	            SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0)
		return errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		goto out;
	if (errno != EINPROGRESS) {
		err = errno;
		goto out;
	}
	pfd.fd = fd;
	pfd.events = POLLOUT;
	/* EINTR: the core may use signals; recompute what is left. */
	while ((n = poll(&pfd, 1, tcp_ms_until(host, until_ns))) < 0 &&
	       errno == EINTR)
		;
	if (n < 0)
		err = errno;
	else if (n == 0)
		err = TCP_TIMED_OUT;
	else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
out:
	close(fd);
	return err;
}

/* How messages name the peer: "127.0.0.1:5432", "[::1]:5432", or for a
 * name "db.example:5432 (10.0.0.5)" so both sides of DNS are visible. */
static void tcp_endpoint(const struct tcp *t, const struct addrinfo *ai,
                         char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN];

	if (getnameinfo(ai->ai_addr, ai->ai_addrlen, addr, sizeof(addr), NULL,
	                0, NI_NUMERICHOST) != 0)
		snprintf(addr, sizeof(addr), "?");
	if (!t->numeric)
		snprintf(buf, size, "%s:%s (%s)", t->host, t->port, addr);
	else if (ai->ai_family == AF_INET6)
		snprintf(buf, size, "[%s]:%s", addr, t->port);
	else
		snprintf(buf, size, "%s:%s", addr, t->port);
}

static void tcp_resolve_error(const struct tcp *t, int rc,
                              struct hc_result *r)
{
	char buf[128];
	const char *why = gai_strerror(rc);

	if (rc == EAI_SYSTEM)
		why = tcp_strerror(errno, buf, sizeof(buf));
	hc_result_set(r, HC_FAIL, "cannot resolve '%s': %s", t->host, why);
}

/* The result of the last address tried, when none connected. */
static void tcp_connect_error(const struct hc_check_ctx *ctx, int err,
                              const char *endpoint, int tried,
                              struct hc_result *r)
{
	char buf[128], more[32] = "";

	if (tried > 1)
		snprintf(more, sizeof(more), " (%d addresses tried)", tried);
	if (err == TCP_TIMED_OUT)
		hc_result_set(r, HC_FAIL, "timed out after %u ms connecting "
		              "to %s%s", (unsigned)ctx->timeout_ms, endpoint,
		              more);
	else
		hc_result_set(r, HC_FAIL, "connect to %s: %s%s", endpoint,
		              tcp_strerror(err, buf, sizeof(buf)), more);
}

static int tcp_check(void *instance, const struct hc_check_ctx *ctx,
                     struct hc_result *r)
{
	const struct tcp *t = instance;
	const struct hc_host *host = ctx->host;
	struct addrinfo hints, *list = NULL, *ai;
	char endpoint[TCP_ENDPOINT_MAX] = "";
	int64_t deadline = tcp_deadline(ctx), start = 0, until;
	int rc, left = 0, tried = 0, err = TCP_TIMED_OUT;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	hints.ai_flags = AI_NUMERICSERV | (t->numeric ? AI_NUMERICHOST : 0);
	rc = getaddrinfo(t->host, t->port, &hints, &list);
	if (rc != 0) {
		tcp_resolve_error(t, rc, r);
		return HC_OK;
	}
	for (ai = list; ai != NULL; ai = ai->ai_next)
		left++;
	for (ai = list; ai != NULL; ai = ai->ai_next, left--) {
		/* Share the time left among the addresses not yet tried, so
		 * that one black-holed address (often IPv6) cannot use up the
		 * whole deadline; the last one gets all that remains. */
		start = host->now_ns();
		until = start + (deadline - start) / left;
		tcp_endpoint(t, ai, endpoint, sizeof(endpoint));
		tried++;
		err = tcp_connect_one(host, ai, until);
		if (err == 0)
			break;
	}
	if (err == 0) {
		hc_result_set(r, HC_PASS, "connected to %s", endpoint);
		hc_result_observe(r, (double)(host->now_ns() - start) / 1e6,
		                  "ms");
		snprintf(r->measurement, sizeof(r->measurement),
		         "responseTime");
	} else {
		tcp_connect_error(ctx, err, endpoint, tried, r);
	}
	freeaddrinfo(list);
	return HC_OK;
}

static void tcp_teardown(void *instance)
{
	free(instance);
}

HC_PLUGIN_DEFINE("tcp", "1.0.0", "connects to a TCP port within the deadline",
                 tcp_keys, tcp_init, tcp_check, tcp_teardown);
