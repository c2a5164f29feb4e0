/* SPDX-License-Identifier: MIT */
/*
 * flood: a bounded loopback attacker for the abuse tests.
 *
 *   flood PORT MODE CONNS SOURCES SECONDS [INTERVAL_MS]
 *
 * Keeps CONNS connections open to 127.0.0.1:PORT, bound round-robin to the
 * source addresses 127.0.0.2 ... 127.0.0.(SOURCES+1), for SECONDS:
 *   idle     sends the start of a request ("GET /readyz HTTP/1.1" and a
 *            Host line) and nothing more
 *   trickle  sends the same, then one byte of an endless header line every
 *            INTERVAL_MS (default 1000)
 * A connection the server closes is opened again 500 ms later, as an
 * attacker would. At the end it prints one line:
 *   held=N closed=N min_life_ms=N max_life_ms=N connects=N
 * held: connections open at the end for more than a second (so not the
 * ones being refused right then); closed: closed by the server (or refused); the lives are those of the closed connections that the
 * server had let send their whole request start (0 when none).
 *
 * Bounded: CONNS <= 2000, SOURCES <= 200, SECONDS <= 60, and at most
 * 50 * CONNS connects in all.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 2000
#define MAX_SOURCES 200
#define MAX_SECONDS 60
#define REOPEN_MS 500

static const char request_start[] = "GET /readyz HTTP/1.1\r\nHost: flood\r\nX-Slow: ";

struct slot {
	int fd;
	int64_t opened_ms; /* when connect() was called */
	int64_t next_ms;   /* when to send the next byte, or to reopen */
	size_t sent;       /* bytes of request_start sent */
	unsigned source;   /* 127.0.0.(2 + source) */
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int open_conn(unsigned short port, unsigned source)
{
	struct sockaddr_in src = { .sin_family = AF_INET }, dst = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	src.sin_addr.s_addr = htonl(0x7f000002u + source);
	dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	dst.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) != 0 ||
	    (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) != 0 && errno != EINPROGRESS)) {
		close(fd);
		return -1;
	}
	return fd;
}

struct stats {
	unsigned long closed, connects;
	int64_t min_life, max_life;
};

/* The server closed s (or refused it): count it, reopen later. */
static void lost(struct slot *s, struct stats *st, int64_t now)
{
	int64_t life = now - s->opened_ms;

	close(s->fd);
	s->fd = -1;
	st->closed++;
	if (s->sent == sizeof(request_start) - 1) {
		if (st->min_life < 0 || life < st->min_life)
			st->min_life = life;
		if (life > st->max_life)
			st->max_life = life;
	}
	s->next_ms = now + REOPEN_MS;
}

/* Write what is due on s; -1 when the connection is gone. */
static int feed(struct slot *s, int trickle, int interval, int64_t now)
{
	ssize_t n;

	if (s->sent < sizeof(request_start) - 1) {
		n = send(s->fd, request_start + s->sent, sizeof(request_start) - 1 - s->sent,
		         MSG_NOSIGNAL);
		if (n < 0)
			return errno == EAGAIN || errno == ENOTCONN ? 0 : -1;
		s->sent += (size_t)n;
		s->next_ms = now + interval;
		return 0;
	}
	if (!trickle || now < s->next_ms)
		return 0;
	s->next_ms = now + interval;
	n = send(s->fd, "a", 1, MSG_NOSIGNAL);
	return n < 0 && errno != EAGAIN ? -1 : 0;
}

int main(int argc, char **argv)
{
	static struct slot slots[MAX_CONNS];
	static struct pollfd pfds[MAX_CONNS];
	struct stats st = { .min_life = -1 };
	unsigned short port;
	int conns, sources, seconds, trickle, interval = 1000;
	int64_t end;
	unsigned long held = 0;

	if (argc < 6 || argc > 7 ||
	    (strcmp(argv[2], "idle") != 0 && strcmp(argv[2], "trickle") != 0)) {
		fprintf(stderr,
		        "usage: flood PORT idle|trickle CONNS SOURCES SECONDS [INTERVAL_MS]\n");
		return 2;
	}
	port = (unsigned short)atoi(argv[1]);
	trickle = strcmp(argv[2], "trickle") == 0;
	conns = atoi(argv[3]);
	sources = atoi(argv[4]);
	seconds = atoi(argv[5]);
	if (argc == 7)
		interval = atoi(argv[6]);
	if (conns < 1 || conns > MAX_CONNS || sources < 1 || sources > MAX_SOURCES || seconds < 1 ||
	    seconds > MAX_SECONDS || interval < 10) {
		fprintf(stderr, "flood: out of bounds\n");
		return 2;
	}
	end = now_ms() + (int64_t)seconds * 1000;
	for (int i = 0; i < conns; i++) {
		slots[i].fd = -1;
		slots[i].source = (unsigned)(i % sources);
	}
	for (int64_t now = now_ms(); now < end; now = now_ms()) {
		for (int i = 0; i < conns; i++) {
			struct slot *s = &slots[i];

			if (s->fd < 0 && now >= s->next_ms &&
			    st.connects < 50ul * (unsigned long)conns) {
				s->fd = open_conn(port, s->source);
				s->opened_ms = now;
				s->sent = 0;
				st.connects++;
				if (s->fd < 0)
					s->next_ms = now + REOPEN_MS;
			}
			if (s->fd >= 0 && feed(s, trickle, interval, now) != 0)
				lost(s, &st, now);
			pfds[i].fd = s->fd;
			pfds[i].events = POLLIN;
			pfds[i].revents = 0;
		}
		if (poll(pfds, (nfds_t)conns, 20) < 0 && errno != EINTR)
			return 1;
		now = now_ms();
		for (int i = 0; i < conns; i++) {
			char buf[512];

			/* Anything readable is the end: a refusal, an error
			 * answer or the close. */
			if (slots[i].fd >= 0 && (pfds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
				while (recv(slots[i].fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
					;
				lost(&slots[i], &st, now);
			}
		}
	}
	end = now_ms();
	for (int i = 0; i < conns; i++)
		if (slots[i].fd >= 0) {
			held += end - slots[i].opened_ms > 1000;
			close(slots[i].fd);
		}
	printf("held=%lu closed=%lu min_life_ms=%lld max_life_ms=%lld connects=%lu\n", held,
	       st.closed, (long long)(st.min_life < 0 ? 0 : st.min_life), (long long)st.max_life,
	       st.connects);
	return 0;
}
