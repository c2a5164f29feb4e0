/* SPDX-License-Identifier: MIT */
/* Running checks: each call bounded by its deadline, a hung call never holding up the rest. */
#include "autoconfig.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "heartbeat.h"
#include "log.h"
#include "render.h"
#include "scheduler.h"
#include "xalloc.h"

/*
 * Locking conventions. Two mutexes: s->lock guards the scheduler (heap,
 * queue, every hc_check's scheduling fields, counters), run_lock guards the
 * --once calls below. Suffixes say what a function does with them:
 *   NAME_locked      called with the lock held; returns with it held and
 *                    never lets go of it in between.
 *   NAME_relocking   called with the lock held; returns with it held, but
 *                    drops it in between (to call a plugin or render a
 *                    snapshot): whatever the caller read before the call
 *                    may have changed after it.
 * A function without a suffix takes the lock itself (the public hc_sched_*
 * functions, the threads' main loops) or is a plain helper on data whose
 * lock its caller holds (heap_*, queue_remove, sched_reserve). A function
 * that calls a _relocking one is itself _relocking.
 */

/*
 * One call of check on its own thread (--once). The thread and the waiter
 * each hold a reference; the last to let go frees it, so a call that
 * outlives its deadline writes into memory that is still there. Every
 * field is guarded by run_lock.
 */
struct call {
	pthread_cond_t *done_cond; /* shared by the calls of one run */
	struct hc_instance *in;
	int64_t deadline_ns;
	int64_t end_ns; /* when the call returned */
	struct hc_outcome out;
	pthread_t tid;
	bool has_thread;
	bool abandoned; /* still running when the waiter gave up */
	bool done;
	int refs;
};

/* All calls of one run share a mutex and condition; the waiter sleeps
 * until some call finishes or the nearest deadline passes. */
static pthread_mutex_t run_lock = PTHREAD_MUTEX_INITIALIZER;

static void call_unref_locked(struct call *c)
{
	if (--c->refs == 0)
		free(c);
}

static void *call_main(void *arg)
{
	struct call *c = arg;
	struct hc_outcome out;

	hc_instance_run(c->in, c->deadline_ns, &out);
	pthread_mutex_lock(&run_lock);
	c->out = out;
	c->end_ns = hc_now_ns();
	c->done = true;
	if (c->done_cond != NULL)
		pthread_cond_broadcast(c->done_cond);
	call_unref_locked(c);
	pthread_mutex_unlock(&run_lock);
	return NULL;
}

static struct call *call_start(struct hc_instance *in, pthread_cond_t *cond)
{
	struct call *c = hc_xcalloc(1, sizeof(*c));
	int rc;

	c->done_cond = cond;
	c->in = in;
	c->deadline_ns = hc_now_ns() + (int64_t)in->timeout_ms * 1000000;
	c->refs = 2;
	rc = pthread_create(&c->tid, NULL, call_main, c);
	c->has_thread = rc == 0;
	if (rc != 0) {
		/* Without a thread the call cannot be bounded: report it
		 * rather than run it here past its deadline. */
		hc_log(HC_LOG_ERR, "cannot start a thread for check %s: %s", in->name, strerror(rc));
		hc_outcome_make(in, HC_FAIL, "no thread to run the check on", &c->out);
		c->done = true;
		c->refs = 1;
	}
	return c;
}

static struct timespec to_timespec(int64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };

	return ts;
}

