/* SPDX-License-Identifier: MIT */
/* Check instances: a plugin's init/check/teardown behind the core's rules (keys, secrets, results). */
#ifndef HC_INSTANCE_H
#define HC_INSTANCE_H

#include <stdbool.h>
#include <stdint.h>

#include <healthcheckd/plugin.h>

#include "config.h"
#include "errors.h"
#include "loader.h"

/* The outcome of one run as the core reports it. */
struct hc_outcome {
	int status;        /* HC_PASS, HC_WARN or HC_FAIL, after severity */
	char message[256]; /* scrubbed of the instance's secrets */
	double value;      /* observedValue: the plugin's, or latency_ms */
	char unit[16];
	char measurement[32]; /* never empty: "responseTime" by default */
	double latency_ms;    /* measured by the core around check */
	int64_t time_ns;      /* CLOCK_REALTIME when the run ended */
};

/* One [check:NAME]: the plugin's instance and what the core keeps beside it. */
struct hc_instance {
	/* Copies, not the config's: a reload that keeps the instance frees
	 * the config it was made from (their values are the same). */
	char *name;
	uint32_t timeout_ms;
	enum hc_severity severity;
	const struct hc_module *module;
	void *data;     /* the plugin's instance */
	char **secrets; /* values to scrub from its messages */
	size_t n_secrets;
	uint64_t runs;
	struct hc_iso *iso; /* isolate = process: the helper; data is unused */
};

struct hc_iso;

/* CLOCK_MONOTONIC in ns: the clock of deadlines. */
int64_t hc_now_ns(void);

/* From now on, exit() called while a plugin runs in the daemon (isolate =
 * none), or from a thread of a plugin's, is logged and turned into
 * _exit(70): a daemon that silently exits 0 is not restarted by
 * Restart=on-failure. hc_instance_exit_expected() lets main's own exit by. */
void hc_instance_guard_exit(void);
void hc_instance_exit_expected(void);

/* Load conf's plugin through reg, check every key against the plugin's
 * table, read NAME_file secrets, call init — in the daemon, or under
 * isolate = process in a helper started here, which then runs every check
 * of the instance. Errors name file and line.
 * Returns 0 and *out, or -1. */
int hc_instance_create(const struct hc_check_conf *conf, struct hc_registry *reg,
                       struct hc_instance **out, struct hc_errors *errs);
/* Call the plugin's teardown and free the instance. Never while a check
 * call of it may still be running. */
void hc_instance_destroy(struct hc_instance *in);

/* Call p's check on data with ctx into r (zeroed, its struct_size set),
 * here and now: rc, *latency_ns the time it took, r's strings ended even
 * where the plugin did not. In the daemon and in a plugin host alike. */
int hc_call_check(const struct hc_plugin *p, void *data, const struct hc_check_ctx *ctx,
                  struct hc_result *r, int64_t *latency_ns);
/* Run check once with the deadline, on the calling thread. */
void hc_instance_run(struct hc_instance *in, int64_t deadline_ns, struct hc_outcome *out);
/* An outcome the core makes itself (a heartbeat, a missing one): severity
 * and scrubbing applied as to a plugin's. */
void hc_outcome_make(const struct hc_instance *in, int status, const char *message,
                     struct hc_outcome *out);
/* The outcome of a run that passed its deadline without returning. */
void hc_outcome_timeout(const struct hc_instance *in, struct hc_outcome *out);

/* The one check of `--plugin PATH --set KEY=VALUE...`: PATH opened into
 * reg, a check named after the plugin added to cfg, each KEY=VALUE set as a
 * config line would (core and plugin keys alike). NULL after errors. */
struct hc_check_conf *hc_plugin_check_conf(struct hc_config *cfg, struct hc_registry *reg,
                                           const char *path, char *const *sets, size_t n_sets,
                                           struct hc_errors *errs);

/* Do two instances hold the same secrets (NAME_file contents, heartbeat
 * token)? A reload keeps an instance only if so: a rotated secret file
 * takes effect. */
bool hc_instance_same_secrets(const struct hc_instance *a, const struct hc_instance *b);

/* Make buf fit to show: every secret of the instance becomes "***" (also
 * one cut off at the end of a full buffer), control characters spaces,
 * invalid UTF-8 '?'. */
void hc_instance_scrub(const struct hc_instance *in, char *buf, size_t size);

#endif
