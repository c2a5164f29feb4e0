/* SPDX-License-Identifier: MIT */
/* Loader fixture: a shared object that is not a plugin (no hc_plugin_describe). */
int hc_not_a_plugin(void);

int hc_not_a_plugin(void)
{
	return 0;
}
