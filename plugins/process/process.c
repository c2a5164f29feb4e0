/* SPDX-License-Identifier: MIT */
/*
 * process plugin: how close a process (or every process of a cgroup) is to
 * the limits that make it fail when reached: open file descriptors against
 * RLIMIT_NOFILE, threads against a maximum, tasks and RSS against the
 * cgroup's pids.max and memory.max.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_CLOEXEC, "e" in fopen modes */
#endif

#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <healthcheckd/plugin.h>

#include "../common/plugutil.h"
#include "cgroup.h"
#include "procfs.h"

enum pr_mode { PR_PIDFILE, PR_NAME, PR_CGROUP };

/* The limits a run measures, in the order the message lists them. */
enum pr_kind { PR_FDS, PR_THREADS, PR_TASKS, PR_RSS, PR_KINDS };

struct pr {
	enum pr_mode mode;
	char *target;         /* the pidfile or the name; NULL for cgroup */
	uint64_t max_threads; /* 0: only the kernel's limits */
	double warn_ratio;
	double fail_ratio;
};

/* What one process reads as. */
struct pr_proc {
	pid_t pid;
	char comm[16];
	char state;
	long threads;
	unsigned long long start; /* clock ticks after boot */
	double rss;               /* bytes */
	long fds;
	double fd_limit; /* 0: unlimited */
};

/* The use of one limit: the worst process's, or the cgroup's. */
struct pr_use {
	int set; /* 0: not measured (no such limit) */
	double used, limit;
	const char *limit_name; /* "max_threads", "pids.max", ... or "" */
	pid_t pid;              /* whose (0: the cgroup's) */
	char comm[16];
};

/* One run. */
struct pr_run {
	const struct pr *p;
	struct pr_use use[PR_KINDS];
	char cgroup[PATH_MAX]; /* the cgroup v2 path looked at, or "" */
	double threads_max;    /* kernel.threads-max */
	size_t n_procs, n_hidden;
	int hidden_err; /* why processes were skipped (cgroup mode) */
};

static const struct hc_key pr_keys[] = {
	{ "pidfile", "file holding the pid of the process to watch", HC_KEY_PATH },
	{ "name",
	  "the process's name (comm, as ps -o comm shows it): the "
	  "oldest process of that name",
	  0 },
	{ "cgroup", "self: every process in healthcheckd's own cgroup", 0 },
	{ "max_threads",
	  "threads a process may have (default: the kernel's "
	  "threads-max)",
	  0 },
	{ "warn_ratio",
	  "warn when a use reaches this share of its limit "
	  "(default 0.8)",
	  0 },
	{ "fail_ratio",
	  "fail when a use reaches this share of its limit "
	  "(default 0.95)",
	  0 },
	{ NULL, NULL, 0 }
};

static const char *const pr_what[PR_KINDS] = { "fds", "threads", "cgroup tasks", "rss" };

/* ---- configuration ----------------------------------------------------- */

static int pr_set_target(const struct hc_init_ctx *ctx, struct pr *p)
{
	static const char *const cgroups[] = { "self", NULL };
	const char *pidfile = hc_kv_get(ctx, "pidfile");
	const char *name = hc_kv_get(ctx, "name");
	const char *cgroup = hc_kv_get(ctx, "cgroup");
	int self;

	if (pidfile == NULL && name == NULL && cgroup == NULL)
		return hc_init_error(ctx, "pidfile: required, or name, or "
		                          "cgroup: which process to watch");
	if ((pidfile != NULL) + (name != NULL) + (cgroup != NULL) > 1)
		return hc_init_error(ctx,
		                     "%s: cannot be combined with %s (give "
		                     "one of pidfile, name and cgroup)",
		                     pidfile != NULL ? "pidfile" : "name",
		                     name != NULL && pidfile != NULL ? "name" : "cgroup");
	if (pidfile != NULL && pidfile[0] != '/')
		return hc_init_error(ctx, "pidfile: '%s' is not absolute", pidfile);
	/* The kernel keeps 15 bytes of a name: a longer one never matches. */
	if (name != NULL && (name[0] == '\0' || strlen(name) > 15))
		return hc_init_error(ctx,
		                     "name: '%s' is not 1 to 15 "
		                     "characters, as a process name (comm) is",
		                     name);
	if (cgroup != NULL) {
		p->mode = PR_CGROUP;
		return pu_parse_word(ctx, "cgroup", cgroups, &self);
	}
	p->mode = pidfile != NULL ? PR_PIDFILE : PR_NAME;
	p->target = strdup(pidfile != NULL ? pidfile : name);
	return p->target != NULL ? HC_OK : HC_ENOMEM;
}

