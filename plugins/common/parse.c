/* SPDX-License-Identifier: MIT */
/* plugutil: the key parsers every in-tree plugin shares (see plugutil.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strcasecmp, explicit_bzero */
#endif

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "plugutil.h"

/* Spellings of a boolean, pairwise: yes[i] and no[i] are one family. */
static const char *const pu_yes[] = { "yes", "true", "on", "1", NULL };
static const char *const pu_no[] = { "no", "false", "off", "0", NULL };

/* See documentation in header file. */
int pu_parse_bool(const struct hc_init_ctx *ctx, const char *key, int *out)
{
	const char *v = hc_kv_get(ctx, key);
	size_t i;

	if (v == NULL)
		return HC_OK;
	for (i = 0; pu_yes[i] != NULL; i++) {
		if (strcasecmp(v, pu_yes[i]) == 0 || strcasecmp(v, pu_no[i]) == 0) {
			*out = strcasecmp(v, pu_yes[i]) == 0;
			return HC_OK;
		}
	}
	return hc_init_error(ctx, "%s: '%s' is neither yes nor no", key, v);
}

/* Digits only, at most max; -1 when v is not such a number. strtoul
 * would accept " 8", "+8", "-8" and "0x8". */
static int pu_digits(const char *v, uint64_t max, uint64_t *out)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; v[i] >= '0' && v[i] <= '9'; i++) {
		unsigned d = (unsigned)(v[i] - '0');

		if (n > (max - d) / 10)
			return -1;
		n = n * 10 + d;
	}
	if (i == 0)
		return -1;
	*out = n;
	return (int)i;
}

/* See documentation in header file. */
int pu_parse_uint(const struct hc_init_ctx *ctx, const char *key, uint64_t min, uint64_t max,
                  uint64_t *out)
{
	const char *v = hc_kv_get(ctx, key);
	uint64_t n;
	int len;

	if (v == NULL)
		return HC_OK;
	len = pu_digits(v, max, &n);
	if (len < 0 || v[len] != '\0' || n < min)
		return hc_init_error(ctx,
		                     "%s: '%s' is not a whole number from "
		                     "%llu to %llu",
		                     key, v, (unsigned long long)min, (unsigned long long)max);
	*out = n;
	return HC_OK;
}

/* See documentation in header file. */
int pu_parse_double(const struct hc_init_ctx *ctx, const char *key, double min, double max,
                    double *out)
{
	const char *v = hc_kv_get(ctx, key);
	size_t plain;
	char *end;
	double d;

	if (v == NULL)
		return HC_OK;
	/* Plain decimals only: strtod alone takes " 5", "inf", "0x10". */
	plain = strspn(v, "0123456789.");
	errno = 0;
	d = plain > 0 ? strtod(v, &end) : NAN;
	if (plain == 0 || errno != 0 || end != v + plain || *end != '\0' || !(d >= min && d <= max))
		return hc_init_error(ctx,
		                     "%s: '%s' is not a number from %g to "
		                     "%g",
		                     key, v, min, max);
	*out = d;
	return HC_OK;
}

/* See documentation in header file. */
int pu_parse_duration(const struct hc_init_ctx *ctx, const char *key, uint64_t min_ms,
                      uint64_t max_ms, uint64_t *out_ms)
{
	static const struct {
		const char *suffix;
		uint64_t ms;
	} units[] = { { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 }, { "d", 86400000 } };
	const char *v = hc_kv_get(ctx, key);
	uint64_t n;
	size_t i;
	int len;

	if (v == NULL)
		return HC_OK;
	len = pu_digits(v, UINT64_MAX / 86400000, &n);
	for (i = 0; len > 0 && i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(v + len, units[i].suffix) == 0) {
			n *= units[i].ms;
			if (n < min_ms || n > max_ms)
				break;
			*out_ms = n;
			return HC_OK;
		}
	}
	return hc_init_error(ctx,
	                     "%s: '%s' is not a duration from %llu ms to "
	                     "%llu ms (a whole number with ms, s, m, h or d, "
	                     "e.g. 30s)",
	                     key, v, (unsigned long long)min_ms, (unsigned long long)max_ms);
}

/* See documentation in header file. */
int pu_parse_word(const struct hc_init_ctx *ctx, const char *key, const char *const *words, int *out)
{
	const char *v = hc_kv_get(ctx, key);
	char list[256];
	size_t i, used = 0;

	if (v == NULL)
		return HC_OK;
	for (i = 0; words[i] != NULL; i++) {
		if (strcmp(v, words[i]) == 0) {
			*out = (int)i;
			return HC_OK;
		}
	}
	list[0] = '\0';
	for (i = 0; words[i] != NULL && used < sizeof(list); i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
		                         i == 0 ? "" : ", ", words[i]);
	return hc_init_error(ctx, "%s: '%s' is not one of %s", key, v, list);
}

/* See documentation in header file. */
int pu_check_readable(const struct hc_init_ctx *ctx, const char *key, const char *path)
{
	char buf[128];

	if (path[0] == '\0')
		return hc_init_error(ctx, "%s: must not be empty", key);
	if (access(path, R_OK) != 0)
		return hc_init_error(ctx, "%s: cannot read '%s': %s", key, path,
		                     pu_strerror(errno, buf, sizeof(buf)));
	return HC_OK;
}

/* See documentation in header file. */
int pu_copy_key(const struct hc_init_ctx *ctx, const char *key, int required, char **out)
{
	const char *v = hc_kv_get(ctx, key);

	if (v == NULL)
		return required ? hc_init_error(ctx, "%s: required", key) : HC_OK;
	*out = strdup(v);
	return *out != NULL ? HC_OK : HC_ENOMEM;
}

/* See documentation in header file. */
void pu_free_secret(char *secret)
{
	if (secret == NULL)
		return;
	explicit_bzero(secret, strlen(secret));
	free(secret);
}