void hc_run_once(struct hc_instance *const *insts, size_t n, struct hc_outcome *outs, bool *stuck)
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

		while (!c->done && hc_now_ns() < limit)
			pthread_cond_timedwait(&cond, &run_lock, &ts);
		/* A result is taken at the deadline (and its grace), not
		 * whenever the call returns: one that came later, while this
		 * loop waited on another call, is a timeout all the same. */
		if (c->done && c->end_ns <= limit)
			outs[i] = c->out;
		else
			hc_outcome_timeout(c->in, &outs[i]);
		c->abandoned = !c->done;
		if (stuck != NULL)
			stuck[i] = c->abandoned;
		/* A late call must not signal a condition that is gone. */
		c->done_cond = NULL;
	}
	pthread_mutex_unlock(&run_lock);
	/* Join the threads whose call returned, so their thread-exit work
	 * (a library's per-thread state) is done before the caller goes on;
	 * a stuck one is left to itself. */
	for (size_t i = 0; i < n; i++) {
		if (!calls[i]->has_thread)
			continue;
		if (!calls[i]->abandoned)
			pthread_join(calls[i]->tid, NULL);
		else
			pthread_detach(calls[i]->tid);
	}
	pthread_mutex_lock(&run_lock);
	for (size_t i = 0; i < n; i++)
		call_unref_locked(calls[i]);
	pthread_mutex_unlock(&run_lock);
	pthread_cond_destroy(&cond);
	free(calls);
}

/* ---- the daemon's scheduler ------------------------------------------- */

/* A status change reaches the probes at most this late; other changes
 * (counters, latencies, messages) are published together, at most this
 * often, so a run that changes no status costs no O(checks) snapshot. */
#define PUBLISH_GAP_NS (10 * 1000000LL)
#define COALESCE_NS (250 * 1000000LL)
/* The scheduler thread wakes for a due check at most this late, and then
 * hands out every check due by then: with thousands of checks, one wake-up
 * (and one worker wake-up) serves a batch, not a run. */
#define DISPATCH_SLACK_NS (2 * 1000000LL)
/* How often the tick (watchdog, STATUS=) runs at most. */
#define TICK_NS (100 * 1000000LL)
/* How often a late schedule is logged at most. */
#define LATE_LOG_NS (60 * 1000000000LL)

struct hc_sched {
	pthread_mutex_t lock;
	pthread_cond_t wake;   /* the scheduler thread sleeps on it */
	pthread_cond_t work;   /* idle workers sleep on it */
	pthread_cond_t idle;   /* a check stopped running, a worker exited */
	struct hc_config *cfg; /* a reference */
	struct hc_check **checks;
	size_t n;
	struct hc_check **heap; /* by due_ns; running checks are not in it */
	size_t heap_n;
	struct hc_check **queue; /* due, waiting for a worker: [queue_head, queue_n) */
	size_t queue_head, queue_n, queue_cap;
	struct hc_check **running; /* inside a call (stuck ones too), any order */
	size_t running_n, running_cap;
	struct hc_check **beats; /* the heartbeat checks of s->checks */
	size_t beats_n;
	bool dirty;  /* a result is not published yet */
	bool urgent; /* ... and a status changed */
	int64_t last_publish_ns;
	int64_t last_tick_ns;
	int64_t wake_at; /* when the sleeping scheduler thread wakes;
	                             INT64_MIN while it is awake */
	struct hc_sched_stats stats;
	uint64_t late_logged; /* stats.late when last logged */
	int64_t late_log_ns;
	unsigned workers; /* the pool's size */
	unsigned alive;   /* worker threads */
	unsigned stuck;   /* of them, inside a call past its deadline */
	bool stop, shutting_down, started;
	uint64_t seq;
	struct hc_state *state;
	_Atomic int64_t tick_ns;
	hc_tick_fn tick;
	void *tick_arg;
	pthread_t thread;
};

static void heap_swap(struct hc_check **h, size_t a, size_t b)
{
	struct hc_check *t = h[a];

	h[a] = h[b];
	h[b] = t;
	h[a]->heap_index = a;
	h[b]->heap_index = b;
}

