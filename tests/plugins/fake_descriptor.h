/* SPDX-License-Identifier: MIT */
/* Loader fixtures: a descriptor with one field set by the including file. */
#include <healthcheckd/plugin.h>

#ifndef FAKE_MAGIC
#define FAKE_MAGIC HC_PLUGIN_MAGIC
#endif
#ifndef FAKE_MAJOR
#define FAKE_MAJOR HC_ABI_MAJOR
#endif
#ifndef FAKE_MINOR
#define FAKE_MINOR HC_ABI_MINOR
#endif
#ifndef FAKE_SIZE
#define FAKE_SIZE sizeof(struct hc_plugin)
#endif
#ifndef FAKE_KEYS
#define FAKE_KEYS NULL
#endif
#ifndef FAKE_KEY_SIZE
#define FAKE_KEY_SIZE sizeof(struct hc_key)
#endif

static int fake_init(const struct hc_init_ctx *ctx, void **instance)
{
	(void)ctx;
	*instance = NULL;
	return HC_OK;
}

#ifndef FAKE_NO_CHECK
static int fake_check(void *instance, const struct hc_check_ctx *ctx, struct hc_result *r)
{
	(void)instance;
	(void)ctx;
	return hc_result_set(r, HC_PASS, "fine");
}
#define FAKE_CHECK_FN fake_check
#else
#define FAKE_CHECK_FN NULL
#endif

static void fake_teardown(void *instance)
{
	(void)instance;
}

const struct hc_plugin *hc_plugin_describe(void)
{
	static const struct hc_plugin d = { FAKE_MAGIC,
		                            FAKE_MAJOR,
		                            FAKE_MINOR,
		                            (uint32_t)(FAKE_SIZE),
		                            FAKE_NAME,
		                            "1.0.0",
		                            "loader fixture",
		                            0,
		                            (uint32_t)(FAKE_KEY_SIZE),
		                            FAKE_KEYS,
		                            fake_init,
		                            FAKE_CHECK_FN,
		                            fake_teardown,
		                            { 0, 0, 0, 0, 0, 0, 0, 0 } };

	return &d;
}
