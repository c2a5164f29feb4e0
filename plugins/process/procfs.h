/* SPDX-License-Identifier: MIT */
/*
 * procfs: the process plugin's parsers of /proc text, apart from the
 * reading, so that unit tests and a fuzz target reach them with any text.
 */
#ifndef HC_PROCESS_PROCFS_H
#define HC_PROCESS_PROCFS_H

#include <stddef.h>

/* What the plugin takes from /proc/PID/stat. */
struct pf_stat {
	char comm[16]; /* cut to the kernel's TASK_COMM_LEN */
	char state;
	long threads;
	unsigned long long start; /* clock ticks after boot */
	long rss_pages;
};

/* Parse the text of /proc/PID/stat. 0, or EIO when it does not read as
 * one (the name may hold blanks and parentheses). */
int pf_stat_parse(const char *text, struct pf_stat *st);

/* The soft "Max open files" of /proc/PID/limits into *limit (0:
 * unlimited). 0, or EIO when the row is missing or malformed. */
int pf_nofile_parse(const char *text, double *limit);

/* One line of /proc/self/mountinfo: when it is a cgroup2 mount, its
 * mount point into buf and 0; else ENOENT (ENAMETOOLONG: does not fit). */
int pf_mountinfo_cgroup2(const char *line, char *buf, size_t size);

/* The cgroup v2 path ("0::/path" line) of the text of /proc/PID/cgroup
 * into buf. 0, ENOENT when there is none, ENAMETOOLONG. */
int pf_cgroup_v2_path(const char *text, char *buf, size_t size);

#endif /* HC_PROCESS_PROCFS_H */
