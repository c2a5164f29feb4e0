/* SPDX-License-Identifier: MIT */
/* Rendering results: the text lines of --once and the application/health+json body. */
#include "autoconfig.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "render.h"
#include "xalloc.h"

const char *hc_status_name(int status)
{
	switch (status) {
	case HC_PASS:
		return "pass";
	case HC_WARN:
		return "warn";
	default:
		return "fail";
	}
}

int hc_worst_status(const struct hc_row *rows, size_t n)
{
	int worst = HC_PASS;

	for (size_t i = 0; i < n; i++) {
		int s = rows[i].out != NULL ? rows[i].out->status : HC_FAIL;

		if (s > worst)
			worst = s;
	}
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
			fprintf(fp, "%-*s  %-4s  %7s ms  %s\n", width,
			        rows[i].conf->name, "fail", "-", "pending");
		else
			fprintf(fp, "%-*s  %-4s  %7.1f ms  %s\n", width,
			        rows[i].conf->name, hc_status_name(o->status),
			        o->latency_ms, o->message);
	}
}

/* RFC 3339 UTC with milliseconds. */
static void format_time(int64_t ns, char *buf, size_t size)
{
	time_t secs = (time_t)(ns / 1000000000);
	struct tm tm;

	gmtime_r(&secs, &tm);
	size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);

	snprintf(buf + n, size - n, ".%03dZ", (int)(ns % 1000000000 / 1000000));
}

static void set_if(json_t *obj, const char *key, const char *value)
{
	if (value != NULL && value[0] != '\0')
		json_object_set_new(obj, key, json_string(value));
}

static json_t *check_json(const struct hc_row *row)
{
	const struct hc_check_conf *c = row->conf;
	const struct hc_outcome *o = row->out;
	json_t *j = json_object();
	char when[64];

	json_object_set_new(j, "componentId", json_string(c->name));
	json_object_set_new(j, "componentType",
	                    json_string(c->component_type ? c->component_type
	                                                  : "component"));
	if (o == NULL) {
		json_object_set_new(j, "status", json_string("fail"));
		json_object_set_new(j, "output", json_string("pending"));
	} else {
		json_object_set_new(j, "status", json_string(hc_status_name(o->status)));
		if (isfinite(o->value)) {
			json_object_set_new(j, "observedValue",
			                    json_real(o->value));
			set_if(j, "observedUnit", o->unit);
		}
		format_time(o->time_ns, when, sizeof(when));
		json_object_set_new(j, "time", json_string(when));
		/* The draft asks for output on warn and fail only. */
		if (o->status != HC_PASS)
			set_if(j, "output", o->message);
	}
	set_if(j, "description", c->description);
	set_if(j, "owner", c->owner);
	set_if(j, "runbook", c->runbook);
	return j;
}

char *hc_render_health_json(const struct hc_service_conf *svc,
                            const struct hc_row *rows, size_t n,
                            bool detailed)
{
	json_t *root = json_object(), *checks;
	char *body;

	json_object_set_new(root, "status",
	                    json_string(hc_status_name(hc_worst_status(rows, n))));
	if (detailed) {
		set_if(root, "version", svc->version);
		set_if(root, "releaseId", svc->release_id);
		set_if(root, "serviceId", svc->id);
		set_if(root, "description", svc->description);
		checks = json_object();
		for (size_t i = 0; i < n; i++) {
			const char *m = rows[i].out != NULL ? rows[i].out->measurement
			                                    : "responseTime";
			char *key = hc_xasprintf("%s:%s", rows[i].conf->name, m);
			json_t *arr = json_array();

			json_array_append_new(arr, check_json(&rows[i]));
			json_object_set_new(checks, key, arr);
			free(key);
		}
		json_object_set_new(root, "checks", checks);
	}
	body = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(9));
	json_decref(root);
	if (body == NULL)
		body = hc_xstrdup("{\"status\": \"fail\"}");
	return body;
}
