/* SPDX-License-Identifier: MIT */
/* expiry: expiry of a JWT or an OAuth token JSON (see expiry.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* explicit_bzero, timegm */
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "expiry.h"

static int cred_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* data[0..*len) without the blanks around it. */
static const char *cred_trim(const char *data, size_t *len)
{
	while (*len > 0 && cred_blank(data[0]))
		data++, (*len)--;
	while (*len > 0 && cred_blank(data[*len - 1]))
		(*len)--;
	return data;
}

/* The value of a base64url digit, or -1. */
static int cred_b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

/* See documentation in header file. */
enum cred_type cred_detect(const char *data, size_t len)
{
	size_t i, dots = 0;

	data = cred_trim(data, &len);
	if (len >= 10 && memcmp(data, "-----BEGIN", 10) == 0)
		return CRED_X509;
	if (len > 0 && data[0] == '{')
		return CRED_OAUTH;
	for (i = 0; i < len; i++) {
		if (data[i] == '.')
			dots++;
		else if (cred_b64_value(data[i]) < 0 && data[i] != '=')
			return CRED_UNKNOWN;
	}
	return dots > 0 ? CRED_JWT : CRED_UNKNOWN;
}

/*
 * Decode the base64url text in[0..n) (padding tolerated) into a new
 * buffer *out of *outlen bytes: 0, -1 when in is not base64url, -2 out of
 * memory. Clear *out (explicit_bzero) before freeing it.
 */
static int cred_b64url(const char *in, size_t n, unsigned char **out, size_t *outlen)
{
	unsigned acc = 0, bits = 0;
	size_t i, o = 0;
	int v;

	while (n > 0 && in[n - 1] == '=')
		n--;
	if (n % 4 == 1)
		return -1;
	*out = malloc(n * 3 / 4 + 1);
	if (*out == NULL)
		return -2;
	for (i = 0; i < n; i++) {
		v = cred_b64_value(in[i]);
		if (v < 0) {
			explicit_bzero(*out, n * 3 / 4 + 1);
			free(*out);
			*out = NULL;
			return -1;
		}
		acc = ((acc << 6) | (unsigned)v) & 0xfff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			(*out)[o++] = (unsigned char)(acc >> bits);
		}
	}
	*outlen = o;
	return 0;
}

/*
 * Clear every string of a parsed document before jansson frees it: the
 * access token of an OAuth file is one of them. (Its allocator is the
 * process's, shared with the core, so the plugin cannot swap it.)
 */
static void cred_scrub(json_t *j)
{
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_string(j)) {
		explicit_bzero((char *)json_string_value(j), json_string_length(j));
	} else if (json_is_object(j)) {
		json_object_foreach(j, key, v) cred_scrub(v);
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v) cred_scrub(v);
	}
}

static void cred_json_free(json_t *j)
{
	cred_scrub(j);
	json_decref(j);
}

/* The JWT payload's exp claim from its decoded JSON text. */
static int cred_jwt_claim(const unsigned char *json, size_t len, double *exp, char *why, size_t size)
{
	json_error_t err;
	json_t *root = json_loadb((const char *)json, len, 0, &err), *e;
	int rc = -1;

	if (root == NULL) {
		snprintf(why, size, "JWT payload is not JSON (at byte %d)", err.position);
		return -1;
	}
	e = json_object_get(root, "exp");
	if (!json_is_object(root))
		snprintf(why, size, "JWT payload is not a JSON object");
	else if (e == NULL)
		snprintf(why, size, "JWT has no exp claim");
	else if (!json_is_number(e))
		snprintf(why, size, "JWT exp claim is not a number");
	else
		rc = 0;
	if (rc == 0)
		*exp = json_number_value(e);
	cred_json_free(root);
	return rc;
}