static int pr_set_limits(const struct hc_init_ctx *ctx, struct pr *p)
{
	p->warn_ratio = 0.8;
	p->fail_ratio = 0.95;
	if (pu_parse_uint(ctx, "max_threads", 1, 4194304, &p->max_threads) != HC_OK ||
	    pu_parse_double(ctx, "warn_ratio", 0, 1, &p->warn_ratio) != HC_OK ||
	    pu_parse_double(ctx, "fail_ratio", 0, 1, &p->fail_ratio) != HC_OK)
		return HC_EINVAL;
	if (p->warn_ratio > p->fail_ratio)
		return hc_init_error(ctx, "warn_ratio: %g is above fail_ratio %g", p->warn_ratio,
		                     p->fail_ratio);
	return HC_OK;
}

static void pr_teardown(void *instance)
{
	struct pr *p = instance;

	free(p->target);
	free(p);
}

static int pr_init(const struct hc_init_ctx *ctx, void **instance)
{
	struct pr *p = calloc(1, sizeof(*p));
	int rc;

	if (p == NULL)
		return HC_ENOMEM;
	rc = pr_set_target(ctx, p);
	if (rc == HC_OK)
		rc = pr_set_limits(ctx, p);
	if (rc != HC_OK) {
		pr_teardown(p);
		return rc;
	}
	*instance = p;
	return HC_OK;
}

/* ---- reading /proc ------------------------------------------------------ */

/* /proc/PID/stat: name, state, threads, start time, RSS. 0 or an errno. */
static int pr_stat(pid_t pid, struct pr_proc *pp)
{
	char path[64], buf[1024];
	struct pf_stat st;
	int err;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	err = cg_read(path, buf, sizeof(buf));
	if (err == 0)
		err = pf_stat_parse(buf, &st);
	if (err != 0)
		return err;
	pp->pid = pid;
	memcpy(pp->comm, st.comm, sizeof(pp->comm));
	pp->state = st.state;
	pp->threads = st.threads;
	pp->start = st.start;
	pp->rss = (double)st.rss_pages * (double)sysconf(_SC_PAGESIZE);
	return 0;
}

/* The soft RLIMIT_NOFILE from /proc/PID/limits (0: unlimited). */
static int pr_nofile(pid_t pid, struct pr_proc *pp)
{
	char path[64], buf[4096];
	int err;

	snprintf(path, sizeof(path), "/proc/%d/limits", (int)pid);
	err = cg_read(path, buf, sizeof(buf));
	return err != 0 ? err : pf_nofile_parse(buf, &pp->fd_limit);
}

/* Open descriptors: the entries of /proc/PID/fd. Reading it takes the
 * right to ptrace the process (its user, or CAP_SYS_PTRACE). */
static int pr_fds(pid_t pid, struct pr_proc *pp)
{
	char path[64];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (d == NULL)
		return errno;
	pp->fds = 0;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			pp->fds++;
	closedir(d);
	return 0;
}

/* Everything about one process. A zombie has exited: ESRCH, like a
 * process that is gone. */
static int pr_proc_read(pid_t pid, struct pr_proc *pp)
{
	int err = pr_stat(pid, pp);

	if (err == 0 && pp->state == 'Z')
		err = ESRCH;
	if (err == 0)
		err = pr_nofile(pid, pp);
	if (err == 0)
		err = pr_fds(pid, pp);
	return err == ENOENT ? ESRCH : err;
}

/* ---- which processes ----------------------------------------------------- */

