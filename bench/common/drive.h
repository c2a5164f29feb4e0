/* SPDX-License-Identifier: MIT */
/*
 * drive: what the bench drivers (pgdrive.c, kdrive.c, ... under bench/)
 * share. A plugin loaded and run through its ABI as the core does it
 * (dlopen, hc_plugin_describe, a host table, init from KEY=VALUE pairs,
 * check with a deadline), and N timed runs of one way of checking, printed
 * as the one line every run.sh reads. Compiled into each driver by
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

/* One check with a deadline BD_TIMEOUT_MS ahead: 0 when it passed, else 1
 * and its message on stderr. */
int bd_plugin_check(struct bd_plugin *p);

/* teardown of the instance, if there is one. */
void bd_plugin_close(struct bd_plugin *p);

/* The count argument N: 1 to 1000000, else -1. */
int bd_count(const char *arg);

/* What bd_run measured, per check. */
struct bd_stats {
	double median_us, mean_us, p95_us;
	double cpu_us; /* CPU time of the process and its waited-for children */
	int fails;     /* runs that returned non-zero, the untimed one included */
};

/* One untimed run of once(arg) (what only the first run pays: connections,
 * lazy set-up, page faults, the dynamic linker), then n timed ones. once
 * returns 0 when the check passed. 0, or -1 when out of memory. */
int bd_run(int n, int (*once)(void *arg), void *arg, struct bd_stats *st);

/* The driver's one line: "median_us mean_us p95_us cpu_us failures". */
void bd_print(const struct bd_stats *st);

#endif
