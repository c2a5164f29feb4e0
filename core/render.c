/* SPDX-License-Identifier: MIT */
/* Rendering results: the text lines of --once and the application/health+json body. */
#include "autoconfig.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "render.h"
#include "sbuf.h"
#include "status.h"
#include "xalloc.h"

static const char *const group_word[HC_N_GROUPS] = { "livez", "readyz", "startupz" };
static const char *const group_name[HC_N_GROUPS] = { "liveness", "readiness", "startup" };
static const unsigned group_bit[HC_N_GROUPS] = { HC_GROUP_LIVENESS, HC_GROUP_READINESS,
	                                         HC_GROUP_STARTUP };

const char *hc_group_name(enum hc_group g)
{
	return group_name[g];
}

unsigned hc_group_bit(enum hc_group g)
{
	return group_bit[g];
}

const char *hc_severity_name(enum hc_severity s)
{
	return s == HC_SEVERITY_WARN ? "warn" : "critical";
}

const char *hc_status_name(int status)
{
	switch (status) {
	case HC_PASS:
		return "pass";
	case HC_WARN:
		return "warn";
	case HC_PENDING:
		return "pending";
	default:
		return "fail";
	}
}

/* A status as the outside sees it: pending is a failure. */
static int effective(int status)
{
	return status == HC_PENDING ? HC_FAIL : status;
}

int hc_worst_status(const struct hc_row *rows, size_t n)
{
	int worst = HC_PASS;

	for (size_t i = 0; i < n; i++)
		if (effective(rows[i].status) > worst)
			worst = effective(rows[i].status);
	return worst;
}

void hc_render_text(FILE *fp, const struct hc_row *rows, size_t n)
{
	int width = 4;

	for (size_t i = 0; i < n; i++) {
		int l = (int)strlen(rows[i].conf->name);

		if (l > width)
			width = l;
	}
	for (size_t i = 0; i < n; i++) {
		const struct hc_outcome *o = rows[i].out;

		if (o == NULL)
			fprintf(fp, "%-*s  %-4s  %7s ms  %s\n", width, rows[i].conf->name, "fail",
			        "-", "pending");
		else
			fprintf(fp, "%-*s  %-4s  %7.1f ms  %s\n", width, rows[i].conf->name,
			        hc_status_name(rows[i].status), o->latency_ms, o->message);
	}
}

