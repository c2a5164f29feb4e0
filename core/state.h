/* SPDX-License-Identifier: MIT */
/* Per-check state, and the immutable snapshots that requests read. */
#ifndef HC_STATE_H
#define HC_STATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "instance.h"

/* The status of a check without a first result (not a plugin status). */
#define HC_PENDING (-1)

#define HC_HISTORY 16

enum hc_group { HC_LIVENESS, HC_READINESS, HC_STARTUP, HC_N_GROUPS };

struct hc_history_entry {
	int status;
	int64_t time_ns; /* CLOCK_REALTIME */
	double latency_ms;
};

/*
 * A check as the daemon runs it. Owned by the scheduler; every field below
 * conf/inst is guarded by the scheduler's lock.
 */
struct hc_check {
	const struct hc_check_conf *conf; /* of the config in force */
	struct hc_instance *inst;
	int status;              /* reported: after rise/fall; HC_PENDING at first */
	struct hc_outcome shown; /* the latest outcome with the reported status:
	                             what endpoints show while rise/fall hold it
	                             (valid once runs > 0) */
	int streak_status;       /* the raw status of the current streak */
	unsigned streak;         /* how many results in a row had it */
	uint64_t runs, failures;
	int64_t changed_ns; /* CLOCK_REALTIME: the result that set the reported
	                       status (0 while pending) */
	struct hc_history_entry history[HC_HISTORY]; /* a ring */
	unsigned history_next, history_len;
	/* scheduling, for scheduler.c */
	int64_t due_ns; /* CLOCK_MONOTONIC */
	size_t heap_index;
	bool running;            /* a worker is inside check (or stuck there) */
	size_t running_index;    /* where, in the scheduler's running set */
	int64_t run_deadline_ns; /* while running */
	bool stuck;              /* that call passed its deadline */
	bool retired;            /* replaced by a reload; freed once not running */
	int64_t heartbeat_ns;    /* heartbeat checks: monotonic time of the last push */
	bool stale;              /* heartbeat checks: failed for want of a push */
};

void hc_check_reset(struct hc_check *c, const struct hc_check_conf *conf, struct hc_instance *inst);

/* Record one outcome: counters, history, rise/fall. The first result sets
 * the status directly. Returns true when the reported status changed. */
bool hc_check_record(struct hc_check *c, const struct hc_outcome *o);

/*
 * One response body of a snapshot, rendered the first time a request asks
 * for it (hc_snapshot_body) and never again for that snapshot. handle
 * belongs to the HTTP layer; when it is set, text belongs to it too.
 */
struct hc_body {
	atomic_bool ready; /* the fields below are set (release/acquire) */
	int code;          /* HTTP status */
	const char *type;  /* Content-Type (static string) */
	char *text;
	size_t len;
	void *handle;
};

enum hc_variant { HC_PLAIN, HC_VERBOSE, HC_JSON, HC_N_VARIANTS };

/* The bodies of a snapshot: one per group, variant and detail level, then
 * /health (HC_BODY_HEALTH + HC_JSON_*: public, detailed, with history),
 * /metrics and /status (public, detailed). */
enum {
	HC_BODY_HEALTH = HC_N_GROUPS * HC_N_VARIANTS * 2,
	HC_BODY_METRICS = HC_BODY_HEALTH + 3,
	HC_BODY_STATUS,
	HC_N_BODIES = HC_BODY_STATUS + 2
};

/* The body index of a probe path's common request. */
static inline int hc_body_probe(enum hc_group g, enum hc_variant v, bool detailed)
{
	return ((int)g * HC_N_VARIANTS + (int)v) * 2 + (detailed ? 1 : 0);
}

/* How late scheduled runs started: a histogram of lag (due to started),
 * and runs that were late (HC_LATE_NS) or skipped a whole interval. */
#define HC_LAG_BUCKETS 13
#define HC_LATE_NS 100000000LL
extern const double hc_lag_bounds[HC_LAG_BUCKETS - 1]; /* seconds; last is +Inf */
struct hc_sched_stats {
	uint64_t lag_bucket[HC_LAG_BUCKETS]; /* not cumulative */
	double lag_sum_s;
	uint64_t lag_count;
	uint64_t late, skipped;
};

