/* SPDX-License-Identifier: MIT */
/*
 * tcp plugin: passes when a TCP connection to host:port opens before the
 * check's deadline.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* getaddrinfo, SOCK_NONBLOCK */
#endif

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <healthcheckd/plugin.h>

#include "../common/plugutil.h"

/* Our own deadline ran out; distinct from a kernel ETIMEDOUT. */
#define TCP_TIMED_OUT (-1)

struct tcp {
	char host[PU_HOST_MAX + 1];
	char port[6]; /* decimal, as getaddrinfo wants the service */
	int numeric;  /* host is an address: resolving does no I/O */
	/* An address resolves to itself: done once, in init, with the
	 * message's name for it. NULL for a host name (resolved each run). */
	struct addrinfo *fixed;
	char fixed_endpoint[PU_ENDPOINT_MAX];
};

/* getaddrinfo for host:port as every run asks it. */
static int tcp_resolve(const struct tcp *t, struct addrinfo **list)
{
	struct addrinfo hints;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	hints.ai_flags = AI_NUMERICSERV | (t->numeric ? AI_NUMERICHOST : 0);
	return getaddrinfo(t->host, t->port, &hints, list);
}

static const struct hc_key tcp_keys[] = { { "host", "address or name to connect to (required)", 0 },
	                                  { "port", "TCP port, 1-65535 (required)", 0 },
	                                  { NULL, NULL, 0 } };

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
	rc = pu_parse_host(ctx, host, t->host);
	if (rc == HC_OK)
		rc = pu_parse_port(ctx, port);
	if (rc < 0) {
		free(t);
		return rc;
	}
	snprintf(t->port, sizeof(t->port), "%u", (unsigned)(uint16_t)rc);
	t->numeric = pu_host_numeric(t->host);
	/* Numeric: no I/O, so allowed in init, and spared every run. */
	if (t->numeric && tcp_resolve(t, &t->fixed) == 0 && t->fixed->ai_next == NULL)
		pu_endpoint(t->fixed_endpoint, sizeof(t->fixed_endpoint), t->host, t->port, 1,
		            t->fixed);
	else if (t->fixed != NULL) {
		freeaddrinfo(t->fixed);
		t->fixed = NULL;
	}
	*instance = t;
	return HC_OK;
}

/* One non-blocking connect, closed again at once: 0, an errno value, or
 * TCP_TIMED_OUT when until_ns passed first. */
static int tcp_connect_one(const struct hc_host *host, const struct addrinfo *ai, int64_t until_ns)
{
	struct pollfd pfd;
	socklen_t len = sizeof(int);
	int fd, n, err = 0;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
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
	n = pu_poll(host, &pfd, until_ns);
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

static void tcp_resolve_error(const struct tcp *t, int rc, struct hc_result *r)
{
	char buf[128];
	const char *why = gai_strerror(rc);

	if (rc == EAI_SYSTEM)
		why = pu_strerror(errno, buf, sizeof(buf));
	hc_result_set(r, HC_FAIL, "cannot resolve '%s': %s", t->host, why);
}

/* The result of the last address tried, when none connected. */
static void tcp_connect_error(const struct hc_check_ctx *ctx, int err, const char *endpoint,
                              int tried, struct hc_result *r)
{
	char buf[128], more[32] = "";

	if (tried > 1)
		snprintf(more, sizeof(more), " (%d addresses tried)", tried);
	if (err == TCP_TIMED_OUT)
		hc_result_set(r, HC_FAIL,
		              "timed out after %u ms connecting "
		              "to %s%s",
		              (unsigned)ctx->timeout_ms, endpoint, more);
	else
		hc_result_set(r, HC_FAIL, "connect to %s: %s%s", endpoint,
		              pu_strerror(err, buf, sizeof(buf)), more);
}

static int tcp_check(void *instance, const struct hc_check_ctx *ctx, struct hc_result *r)
{
	const struct tcp *t = instance;
	const struct hc_host *host = ctx->host;
	struct addrinfo *list = t->fixed, *ai;
	char buf[PU_ENDPOINT_MAX] = "";
	const char *endpoint = t->fixed != NULL ? t->fixed_endpoint : buf;
	int64_t deadline = pu_early_deadline(ctx), start = 0, until;
	int rc, left = 0, tried = 0, err = TCP_TIMED_OUT;

	if (list == NULL && (rc = tcp_resolve(t, &list)) != 0) {
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
		if (t->fixed == NULL)
			pu_endpoint(buf, sizeof(buf), t->host, t->port, t->numeric, ai);
		tried++;
		err = tcp_connect_one(host, ai, until);
		if (err == 0)
			break;
	}
	if (err == 0) {
		hc_result_set(r, HC_PASS, "connected to %s", endpoint);
		pu_observe_ms(r, pu_elapsed_ms(host, start));
	} else {
		tcp_connect_error(ctx, err, endpoint, tried, r);
	}
	if (list != t->fixed)
		freeaddrinfo(list);
	return HC_OK;
}

static void tcp_teardown(void *instance)
{
	struct tcp *t = instance;

	if (t->fixed != NULL)
		freeaddrinfo(t->fixed);
	free(t);
}

HC_PLUGIN_DEFINE("tcp", "1.0.0", "connects to a TCP port within the deadline", tcp_keys, tcp_init,
                 tcp_check, tcp_teardown);
