/* SPDX-License-Identifier: MIT */
/*
 * hangpeer: a loopback TCP peer that never answers, for deadline tests.
 *
 *   hangpeer accept    accepts connections on 127.0.0.1 and holds them open
 *                      without reading or writing: a client's connect()
 *                      succeeds, its first read waits forever.
 *   hangpeer backlog   listens but never accepts, and fills its own accept
 *                      queue: a client's connect() waits forever (the kernel
 *                      drops its SYNs).
 *
 * Both print the port on stdout once it is ready, then run until killed or
 * for HANGPEER_LIFETIME seconds, so that a test that forgets to kill one
 * leaves nothing behind for long.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* SOCK_NONBLOCK, accept4 */
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HANGPEER_LIFETIME 120
/* Linux keeps backlog + 1 connections in the queue; stop well above it. */
#define HANGPEER_MAX_FILLERS 64
/* A loopback handshake takes microseconds when the queue has room; a filler
 * still pending after this long had its SYN dropped. Under the first SYN
 * retransmission (1 s) so that a slow box cannot fake a success. */
#define HANGPEER_PROBE_MS 500

static void die(const char *what)
{
	fprintf(stderr, "hangpeer: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void loopback(struct sockaddr_in *sin, unsigned short port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

/* Listen on an ephemeral loopback port; returns the fd, sets *port. */
static int listen_loopback(int backlog, unsigned short *port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	loopback(&sin, 0);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		die("bind 127.0.0.1:0");
	if (listen(fd, backlog) < 0)
		die("listen");
	if (getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
		die("getsockname");
	*port = ntohs(sin.sin_port);
	return fd;
}

static void print_port(unsigned short port)
{
	printf("%u\n", port);
	if (fflush(stdout) != 0)
		die("stdout");
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left of the lifetime, for poll(). */
static int left_ms(long long end)
{
	long long left = end - now_ms();

	return left > 0 ? (int)left : 0;
}

/* Start one filler connection; 1 if it got into the accept queue, 0 if it
 * is still waiting (the queue is full). The fd stays open either way. */
static int add_filler(unsigned short port)
{
	struct sockaddr_in sin;
	struct pollfd pfd;
	socklen_t len = sizeof(int);
	int fd, n, err = 0;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	loopback(&sin, port);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0)
		return 1;
	if (errno != EINPROGRESS)
		die("connect");
	pfd.fd = fd;
	pfd.events = POLLOUT;
	while ((n = poll(&pfd, 1, HANGPEER_PROBE_MS)) < 0 && errno == EINTR)
		;
	if (n < 0)
		die("poll");
	if (n == 0)
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err != 0) {
		errno = err;
		die("filler connect");
	}
	return 1;
}

static void run_backlog(long long end)
{
	unsigned short port;
	int i;

	listen_loopback(0, &port);
	for (i = 0; i < HANGPEER_MAX_FILLERS; i++)
		if (!add_filler(port))
			break;
	if (i == HANGPEER_MAX_FILLERS) {
		fprintf(stderr,
		        "hangpeer: %d connections did not fill the "
		        "accept queue\n",
		        i);
		exit(1);
	}
	print_port(port);
	while (left_ms(end) > 0)
		poll(NULL, 0, left_ms(end));
}

static void run_accept(long long end)
{
	unsigned short port;
	struct pollfd pfd;
	int fd;

	pfd.fd = listen_loopback(16, &port);
	pfd.events = POLLIN;
	print_port(port);
	while (left_ms(end) > 0) {
		if (poll(&pfd, 1, left_ms(end)) <= 0)
			continue;
		/* Never closed on purpose: holding the connection is the
		 * point. Out of fds, stop accepting and just wait. */
		fd = accept4(pfd.fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0 && errno != EINTR && errno != ECONNABORTED)
			pfd.fd = -1;
	}
}

int main(int argc, char **argv)
{
	long long end = now_ms() + HANGPEER_LIFETIME * 1000LL;

	if (argc == 2 && strcmp(argv[1], "accept") == 0) {
		run_accept(end);
	} else if (argc == 2 && strcmp(argv[1], "backlog") == 0) {
		run_backlog(end);
	} else {
		fprintf(stderr, "usage: hangpeer accept|backlog\n");
		return 2;
	}
	return 0;
}
