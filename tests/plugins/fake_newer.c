/* SPDX-License-Identifier: MIT */
/*
 * Loader fixture: a plugin built with a newer header (whose descriptor has
 * grown by two members) that declares it needs only this core's minor, as
 * HC_ABI_TARGET_MINOR lets it. The core must load it, reading nothing past
 * the members it knows. Its check reports whether the host table it got has
 * the member the newer header would have appended.
 */
#include <healthcheckd/plugin.h>

/* What a later minor's header would append to the descriptor and the host
 * table (simulated: this tree has only the current header). */
struct newer_plugin {
	struct hc_plugin v1;
	int (*probe)(void *instance);
	const char *homepage;
};

struct newer_host {
	struct hc_host v1;
	int (*metric)(struct hc_handle *handle, const char *name, double v);
};

static int newer_init(const struct hc_init_ctx *ctx, void **instance)
{
	(void)ctx;
	*instance = NULL;
	return HC_OK;
}

static int newer_check(void *instance, const struct hc_check_ctx *ctx, struct hc_result *r)
{
	const struct newer_host *host = (const struct newer_host *)ctx->host;

	(void)instance;
	if (HC_HAS_MEMBER(&host->v1, struct newer_host, metric))
		return hc_result_set(r, HC_FAIL, "host table claims a newer member");
	return hc_result_set(r, HC_PASS, "older core: newer member absent");
}

static void newer_teardown(void *instance)
{
	(void)instance;
}

static int newer_probe(void *instance)
{
	(void)instance;
	return 0;
}

HC_EXPORT const struct hc_plugin *hc_plugin_describe(void)
{
	static const struct newer_plugin d = { { HC_PLUGIN_MAGIC,
		                                 HC_ABI_MAJOR,
		                                 HC_ABI_TARGET_MINOR,
		                                 (uint32_t)sizeof(struct newer_plugin),
		                                 "fake_newer",
		                                 "1.0.0",
		                                 "loader fixture: built with a newer header",
		                                 0,
		                                 (uint32_t)sizeof(struct hc_key),
		                                 NULL,
		                                 newer_init,
		                                 newer_check,
		                                 newer_teardown,
		                                 { 0, 0, 0, 0, 0, 0, 0, 0 } },
		                               newer_probe,
		                               "https://example.invalid/newer" };

	return &d.v1;
}
