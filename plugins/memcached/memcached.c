/* SPDX-License-Identifier: MIT */
/*
 * memcached plugin: passes when the server answers the text protocol's
 * `version` command before the check's deadline (TCP or a Unix socket).
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
#include <sys/un.h>
#include <unistd.h>

#include <healthcheckd/plugin.h>

#include "../common/plugutil.h"

/* "VERSION 1.6.18\r\n" is short; anything longer than this is not it. */
#define MC_REPLY_MAX 128
/* Outcomes that are not errno values: our deadline ran out; the name did
 * not resolve (the message is set already). */
#define MC_TIMED_OUT (-1)
#define MC_UNRESOLVED (-2)

struct mc {
	char host[PU_HOST_MAX + 1]; /* "" when socket is used */
	char port[6];
	int numeric;                  /* host is an address: no DNS lookup */
	struct sockaddr_un sock_addr; /* sun_path[0] == '\0' when host is used */
};

static const struct hc_key mc_keys[] = {
	{ "host", "address or name of the server (default 127.0.0.1)", 0 },
	{ "port", "TCP port, 1-65535 (default 11211)", 0 },
	{ "socket", "Unix socket path, instead of host and port", 0 },
	{ NULL, NULL, 0 }
};

static int mc_set_port(const struct hc_init_ctx *ctx, struct mc *m, const char *v)
{
	int n = pu_parse_port(ctx, v);

	if (n < 0)
		return n;
	snprintf(m->port, sizeof(m->port), "%u", (unsigned)(uint16_t)n);
	return HC_OK;
}

static int mc_set_host(const struct hc_init_ctx *ctx, struct mc *m, const char *v)
{
	size_t len;

	if (pu_host_span(ctx, v, &v, &len) != HC_OK)
		return HC_EINVAL;
	memcpy(m->host, v, len);
	m->host[len] = '\0';
	m->numeric = pu_host_numeric(m->host);
	return HC_OK;
}

static int mc_set_socket(const struct hc_init_ctx *ctx, struct mc *m, const char *v)
{
	_Static_assert(sizeof(m->sock_addr.sun_path) > PU_SOCKET_MAX,
	               "sun_path holds a socket path pu_check_socket passes");
	if (pu_check_socket(ctx, v) != HC_OK)
		return HC_EINVAL;
	m->sock_addr.sun_family = AF_UNIX;
	memcpy(m->sock_addr.sun_path, v, strlen(v) + 1);
	return HC_OK;
}

static int mc_configure(const struct hc_init_ctx *ctx, struct mc *m)
{
	const char *host = hc_kv_get(ctx, "host");
	const char *port = hc_kv_get(ctx, "port");
	const char *sock = hc_kv_get(ctx, "socket");

	if (sock != NULL && (host != NULL || port != NULL))
		return hc_init_error(ctx,
		                     "socket: cannot be combined with "
		                     "%s (a Unix socket has no host or port)",
		                     host != NULL ? "host" : "port");
	if (sock != NULL)
		return mc_set_socket(ctx, m, sock);
	if (mc_set_host(ctx, m, host != NULL ? host : "127.0.0.1") != HC_OK)
		return HC_EINVAL;
	return mc_set_port(ctx, m, port != NULL ? port : "11211");
}

static int mc_init(const struct hc_init_ctx *ctx, void **instance)
{
	struct mc *m = calloc(1, sizeof(*m));
	int rc;

	if (m == NULL)
		return HC_ENOMEM;
	rc = mc_configure(ctx, m);
	if (rc != HC_OK) {
		free(m);
		return rc;
	}
	*instance = m;
	return HC_OK;
}

/* Wait for events on fd until the deadline: 0 when ready, an errno value,
 * or MC_TIMED_OUT. */
static int mc_wait(const struct hc_check_ctx *ctx, int fd, short events)
{
	struct pollfd pfd = { fd, events, 0 };
	int n;

	if (hc_remaining_ms(ctx) == 0)
		return MC_TIMED_OUT;
	n = pu_poll(ctx->host, &pfd, ctx->deadline_ns);
	if (n < 0)
		return errno;
	return n == 0 ? MC_TIMED_OUT : 0;
}

/* A non-blocking connect bounded by the deadline: 0, an errno value or
 * MC_TIMED_OUT; *fd is the socket (to close) whenever it was made. */
