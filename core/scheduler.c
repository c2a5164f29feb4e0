/* SPDX-License-Identifier: MIT */
/* Running checks: each call bounded by its deadline, a hung call never holding up the rest. */
#include "autoconfig.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "scheduler.h"
#include "xalloc.h"

/*
 * One call of check on its own thread. The thread and the waiter each hold
 * a reference; the last to let go frees it, so a call that outlives its
 * deadline writes into memory that is still there.
 */
struct call {
	pthread_mutex_t lock;
	pthread_cond_t *done_cond; /* shared by the calls of one run */
	struct hc_instance *in;
	int64_t deadline_ns;
	struct hc_outcome out;
	bool done;
	int refs;
};

static void call_unref(struct call *c)
{
	bool last;

	pthread_mutex_lock(&c->lock);
	last = --c->refs == 0;
	pthread_mutex_unlock(&c->lock);
	if (last) {
		pthread_mutex_destroy(&c->lock);
		free(c);
	}
}

/* All calls of one run share a mutex and condition; the waiter sleeps
 * until some call finishes or the nearest deadline passes. */
static pthread_mutex_t run_lock = PTHREAD_MUTEX_INITIALIZER;

static void *call_main(void *arg)
{
	struct call *c = arg;
	struct hc_outcome out;

	hc_instance_run(c->in, c->deadline_ns, &out);
	pthread_mutex_lock(&run_lock);
	pthread_mutex_lock(&c->lock);
	c->out = out;
	c->done = true;
	if (c->done_cond != NULL)
		pthread_cond_broadcast(c->done_cond);
	pthread_mutex_unlock(&c->lock);
	pthread_mutex_unlock(&run_lock);
	call_unref(c);
	return NULL;
}

static struct call *call_start(struct hc_instance *in, pthread_cond_t *cond)
{
	struct call *c = hc_xcalloc(1, sizeof(*c));
	pthread_attr_t attr;
	pthread_t tid;

	pthread_mutex_init(&c->lock, NULL);
	c->done_cond = cond;
	c->in = in;
	c->deadline_ns = hc_now_ns() + (int64_t)in->conf->timeout_ms * 1000000;
	c->refs = 2;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&tid, &attr, call_main, c) != 0) {
		/* Without a thread, run it here: slower, never wrong. */
		hc_log(HC_LOG_WARNING, "cannot start a thread for check %s: %s",
		       in->conf->name, strerror(errno));
		call_main(c);
	}
	pthread_attr_destroy(&attr);
	return c;
}

static struct timespec to_timespec(int64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };

	return ts;
}

void hc_run_once(struct hc_instance *const *insts, size_t n,
                 struct hc_outcome *outs, bool *stuck)
{
	struct call **calls = hc_xcalloc(n, sizeof(*calls));
	pthread_condattr_t ca;
	pthread_cond_t cond;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&cond, &ca);
	pthread_condattr_destroy(&ca);
	for (size_t i = 0; i < n; i++)
		calls[i] = call_start(insts[i], &cond);
	pthread_mutex_lock(&run_lock);
	for (size_t i = 0; i < n; i++) {
		struct call *c = calls[i];
		int64_t limit = c->deadline_ns + HC_DEADLINE_GRACE_MS * 1000000LL;
		struct timespec ts = to_timespec(limit);

		/* A result is taken at the deadline (and its grace), not
		 * whenever the call returns. */
		while (!c->done && hc_now_ns() < limit)
			pthread_cond_timedwait(&cond, &run_lock, &ts);
		pthread_mutex_lock(&c->lock);
		if (c->done)
			outs[i] = c->out;
		else
			hc_outcome_timeout(c->in, &outs[i]);
		if (stuck != NULL)
			stuck[i] = !c->done;
		/* A late call must not signal a condition that is gone. */
		c->done_cond = NULL;
		pthread_mutex_unlock(&c->lock);
	}
	pthread_mutex_unlock(&run_lock);
	for (size_t i = 0; i < n; i++)
		call_unref(calls[i]);
	pthread_cond_destroy(&cond);
	free(calls);
}
