/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: what a probe request makes of a query, through the
 * public renderer (core/http.c's routing and query parsing are static;
 * they hand hc_render_probe exactly this struct). The input is
 *
 *   byte 0: the group (livez, readyz, startupz) and the flags verbose,
 *           detailed, json, started, shutting down
 *   byte 1..4: per row, its groups and status
 *   then lines: four row names (an invalid one is replaced, as the config
 *   refuses it), four messages, the `only` name (empty: none), and the
 *   ?exclude names (at most 32, as http.c keeps).
 *
 * The same rows also go through every body a snapshot serves.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"
#include "render.h"
#include "state.h"

#define ROWS 4
#define MAX_EXCLUDE 32

/* The next line of *s (cut in place), or "" at the end. */
static char *line(char **s)
{
	char *start = *s, *nl = strchr(start, '\n');

	if (nl == NULL) {
		*s = start + strlen(start);
		return start;
	}
	*nl = '\0';
	*s = nl + 1;
	return start;
}

struct fixture {
	struct hc_check_conf conf[ROWS];
	char names[ROWS][16];
	struct hc_outcome out[ROWS];
	struct hc_row rows[ROWS + 1];
	const char *exclude[MAX_EXCLUDE];
	struct hc_probe_query q;
	struct hc_snapshot s;
};

static void rows_from(struct fixture *f, const uint8_t *head, char **text)
{
	static const int statuses[] = { HC_PASS, HC_WARN, HC_FAIL, HC_PENDING };

	for (int i = 0; i < ROWS; i++) {
		char *name = line(text);

		snprintf(f->names[i], sizeof(f->names[i]), "c%d", i);
		f->conf[i].name = hc_check_name_valid(name) ? name : f->names[i];
		f->conf[i].groups = head[i] & 7u;
		f->conf[i].component_type = (head[i] & 8u) ? (char *)"datastore" : NULL;
		f->rows[i] = (struct hc_row){ .conf = &f->conf[i],
			                      .status = statuses[(head[i] >> 4) & 3u],
			                      .runs = i,
			                      .failures = (head[i] >> 6) & 1u };
	}
	for (int i = 0; i < ROWS; i++) {
		struct hc_outcome *o = &f->out[i];

		snprintf(o->message, sizeof(o->message), "%s", line(text));
		snprintf(o->measurement, sizeof(o->measurement), "responseTime");
		o->status = f->rows[i].status;
		o->time_ns = 1700000000000000000LL + i;
		if (o->status != HC_PENDING)
			f->rows[i].out = o;
	}
}

static void query_from(struct fixture *f, uint8_t flags, char **text)
{
	char *only = line(text);

	f->q.group = (enum hc_group)(flags % HC_N_GROUPS);
	f->q.verbose = flags & 0x04u;
	f->q.detailed = flags & 0x08u;
	f->q.json = flags & 0x10u;
	f->q.only = only[0] != '\0' ? only : NULL;
	while (**text != '\0' && f->q.n_exclude < MAX_EXCLUDE)
		f->exclude[f->q.n_exclude++] = line(text);
	f->q.exclude = f->exclude;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fixture *f;
	char *text, *rest, *body;
	const char *type;
	int code;

	if (size < 1 + ROWS)
		return 0;
	f = calloc(1, sizeof(*f));
	text = rest = fuzz_str(data + 1 + ROWS, size - 1 - ROWS);
	rows_from(f, data + 1, &rest);
	query_from(f, data[0], &rest);
	f->s.cfg = hc_config_new();
	f->s.rows = f->rows;
	f->s.n = ROWS;
	hc_group_status(f->rows, ROWS, f->s.group_status);
	f->s.started = data[0] & 0x20u;
	f->s.shutting_down = data[0] & 0x40u;
	body = hc_render_probe(&f->s, &f->q, &code, &type);
	if (code != 200 && code != 503 && code != 404)
		abort();
	free(body);
	for (int detailed = 0; detailed < 2; detailed++) {
		body = hc_render_health_json(&f->s.cfg->service, f->rows, ROWS,
		                             hc_worst_status(f->rows, ROWS), f->q.only, detailed);
		free(body);
	}
	/* Every body a snapshot serves without a query: probes, /health,
	 * /metrics. */
	for (int which = 0; which < HC_N_BODIES; which++) {
		struct hc_body b = { 0 };

		hc_render_body(&f->s, which, &b);
		if (b.text == NULL || b.len != strlen(b.text))
			abort();
		free(b.text);
	}
	hc_config_unref(f->s.cfg);
	free(text);
	free(f);
	return 0;
}
