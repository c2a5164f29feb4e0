/* SPDX-License-Identifier: MIT */
/* Per-check state, and the immutable snapshots that requests read. */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "state.h"
#include "xalloc.h"

void hc_check_reset(struct hc_check *c, const struct hc_check_conf *conf, struct hc_instance *inst)
{
	memset(c, 0, sizeof(*c));
	c->conf = conf;
	c->inst = inst;
	c->status = HC_PENDING;
	c->streak_status = HC_PENDING;
}

bool hc_check_record(struct hc_check *c, const struct hc_outcome *o)
{
	struct hc_history_entry *h = &c->history[c->history_next];
	int old = c->status;
	unsigned need;

	c->runs++;
	if (o->status == HC_FAIL)
		c->failures++;
	*h = (struct hc_history_entry){ o->status, o->time_ns, o->latency_ms };
	c->history_next = (c->history_next + 1) % HC_HISTORY;
	if (c->history_len < HC_HISTORY)
		c->history_len++;

	if (o->status == c->streak_status)
		c->streak++;
	else {
		c->streak_status = o->status;
		c->streak = 1;
	}
	/* The first result sets the state directly; after that a worse
	 * status needs `fall` results in a row, a better one `rise`. */
	if (old == HC_PENDING)
		need = 1;
	else
		need = o->status > old ? c->conf->fall : c->conf->rise;
	if (o->status != old && c->streak >= need) {
		c->status = o->status;
		c->changed_ns = o->time_ns;
	}
	if (o->status == c->status)
		c->shown = *o;
	return c->status != old;
}

/* Prometheus's default buckets, and 1 ms: a run on time starts within it. */
const double hc_lag_bounds[HC_LAG_BUCKETS - 1] = { 0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
	                                           0.25,  0.5,   1,    2.5,   5,    10 };

void hc_sched_stats_add(struct hc_sched_stats *st, int64_t lag_ns, uint32_t interval_ms)
{
	double lag = lag_ns > 0 ? (double)lag_ns / 1e9 : 0;
	int b = 0;

	while (b < HC_LAG_BUCKETS - 1 && lag > hc_lag_bounds[b])
		b++;
	st->lag_bucket[b]++;
	st->lag_sum_s += lag;
	st->lag_count++;
	if (lag_ns > HC_LATE_NS)
		st->late++;
	if (interval_ms > 0 && lag_ns >= (int64_t)interval_ms * 1000000)
		st->skipped += (uint64_t)(lag_ns / ((int64_t)interval_ms * 1000000));
}

void hc_group_status(const struct hc_row *rows, size_t n, int out[HC_N_GROUPS])
{
	static const unsigned bits[HC_N_GROUPS] = { HC_GROUP_LIVENESS, HC_GROUP_READINESS,
		                                    HC_GROUP_STARTUP };

	for (int g = 0; g < HC_N_GROUPS; g++) {
		out[g] = HC_PASS;
		for (size_t i = 0; i < n; i++) {
			int s = rows[i].status == HC_PENDING ? HC_FAIL : rows[i].status;

			if ((rows[i].conf->groups & bits[g]) && s > out[g])
				out[g] = s;
		}
	}
}

/* c's history ring into to, oldest first. */
static void copy_history(const struct hc_check *c, struct hc_history_entry *to)
{
	unsigned first = (c->history_next + HC_HISTORY - c->history_len) % HC_HISTORY;

	for (unsigned k = 0; k < c->history_len; k++)
		to[k] = c->history[(first + k) % HC_HISTORY];
}

