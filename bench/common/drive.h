/* SPDX-License-Identifier: MIT */
/*
 * drive: what the bench drivers (pgdrive.c, kdrive.c, ... under bench/)
 * share. A plugin loaded and run through its ABI as the core does it
 * (dlopen, hc_plugin_describe, a host table, init from KEY=VALUE pairs,
 * check with a deadline), and a driver's main: N timed runs of one way of
 * checking, printed as the one line every run.sh reads. A driver adds its
 * raw ways and their set-up. Compiled into each driver by
 * bench/common/lib.sh; not part of the daemon.
 */
#ifndef BENCH_DRIVE_H
#define BENCH_DRIVE_H

#include <stddef.h>
#include <stdint.h>

#include <healthcheckd/plugin.h>

/* The deadline of every check, the plugin's and the raw ways' alike. */
#define BD_TIMEOUT_MS 2000

/* The host's log function, as struct hc_host has it. */
typedef void (*bd_log_fn)(struct hc_handle *handle, int level, const char *fmt, ...) HC_PRINTF(3, 4);

/* One plugin instance, held as the core holds one. Zero it before use;
 * bd_plugin_close frees what it holds (the library stays loaded). */
struct bd_plugin {
	const char *name; /* the driver's, at the start of its messages */
	struct hc_host host;
	const struct hc_plugin *plugin; /* set by bd_plugin_load */
	void *instance;                 /* set by a successful bd_plugin_init */
};

/* CLOCK_MONOTONIC in nanoseconds: the host's now_ns and the bench's clock. */
int64_t bd_now_ns(void);

/* dlopen the plugin SO and describe it. log is the host's log function;
 * NULL writes every line to stderr. 0, or -1 with a message on stderr. */
int bd_plugin_load(struct bd_plugin *p, const char *name, bd_log_fn log, const char *so);

/* init one instance from n key = value pairs (valid during the call only).
 * 0, or -1 with the plugin's message on stderr. */
int bd_plugin_init(struct bd_plugin *p, const struct hc_kv *kv, size_t n);

/* bd_plugin_load of argv[0], then bd_plugin_init from argv[1..argc-1],
 * each KEY=VALUE (the arguments are split in place). */
int bd_plugin_open(struct bd_plugin *p, const char *name, bd_log_fn log, int argc, char **argv);

/* teardown of the instance, if there is one. */
void bd_plugin_close(struct bd_plugin *p);

/* One way of doing a check: once(arg) does one and returns 0 when it
 * passed. */
struct bd_way {
	int (*once)(void *arg);
	void *arg;
};

/* The way that checks with p: a deadline BD_TIMEOUT_MS ahead, the check's
 * message on stderr when it did not pass. */
struct bd_way bd_plugin_way(struct bd_plugin *p);

/* A driver, for bd_main. d is the driver's own state. */
struct bd_driver {
	const char *usage; /* what follows "usage: " */
	/* Set the way MODE up from its arguments into *w: 0, or -1 when they
	 * do not fit (a message on stderr if it is not a usage error). */
	int (*setup)(void *d, const char *mode, int argc, char **argv, struct bd_way *w);
	/* Free what setup made (after the runs). */
	void (*close)(void *d);
};

/*
 * The main of a driver run as "DRIVER MODE N ARGS...": setup of MODE with
 * ARGS, one untimed check (what only the first pays: connections, lazy
 * set-up, page faults, the dynamic linker), N timed ones, and one line on
 * stdout: "median_us mean_us p95_us cpu_us failures" (wall µs per check,
 * CPU µs per check of the process and its waited-for children, failed
 * checks, the untimed one included). Returns the exit status: 0 when every
 * check passed, 1 when some failed, 2 on a usage error.
 */
int bd_main(const struct bd_driver *drv, void *d, int argc, char **argv);

#endif
