/* SPDX-License-Identifier: MIT */
/*
 * example: a healthcheckd plugin to copy and rename. It passes while the
 * file named by `path` exists and is not empty, warns when it is empty and
 * fails when it is missing: replace the body of example_check with the
 * check of your dependency.
 *
 * Build, try and install it against the installed SDK (healthcheckd-dev):
 *     make && make check && sudo make install
 * The file must keep the plugin's name: example.so for "example".
 */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <healthcheckd/plugin.h>

/* Every key the plugin accepts; the core refuses any other. A key flagged
 * HC_KEY_SECRET can also be given as NAME_file and never appears in logs. */
static const struct hc_key keys[] = { { "path", "file that must exist and not be empty", HC_KEY_PATH },
	                              { NULL, NULL, 0 } };

/* One instance per [check:NAME] section: keep all state here, no globals. */
struct example {
	char *path;
};

/* init validates the keys and allocates; no I/O to the dependency here, so
 * `healthcheckd -t` works while it is down. */
static int example_init(const struct hc_init_ctx *ctx, void **instance)
{
	const char *path = hc_kv_get(ctx, "path"); /* valid during init only */
	struct example *e;

	if (path == NULL || path[0] == '\0')
		return hc_init_error(ctx, "path is required");
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return HC_ENOMEM;
	e->path = strdup(path);
	if (e->path == NULL) {
		free(e);
		return HC_ENOMEM;
	}
	*instance = e;
	return HC_OK;
}

/* check runs on a worker thread, never twice at once for one instance, and
 * returns before ctx->deadline_ns (hc_remaining_ms gives what is left: hand
 * it to your client library as its timeout). */
static int example_check(void *instance, const struct hc_check_ctx *ctx, struct hc_result *r)
{
	const struct example *e = instance;
	struct stat st;

	(void)ctx;
	if (stat(e->path, &st) != 0)
		return hc_result_set(r, HC_FAIL, "%s: %s", e->path, strerror(errno));
	hc_result_observe(r, (double)st.st_size, "bytes");
	if (st.st_size == 0)
		return hc_result_set(r, HC_WARN, "%s is empty", e->path);
	return hc_result_set(r, HC_PASS, "%s has %lld bytes", e->path, (long long)st.st_size);
}

/* teardown frees everything init allocated; nothing may outlive it. */
static void example_teardown(void *instance)
{
	struct example *e = instance;

	free(e->path);
	free(e);
}

HC_PLUGIN_DEFINE("example", "1.0.0", "a file exists and is not empty", keys, example_init,
                 example_check, example_teardown);
