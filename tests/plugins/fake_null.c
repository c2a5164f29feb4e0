/* SPDX-License-Identifier: MIT */
/* Loader fixture: hc_plugin_describe returns NULL. */
#include <healthcheckd/plugin.h>

const struct hc_plugin *hc_plugin_describe(void)
{
	return NULL;
}