struct hc_snapshot *hc_snapshot_new(struct hc_config *cfg, struct hc_check *const *checks, size_t n,
                                    bool started, bool shutting_down, uint64_t seq, int64_t now_ns)
{
	struct hc_snapshot *s = hc_xcalloc(1, sizeof(*s));
	int64_t next = INT64_MAX;

	atomic_init(&s->refs, 1);
	pthread_mutex_init(&s->render_lock, NULL);
	s->seq = seq;
	s->cfg = hc_config_ref(cfg);
	s->rows = hc_xcalloc(n, sizeof(*s->rows));
	s->outs = hc_xcalloc(n, sizeof(*s->outs));
	s->hist = hc_xcalloc(n * HC_HISTORY + 1, sizeof(*s->hist));
	s->n = n;
	for (size_t i = 0; i < n; i++) {
		const struct hc_check *c = checks[i];

		s->outs[i] = c->shown;
		s->rows[i] = (struct hc_row){ .conf = c->conf,
			                      .out = c->runs ? &s->outs[i] : NULL,
			                      .status = c->status,
			                      .runs = c->runs,
			                      .failures = c->failures,
			                      .changed_ns = c->changed_ns,
			                      .history = s->hist + i * HC_HISTORY,
			                      .n_history = c->history_len };
		copy_history(c, s->hist + i * HC_HISTORY);
		s->count[c->status == HC_PENDING ? 3 : c->status]++;
		/* Only scheduled checks have a due time: not heartbeats, not
		 * checks inside a call. */
		if (!c->running && c->due_ns > 0 && c->due_ns < next)
			next = c->due_ns;
	}
	hc_group_status(s->rows, n, s->group_status);
	s->started = started;
	s->shutting_down = shutting_down;
	/* Absolute, so that /health's max-age counts down while s is served. */
	s->next_due_ns = next == INT64_MAX ? 0 : next > now_ns ? next : now_ns;
	return s;
}

void hc_snapshot_ref(struct hc_snapshot *s)
{
	atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
}

static void body_free(struct hc_snapshot *s, struct hc_body *b)
{
	if (b->handle != NULL)
		s->release_body(b); /* and its text with it */
	else
		free(b->text);
}

const struct hc_body *hc_snapshot_body(struct hc_snapshot *s, int which)
{
	struct hc_body *b = &s->bodies[which];

	if (atomic_load_explicit(&b->ready, memory_order_acquire))
		return b;
	pthread_mutex_lock(&s->render_lock);
	if (!atomic_load_explicit(&b->ready, memory_order_relaxed)) {
		hc_render_body(s, which, b);
		if (s->prepare_body != NULL)
			s->prepare_body(s, which, b);
		atomic_store_explicit(&b->ready, true, memory_order_release);
	}
	pthread_mutex_unlock(&s->render_lock);
	return b;
}

void hc_snapshot_unref(struct hc_snapshot *s)
{
	if (s == NULL || atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
		return;
	for (int i = 0; i < HC_N_BODIES; i++)
		body_free(s, &s->bodies[i]);
	pthread_mutex_destroy(&s->render_lock);
	free(s->rows);
	free(s->outs);
	free(s->hist);
	hc_config_unref(s->cfg);
	free(s);
}

void hc_state_init(struct hc_state *st)
{
	memset(st, 0, sizeof(*st));
	pthread_mutex_init(&st->lock, NULL);
	pthread_mutex_init(&st->publish_lock, NULL);
}

void hc_state_destroy(struct hc_state *st)
{
	hc_snapshot_unref(st->cur);
	st->cur = NULL;
	pthread_mutex_destroy(&st->lock);
	pthread_mutex_destroy(&st->publish_lock);
}

void hc_state_publish(struct hc_state *st, struct hc_snapshot *s)
{
	struct hc_snapshot *old;

	pthread_mutex_lock(&st->publish_lock);
	if (st->cur != NULL && s->seq < st->cur->seq) {
		/* Built before the one already out: it would turn back time. */
		pthread_mutex_unlock(&st->publish_lock);
		hc_snapshot_unref(s);
		return;
	}
	s->prepare_body = st->prepare_body;
	s->release_body = st->release_body;
	pthread_mutex_lock(&st->lock);
	old = st->cur;
	st->cur = s;
	pthread_mutex_unlock(&st->lock);
	pthread_mutex_unlock(&st->publish_lock);
	hc_snapshot_unref(old);
}

struct hc_snapshot *hc_state_get(struct hc_state *st)
{
	struct hc_snapshot *s;

	pthread_mutex_lock(&st->lock);
	s = st->cur;
	if (s != NULL)
		hc_snapshot_ref(s);
	pthread_mutex_unlock(&st->lock);
	return s;
}
