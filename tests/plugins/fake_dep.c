/* SPDX-License-Identifier: MIT */
/* Loader fixture: a plugin whose shared-library dependency is missing. */
#define FAKE_NAME "fake_dep"
#include "fake_descriptor.h"

int hc_gone_answer(void);
int fake_dep_uses_gone(void);

int fake_dep_uses_gone(void)
{
	return hc_gone_answer();
}
