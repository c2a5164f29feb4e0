/* SPDX-License-Identifier: MIT */
/* Rendering results: --once text, k8s probe text, application/health+json, Prometheus text. */
#ifndef HC_RENDER_H
#define HC_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config.h"
#include "state.h"

/* "pass", "warn", "fail" or "pending". */
const char *hc_status_name(int status);

/* "liveness", "readiness" or "startup"; the HC_GROUP_* bit of g. */
const char *hc_group_name(enum hc_group g);
unsigned hc_group_bit(enum hc_group g);

/* "critical" or "warn". */
const char *hc_severity_name(enum hc_severity s);

/* A CLOCK_REALTIME time in ns as RFC 3339 UTC with milliseconds
 * (2026-11-27T10:40:01.123Z) into buf (at least 32 bytes). */
void hc_format_time(int64_t ns, char *buf, size_t size);

/* The worst status of the rows; a pending row counts as fail. */
int hc_worst_status(const struct hc_row *rows, size_t n);

/* One line per row: name, status, latency, message (--once). */
void hc_render_text(FILE *fp, const struct hc_row *rows, size_t n);

/* How much a /health document holds: the status only; the service fields
 * and every check; those and each check's last runs too. */
enum { HC_JSON_PUBLIC, HC_JSON_DETAILED, HC_JSON_HISTORY };

/* The /health body (IETF draft-inadarei-api-health-check), ending with a
 * newline. detail (HC_JSON_*; a bool's true is HC_JSON_DETAILED) adds the
 * service fields and every check, with groups, severity and lastChange,
 * and under HC_JSON_HISTORY its history (the status page's feed: at
 * 10,000 checks it makes the document 8 times bigger). output, when not
 * NULL, is the top-level output (why the status is what it is). Returns a
 * malloc'd string. */
char *hc_render_health_json(const struct hc_service_conf *svc, const struct hc_row *rows, size_t n,
                            int status, const char *output, int detail);

/* What a probe request asks for (/livez, /readyz, /startupz). */
struct hc_probe_query {
	enum hc_group group;
	bool verbose;
	bool detailed;              /* authorized to see messages */
	bool json;                  /* Accept: application/(health+)json */
	const char *const *exclude; /* ?exclude=NAME, repeatable */
	size_t n_exclude;
	const char *only; /* /readyz/NAME: that check alone */
};

/* The body of a probe request and its HTTP status (200 or 503); 404 when
 * q->only names no check of the group. Returns a malloc'd string;
 * *type is the Content-Type. */
char *hc_render_probe(const struct hc_snapshot *s, const struct hc_probe_query *q, int *code,
                      const char **type);

/* Prometheus text exposition 0.0.4. */
char *hc_render_metrics(const struct hc_snapshot *s);

/* Render body which (HC_BODY_*, hc_body_probe) of s into b: code, type,
 * text (malloc'd) and len. hc_snapshot_body calls it once per body. */
void hc_render_body(const struct hc_snapshot *s, int which, struct hc_body *b);

#define HC_TYPE_TEXT "text/plain; charset=utf-8"
#define HC_TYPE_HEALTH_JSON "application/health+json"
#define HC_TYPE_HTML "text/html; charset=utf-8"
#define HC_TYPE_METRICS "text/plain; version=0.0.4; charset=utf-8"

#endif