/* The pid in the pidfile, or 0 after setting the result. */
static pid_t pr_pidfile(const struct pr *p, struct hc_result *r)
{
	char buf[32], ebuf[128], *end;
	long v;
	int err = cg_read(p->target, buf, sizeof(buf));

	if (err != 0) {
		hc_result_set(r, HC_FAIL, "pidfile %s: %s", p->target,
		              pu_strerror(err, ebuf, sizeof(ebuf)));
		return 0;
	}
	v = strtol(buf, &end, 10);
	if (end == buf || v <= 0 || v > INT_MAX || (*end != '\0' && *end != '\n')) {
		hc_result_set(r, HC_FAIL, "pidfile %s does not hold a pid", p->target);
		return 0;
	}
	return (pid_t)v;
}

/* The oldest live process named p->target (by start time, the lower pid
 * on a tie: the parent of a pre-forked family), or 0. */
static pid_t pr_by_name(const struct pr *p)
{
	unsigned long long best_start = 0;
	struct dirent *e;
	pid_t best = 0;
	DIR *d = opendir("/proc");

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		struct pr_proc pp;
		char *end;
		long v = strtol(e->d_name, &end, 10);

		if (*end != '\0' || v <= 0 || pr_stat((pid_t)v, &pp) != 0 || pp.state == 'Z' ||
		    strcmp(pp.comm, p->target) != 0)
			continue;
		if (best == 0 || pp.start < best_start || (pp.start == best_start && v < best)) {
			best = (pid_t)v;
			best_start = pp.start;
		}
	}
	closedir(d);
	return best;
}

/* The pids in cgroup.procs of the cgroup at path; *n of them, malloc'd.
 * Returns 0 or an errno value. */
static int pr_cgroup_pids(const char *path, pid_t **pids, size_t *n)
{
	FILE *fp = fopen(path, "re");
	size_t cap = 0;
	int v, err = 0;

	*pids = NULL;
	*n = 0;
	if (fp == NULL)
		return errno;
	while (fscanf(fp, "%d", &v) == 1) {
		if (*n == cap) {
			pid_t *more = realloc(*pids, (cap ? cap * 2 : 64) * sizeof(**pids));

			if (more == NULL) {
				err = ENOMEM;
				break;
			}
			*pids = more;
			cap = cap ? cap * 2 : 64;
		}
		(*pids)[(*n)++] = v;
	}
	fclose(fp);
	return err;
}

/* ---- measuring ----------------------------------------------------------- */

/* Keep used/limit in u when it is the highest ratio seen so far. */
static void pr_worse(struct pr_use *u, double used, double limit, const char *limit_name,
                     const struct pr_proc *pp)
{
	if (limit <= 0 || (u->set && used / limit <= u->used / u->limit))
		return;
	u->set = 1;
	u->used = used;
	u->limit = limit;
	u->limit_name = limit_name;
	u->pid = pp->pid;
	memcpy(u->comm, pp->comm, sizeof(u->comm));
}

/* One process's fds and threads against its own limits. */
static void pr_fold(struct pr_run *run, const struct pr_proc *pp)
{
	const struct pr *p = run->p;

	pr_worse(&run->use[PR_FDS], (double)pp->fds, pp->fd_limit, "", pp);
	if (p->max_threads > 0)
		pr_worse(&run->use[PR_THREADS], (double)pp->threads, (double)p->max_threads,
		         "max_threads", pp);
	else
		pr_worse(&run->use[PR_THREADS], (double)pp->threads, run->threads_max,
		         "threads-max", pp);
}

/* The cgroup's pids.max and memory.max against its tasks and rss (the
 * sum over its processes, or the one process's). */
static void pr_cgroup_use(struct pr_run *run, const char *mount, double rss, pid_t pid)
{
	struct cg_limits l;
	struct pr_use *u;

	cg_limits(mount, run->cgroup, &l);
	if (l.pids_max > 0) {
		u = &run->use[PR_TASKS];
		*u = (struct pr_use){ 1, l.pids_current, l.pids_max, "pids.max", 0, "" };
	}
	if (l.memory_max > 0) {
		u = &run->use[PR_RSS];
		*u = (struct pr_use){ 1, rss, l.memory_max, "memory.max", pid, "" };
	}
}

