/* SPDX-License-Identifier: MIT */
/*
 * okserver: the smallest HTTP/1.1 keep-alive server, for bench/http/run.sh,
 * so that the server's own cost stays small next to the client's.
 *
 *   okserver     listens on 127.0.0.1, prints the port, and answers every
 *                request on each connection with 200 "ok\n", one
 *                connection at a time, for OKSERVER_LIFETIME seconds (60).
 *
 * Not a general server: a request is whatever ends with an empty line (no
 * request body is read), which is all a GET from libcurl sends.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
                            "Content-Type: text/plain\r\n\r\nok\n";

/* Answer each request of one connection until the client closes it. */
static void serve(int fd)
{
	char buf[8192];
	size_t have = 0;
	ssize_t n;
	char *end;

	while ((n = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0) {
		have += (size_t)n;
		buf[have] = '\0';
		while ((end = strstr(buf, "\r\n\r\n")) != NULL) {
			if (write(fd, reply, sizeof(reply) - 1) < 0)
				return;
			have -= (size_t)(end + 4 - buf);
			memmove(buf, end + 4, have + 1);
		}
		if (have == sizeof(buf) - 1)
			return; /* a request larger than the buffer */
	}
}

int main(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	const char *life = getenv("OKSERVER_LIFETIME");
	int one = 1, lfd, fd;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(lfd, 16) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &len) != 0) {
		perror("okserver");
		return 1;
	}
	printf("%u\n", ntohs(sa.sin_port));
	fflush(stdout);
	alarm(life != NULL ? (unsigned)atoi(life) : 60);
	while ((fd = accept(lfd, NULL, NULL)) >= 0) {
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		serve(fd);
		close(fd);
	}
	return 0;
}
