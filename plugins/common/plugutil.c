/* SPDX-License-Identifier: MIT */
/* plugutil: helpers the in-tree plugins share (see plugutil.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* GNU strerror_r */
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "plugutil.h"

/* How much earlier than the core's deadline checks give up, at most. */
#define PU_SLACK_NS 10000000

/* See documentation in header file. */
int pu_parse_port(const struct hc_init_ctx *ctx, const char *v)
{
	long n = 0;
	size_t i;

	/* Digits only: strtol would accept " 80", "+80" and "0x50". */
	for (i = 0; v[i] >= '0' && v[i] <= '9'; i++) {
		n = n * 10 + (v[i] - '0');
		if (n > 65535)
			break;
	}
	if (i == 0 || v[i] != '\0' || n < 1)
		return hc_init_error(ctx,
		                     "port: '%s' is not a port number "
		                     "(1-65535)",
		                     v);
	return (int)n;
}

/* See documentation in header file. */
const char *pu_host_unbracket(const char *v, size_t *len)
{
	*len = strlen(v);
	if (*len > 2 && v[0] == '[' && v[*len - 1] == ']') {
		*len -= 2;
		return v + 1;
	}
	return v;
}

/* See documentation in header file. */
enum pu_host_fault pu_host_check(const char *h, size_t len)
{
	if (len == 0)
		return PU_HOST_EMPTY;
	if (len > PU_HOST_MAX)
		return PU_HOST_TOO_LONG;
	if (strcspn(h, " \t") < len)
		return PU_HOST_BLANK;
	return PU_HOST_OK;
}

/* See documentation in header file. */
int pu_parse_host(const struct hc_init_ctx *ctx, const char *v, char *host)
{
	size_t len;

	v = pu_host_unbracket(v, &len);
	switch (pu_host_check(v, len)) {
	case PU_HOST_EMPTY:
		return hc_init_error(ctx, "host: must not be empty");
	case PU_HOST_TOO_LONG:
		return hc_init_error(ctx, "host: longer than %d characters", PU_HOST_MAX);
	case PU_HOST_BLANK:
		return hc_init_error(ctx, "host: '%s' contains a blank", v);
	case PU_HOST_OK:
		break;
	}
	memcpy(host, v, len);
	host[len] = '\0';
	return HC_OK;
}

/* See documentation in header file. */
int pu_host_span(const struct hc_init_ctx *ctx, const char *v, const char **host, size_t *len)
{
	*host = pu_host_unbracket(v, len);
	if (pu_host_check(*host, *len) != PU_HOST_OK)
		return hc_init_error(ctx,
		                     "host: '%s' is not an address or "
		                     "a name",
		                     *host);
	return HC_OK;
}

/* See documentation in header file. */
int pu_check_socket(const struct hc_init_ctx *ctx, const char *v)
{
	if (v[0] != '/')
		return hc_init_error(ctx,
		                     "socket: '%s' is not an absolute "
		                     "path",
		                     v);
	if (strlen(v) > PU_SOCKET_MAX)
		return hc_init_error(ctx,
		                     "socket: longer than %d bytes, the "
		                     "limit of a Unix socket path",
		                     PU_SOCKET_MAX);
	return HC_OK;
}

/* See documentation in header file. */
int pu_host_numeric(const char *host)
{
	unsigned char addr[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
}

/* See documentation in header file. */
void pu_host_port(char *buf, size_t size, const char *host, unsigned port)
{
	snprintf(buf, size, strchr(host, ':') != NULL ? "[%s]:%u" : "%s:%u", host, port);
}

/* See documentation in header file. */
void pu_endpoint(char *buf, size_t size, const char *host, const char *port, int numeric,
                 const struct addrinfo *ai)
{
	char addr[INET6_ADDRSTRLEN];

	if (getnameinfo(ai->ai_addr, ai->ai_addrlen, addr, sizeof(addr), NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(addr, sizeof(addr), "?");
	if (!numeric)
		snprintf(buf, size, "%s:%s (%s)", host, port, addr);
	else if (ai->ai_family == AF_INET6)
		snprintf(buf, size, "[%s]:%s", addr, port);
	else
		snprintf(buf, size, "%s:%s", addr, port);
}

/* See documentation in header file. */
const char *pu_strerror(int err, char *buf, size_t size)
{
#if defined(__GLIBC__)
	return strerror_r(err, buf, size);
#else
	if (strerror_r(err, buf, size) != 0)
		snprintf(buf, size, "error %d", err);
	return buf;
#endif
}

/* See documentation in header file. */
int64_t pu_early_deadline(const struct hc_check_ctx *ctx)
{
	int64_t slack = (int64_t)ctx->timeout_ms * 1000000 / 10;

	return ctx->deadline_ns - (slack < PU_SLACK_NS ? slack : PU_SLACK_NS);
}

/* See documentation in header file. */
double pu_elapsed_ms(const struct hc_host *host, int64_t start_ns)
{
	return (double)(host->now_ns() - start_ns) / 1e6;
}

/* See documentation in header file. */
void pu_observe_ms(struct hc_result *r, double ms)
{
	hc_result_observe(r, ms, "ms");
	snprintf(r->measurement, sizeof(r->measurement), "responseTime");
}

/* See documentation in header file. */
int pu_ms_until(const struct hc_host *host, int64_t until_ns)
{
	int64_t left = until_ns - host->now_ns();

	if (left <= 0)
		return 0;
	left = (left + 999999) / 1000000;
	return left > INT_MAX ? INT_MAX : (int)left;
}

/* See documentation in header file. */
int pu_poll(const struct hc_host *host, struct pollfd *pfd, int64_t until_ns)
{
	int n;

	while ((n = poll(pfd, 1, pu_ms_until(host, until_ns))) < 0 && errno == EINTR)
		;
	return n;
}