/* Count one run that started lag_ns after it was due, of a check with
 * interval_ms. */
void hc_sched_stats_add(struct hc_sched_stats *st, int64_t lag_ns, uint32_t interval_ms);

/* One check in a snapshot. Pointers into the snapshot's config. */
struct hc_row {
	const struct hc_check_conf *conf;
	const struct hc_outcome *out; /* NULL: pending */
	int status;                   /* reported status, HC_PENDING without a result */
	uint64_t runs, failures;
	int64_t changed_ns; /* when status was set (CLOCK_REALTIME), 0: pending */
	const struct hc_history_entry *history; /* the last runs, oldest first */
	unsigned n_history;
};

/*
 * What a request reads: immutable once published, reference-counted, so a
 * reader never blocks the publisher and never sees a half-built state.
 */
struct hc_snapshot {
	atomic_int refs;
	uint64_t seq;          /* publishing order */
	struct hc_config *cfg; /* a reference: rows point into it */
	struct hc_row *rows;
	struct hc_outcome *outs;
	struct hc_history_entry *hist; /* HC_HISTORY per row: rows' history */
	size_t n;
	int group_status[HC_N_GROUPS]; /* HC_PASS, HC_WARN or HC_FAIL */
	bool started;                  /* the startup group has passed once */
	bool shutting_down;
	int64_t next_due_ns;         /* when the next result is due (CLOCK_MONOTONIC), 0: none */
	unsigned count[4];           /* rows that pass, warn, fail, are pending */
	struct hc_sched_stats sched; /* the scheduler's, when it was taken */
	/* Bodies for the common requests, each rendered at most once, when
	 * first asked for: a snapshot nobody reads costs no rendering. */
	pthread_mutex_t render_lock;
	struct hc_body bodies[HC_N_BODIES];
	/* From hc_state when published (NULL: text only). */
	void (*prepare_body)(const struct hc_snapshot *s, int which, struct hc_body *b);
	void (*release_body)(struct hc_body *b);
};

/* Body which (HC_BODY_*, hc_body_probe) of s: rendered and prepared by the
 * first caller, shared by the rest. Safe from any thread holding a
 * reference to s. */
const struct hc_body *hc_snapshot_body(struct hc_snapshot *s, int which);

/* A snapshot of checks (the caller holds the scheduler lock), referencing
 * cfg. Not rendered yet. */
struct hc_snapshot *hc_snapshot_new(struct hc_config *cfg, struct hc_check *const *checks, size_t n,
                                    bool started, bool shutting_down, uint64_t seq, int64_t now_ns);
void hc_snapshot_ref(struct hc_snapshot *s);
void hc_snapshot_unref(struct hc_snapshot *s);

/* The group statuses of rows (pending counts as fail). */
void hc_group_status(const struct hc_row *rows, size_t n, int out[HC_N_GROUPS]);

/* The current snapshot and how to change it. */
struct hc_state {
	pthread_mutex_t lock; /* held only to swap cur or take a reference */
	struct hc_snapshot *cur;
	pthread_mutex_t publish_lock; /* one publisher at a time, in order */
	/* Given to every published snapshot: the HTTP layer builds a body's
	 * response object once it is rendered, and releases it. May be NULL. */
	void (*prepare_body)(const struct hc_snapshot *s, int which, struct hc_body *b);
	void (*release_body)(struct hc_body *b);
};

void hc_state_init(struct hc_state *st);
void hc_state_destroy(struct hc_state *st);
/* Make s current (its bodies render when first read). Takes s. A snapshot
 * older (by seq) than the current one is dropped. */
void hc_state_publish(struct hc_state *st, struct hc_snapshot *s);
/* The current snapshot, with a reference the caller drops (NULL before the
 * first publish). */
struct hc_snapshot *hc_state_get(struct hc_state *st);

#endif
