/* SPDX-License-Identifier: MIT */
/* Loader fixture: a plugin calling a function of a library it was not
 * linked with (built without -z defs), as when -lNAME is forgotten. */
int hc_test_unlinked_function(void);
int hc_test_undef_user(void);

int hc_test_undef_user(void)
{
	return hc_test_unlinked_function();
}
