/* SPDX-License-Identifier: MIT */
/*
 * bench/scale: the floor a tcp check is measured against. Does COUNT
 * non-blocking connects to 127.0.0.1:PORT the way the tcp plugin does one
 * (socket, connect, poll for writable, SO_ERROR, close), one after the
 * other, and prints the CPU microseconds (user + system) one took:
 *   rawconnect PORT COUNT
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static double cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static int one_connect(const struct sockaddr_in *a)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct pollfd p = { fd, POLLOUT, 0 };
	int err = 0;
	socklen_t len = sizeof(err);

	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)a, sizeof(*a)) != 0 && errno != EINPROGRESS)
		err = errno;
	else if (poll(&p, 1, 2000) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = ETIMEDOUT;
	close(fd);
	return err == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a;
	long count, failed = 0;
	double start;

	if (argc != 3 || (count = strtol(argv[2], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: rawconnect PORT COUNT\n");
		return 2;
	}
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)atoi(argv[1]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	start = cpu_us();
	for (long i = 0; i < count; i++)
		failed += one_connect(&a) != 0;
	printf("%.1f\n", (cpu_us() - start) / (double)count);
	if (failed > 0)
		fprintf(stderr, "rawconnect: %ld of %ld connects failed\n", failed, count);
	return 0;
}