static void heap_up(struct hc_check **h, size_t i)
{
	while (i > 0 && h[(i - 1) / 2]->due_ns > h[i]->due_ns) {
		heap_swap(h, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void heap_down(struct hc_check **h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < n && h[l]->due_ns < h[m]->due_ns)
			m = l;
		if (r < n && h[r]->due_ns < h[m]->due_ns)
			m = r;
		if (m == i)
			return;
		heap_swap(h, i, m);
		i = m;
	}
}

static void heap_push(struct hc_sched *s, struct hc_check *c)
{
	s->heap[s->heap_n] = c;
	c->heap_index = s->heap_n++;
	heap_up(s->heap, c->heap_index);
}

/* Take c out of the heap, if it is there. */
static void heap_remove(struct hc_sched *s, struct hc_check *c)
{
	size_t i = c->heap_index;

	if (i >= s->heap_n || s->heap[i] != c)
		return;
	heap_swap(s->heap, i, --s->heap_n);
	c->heap_index = SIZE_MAX;
	if (i < s->heap_n) {
		heap_down(s->heap, s->heap_n, i);
		heap_up(s->heap, i);
	}
}

/* Move the waiting checks to the front of the queue's array. */
static void queue_compact(struct hc_sched *s)
{
	if (s->queue_head == 0)
		return;
	memmove(s->queue, s->queue + s->queue_head, (s->queue_n - s->queue_head) * sizeof(*s->queue));
	s->queue_n -= s->queue_head;
	s->queue_head = 0;
}

static void queue_push(struct hc_sched *s, struct hc_check *c)
{
	if (s->queue_n == s->queue_cap)
		queue_compact(s);
	s->queue[s->queue_n++] = c;
}

static struct hc_check *queue_pop(struct hc_sched *s)
{
	struct hc_check *c = s->queue[s->queue_head++];

	if (s->queue_head == s->queue_n)
		s->queue_head = s->queue_n = 0;
	return c;
}

static void queue_remove(struct hc_sched *s, struct hc_check *c)
{
	for (size_t i = s->queue_head; i < s->queue_n; i++) {
		if (s->queue[i] == c) {
			memmove(&s->queue[i], &s->queue[i + 1],
			        (s->queue_n - i - 1) * sizeof(*s->queue));
			s->queue_n--;
			if (s->queue_head == s->queue_n)
				s->queue_head = s->queue_n = 0;
			return;
		}
	}
}

/* Size the heap and queue for n checks (a check is in each at most once). */
static void sched_reserve(struct hc_sched *s, size_t n)
{
	s->heap = hc_xreallocarray(s->heap, n + 1, sizeof(*s->heap));
	queue_compact(s);
	if (s->queue_n > n + 1)
		n = s->queue_n; /* retired ones leave only later */
	s->queue = hc_xreallocarray(s->queue, n + 1, sizeof(*s->queue));
	s->queue_cap = n + 1;
}

static void running_add(struct hc_sched *s, struct hc_check *c)
{
	if (s->running_n == s->running_cap) {
		s->running_cap = s->running_cap ? 2 * s->running_cap : 8;
		s->running = hc_xreallocarray(s->running, s->running_cap, sizeof(*s->running));
	}
	c->running = true;
	c->running_index = s->running_n;
	s->running[s->running_n++] = c;
}

static void running_remove(struct hc_sched *s, struct hc_check *c)
{
	size_t i = c->running_index;

	s->running[i] = s->running[--s->running_n];
	s->running[i]->running_index = i;
	c->running = false;
}

/* s->beats: the heartbeat checks, which are stale-checked and pushed to by
 * name; few, so a list beside s->checks spares a scan of all of them. */
static void index_heartbeats(struct hc_sched *s)
{
	s->beats = hc_xreallocarray(s->beats, s->n + 1, sizeof(*s->beats));
	s->beats_n = 0;
	for (size_t i = 0; i < s->n; i++)
		if (hc_heartbeat_is(s->checks[i]->inst))
			s->beats[s->beats_n++] = s->checks[i];
}

/* A snapshot of the checks now, to publish once the lock is let go. */
static struct hc_snapshot *snapshot_locked(struct hc_sched *s)
{
	struct hc_snapshot *snap = hc_snapshot_new(s->cfg, s->checks, s->n, s->started,
	                                           s->shutting_down, ++s->seq, hc_now_ns());

	snap->sched = s->stats;
	/* Start-up is complete once the startup group has passed: a latch. */
	if (!s->started && snap->group_status[HC_STARTUP] != HC_FAIL)
		s->started = snap->started = true;
	return snap;
}

/* Publish the checks as they are now. The snapshot is taken under the
 * lock, and handed over without it. */
static void publish_relocking(struct hc_sched *s)
{
	struct hc_snapshot *snap = snapshot_locked(s);

	s->dirty = s->urgent = false;
	s->last_publish_ns = hc_now_ns();
	pthread_mutex_unlock(&s->lock);
	hc_state_publish(s->state, snap);
	pthread_mutex_lock(&s->lock);
}

/* When the unpublished results are due out (dirty only). */
static int64_t publish_due_locked(const struct hc_sched *s)
{
	return s->last_publish_ns + (s->urgent ? PUBLISH_GAP_NS : COALESCE_NS);
}

/* The scheduler thread must look again by t: wake it only if it sleeps
 * past t. An awake one computes its next wake-up before it sleeps, and a
 * wake-up per run would be a third context switch per run. */
static void wake_by_locked(struct hc_sched *s, int64_t t)
{
	if (t < s->wake_at)
		pthread_cond_signal(&s->wake);
}

/* A result was recorded (status: it changed the reported status): publish
 * now if the last publish is old enough, else leave it to the scheduler
 * thread. */
static void recorded_relocking(struct hc_sched *s, bool status)
{
	s->dirty = true;
	s->urgent = s->urgent || status;
	if (hc_now_ns() >= publish_due_locked(s))
		publish_relocking(s);
	else
		wake_by_locked(s, publish_due_locked(s));
}

/* Returns true when the reported status changed. */
static bool record_locked(struct hc_check *c, const struct hc_outcome *out)
{
	int old = c->status;

	hc_log(HC_LOG_DEBUG, "check %s: %s in %.1f ms: %s", c->conf->name,
	       hc_status_name(out->status), out->latency_ms, out->message);
	if (!hc_check_record(c, out))
		return false;
	hc_log(c->status == HC_FAIL ? HC_LOG_WARNING : HC_LOG_INFO, "check %s: %s -> %s: %s",
	       c->conf->name, hc_status_name(old), hc_status_name(c->status), out->message);
	return true;
}

static void *worker_main(void *arg);

static void spawn_worker_locked(struct hc_sched *s)
{
	pthread_attr_t attr;
	pthread_t tid;
	int rc;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&tid, &attr, worker_main, s);
	if (rc == 0)
		s->alive++;
	else
		hc_log(HC_LOG_ERR, "cannot start a worker thread: %s", strerror(rc));
	pthread_attr_destroy(&attr);
}

