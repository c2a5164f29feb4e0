/* SPDX-License-Identifier: MIT */
/* A library installed under a soname no file has: what fake_dep depends on. */
int hc_gone_answer(void);

int hc_gone_answer(void)
{
	return 42;
}
