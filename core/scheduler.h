/* SPDX-License-Identifier: MIT */
/* Running checks: each call bounded by its deadline, a hung call never holding up the rest. */
#ifndef HC_SCHEDULER_H
#define HC_SCHEDULER_H

#include <stdbool.h>
#include <stddef.h>

#include "instance.h"
#include "state.h"

/*
 * Run every instance once, all in parallel, each bounded by its own timeout.
 * Returns once each call has returned or passed its deadline; a call past
 * its deadline is reported as failed "timed out after N ms" and left running
 * on its own thread, and stuck[i] is set: such an instance must never be
 * torn down (its plugin code is still running). stuck may be NULL.
 */
void hc_run_once(struct hc_instance *const *insts, size_t n, struct hc_outcome *outs, bool *stuck);

/*
 * The daemon's scheduler: a min-heap of due times feeding a pool of
 * workers. A check is out of the heap while it runs, so it never runs
 * concurrently with itself. A call still running at its deadline is
 * recorded as failed at the deadline, its worker is replaced, and the check
 * is not run again until the call returns. Every change of a check
 * publishes a new snapshot to the state.
 */
struct hc_sched;

/* Tick hook: called from the scheduler thread at least once a second
 * (systemd's watchdog). */
typedef void (*hc_tick_fn)(void *arg);

/* Start the scheduler on checks (taken: the scheduler owns them) of cfg
 * (a reference is taken) with `workers` workers; first runs are spread
 * over each check's first interval. */
struct hc_sched *hc_sched_start(struct hc_config *cfg, struct hc_check **checks, size_t n,
                                unsigned workers, struct hc_state *state, hc_tick_fn tick,
                                void *tick_arg);

/* Monotonic time of the scheduler loop's last turn: /livez fails when it
 * is too old. */
int64_t hc_sched_tick_ns(const struct hc_sched *s);

/* Readiness fails from now on ("shutting down"). */
void hc_sched_shutting_down(struct hc_sched *s);

/* A push to heartbeat check name: 0, or -1 if there is no such heartbeat
 * check. The token the push must carry is checked by the caller via
 * hc_sched_heartbeat_token. */
int hc_sched_heartbeat(struct hc_sched *s, const char *name, int status, const char *output);
/* Copy of the token a push to heartbeat check name needs (NULL: the
 * server's); *found is false when there is no such heartbeat check. */
char *hc_sched_heartbeat_token(struct hc_sched *s, const char *name, bool *found);

/* Replace the checks with new ones (reload). A new check whose definition
 * equals an old one's keeps the old one's instance and state; its own
 * instance is returned in *unused for the caller to tear down. Old checks
 * not kept are returned in *retired: tear each down once
 * hc_sched_wait_idle says it no longer runs. */
void hc_sched_swap(struct hc_sched *s, struct hc_config *cfg, struct hc_check **checks, size_t n,
                   struct hc_instance ***unused, size_t *n_unused, struct hc_check ***retired,
                   size_t *n_retired);

/* Wait until c is not running, at most until deadline_ns. True if idle. */
bool hc_sched_wait_idle(struct hc_sched *s, struct hc_check *c, int64_t deadline_ns);

/* Stop: no new runs; wait for the workers until deadline_ns; publish the
 * results that were waiting to be published together. */
void hc_sched_stop(struct hc_sched *s, int64_t deadline_ns);

/* After hc_sched_stop: tear down every check not inside a call and, when
 * no worker is left, free the scheduler. Returns the number of workers
 * still alive: then plugin code may still run, and the caller must leave
 * without freeing anything more (the state, the plugins). */
size_t hc_sched_free(struct hc_sched *s);

#endif