static void run_relocking(struct hc_sched *s, struct hc_check *c)
{
	struct hc_outcome out;
	bool late;
	int64_t deadline = hc_now_ns() + (int64_t)c->conf->timeout_ms * 1000000;

	running_add(s, c);
	c->run_deadline_ns = deadline;
	pthread_mutex_unlock(&s->lock);
	hc_instance_run(c->inst, deadline, &out);
	pthread_mutex_lock(&s->lock);
	running_remove(s, c);
	late = c->stuck;
	if (c->stuck) {
		/* Its failure was recorded at the deadline; this late
		 * result would contradict what was already published. */
		c->stuck = false;
		s->stuck--;
		/* c->conf may belong to a config a reload has freed. */
		hc_log(HC_LOG_INFO, "check %s: returned %.0f ms after its deadline", c->inst->name,
		       (double)(hc_now_ns() - deadline) / 1e6);
	}
	if (!c->retired && !s->stop) {
		c->due_ns = hc_now_ns() + (int64_t)c->conf->interval_ms * 1000000;
		heap_push(s, c);
		wake_by_locked(s, c->due_ns + DISPATCH_SLACK_NS);
	}
	pthread_cond_broadcast(&s->idle);
	/* Published once the next due time is known: /health's max-age. */
	if (!late && !c->retired)
		recorded_relocking(s, record_locked(c, &out));
}

