/* SPDX-License-Identifier: MIT */
/* healthdoc: the worst component of a downstream health document. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "healthdoc.h"

/* Nested "components" deeper than this are not walked: no real document
 * nests further, and a hostile one must not cost a deep recursion. */
#define HD_MAX_DEPTH 4

/* The status words of the three shapes, case-insensitive. UNKNOWN is
 * Spring's "no indicator could tell": not a failure, worth a look. */
static const struct {
	const char *word;
	int status;
} hd_words[] = {
	{ "pass", HD_PASS },           { "ok", HD_PASS },    { "up", HD_PASS },
	{ "healthy", HD_PASS },        { "warn", HD_WARN },  { "degraded", HD_WARN },
	{ "unknown", HD_WARN },        { "fail", HD_FAIL },  { "down", HD_FAIL },
	{ "out_of_service", HD_FAIL }, { "error", HD_FAIL }, { "unhealthy", HD_FAIL },
};

/* The status of a word, or -1 for one no shape uses. */
static int hd_word(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(hd_words) / sizeof(hd_words[0]); i++)
		if (strcasecmp(s, hd_words[i].word) == 0)
			return hd_words[i].status;
	return -1;
}

/* Copy s into dst (size bytes), control characters as blanks: a reason
 * ends up in a one-line message. */
static void hd_copy(char *dst, size_t size, const char *s, size_t len)
{
	size_t i;

	if (len >= size)
		len = size - 1;
	for (i = 0; i < len; i++)
		dst[i] = (unsigned char)s[i] < 0x20 ? ' ' : s[i];
	dst[len] = '\0';
}

/* Why a component is in its state: IETF "output", the plain shapes'
 * "error"/"message"/"reason", Spring's "details" or MicroProfile's "data"
 * (its "error", else all of it as compact JSON, cut). */
static void hd_reason(json_t *obj, char *dst, size_t size)
{
	static const char *const keys[] = { "output", "error", "message", "reason" };
	json_t *v, *details = json_object_get(obj, "details");
	char *dump;
	size_t i;

	dst[0] = '\0';
	if (details == NULL)
		details = json_object_get(obj, "data");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		v = json_object_get(obj, keys[i]);
		if (json_is_string(v) && json_string_length(v) > 0) {
			hd_copy(dst, size, json_string_value(v), json_string_length(v));
			return;
		}
	}
	if (json_is_object(details) && json_is_string(v = json_object_get(details, "error"))) {
		hd_copy(dst, size, json_string_value(v), json_string_length(v));
		return;
	}
	if (details == NULL || json_is_null(details) ||
	    (json_is_object(details) && json_object_size(details) == 0))
		return;
	dump = json_dumps(details, JSON_COMPACT | JSON_ENCODE_ANY);
	if (dump != NULL)
		hd_copy(dst, size, dump, strlen(dump));
	free(dump);
}

/* Count one component and keep it if it is worse than the worst so far. */
static void hd_consider(struct hd_report *out, const char *name, const char *word, json_t *obj)
{
	int status = hd_word(word);

	/* A word no shape uses is not a pass either. */
	if (status < 0)
		status = HD_WARN;
	out->n_components++;
	if (out->component[0] != '\0' && status <= out->worst)
		return;
	out->worst = status;
	snprintf(out->component, sizeof(out->component), "%s", name);
	hd_copy(out->worst_text, sizeof(out->worst_text), word, strlen(word));
	if (obj != NULL)
		hd_reason(obj, out->reason, sizeof(out->reason));
	else
		out->reason[0] = '\0';
}

static void hd_members(struct hd_report *out, const char *prefix, json_t *obj, int depth);

/* One component object: its status, then its own nested components. */
static void hd_object(struct hd_report *out, const char *name, json_t *obj, int depth)
{
	json_t *status = json_object_get(obj, "status");
	json_t *nested = json_object_get(obj, "components");

	if (json_is_string(status))
		hd_consider(out, name, json_string_value(status), obj);
	if (!json_is_object(nested))
		nested = json_object_get(obj, "checks");
	if (json_is_object(nested) && depth < HD_MAX_DEPTH)
		hd_members(out, name, nested, depth + 1);
}

/* The members of a "checks" or "components" object. An IETF key is
 * "component:measurement" with an array of observations; the name is the
 * component. prefix: the parent's name for nested ones, or NULL. */
static void hd_members(struct hd_report *out, const char *prefix, json_t *obj, int depth)
{
	const char *key;
	json_t *v, *item;
	size_t i;
	char name[sizeof(out->component)];

	json_object_foreach(obj, key, v)
	{
		size_t len = json_is_array(v) ? strcspn(key, ":") : strlen(key);

		if (prefix != NULL)
			snprintf(name, sizeof(name), "%s.%.*s", prefix, (int)len, key);
		else
			snprintf(name, sizeof(name), "%.*s", (int)len, key);
		if (json_is_string(v))
			hd_consider(out, name, json_string_value(v), NULL);
		else if (json_is_object(v))
			hd_object(out, name, v, depth);
		else if (json_is_array(v))
			json_array_foreach(v, i, item) if (json_is_object(item))
			        hd_object(out, name, item, depth);
	}
}

/* MicroProfile Health's "checks": an array of objects named by "name". */
static void hd_named(struct hd_report *out, json_t *list)
{
	json_t *item, *name;
	size_t i;

	json_array_foreach(list, i, item)
	{
		name = json_object_get(item, "name");
		if (json_is_object(item) && json_is_string(name))
			hd_object(out, json_string_value(name), item, 0);
	}
}

/* See documentation in header file. */
int hd_parse(const char *body, size_t len, struct hd_report *out, char *err, size_t err_size)
{
	json_error_t jerr;
	json_t *doc, *status, *list;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	/* JSON_ALLOW_NUL is off: a NUL in a string is a broken document. */
	doc = json_loadb(body, len, 0, &jerr);
	if (doc == NULL) {
		snprintf(err, err_size, "not JSON (line %d, column %d)", jerr.line, jerr.column);
		return -1;
	}
	status = json_object_get(doc, "status");
	if (!json_is_object(doc))
		snprintf(err, err_size, "not a JSON object");
	else if (!json_is_string(status))
		snprintf(err, err_size, "no \"status\" string");
	else if ((out->status = hd_word(json_string_value(status))) < 0) {
		hd_copy(out->status_text, sizeof(out->status_text), json_string_value(status),
		        json_string_length(status));
		snprintf(err, err_size, "unknown status '%s'", out->status_text);
	} else
		rc = 0;
	if (rc == 0) {
		hd_copy(out->status_text, sizeof(out->status_text), json_string_value(status),
		        json_string_length(status));
		list = json_object_get(doc, "checks");
		if (json_is_array(list))
			hd_named(out, list);
		if (!json_is_object(list))
			list = json_object_get(doc, "components");
		if (json_is_object(list))
			hd_members(out, NULL, list, 0);
	}
	json_decref(doc);
	return rc;
}
