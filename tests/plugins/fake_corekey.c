/* SPDX-License-Identifier: MIT */
/* Loader fixture: a plugin declaring a key that belongs to the core. */
#include <healthcheckd/plugin.h>

static const struct hc_key keys[] = { { "timeout", "clashes with the core's timeout", 0 },
	                              { NULL, NULL, 0 } };

static int corekey_init(const struct hc_init_ctx *ctx, void **instance)
{
	(void)ctx;
	*instance = NULL;
	return HC_OK;
}

static int corekey_check(void *instance, const struct hc_check_ctx *ctx, struct hc_result *r)
{
	(void)instance;
	(void)ctx;
	return hc_result_set(r, HC_PASS, "fine");
}

static void corekey_teardown(void *instance)
{
	(void)instance;
}

HC_PLUGIN_DEFINE("fake_corekey", "1.0.0", "declares a core key", keys, corekey_init, corekey_check,
                 corekey_teardown);