static void *worker_main(void *arg)
{
	struct hc_sched *s = arg;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		/* A worker replaced while stuck leaves once its call returns. */
		bool surplus = s->alive - s->stuck > s->workers;
		struct hc_check *c;

		if (s->stop || surplus)
			break;
		if (s->queue_head == s->queue_n) {
			pthread_cond_wait(&s->work, &s->lock);
			continue;
		}
		c = queue_pop(s);
		hc_sched_stats_add(&s->stats, hc_now_ns() - c->due_ns, c->conf->interval_ms);
		run_relocking(s, c);
	}
	s->alive--;
	pthread_cond_broadcast(&s->idle);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* Calls past their deadline fail now; their workers are replaced. Returns
 * true when a reported status changed. */
static bool expire_locked(struct hc_sched *s, int64_t now)
{
	bool changed = false;

	for (size_t i = 0; i < s->running_n; i++) {
		struct hc_check *c = s->running[i];
		struct hc_outcome out;

		if (c->stuck || now < c->run_deadline_ns + HC_DEADLINE_GRACE_MS * 1000000LL)
			continue;
		c->stuck = true;
		s->stuck++;
		hc_outcome_timeout(c->inst, &out);
		changed |= record_locked(c, &out);
		s->dirty = true;
		if (s->alive - s->stuck < s->workers)
			spawn_worker_locked(s);
	}
	return changed;
}

/* When heartbeat check c turns stale (0: not waiting for one). */
static int64_t stale_at(const struct hc_check *c)
{
	if (c->heartbeat_ns == 0 || c->stale)
		return 0;
	return c->heartbeat_ns + (int64_t)hc_heartbeat_ttl_ms(c->inst) * 1000000;
}

/* Heartbeat checks whose last push is older than their ttl fail now.
 * Returns true when a reported status changed. */
static bool stale_locked(struct hc_sched *s, int64_t now)
{
	bool changed = false;

	for (size_t i = 0; i < s->beats_n; i++) {
		struct hc_check *c = s->beats[i];
		int64_t at = stale_at(c);
		struct hc_outcome out;
		char msg[128];

		if (at == 0 || now < at)
			continue;
		snprintf(msg, sizeof(msg), "no heartbeat for %.1f s (ttl %u ms)",
		         (double)(now - c->heartbeat_ns) / 1e9, hc_heartbeat_ttl_ms(c->inst));
		hc_outcome_make(c->inst, HC_FAIL, msg, &out);
		c->stale = true;
		changed |= record_locked(c, &out);
		s->dirty = true;
	}
	return changed;
}

/* When the scheduler must look again: the next due time, deadline,
 * heartbeat expiry or publish, and at least once a second (watchdog,
 * /livez). O(running + heartbeats), never O(checks). */
static int64_t next_wake_locked(const struct hc_sched *s, int64_t now)
{
	int64_t t = now + 1000000000, d;

	if (s->heap_n > 0 && s->heap[0]->due_ns + DISPATCH_SLACK_NS < t)
		t = s->heap[0]->due_ns + DISPATCH_SLACK_NS;
	if (s->dirty && publish_due_locked(s) < t)
		t = publish_due_locked(s);
	for (size_t i = 0; i < s->running_n; i++) {
		d = s->running[i]->run_deadline_ns + HC_DEADLINE_GRACE_MS * 1000000LL;
		if (!s->running[i]->stuck && d < t)
			t = d;
	}
	for (size_t i = 0; i < s->beats_n; i++)
		if ((d = stale_at(s->beats[i])) != 0 && d < t)
			t = d;
	return t;
}

/* Say so when runs start late: the schedule is more than the workers can
 * do. At most once a minute. */
