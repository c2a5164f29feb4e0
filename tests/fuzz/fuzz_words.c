/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the exec plugin's argv splitter (plugins/exec/words.c). */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "../../plugins/exec/words.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	const char *err = NULL;
	size_t n = 99;
	char **w = words_split(s, &n, &err);

	if (w == NULL) {
		/* A refusal says why; out of memory does not happen here. */
		if (err == NULL || n != 0)
			abort();
	} else {
		for (size_t i = 0; i < n; i++)
			if (w[i] == NULL || strlen(w[i]) > size)
				abort();
		if (w[n] != NULL)
			abort();
	}
	free(w);
	free(s);
	return 0;
}