/* Measure the one process pid. 0, or an errno value from /proc. */
static int pr_measure_one(struct pr_run *run, pid_t pid, struct pr_proc *pp)
{
	char mount[PATH_MAX];
	int err = pr_proc_read(pid, pp);

	if (err != 0)
		return err;
	run->n_procs = 1;
	pr_fold(run, pp);
	if (cg_mount(mount, sizeof(mount)) == 0 && cg_of(pid, run->cgroup, sizeof(run->cgroup)) == 0)
		pr_cgroup_use(run, mount, pp->rss, pid);
	return 0;
}

/* Measure every process of this daemon's cgroup; one that cannot be read
 * is counted in n_hidden, not failed: it may be another user's or gone.
 * Returns 0 or an errno value about the cgroup itself. */
static int pr_measure_cgroup(struct pr_run *run)
{
	char mount[PATH_MAX], procs[2 * PATH_MAX + 16];
	pid_t *pids;
	size_t n, i;
	double rss = 0;
	int err = cg_mount(mount, sizeof(mount));

	if (err == 0)
		err = cg_of(0, run->cgroup, sizeof(run->cgroup));
	if (err != 0)
		return err;
	snprintf(procs, sizeof(procs), "%s%s/cgroup.procs", mount,
	         strcmp(run->cgroup, "/") == 0 ? "" : run->cgroup);
	err = pr_cgroup_pids(procs, &pids, &n);
	for (i = 0; err == 0 && i < n; i++) {
		struct pr_proc pp;
		int e = pr_proc_read(pids[i], &pp);

		if (e == ESRCH)
			continue;
		if (e != 0) {
			run->n_hidden++;
			run->hidden_err = e;
			continue;
		}
		run->n_procs++;
		rss += pp.rss;
		pr_fold(run, &pp);
	}
	free(pids);
	if (err == 0)
		pr_cgroup_use(run, mount, rss, 0);
	return err;
}

/* ---- the verdict ----------------------------------------------------------- */

/* Append to the message in buf (len so far). */
static void pr_add(char *buf, size_t size, size_t *len, const char *fmt, ...) HC_PRINTF(4, 5);
static void pr_add(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
	*len = n < 0 ? size : *len + (size_t)n;
}

/* "fds 850 of 1024 (83%)", "rss 20.5 MiB of memory.max 512.0 MiB (4%)". */
static void pr_use_text(const struct pr_run *run, enum pr_kind k, char *buf, size_t size, size_t *len)
{
	const struct pr_use *u = &run->use[k];
	const char *sep = u->limit_name[0] != '\0' ? " " : "";

	if (k == PR_RSS)
		pr_add(buf, size, len, "rss %.1f MiB of %s%s%.1f MiB", u->used / 1048576,
		       u->limit_name, sep, u->limit / 1048576);
	else
		pr_add(buf, size, len, "%s %.0f of %s%s%.0f", pr_what[k], u->used, u->limit_name,
		       sep, u->limit);
	pr_add(buf, size, len, " (%.0f%%)", 100 * u->used / u->limit);
	if (run->p->mode == PR_CGROUP && u->pid != 0 && k != PR_RSS)
		pr_add(buf, size, len, " in %s pid %d", u->comm, (int)u->pid);
}

