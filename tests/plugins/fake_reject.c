/* SPDX-License-Identifier: MIT */
/* Loader fixture: a plugin whose init rejects the value of its key 'level'. */
#include <string.h>

#include <healthcheckd/plugin.h>

static const struct hc_key keys[] = { { "level", "low or high", 0 },
	                              { "other", "unused", 0 },
	                              { NULL, NULL, 0 } };

static int reject_init(const struct hc_init_ctx *ctx, void **instance)
{
	const char *level = hc_kv_get(ctx, "level");

	*instance = NULL;
	if (level != NULL && strcmp(level, "low") != 0 && strcmp(level, "high") != 0)
		return hc_init_error(ctx, "level: '%s' is not low or high", level);
	return HC_OK;
}

static int reject_check(void *instance, const struct hc_check_ctx *ctx, struct hc_result *r)
{
	(void)instance;
	(void)ctx;
	return hc_result_set(r, HC_PASS, "fine");
}

static void reject_teardown(void *instance)
{
	(void)instance;
}

HC_PLUGIN_DEFINE("fake_reject", "1.0.0", "rejects a bad level", keys, reject_init, reject_check,
                 reject_teardown);
