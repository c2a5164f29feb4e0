/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the config loader, hc_config_load, on files made from
 * the input. The input is split at lines "%%" into main.ini, b.ini and
 * sub/c.ini of a private directory, so `include` has files to find.
 *
 * `include` stays off the real file system: the target is linked with
 * -Wl,--wrap=glob; a pattern outside the private directory (or with "..")
 * matches nothing without being expanded, and a match that resolves
 * outside it turns the whole expansion into "no match" (include =
 * /etc/passwd is then a missing file).
 */
#include "autoconfig.h"

#include <glob.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "errors.h"
#include "fuzz.h"

int __real_glob(const char *pattern, int flags, int (*errfunc)(const char *, int), glob_t *g);
int __wrap_glob(const char *pattern, int flags, int (*errfunc)(const char *, int), glob_t *g);

static bool inside(const char *path)
{
	const char *dir = fuzz_dir();
	size_t n = strlen(dir);
	char *real = realpath(path, NULL);
	bool ok = real != NULL && strncmp(real, dir, n) == 0 && real[n] == '/';

	free(real);
	return ok;
}

int __wrap_glob(const char *pattern, int flags, int (*errfunc)(const char *, int), glob_t *g)
{
	const char *dir = fuzz_dir();
	size_t n = strlen(dir);
	int rc;

	/* Not even a directory listing outside: refused before glob runs. */
	if (strncmp(pattern, dir, n) != 0 || pattern[n] != '/' || strstr(pattern, "/..") != NULL)
		return GLOB_NOMATCH;
	rc = __real_glob(pattern, flags, errfunc, g);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < g->gl_pathc; i++) {
		if (!inside(g->gl_pathv[i])) {
			globfree(g);
			return GLOB_NOMATCH;
		}
	}
	return 0;
}

/* The next part of data: up to a line "%%", or the rest. */
static size_t part(const uint8_t *data, size_t size, size_t *next)
{
	static const char sep[] = "\n%%\n";

	for (size_t i = 0; i + sizeof(sep) - 1 <= size; i++) {
		if (memcmp(data + i, sep, sizeof(sep) - 1) == 0) {
			*next = i + sizeof(sep) - 1;
			return i + 1; /* the part keeps its last newline */
		}
	}
	*next = size;
	return size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "main.ini", "b.ini", "sub/c.ini" };
	char path[PATH_MAX];
	struct hc_errors errs = { 0 };
	struct hc_config *cfg;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t next, len = part(data, size, &next);

		fuzz_write(names[i], data, len);
		data += next;
		size -= next;
	}
	snprintf(path, sizeof(path), "%s/main.ini", fuzz_dir());
	cfg = hc_config_new();
	if (hc_config_load(cfg, path, &errs) == 0) {
		for (size_t i = 0; i < cfg->n_checks; i++)
			if (hc_config_find(cfg, cfg->checks[i]->name) != cfg->checks[i])
				abort();
		(void)hc_server_key_set(cfg, "listen");
	}
	hc_errors_clear(&errs);
	hc_config_unref(cfg);
	return 0;
}
