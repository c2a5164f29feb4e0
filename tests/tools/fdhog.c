/* SPDX-License-Identifier: MIT */
/*
 * fdhog: a process whose open descriptors and threads a test sets, for the
 * process plugin's tests.
 *
 *   fdhog PIDFILE NOFILE NAME
 *
 * Lowers its soft RLIMIT_NOFILE to NOFILE, takes NAME as its process name
 * (comm), writes its pid to PIDFILE, then reads commands on stdin and
 * answers each with one line on stdout:
 *   fds N       open or close descriptors until N are open  -> "ok N"
 *   threads M   start threads until M run (never fewer)      -> "ok M"
 * It exits at the end of its input.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#define HOG_MAX 65536

static int opened[HOG_MAX];
static int n_opened;
static long n_threads = 1;

/* Descriptors open now (without the one that reads the directory). */
static long count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	long n = -1;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static long set_fds(long want)
{
	long have = count_fds();

	while (have < want && n_opened < HOG_MAX) {
		int fd = open("/dev/null", O_RDONLY);

		if (fd < 0)
			break;
		opened[n_opened++] = fd;
		have++;
	}
	while (have > want && n_opened > 0) {
		close(opened[--n_opened]);
		have--;
	}
	return count_fds();
}

static void *idle(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static long set_threads(long want)
{
	pthread_attr_t at;
	pthread_t t;

	pthread_attr_init(&at);
	pthread_attr_setstacksize(&at, 64 * 1024);
	while (n_threads < want && pthread_create(&t, &at, idle, NULL) == 0)
		n_threads++;
	pthread_attr_destroy(&at);
	return n_threads;
}

int main(int argc, char **argv)
{
	struct rlimit rl;
	char line[64];
	long n;
	FILE *fp;

	if (argc != 4) {
		fprintf(stderr, "usage: fdhog PIDFILE NOFILE NAME\n");
		return 2;
	}
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = strtoul(argv[2], NULL, 10);
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || prctl(PR_SET_NAME, argv[3], 0, 0, 0) != 0) {
		perror("fdhog");
		return 1;
	}
	fp = fopen(argv[1], "w");
	if (fp == NULL || fprintf(fp, "%d\n", (int)getpid()) < 0 || fclose(fp) != 0) {
		perror(argv[1]);
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		if (sscanf(line, "fds %ld", &n) == 1)
			printf("ok %ld\n", set_fds(n));
		else if (sscanf(line, "threads %ld", &n) == 1)
			printf("ok %ld\n", set_threads(n));
		else
			printf("unknown command\n");
	}
	return 0;
}
