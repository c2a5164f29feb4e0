/* SPDX-License-Identifier: MIT */
/* names: names of a restricted alphabet and length. */
#include <string.h>

#include "names.h"

int pu_name_ok(const char *v, const char *allowed, size_t min, size_t max)
{
	size_t len = strlen(v);

	return len >= min && len <= max && strspn(v, allowed) == len;
}
