/* SPDX-License-Identifier: MIT */
/*
 * disk plugin: warns or fails when the free space of a file system falls
 * below a percentage or a size.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include <healthcheckd/plugin.h>

#include "../common/plugutil.h"

/* A warn_free or fail_free threshold. */
struct disk_limit {
	const char *key; /* "warn_free" or "fail_free", for messages */
	int percent;     /* 1: value is a percentage, 0: a number of bytes */
	double value;
	char text[24]; /* as configured, for messages */
	int is_default;
};

struct disk {
	char *path;
	struct disk_limit warn;
	struct disk_limit fail;
};

static const struct hc_key disk_keys[] = {
	{ "path", "absolute path on the file system to watch (default /)", 0 },
	{ "warn_free", "warn below this free space: 10% or 2G (default 10%)", 0 },
	{ "fail_free", "fail below this free space: 5% or 1G (default 5%)", 0 },
	{ NULL, NULL, 0 }
};

/* Binary multiplier of a size suffix, 0 if c is not one. */
static double disk_multiplier(char c)
{
	static const char units[] = "KMGT";
	double mult = 1024;
	size_t i;

	for (i = 0; units[i] != '\0'; i++, mult *= 1024)
		if (toupper((unsigned char)c) == units[i])
			return mult;
	return 0;
}

static int disk_parse_limit(const struct hc_init_ctx *ctx, const char *v, struct disk_limit *lim)
{
	size_t digits = strspn(v, "0123456789.");
	char *end;
	double n, mult = 0;

	/* Only plain decimals: strtod alone would take " 5", "inf", "0x10". */
	n = digits > 0 ? strtod(v, &end) : NAN;
	if (digits == 0 || end != v + digits || !isfinite(n))
		goto bad;
	if (strcmp(end, "%") == 0) {
		if (n > 100)
			return hc_init_error(ctx, "%s: '%s' is more than 100%%", lim->key, v);
		lim->percent = 1;
		lim->value = n;
	} else if (end[0] != '\0' && end[1] == '\0' && (mult = disk_multiplier(end[0])) > 0) {
		lim->percent = 0;
		lim->value = n * mult;
	} else {
		goto bad;
	}
	snprintf(lim->text, sizeof(lim->text), "%s", v);
	lim->is_default = 0;
	return HC_OK;
bad:
	return hc_init_error(ctx,
	                     "%s: '%s' is neither a percentage (10%%) nor "
	                     "a size with a K, M, G or T suffix (2G)",
	                     lim->key, v);
}

/* Read one threshold key, keeping the default already in lim if unset. */
static int disk_get_limit(const struct hc_init_ctx *ctx, struct disk_limit *lim)
{
	const char *v = hc_kv_get(ctx, lim->key);

	return v == NULL ? HC_OK : disk_parse_limit(ctx, v, lim);
}

static int disk_configure(const struct hc_init_ctx *ctx, struct disk *d)
{
	const char *path = hc_kv_get(ctx, "path");
	int rc;

	if (path == NULL)
		path = "/";
	if (path[0] != '/')
		return hc_init_error(ctx, "path: '%s' is not absolute", path);
	d->warn = (struct disk_limit){ "warn_free", 1, 10, "10%", 1 };
	d->fail = (struct disk_limit){ "fail_free", 1, 5, "5%", 1 };
	rc = disk_get_limit(ctx, &d->warn);
	if (rc == HC_OK)
		rc = disk_get_limit(ctx, &d->fail);
	if (rc != HC_OK)
		return rc;
	/* Percent and size cannot be compared without knowing the size of
	 * the file system, which init must not look at. */
	if (d->warn.percent == d->fail.percent && d->warn.value < d->fail.value)
		return hc_init_error(ctx,
		                     "warn_free (%s%s) is below fail_free "
		                     "(%s): the warning would never come first",
		                     d->warn.text, d->warn.is_default ? ", the default" : "",
		                     d->fail.text);
	d->path = strdup(path);
	return d->path == NULL ? HC_ENOMEM : HC_OK;
}

static int disk_init(const struct hc_init_ctx *ctx, void **instance)
{
	struct disk *d = calloc(1, sizeof(*d));
	int rc;

	if (d == NULL)
		return HC_ENOMEM;
	rc = disk_configure(ctx, d);
	if (rc != HC_OK) {
		free(d);
		return rc;
	}
	*instance = d;
	return HC_OK;
}

/* "4.1 GiB": binary units, as df -h prints them. */
static void disk_human(double bytes, char *buf, size_t size)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	size_t i = 0;

	if (bytes < 1024) {
		snprintf(buf, size, "%.0f B", bytes);
		return;
	}
	bytes /= 1024;
	while (bytes >= 1024 && i + 1 < sizeof(units) / sizeof(units[0])) {
		bytes /= 1024;
		i++;
	}
	snprintf(buf, size, "%.1f %s", bytes, units[i]);
}

/* The threshold the free space is below, fail_free first; NULL if none. */
static const struct disk_limit *disk_breached(const struct disk *d, double pct, double avail)
{
	const struct disk_limit *lim[] = { &d->fail, &d->warn };
	size_t i;

	for (i = 0; i < 2; i++)
		if (lim[i]->percent ? pct < lim[i]->value : avail < lim[i]->value)
			return lim[i];
	return NULL;
}

static int disk_check(void *instance, const struct hc_check_ctx *ctx, struct hc_result *r)
{
	const struct disk *d = instance;
	const struct disk_limit *lim;
	struct statvfs st;
	char buf[128], free_h[32], size_h[32], why[64] = "";
	double frsize, avail, used, pct;
	int status = HC_PASS;

	(void)ctx; /* statvfs takes no timeout; the core enforces it */
	if (statvfs(d->path, &st) != 0)
		return hc_result_set(r, HC_FAIL, "statvfs %s: %s", d->path,
		                     pu_strerror(errno, buf, sizeof(buf)));
	frsize = st.f_frsize != 0 ? (double)st.f_frsize : (double)st.f_bsize;
	avail = (double)st.f_bavail * frsize;
	used = st.f_blocks > st.f_bfree ? (double)(st.f_blocks - st.f_bfree) * frsize : 0;
	/* Blocks reserved for root count as neither, as in df's Use%. */
	if (used + avail <= 0)
		return hc_result_set(r, HC_FAIL,
		                     "%s reports a size of 0 "
		                     "(not a disk-backed file system?)",
		                     d->path);
	pct = avail * 100 / (used + avail);
	lim = disk_breached(d, pct, avail);
	if (lim != NULL) {
		status = lim == &d->fail ? HC_FAIL : HC_WARN;
		snprintf(why, sizeof(why), ", below %s %s", lim->key, lim->text);
	}
	disk_human(avail, free_h, sizeof(free_h));
	disk_human(used + avail, size_h, sizeof(size_h));
	hc_result_set(r, status, "%.1f%% free (%s of %s) on %s%s", pct, free_h, size_h, d->path, why);
	hc_result_observe(r, pct, "%");
	snprintf(r->measurement, sizeof(r->measurement), "freeSpace");
	return HC_OK;
}

static void disk_teardown(void *instance)
{
	struct disk *d = instance;

	free(d->path);
	free(d);
}

HC_PLUGIN_DEFINE("disk", "1.0.0", "free space of a file system", disk_keys, disk_init, disk_check,
                 disk_teardown);
