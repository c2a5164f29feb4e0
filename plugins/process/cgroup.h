/* SPDX-License-Identifier: MIT */
/* cgroup: small /proc and cgroup v2 readers for the process plugin. */
#ifndef HC_PROCESS_CGROUP_H
#define HC_PROCESS_CGROUP_H

#include <stddef.h>
#include <sys/types.h>

/* Read a small file (/proc, /sys) into buf, NUL-terminated, cut to fit.
 * Returns 0 or an errno value. */
int cg_read(const char *path, char *buf, size_t size);

/*
 * Where the cgroup v2 hierarchy is mounted (from /proc/self/mountinfo:
 * /sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid system) into buf.
 * Returns 0, or ENOENT when there is none.
 */
int cg_mount(char *buf, size_t size);

/* The cgroup v2 path of pid (0: this process), "/system.slice/x.service",
 * from /proc/PID/cgroup into buf. Returns 0 or an errno value. */
int cg_of(pid_t pid, char *buf, size_t size);

/* The cgroup limits in force for a cgroup. */
struct cg_limits {
	double memory_max;   /* bytes; 0: none */
	double pids_max;     /* 0: none */
	double pids_current; /* tasks under the cgroup that has pids_max */
};

/*
 * The limits in force for the cgroup at path (under mount): a limit set
 * on an ancestor holds too. memory_max is the smallest memory.max on the
 * way up; pids_max and pids_current are those of the level where
 * pids.current / pids.max is highest.
 */
void cg_limits(const char *mount, const char *path, struct cg_limits *l);

#endif /* HC_PROCESS_CGROUP_H */
