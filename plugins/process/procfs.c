/* SPDX-License-Identifier: MIT */
/* procfs: parsers of /proc text for the process plugin (see procfs.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procfs.h"

/* See documentation in header file. */
int pf_stat_parse(const char *text, struct pf_stat *st)
{
	const char *open = strchr(text, '(');
	const char *close = strrchr(text, ')');
	size_t len;

	/* The name may hold blanks and parentheses: it ends at the last ')'. */
	if (open == NULL || close == NULL || close < open)
		return EIO;
	len = (size_t)(close - open - 1);
	if (len >= sizeof(st->comm))
		len = sizeof(st->comm) - 1;
	memcpy(st->comm, open + 1, len);
	st->comm[len] = '\0';
	/* Fields 3 (state), 20 (num_threads), 22 (starttime), 24 (rss). */
	if (sscanf(close + 1,
	           " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
	           "%*u %*u %*d %*d %*d %*d %ld %*d %llu %*u %ld",
	           &st->state, &st->threads, &st->start, &st->rss_pages) != 4)
		return EIO;
	return 0;
}

/* See documentation in header file. */
int pf_nofile_parse(const char *text, double *limit)
{
	static const char row[] = "\nMax open files";
	const char *at = strstr(text, row);
	char soft[32], *end;

	if (at == NULL || sscanf(at + sizeof(row) - 1, "%31s", soft) != 1)
		return EIO;
	if (strcmp(soft, "unlimited") == 0) {
		*limit = 0;
		return 0;
	}
	*limit = strtod(soft, &end);
	return *end == '\0' && *limit >= 0 ? 0 : EIO;
}

/* See documentation in header file. */
int pf_mountinfo_cgroup2(const char *line, char *buf, size_t size)
{
	char mnt[PATH_MAX];

	/* "36 25 0:30 / /sys/fs/cgroup rw,... - cgroup2 cgroup2 rw" */
	if (strstr(line, " - cgroup2 ") == NULL || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
		return ENOENT;
	if (strlen(mnt) >= size)
		return ENAMETOOLONG;
	strcpy(buf, mnt);
	return 0;
}

/* See documentation in header file. */
int pf_cgroup_v2_path(const char *text, char *buf, size_t size)
{
	const char *line, *end;
	size_t len;

	/* The v2 line is "0::/path"; v1 lines name their controllers. */
	line = strncmp(text, "0::", 3) == 0 ? text : strstr(text, "\n0::");
	if (line == NULL)
		return ENOENT;
	line += line == text ? 3 : 4;
	end = strchr(line, '\n');
	len = end != NULL ? (size_t)(end - line) : strlen(line);
	if (len >= size)
		return ENAMETOOLONG;
	memcpy(buf, line, len);
	buf[len] = '\0';
	return 0;
}
