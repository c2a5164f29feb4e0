/* SPDX-License-Identifier: MIT */
/* The built-in heartbeat check: the application pushes its own status over HTTP. */
#include "autoconfig.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "heartbeat.h"
#include "token.h"
#include "xalloc.h"

struct heartbeat {
	uint32_t ttl_ms;
	char *token;
};

static const struct hc_key heartbeat_keys[] = {
	{ "ttl", "a push counts this long (e.g. 30s); then the check fails", 0 },
	{ "token_file",
	  "file whose first line is the token pushes must carry (default: the server's token_file)",
	  HC_KEY_PATH },
	{ NULL, NULL, 0 }
};

static int heartbeat_init(const struct hc_init_ctx *ctx, void **instance)
{
	const char *ttl = hc_kv_get(ctx, "ttl");
	const char *token_file = hc_kv_get(ctx, "token_file");
	struct heartbeat *h = hc_xcalloc(1, sizeof(*h));
	char err[256];

	h->ttl_ms = 30000;
	if (ttl != NULL && (hc_parse_duration(ttl, &h->ttl_ms) != 0 || h->ttl_ms == 0)) {
		free(h);
		return hc_init_error(
		        ctx,
		        "ttl: bad duration '%s' (use a positive number with ms, s or m, e.g. 30s)",
		        ttl);
	}
	if (token_file != NULL) {
		h->token = hc_token_read(token_file, err, sizeof(err));
		if (h->token == NULL) {
			free(h);
			return hc_init_error(ctx, "token_file: %s", err);
		}
	}
	*instance = h;
	return HC_OK;
}

static int heartbeat_check(void *instance, const struct hc_check_ctx *ctx, struct hc_result *r)
{
	/* Never scheduled: pushes and the TTL drive the state. */
	(void)instance;
	(void)ctx;
	return hc_result_set(r, HC_FAIL, "heartbeat checks are not run");
}

static void heartbeat_teardown(void *instance)
{
	struct heartbeat *h = instance;

	if (h->token != NULL)
		hc_token_free(h->token);
	free(h);
}

static const struct hc_plugin heartbeat_plugin = {
	HC_PLUGIN_MAGIC,
	HC_ABI_MAJOR,
	HC_ABI_MINOR,
	(uint32_t)sizeof(struct hc_plugin),
	"heartbeat",
	PACKAGE_VERSION,
	"the application pushes POST /heartbeat/NAME; fails once a push is older than ttl",
	0,
	(uint32_t)sizeof(struct hc_key),
	heartbeat_keys,
	heartbeat_init,
	heartbeat_check,
	heartbeat_teardown,
	{ 0, 0, 0, 0, 0, 0, 0, 0 }
};

struct hc_module *hc_heartbeat_module(void)
{
	struct hc_module *m = hc_xcalloc(1, sizeof(*m));

	m->path = hc_xstrdup("(built in)");
	m->name = hc_xstrdup("heartbeat");
	m->desc = &heartbeat_plugin;
	return m;
}

bool hc_heartbeat_is(const struct hc_instance *in)
{
	return in->module->desc == &heartbeat_plugin;
}

uint32_t hc_heartbeat_ttl_ms(const struct hc_instance *in)
{
	return ((const struct heartbeat *)in->data)->ttl_ms;
}

const char *hc_heartbeat_token(const struct hc_instance *in)
{
	return ((const struct heartbeat *)in->data)->token;
}