/* See documentation in header file. */
int cred_jwt_exp(const char *data, size_t len, double *exp, char *why, size_t size)
{
	const char *payload, *end;
	unsigned char *json = NULL;
	size_t i, parts = 1, n = 0;
	int rc;

	data = cred_trim(data, &len);
	for (i = 0; i < len; i++)
		parts += data[i] == '.';
	if (parts == 5) {
		snprintf(why, size,
		         "a JWE (encrypted JWT): its claims cannot "
		         "be read");
		return -1;
	}
	if (parts != 3) {
		snprintf(why, size, "not a JWT: %zu part%s, a JWT has 3", parts,
		         parts == 1 ? "" : "s");
		return -1;
	}
	payload = (const char *)memchr(data, '.', len) + 1;
	end = memchr(payload, '.', len - (size_t)(payload - data));
	rc = cred_b64url(payload, (size_t)(end - payload), &json, &n);
	if (rc == -2) {
		snprintf(why, size, "out of memory");
		return -1;
	}
	if (rc < 0 || n == 0) {
		snprintf(why, size, "JWT payload is not base64url");
		free(json);
		return -1;
	}
	rc = cred_jwt_claim(json, n, exp, why, size);
	explicit_bzero(json, n);
	free(json);
	return rc;
}

/* expires_at: a number of epoch seconds or an RFC 3339 string. */
static int cred_expires_at(const json_t *at, double *exp, char *why, size_t size)
{
	if (json_is_number(at)) {
		*exp = json_number_value(at);
		return 0;
	}
	if (json_is_string(at) && cred_rfc3339(json_string_value(at), exp) == 0)
		return 0;
	snprintf(why, size,
	         "OAuth expires_at is not a time (epoch seconds or "
	         "RFC 3339)");
	return -1;
}

/* See documentation in header file. */
int cred_oauth_exp(const char *data, size_t len, double mtime, double *exp, char *why, size_t size)
{
	json_error_t err;
	json_t *root = json_loadb(data, len, 0, &err), *at, *in;
	int rc = -1;

	if (root == NULL) {
		snprintf(why, size, "OAuth token file is not JSON (at byte %d)", err.position);
		return -1;
	}
	at = json_object_get(root, "expires_at");
	in = json_object_get(root, "expires_in");
	if (!json_is_object(root)) {
		snprintf(why, size, "OAuth token JSON is not an object");
	} else if (at != NULL) {
		rc = cred_expires_at(at, exp, why, size);
	} else if (in == NULL) {
		snprintf(why, size,
		         "OAuth token JSON has neither expires_at "
		         "nor expires_in");
	} else if (!json_is_number(in)) {
		snprintf(why, size, "OAuth expires_in is not a number");
	} else {
		*exp = mtime + json_number_value(in);
		rc = 0;
	}
	cred_json_free(root);
	return rc;
}

/* Exactly n digits at *p into *out, advancing *p; -1 otherwise. */
static int cred_digits(const char **p, int n, int *out)
{
	int i;

	*out = 0;
	for (i = 0; i < n; i++, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		*out = *out * 10 + (**p - '0');
	}
	return 0;
}

/* The fraction and zone after the seconds: fraction and offset (seconds
 * east of UTC). */
static int cred_rfc3339_tail(const char *p, double *frac, int *offset)
{
	double scale = 0.1;
	int hh, mm, sign;

	*frac = 0;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return -1;
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			*frac += (*p - '0') * scale;
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		*offset = 0;
		return 0;
	}
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	if (cred_digits(&p, 2, &hh) < 0 || *p++ != ':' || cred_digits(&p, 2, &mm) < 0 ||
	    *p != '\0' || hh > 23 || mm > 59)
		return -1;
	*offset = sign * (hh * 3600 + mm * 60);
	return 0;
}

/* See documentation in header file. */
int cred_rfc3339(const char *s, double *out)
{
	struct tm tm;
	const char *p = s;
	int y, mo, d, h, mi, sec, offset;
	double frac;

	if (cred_digits(&p, 4, &y) < 0 || *p++ != '-' || cred_digits(&p, 2, &mo) < 0 ||
	    *p++ != '-' || cred_digits(&p, 2, &d) < 0 || strchr("Tt ", *p) == NULL || *p == '\0')
		return -1;
	p++;
	if (cred_digits(&p, 2, &h) < 0 || *p++ != ':' || cred_digits(&p, 2, &mi) < 0 ||
	    *p++ != ':' || cred_digits(&p, 2, &sec) < 0 || cred_rfc3339_tail(p, &frac, &offset) < 0)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = (double)timegm(&tm) - offset + frac;
	return 0;
}