static int mc_connect(const struct hc_check_ctx *ctx, const struct sockaddr *sa, socklen_t len,
                      int *fd)
{
	socklen_t elen = sizeof(int);
	int err = 0;

	*fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (*fd < 0)
		return errno;
	if (connect(*fd, sa, len) == 0)
		return 0;
	/* A Unix socket says EAGAIN, not EINPROGRESS, when the server's
	 * backlog is full: that is an answer, not something to wait for. */
	if (errno != EINPROGRESS)
		return errno;
	err = mc_wait(ctx, *fd, POLLOUT);
	if (err == 0 && getsockopt(*fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
		err = errno;
	return err;
}

/* Connect to the first address of host that accepts (a refused ::1 must
 * not hide a listening 127.0.0.1); names the peer tried last in peer.
 * Returns 0 with *fd connected, or what failed. */
static int mc_open_tcp(const struct hc_check_ctx *ctx, const struct mc *m, int *fd, char *peer,
                       size_t size, struct hc_result *r)
{
	struct addrinfo hints, *list = NULL, *ai;
	int rc, err = MC_TIMED_OUT;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | (m->numeric ? AI_NUMERICHOST : 0);
	rc = getaddrinfo(m->host, m->port, &hints, &list);
	if (rc != 0) {
		hc_result_set(r, HC_FAIL, "cannot resolve '%s': %s", m->host, gai_strerror(rc));
		return MC_UNRESOLVED;
	}
	for (ai = list; ai != NULL; ai = ai->ai_next) {
		pu_endpoint(peer, size, m->host, m->port, m->numeric, ai);
		err = mc_connect(ctx, ai->ai_addr, ai->ai_addrlen, fd);
		if (err == 0 || err == MC_TIMED_OUT || ai->ai_next == NULL)
			break;
		close(*fd);
		*fd = -1;
	}
	freeaddrinfo(list);
	return err;
}

/* Send `version` and read one line back into reply. */
static int mc_version(const struct hc_check_ctx *ctx, int fd, char *reply, size_t size)
{
	static const char cmd[] = "version\r\n";
	size_t got = 0;
	ssize_t n;
	int err;

	/* A fresh socket's send buffer always takes 9 bytes at once. */
	n = send(fd, cmd, sizeof(cmd) - 1, MSG_NOSIGNAL);
	if (n < 0)
		return errno;
	if (n != sizeof(cmd) - 1)
		return EIO;
	while (got < size - 1 && memchr(reply, '\n', got) == NULL) {
		err = mc_wait(ctx, fd, POLLIN);
		if (err != 0)
			return err;
		n = recv(fd, reply + got, size - 1 - got, 0);
		if (n == 0)
			break;
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			return errno;
		if (n > 0)
			got += (size_t)n;
	}
	reply[got] = '\0';
	return got == 0 ? ECONNRESET : 0;
}

/* The reply as printable text for a message, cut at the first line end. */
static void mc_printable(char *s)
{
	s[strcspn(s, "\r\n")] = '\0';
	if (strlen(s) > 60)
		strcpy(s + 57, "...");
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = '?';
}

/* A failure of the connect (replying == 0) or of the version exchange.
 * "%m" prints strerror(errno) without strerror()'s shared buffer: checks
 * run in parallel. */
static void mc_report(const struct hc_check_ctx *ctx, struct hc_result *r, int err, int replying,
                      const char *peer)
{
	if (err == MC_TIMED_OUT) {
		hc_result_set(r, HC_FAIL, "timed out after %u ms %s %s", (unsigned)ctx->timeout_ms,
		              replying ? "waiting for the version reply from" : "connecting to",
		              peer);
	} else if (replying && err == ECONNRESET) {
		hc_result_set(r, HC_FAIL,
		              "%s closed the connection without "
		              "answering version",
		              peer);
	} else {
		errno = err;
		hc_result_set(r, HC_FAIL, "%s %s: %m", replying ? "version from" : "connect to",
		              peer);
	}
}

static void mc_judge(struct hc_result *r, char *reply, const char *peer)
{
	size_t pre = strlen("VERSION ");

	if (strncmp(reply, "VERSION ", pre) == 0 && strcspn(reply, "\r\n") > pre) {
		mc_printable(reply);
		hc_result_set(r, HC_PASS, "memcached %s on %s", reply + pre, peer);
	} else {
		mc_printable(reply);
		hc_result_set(r, HC_FAIL,
		              "unexpected reply to version from "
		              "%s: \"%s\"",
		              peer, reply);
	}
}

static int mc_check(void *instance, const struct hc_check_ctx *ctx, struct hc_result *r)
{
	const struct mc *m = instance;
	char peer[PU_ENDPOINT_MAX], reply[MC_REPLY_MAX];
	int64_t start = ctx->host->now_ns();
	int fd = -1, err;

	if (m->sock_addr.sun_path[0] != '\0') {
		snprintf(peer, sizeof(peer), "%s", m->sock_addr.sun_path);
		err = mc_connect(ctx, (const struct sockaddr *)&m->sock_addr, sizeof(m->sock_addr),
		                 &fd);
	} else {
		err = mc_open_tcp(ctx, m, &fd, peer, sizeof(peer), r);
	}
	if (err == MC_UNRESOLVED)
		goto out;
	if (err != 0) {
		mc_report(ctx, r, err, 0, peer);
		goto out;
	}
	err = mc_version(ctx, fd, reply, sizeof(reply));
	if (err != 0) {
		mc_report(ctx, r, err, 1, peer);
		goto out;
	}
	mc_judge(r, reply, peer);
	pu_observe_ms(r, pu_elapsed_ms(ctx->host, start));
out:
	if (fd >= 0)
		close(fd);
	return HC_OK;
}

static void mc_teardown(void *instance)
{
	free(instance);
}

HC_PLUGIN_DEFINE("memcached", "1.0.0", "asks memcached for its version within the deadline",
                 mc_keys, mc_init, mc_check, mc_teardown);