static void log_late_locked(struct hc_sched *s, int64_t now)
{
	if (s->stats.late == s->late_logged || now - s->late_log_ns < LATE_LOG_NS)
		return;
	hc_log(HC_LOG_WARNING,
	       "scheduler: %llu runs started more than %lld ms late "
	       "(%llu intervals skipped in all): raise workers or lengthen intervals",
	       (unsigned long long)(s->stats.late - s->late_logged), HC_LATE_NS / 1000000,
	       (unsigned long long)s->stats.skipped);
	s->late_logged = s->stats.late;
	s->late_log_ns = now;
}

static void *sched_main(void *arg)
{
	struct hc_sched *s = arg;

	pthread_mutex_lock(&s->lock);
	while (!s->stop) {
		int64_t now = hc_now_ns();
		struct timespec ts;

		atomic_store(&s->tick_ns, now);
		/* Both run: each marks its own checks. */
		bool expired = expire_locked(s, now);
		bool stale = stale_locked(s, now);

		if (expired || stale)
			s->urgent = true;
		while (s->heap_n > 0 && s->heap[0]->due_ns <= now) {
			struct hc_check *c = s->heap[0];

			heap_remove(s, c);
			queue_push(s, c);
			pthread_cond_signal(&s->work);
		}
		if (s->dirty && now >= publish_due_locked(s))
			publish_relocking(s);
		log_late_locked(s, now);
		if (s->tick != NULL && now - s->last_tick_ns >= TICK_NS) {
			s->last_tick_ns = now;
			pthread_mutex_unlock(&s->lock);
			s->tick(s->tick_arg);
			pthread_mutex_lock(&s->lock);
		}
		if (s->stop)
			break;
		s->wake_at = next_wake_locked(s, hc_now_ns());
		ts = to_timespec(s->wake_at);
		pthread_cond_timedwait(&s->wake, &s->lock, &ts);
		s->wake_at = INT64_MIN;
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* First runs spread over the first interval: no thundering herd at start. */
static void schedule_first(struct hc_sched *s, struct hc_check *c, size_t i, size_t n, int64_t now)
{
	c->heap_index = SIZE_MAX;
	if (hc_heartbeat_is(c->inst))
		return;
	c->due_ns = now + (int64_t)c->conf->interval_ms * 1000000 * (int64_t)i / (int64_t)(n ? n : 1);
	heap_push(s, c);
}

struct hc_sched *hc_sched_start(struct hc_config *cfg, struct hc_check **checks, size_t n,
                                unsigned workers, struct hc_state *state, hc_tick_fn tick,
                                void *tick_arg)
{
	struct hc_sched *s = hc_xcalloc(1, sizeof(*s));
	pthread_condattr_t ca;
	int64_t now = hc_now_ns();
	int rc;

	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->wake, &ca);
	pthread_cond_init(&s->work, &ca);
	pthread_cond_init(&s->idle, &ca);
	pthread_condattr_destroy(&ca);
	s->cfg = hc_config_ref(cfg);
	s->checks = checks;
	s->n = n;
	s->workers = workers ? workers : 1;
	s->state = state;
	s->tick = tick;
	s->tick_arg = tick_arg;
	s->wake_at = INT64_MIN; /* until the thread first sleeps */
	atomic_init(&s->tick_ns, now);
	sched_reserve(s, n);
	index_heartbeats(s);
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < n; i++)
		schedule_first(s, checks[i], i, n, now);
	for (unsigned i = 0; i < s->workers; i++)
		spawn_worker_locked(s);
	publish_relocking(s);
	pthread_mutex_unlock(&s->lock);
	rc = pthread_create(&s->thread, NULL, sched_main, s);
	if (rc != 0) {
		hc_log(HC_LOG_ERR, "cannot start the scheduler thread: %s", strerror(rc));
		abort();
	}
	return s;
}

int64_t hc_sched_tick_ns(const struct hc_sched *s)
{
	return atomic_load(&((struct hc_sched *)s)->tick_ns);
}

