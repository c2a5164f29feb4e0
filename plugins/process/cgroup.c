/* SPDX-License-Identifier: MIT */
/* cgroup: small /proc and cgroup v2 readers (see cgroup.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_CLOEXEC */
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "procfs.h"

/* See documentation in header file. */
int cg_read(const char *path, char *buf, size_t size)
{
	/* O_NONBLOCK: a pidfile that is a FIFO must not hang the check. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), err = 0;
	size_t got = 0;
	ssize_t n;

	if (fd < 0)
		return errno;
	while (got < size - 1 && (n = read(fd, buf + got, size - 1 - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			break;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	close(fd);
	return err;
}

/* See documentation in header file. */
int cg_mount(char *buf, size_t size)
{
	char line[1024];
	FILE *fp = fopen("/proc/self/mountinfo", "re");
	int err = ENOENT;

	if (fp == NULL)
		return errno;
	while (err != 0 && fgets(line, sizeof(line), fp) != NULL)
		if (pf_mountinfo_cgroup2(line, buf, size) == 0)
			err = 0;
	fclose(fp);
	return err;
}

/* See documentation in header file. */
int cg_of(pid_t pid, char *buf, size_t size)
{
	char path[64], text[4096];
	int err;

	if (pid == 0)
		snprintf(path, sizeof(path), "/proc/self/cgroup");
	else
		snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	err = cg_read(path, text, sizeof(text));
	return err != 0 ? err : pf_cgroup_v2_path(text, buf, size);
}

/* A number in the file dir/name; 0 when it is "max" or unreadable. */
static double cg_number(const char *dir, const char *name)
{
	char path[PATH_MAX + 32], buf[64];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (cg_read(path, buf, sizeof(buf)) != 0 || strncmp(buf, "max", 3) == 0)
		return 0;
	return strtod(buf, NULL);
}

/* See documentation in header file. */
void cg_limits(const char *mount, const char *path, struct cg_limits *l)
{
	char dir[PATH_MAX + 1], *slash;
	size_t root = strlen(mount);

	memset(l, 0, sizeof(*l));
	if ((size_t)snprintf(dir, sizeof(dir), "%s%s", mount, path) >= sizeof(dir))
		return;
	/* From the cgroup up to the mount point; the root cgroup has no
	 * limit files, and a missing file reads as no limit. */
	for (;;) {
		double mem = cg_number(dir, "memory.max");
		double pmax = cg_number(dir, "pids.max");
		double pcur = cg_number(dir, "pids.current");

		if (mem > 0 && (l->memory_max == 0 || mem < l->memory_max))
			l->memory_max = mem;
		if (pmax > 0 && (l->pids_max == 0 || pcur / pmax > l->pids_current / l->pids_max)) {
			l->pids_max = pmax;
			l->pids_current = pcur;
		}
		slash = strrchr(dir, '/');
		if (slash == NULL || (size_t)(slash - dir) < root)
			break;
		*slash = '\0';
	}
}