static void pr_judge(const struct pr_run *run, const char *who, struct hc_result *r)
{
	const struct pr *p = run->p;
	int worst = -1, k, status = HC_PASS;
	double ratio = 0;
	char msg[sizeof(r->message)], ebuf[64];
	size_t len = 0;

	for (k = 0; k < PR_KINDS; k++)
		if (run->use[k].set && (worst < 0 || run->use[k].used / run->use[k].limit > ratio)) {
			worst = k;
			ratio = run->use[k].used / run->use[k].limit;
		}
	pr_add(msg, sizeof(msg), &len, "%s: ", who);
	if (worst < 0) {
		pr_add(msg, sizeof(msg), &len, "no limit to measure against");
	} else {
		status = ratio >= p->fail_ratio   ? HC_FAIL
		         : ratio >= p->warn_ratio ? HC_WARN
		                                  : HC_PASS;
		pr_use_text(run, (enum pr_kind)worst, msg, sizeof(msg), &len);
		if (status != HC_PASS)
			pr_add(msg, sizeof(msg), &len, ", at or above %s %.2f",
			       status == HC_FAIL ? "fail_ratio" : "warn_ratio",
			       status == HC_FAIL ? p->fail_ratio : p->warn_ratio);
		hc_result_observe(r, ratio, "ratio");
		snprintf(r->measurement, sizeof(r->measurement), "utilization");
	}
	for (k = 0; k < PR_KINDS; k++)
		if (k != worst && run->use[k].set) {
			pr_add(msg, sizeof(msg), &len, "; ");
			pr_use_text(run, (enum pr_kind)k, msg, sizeof(msg), &len);
		}
	if (run->n_hidden > 0)
		pr_add(msg, sizeof(msg), &len,
		       "; %zu processes not readable "
		       "(%s)",
		       run->n_hidden, pu_strerror(run->hidden_err, ebuf, sizeof(ebuf)));
	hc_result_set(r, status, "%s", msg);
}

/* A process that cannot be measured: gone, or not ours to read. */
static void pr_unreadable(const struct pr *p, pid_t pid, int err, struct hc_result *r)
{
	char ebuf[128];

	if (err == ESRCH && p->mode == PR_PIDFILE)
		hc_result_set(r, HC_FAIL, "pid %d from pidfile %s is gone", (int)pid, p->target);
	else if (err == ESRCH)
		hc_result_set(r, HC_FAIL, "no process named '%s'", p->target);
	else if (err == EACCES || err == EPERM)
		hc_result_set(r, HC_FAIL,
		              "cannot read /proc/%d/fd: %s: it is "
		              "another user's process; run healthcheckd as its "
		              "user or with CAP_SYS_PTRACE",
		              (int)pid, pu_strerror(err, ebuf, sizeof(ebuf)));
	else
		hc_result_set(r, HC_FAIL, "cannot read /proc/%d: %s", (int)pid,
		              pu_strerror(err, ebuf, sizeof(ebuf)));
}

static int pr_check(void *instance, const struct hc_check_ctx *ctx, struct hc_result *r)
{
	struct pr *p = instance;
	struct pr_run run;
	struct pr_proc pp;
	char buf[64], who[sizeof(run.cgroup) + 64];
	pid_t pid = 0;
	int err;

	(void)ctx; /* /proc answers at once: nothing to bound */
	memset(&run, 0, sizeof(run));
	run.p = p;
	if (cg_read("/proc/sys/kernel/threads-max", buf, sizeof(buf)) == 0)
		run.threads_max = strtod(buf, NULL);
	if (p->mode == PR_CGROUP) {
		err = pr_measure_cgroup(&run);
		if (err != 0)
			return hc_result_set(r, HC_FAIL,
			                     "cannot list the "
			                     "processes of healthcheckd's cgroup "
			                     "(v2): %s",
			                     pu_strerror(err, buf, sizeof(buf)));
		snprintf(who, sizeof(who), "cgroup %s, %zu processes", run.cgroup, run.n_procs);
		pr_judge(&run, who, r);
		return HC_OK;
	}
	pid = p->mode == PR_PIDFILE ? pr_pidfile(p, r) : pr_by_name(p);
	if (pid == 0 && p->mode == PR_PIDFILE)
		return HC_OK;
	err = pid == 0 ? ESRCH : pr_measure_one(&run, pid, &pp);
	if (err != 0) {
		pr_unreadable(p, pid, err, r);
		return HC_OK;
	}
	snprintf(who, sizeof(who), "%s pid %d", pp.comm, (int)pid);
	pr_judge(&run, who, r);
	return HC_OK;
}

HC_PLUGIN_DEFINE("process", "1.0.0",
                 "open files, threads and memory of a process against its "
                 "limits",
                 pr_keys, pr_init, pr_check, pr_teardown);