void hc_sched_shutting_down(struct hc_sched *s)
{
	pthread_mutex_lock(&s->lock);
	s->shutting_down = true;
	publish_relocking(s);
	pthread_mutex_unlock(&s->lock);
}

static struct hc_check *find_heartbeat_locked(struct hc_sched *s, const char *name)
{
	for (size_t i = 0; i < s->beats_n; i++)
		if (strcmp(s->beats[i]->conf->name, name) == 0)
			return s->beats[i];
	return NULL;
}

char *hc_sched_heartbeat_token(struct hc_sched *s, const char *name, bool *found)
{
	struct hc_check *c;
	char *token = NULL;

	pthread_mutex_lock(&s->lock);
	c = find_heartbeat_locked(s, name);
	*found = c != NULL;
	if (c != NULL && hc_heartbeat_token(c->inst) != NULL)
		token = hc_xstrdup(hc_heartbeat_token(c->inst));
	pthread_mutex_unlock(&s->lock);
	return token;
}

int hc_sched_heartbeat(struct hc_sched *s, const char *name, int status, const char *output)
{
	struct hc_outcome out;
	struct hc_check *c;

	pthread_mutex_lock(&s->lock);
	c = find_heartbeat_locked(s, name);
	if (c == NULL) {
		pthread_mutex_unlock(&s->lock);
		return -1;
	}
	hc_outcome_make(c->inst, status, output != NULL ? output : "heartbeat received", &out);
	c->heartbeat_ns = hc_now_ns();
	c->stale = false;
	record_locked(c, &out);
	/* The scheduler's next wake-up now depends on this push's expiry. */
	wake_by_locked(s, stale_at(c));
	publish_relocking(s);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

/* Would c run the same way under conf? Then its instance and state stay. */
static bool same_definition(const struct hc_check_conf *a, const struct hc_check_conf *b)
{
	if (strcmp(a->name, b->name) != 0 || strcmp(a->plugin, b->plugin) != 0 ||
	    a->interval_ms != b->interval_ms || a->timeout_ms != b->timeout_ms ||
	    a->severity != b->severity || a->rise != b->rise || a->fall != b->fall ||
	    a->isolate != b->isolate || a->n_settings != b->n_settings)
		return false;
	for (size_t i = 0; i < a->n_settings; i++)
		if (strcmp(a->settings[i].key, b->settings[i].key) != 0 ||
		    strcmp(a->settings[i].value, b->settings[i].value) != 0)
			return false;
	return true;
}

static int by_name(const void *a, const void *b)
{
	const struct hc_check *const *x = a, *const *y = b;

	return strcmp((*x)->conf->name, (*y)->conf->name);
}

/* Where in sorted (by name; names are unique within a config) the check
 * named like c is, or -1. */
static ptrdiff_t find_by_name(struct hc_check **sorted, size_t n, const struct hc_check *c)
{
	struct hc_check **hit = bsearch(&c, sorted, n, sizeof(*sorted), by_name);

	return hit != NULL ? hit - sorted : -1;
}

void hc_sched_swap(struct hc_sched *s, struct hc_config *cfg, struct hc_check **checks, size_t n,
                   struct hc_instance ***unused, size_t *n_unused, struct hc_check ***retired,
                   size_t *n_retired)
{
	struct hc_check **sorted;
	bool *kept, *fresh;
	int64_t now = hc_now_ns();

	pthread_mutex_lock(&s->lock);
	/* Matched by name in O(n log n): a reload of 10,000 checks must not
	 * compare every new check with every old one. */
	sorted = hc_xcalloc(s->n + 1, sizeof(*sorted));
	memcpy(sorted, s->checks, s->n * sizeof(*sorted));
	qsort(sorted, s->n, sizeof(*sorted), by_name);
	kept = hc_xcalloc(s->n + 1, sizeof(*kept));
	fresh = hc_xcalloc(n + 1, sizeof(*fresh));
	*unused = hc_xcalloc(n + 1, sizeof(**unused));
	*retired = hc_xcalloc(s->n + 1, sizeof(**retired));
	*n_unused = *n_retired = 0;
	for (size_t i = 0; i < n; i++) {
		ptrdiff_t j = find_by_name(sorted, s->n, checks[i]);
		struct hc_check *old = j >= 0 ? sorted[j] : NULL;

		fresh[i] = true;
		if (old == NULL || kept[j] || !same_definition(old->conf, checks[i]->conf) ||
		    !hc_instance_same_secrets(old->inst, checks[i]->inst))
			continue;
		(*unused)[(*n_unused)++] = checks[i]->inst;
		old->conf = checks[i]->conf;
		free(checks[i]);
		checks[i] = old;
		kept[j] = true;
		fresh[i] = false;
	}
	for (size_t j = 0; j < s->n; j++) {
		struct hc_check *c = sorted[j];

		if (kept[j])
			continue;
		c->retired = true;
		heap_remove(s, c);
		queue_remove(s, c);
		/* Out of s->checks, a check inside a call is no longer watched
		 * for its deadline: count its worker as stuck now and replace
		 * it, or a hung retired check would take a worker for good. */
		if (c->running && !c->stuck) {
			c->stuck = true;
			s->stuck++;
			if (s->alive - s->stuck < s->workers)
				spawn_worker_locked(s);
		}
		(*retired)[(*n_retired)++] = c;
	}
	sched_reserve(s, n);
	for (size_t i = 0; i < n; i++)
		if (fresh[i])
			schedule_first(s, checks[i], i, n, now);
	free(kept);
	free(fresh);
	free(sorted);
	free(s->checks);
	s->checks = checks;
	s->n = n;
	index_heartbeats(s);
	hc_config_unref(s->cfg);
	s->cfg = hc_config_ref(cfg);
	pthread_cond_signal(&s->wake);
	publish_relocking(s);
	pthread_mutex_unlock(&s->lock);
}

bool hc_sched_wait_idle(struct hc_sched *s, struct hc_check *c, int64_t deadline_ns)
{
	struct timespec ts = to_timespec(deadline_ns);
	bool idle;

	pthread_mutex_lock(&s->lock);
	while (c->running && hc_now_ns() < deadline_ns)
		pthread_cond_timedwait(&s->idle, &s->lock, &ts);
	idle = !c->running;
	pthread_mutex_unlock(&s->lock);
	return idle;
}

void hc_sched_stop(struct hc_sched *s, int64_t deadline_ns)
{
	struct timespec ts = to_timespec(deadline_ns);

	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_broadcast(&s->work);
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	pthread_mutex_lock(&s->lock);
	/* Every worker not inside a call leaves at once; one inside a call
	 * leaves when it returns, if it does before the deadline. */
	while (s->alive > 0 && hc_now_ns() < deadline_ns)
		pthread_cond_timedwait(&s->idle, &s->lock, &ts);
	/* What the scheduler thread would have published next. */
	if (s->dirty)
		publish_relocking(s);
	pthread_mutex_unlock(&s->lock);
}

size_t hc_sched_free(struct hc_sched *s)
{
	size_t alive;

	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->n; i++) {
		struct hc_check *c = s->checks[i];

		if (c->running)
			continue;
		hc_instance_destroy(c->inst);
		free(c);
	}
	alive = s->alive;
	pthread_mutex_unlock(&s->lock);
	/* A worker still inside a call (of a current or a retired check), or
	 * still publishing its result, will touch s, the state and plugin
	 * code: nothing more may be freed. */
	if (alive > 0)
		return alive;
	free(s->checks);
	free(s->heap);
	free(s->queue);
	free(s->running);
	free(s->beats);
	hc_config_unref(s->cfg);
	pthread_cond_destroy(&s->wake);
	pthread_cond_destroy(&s->work);
	pthread_cond_destroy(&s->idle);
	pthread_mutex_destroy(&s->lock);
	free(s);
	return 0;
}