void hc_format_time(int64_t ns, char *buf, size_t size)
{
	time_t secs = (time_t)(ns / 1000000000);
	struct tm tm;
	size_t n;

	gmtime_r(&secs, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%03dZ", (int)(ns % 1000000000 / 1000000));
}

/* ,"key":"value" when value is set. */
static void field_if(struct sbuf *b, const char *key, const char *value)
{
	if (value == NULL || value[0] == '\0')
		return;
	sb_printf(b, ",\"%s\":", key);
	sb_json_string(b, value);
}

/* Beyond the draft, for the status page: the check's groups and
 * severity, when its reported status last changed, and with history its
 * last runs (oldest first). New members only: readers of the draft
 * ignore them. */
static void check_json_extra(struct sbuf *b, const struct hc_row *row, bool history)
{
	const char *sep = "";
	char when[64];

	sb_puts(b, ",\"groups\":[");
	for (int g = 0; g < HC_N_GROUPS; g++) {
		if (row->conf->groups & group_bit[g]) {
			sb_printf(b, "%s\"%s\"", sep, group_name[g]);
			sep = ",";
		}
	}
	sb_printf(b, "],\"severity\":\"%s\"", hc_severity_name(row->conf->severity));
	if (row->changed_ns > 0) {
		hc_format_time(row->changed_ns, when, sizeof(when));
		sb_printf(b, ",\"lastChange\":\"%s\"", when);
	}
	if (!history || row->n_history == 0)
		return;
	sb_puts(b, ",\"history\":[");
	for (unsigned k = 0; k < row->n_history; k++) {
		const struct hc_history_entry *h = &row->history[k];

		hc_format_time(h->time_ns, when, sizeof(when));
		sb_printf(b, "%s{\"time\":\"%s\",\"status\":\"%s\",\"latencyMs\":%.3f}",
		          k > 0 ? "," : "", when, hc_status_name(h->status), h->latency_ms);
	}
	sb_puts(b, "]");
}

/* One check as the draft's check object, without its array. */
static void check_json(struct sbuf *b, const struct hc_row *row, bool history)
{
	const struct hc_check_conf *c = row->conf;
	const struct hc_outcome *o = row->out;
	char when[64];

	sb_puts(b, "{\"componentId\":");
	sb_json_string(b, c->name);
	sb_puts(b, ",\"componentType\":");
	sb_json_string(b, c->component_type ? c->component_type : "component");
	sb_printf(b, ",\"status\":\"%s\"", hc_status_name(effective(row->status)));
	if (o != NULL && isfinite(o->value)) {
		sb_puts(b, ",\"observedValue\":");
		sb_json_real(b, o->value);
		field_if(b, "observedUnit", o->unit);
	}
	if (o != NULL) {
		hc_format_time(o->time_ns, when, sizeof(when));
		field_if(b, "time", when);
	}
	/* The draft asks for output on warn and fail only. */
	if (row->status == HC_PENDING)
		field_if(b, "output", "pending");
	else if (row->status != HC_PASS && o != NULL)
		field_if(b, "output", o->message);
	field_if(b, "description", c->description);
	field_if(b, "owner", c->owner);
	field_if(b, "runbook", c->runbook);
	check_json_extra(b, row, history);
	sb_puts(b, "}");
}

/* Written directly, not through a JSON tree: at 10,000 checks a tree of
 * jansson objects made /health cost 0.4 s of CPU per snapshot. Keys are
 * unique (check names are), so no object needs merging. */
char *hc_render_health_json(const struct hc_service_conf *svc, const struct hc_row *rows, size_t n,
                            int status, const char *output, int detail)
{
	struct sbuf b = { 0 };

	sb_printf(&b, "{\"status\":\"%s\"", hc_status_name(effective(status)));
	if (detail != HC_JSON_PUBLIC) {
		field_if(&b, "version", svc->version);
		field_if(&b, "releaseId", svc->release_id);
		field_if(&b, "serviceId", svc->id);
		field_if(&b, "description", svc->description);
		field_if(&b, "output", output);
		sb_puts(&b, ",\"checks\":{");
		for (size_t i = 0; i < n; i++) {
			const char *m =
			        rows[i].out != NULL ? rows[i].out->measurement : "responseTime";
			char *key = hc_xasprintf("%s:%s", rows[i].conf->name, m);

			if (i > 0)
				sb_puts(&b, ",");
			sb_json_string(&b, key);
			sb_puts(&b, ":[");
			check_json(&b, &rows[i], detail == HC_JSON_HISTORY);
			sb_puts(&b, "]");
			free(key);
		}
		sb_puts(&b, "}");
	}
	/* Every body ends with a newline, like a text file: curl's output
	 * then ends its line, and the document is a valid text file. */
	sb_puts(&b, "}\n");
	return b.p;
}

static bool excluded(const struct hc_probe_query *q, const char *name, bool *used)
{
	for (size_t i = 0; i < q->n_exclude; i++) {
		if (strcmp(q->exclude[i], name) == 0) {
			used[i] = true;
			return true;
		}
	}
	return false;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A name as Go's %q writes it: quoted, with quotes, backslashes and
 * control bytes escaped (the name comes from the query string). */
static void put_quoted(struct sbuf *b, const char *name)
{
	sb_puts(b, "\"");
	for (const unsigned char *p = (const unsigned char *)name; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			sb_printf(b, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			sb_printf(b, "\\x%02x", *p);
		else
			sb_printf(b, "%c", *p);
	}
	sb_puts(b, "\"");
}

/* kube-apiserver's one line for the ?exclude names that match no check:
 * sorted, each once, quoted, separated by commas. */
static void unmatched_excludes(struct sbuf *b, const struct hc_probe_query *q, const bool *used)
{
	const char **names = hc_xcalloc(q->n_exclude + 1, sizeof(*names));
	size_t n = 0;

	for (size_t i = 0; i < q->n_exclude; i++)
		if (!used[i])
			names[n++] = q->exclude[i];
	qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(names[i], names[i - 1]) == 0)
			continue;
		sb_puts(b, i == 0 ? "warn: some health checks cannot be excluded: no matches for "
		                  : ",");
		put_quoted(b, names[i]);
	}
	if (n > 0)
		sb_puts(b, "\n");
	free(names);
}

/* One kube-apiserver style line for a row. completed: the row is a member
 * of /startupz after start-up completed, which passes whatever the member
 * says now (the latch); a member that fails now says so after the "ok". */
static void probe_line(struct sbuf *b, const struct hc_row *r, bool detailed, bool completed)
{
	const char *name = r->conf->name;
	const char *why = detailed && r->out ? r->out->message : "reason withheld";

	switch (r->status) {
	case HC_PASS:
		sb_printf(b, "[+]%s ok\n", name);
		break;
	case HC_WARN:
		sb_printf(b, "[+]%s warn\n", name);
		break;
	case HC_PENDING:
		if (completed)
			sb_printf(b, "[+]%s ok (start-up completed; now pending)\n", name);
		else
			sb_printf(b, "[-]%s pending\n", name);
		break;
	default:
		if (completed)
			sb_printf(b, "[+]%s ok (start-up completed; now failed: %s)\n", name, why);
		else
			sb_printf(b, "[-]%s failed: %s\n", name, why);
		break;
	}
}

/* Why readiness fails whatever the checks say, or NULL. */
static const char *readiness_block(const struct hc_snapshot *s)
{
	if (s->shutting_down)
		return "shutting down";
	if (!s->started)
		return "start-up not complete";
	return NULL;
}

char *hc_render_probe(const struct hc_snapshot *s, const struct hc_probe_query *q, int *code,
                      const char **type)
{
	struct hc_row *rows = hc_xcalloc(s->n + 1, sizeof(*rows));
	bool *used = hc_xcalloc(q->n_exclude + 1, sizeof(*used));
	const char *block = NULL;
	struct sbuf b = { 0 };
	size_t n = 0;
	bool found = false; /* q->only names a check of the group */
	int status;
	/* Start-up completes once: the kubelet stops asking after that. */
	bool completed = q->group == HC_STARTUP && q->only == NULL && s->started;

	for (size_t i = 0; i < s->n; i++) {
		const struct hc_row *r = &s->rows[i];

		if (!(r->conf->groups & group_bit[q->group]))
			continue;
		if (q->only != NULL && strcmp(q->only, r->conf->name) != 0)
			continue;
		found = true;
		/* As kube-apiserver: /readyz/NAME?exclude=NAME passes, excluded. */
		if (excluded(q, r->conf->name, used))
			sb_printf(&b, "[+]%s excluded: ok\n", r->conf->name);
		else {
			rows[n++] = *r;
			probe_line(&b, r, q->detailed, completed);
		}
	}
	if (q->only != NULL && !found) {
		free(rows);
		free(used);
		free(b.p);
		*code = 404;
		*type = HC_TYPE_TEXT;
		return hc_xasprintf("no check '%s' in %s\n", q->only, group_word[q->group]);
	}
	status = hc_worst_status(rows, n);
	if (completed && status == HC_FAIL) {
		status = HC_PASS;
		block = "start-up completed";
	}
	if (q->group == HC_READINESS && q->only == NULL && (block = readiness_block(s)) != NULL) {
		status = HC_FAIL;
		sb_printf(&b, "[-]%s failed: %s\n", s->shutting_down ? "shutdown" : "startup", block);
	}
	unmatched_excludes(&b, q, used);
	*code = status == HC_FAIL ? 503 : 200;
	if (q->json) {
		free(b.p);
		b.p = hc_render_health_json(&s->cfg->service, rows, n, status, block, q->detailed);
		*type = HC_TYPE_HEALTH_JSON;
	} else if (status != HC_FAIL && !q->verbose) {
		free(b.p);
		b.p = hc_xstrdup("ok\n");
		*type = HC_TYPE_TEXT;
	} else {
		sb_printf(&b, "%s check %s\n", group_word[q->group],
		          status == HC_FAIL ? "failed" : "passed");
		*type = HC_TYPE_TEXT;
	}
	free(rows);
	free(used);
	return b.p;
}

/* The status /readyz etc. answer with, as a metric: 1 pass/warn, 0 fail. */
static int group_up(const struct hc_snapshot *s, enum hc_group g)
{
	if (g == HC_READINESS && readiness_block(s) != NULL)
		return 0;
	if (g == HC_STARTUP)
		return s->started;
	return s->group_status[g] != HC_FAIL;
}

static void metric_head(struct sbuf *b, const char *name, const char *type, const char *help)
{
	sb_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* How late the scheduler started runs: a histogram and two counters. */
static void scheduler_metrics(struct sbuf *b, const struct hc_sched_stats *st)
{
	uint64_t cumulative = 0;

	metric_head(b, "healthcheckd_scheduler_lag_seconds", "histogram",
	            "How long after its due time a scheduled run started.");
	for (int i = 0; i < HC_LAG_BUCKETS; i++) {
		cumulative += st->lag_bucket[i];
		if (i < HC_LAG_BUCKETS - 1)
			sb_printf(b, "healthcheckd_scheduler_lag_seconds_bucket{le=\"%g\"} %llu\n",
			          hc_lag_bounds[i], (unsigned long long)cumulative);
		else
			sb_printf(b, "healthcheckd_scheduler_lag_seconds_bucket{le=\"+Inf\"} %llu\n",
			          (unsigned long long)cumulative);
	}
	sb_printf(b, "healthcheckd_scheduler_lag_seconds_sum %.6f\n", st->lag_sum_s);
	sb_printf(b, "healthcheckd_scheduler_lag_seconds_count %llu\n",
	          (unsigned long long)st->lag_count);
	metric_head(b, "healthcheckd_scheduler_late_runs_total", "counter",
	            "Scheduled runs that started more than 100 ms after their due time.");
	sb_printf(b, "healthcheckd_scheduler_late_runs_total %llu\n", (unsigned long long)st->late);
	metric_head(b, "healthcheckd_scheduler_skipped_runs_total", "counter",
	            "Whole intervals that passed while a run waited for a worker.");
	sb_printf(b, "healthcheckd_scheduler_skipped_runs_total %llu\n",
	          (unsigned long long)st->skipped);
}

char *hc_render_metrics(const struct hc_snapshot *s)
{
	static const int statuses[] = { HC_PASS, HC_WARN, HC_FAIL, HC_PENDING };
	struct sbuf b = { 0 };
	size_t i;

	metric_head(&b, "healthcheckd_check_status", "gauge",
	            "Status of the check: 1 for its current status, 0 for the others.");
	for (i = 0; i < s->n; i++)
		for (size_t k = 0; k < 4; k++)
			sb_printf(&b, "healthcheckd_check_status{check=\"%s\",status=\"%s\"} %d\n",
			          s->rows[i].conf->name, hc_status_name(statuses[k]),
			          s->rows[i].status == statuses[k]);
	metric_head(&b, "healthcheckd_check_up", "gauge",
	            "1 when the check passes or warns, 0 when it fails or is pending.");
	for (i = 0; i < s->n; i++)
		sb_printf(&b, "healthcheckd_check_up{check=\"%s\"} %d\n", s->rows[i].conf->name,
		          s->rows[i].status == HC_PASS || s->rows[i].status == HC_WARN);
	metric_head(&b, "healthcheckd_check_duration_seconds", "gauge",
	            "How long the last run of the check took.");
	for (i = 0; i < s->n; i++)
		if (s->rows[i].out != NULL)
			sb_printf(&b, "healthcheckd_check_duration_seconds{check=\"%s\"} %.6f\n",
			          s->rows[i].conf->name, s->rows[i].out->latency_ms / 1000);
	metric_head(&b, "healthcheckd_check_last_run_timestamp_seconds", "gauge",
	            "When the last run of the check ended, in seconds since the epoch.");
	for (i = 0; i < s->n; i++)
		if (s->rows[i].out != NULL)
			sb_printf(&b,
			          "healthcheckd_check_last_run_timestamp_seconds{check=\"%s\"} %.3f\n",
			          s->rows[i].conf->name, (double)s->rows[i].out->time_ns / 1e9);
	metric_head(&b, "healthcheckd_check_runs_total", "counter", "Runs of the check.");
	for (i = 0; i < s->n; i++)
		sb_printf(&b, "healthcheckd_check_runs_total{check=\"%s\"} %llu\n",
		          s->rows[i].conf->name, (unsigned long long)s->rows[i].runs);
	metric_head(&b, "healthcheckd_check_failures_total", "counter",
	            "Runs of the check that failed.");
	for (i = 0; i < s->n; i++)
		sb_printf(&b, "healthcheckd_check_failures_total{check=\"%s\"} %llu\n",
		          s->rows[i].conf->name, (unsigned long long)s->rows[i].failures);
	metric_head(&b, "healthcheckd_status", "gauge",
	            "1 when the group's endpoint answers 200, 0 when it answers 503.");
	for (int g = 0; g < HC_N_GROUPS; g++)
		sb_printf(&b, "healthcheckd_status{group=\"%s\"} %d\n", group_name[g],
		          group_up(s, (enum hc_group)g));
	scheduler_metrics(&b, &s->sched);
	metric_head(&b, "healthcheckd_build_info", "gauge",
	            "Version, commit and plugin ABI of this healthcheckd.");
	sb_printf(&b, "healthcheckd_build_info{version=\"%s\",commit=\"%s\",abi=\"%d.%d\"} 1\n",
	          PACKAGE_VERSION, HC_COMMIT, HC_ABI_MAJOR, HC_ABI_MINOR);
	return b.p;
}

static void set_body(struct hc_body *body, int code, const char *type, char *text)
{
	body->code = code;
	body->type = type;
	body->text = text;
	body->len = strlen(text);
}

void hc_render_body(const struct hc_snapshot *s, int which, struct hc_body *b)
{
	int worst;

	if (which >= HC_BODY_STATUS) {
		set_body(b, 200, HC_TYPE_HTML, hc_render_status(s, which == HC_BODY_STATUS + 1));
	} else if (which == HC_BODY_METRICS) {
		set_body(b, 200, HC_TYPE_METRICS, hc_render_metrics(s));
	} else if (which >= HC_BODY_HEALTH) {
		worst = hc_worst_status(s->rows, s->n);
		set_body(b, worst == HC_FAIL ? 503 : 200, HC_TYPE_HEALTH_JSON,
		         hc_render_health_json(&s->cfg->service, s->rows, s->n, worst, NULL,
		                               which - HC_BODY_HEALTH));
	} else {
		struct hc_probe_query q = { .group = (enum hc_group)(which / (HC_N_VARIANTS * 2)),
			                    .verbose = which / 2 % HC_N_VARIANTS == HC_VERBOSE,
			                    .json = which / 2 % HC_N_VARIANTS == HC_JSON,
			                    .detailed = which % 2 };
		const char *type;
		int code;
		char *text = hc_render_probe(s, &q, &code, &type);

		set_body(b, code, type, text);
	}
}
