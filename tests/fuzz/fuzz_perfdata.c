/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the exec plugin's perfdata parser (plugins/exec/
 * perfdata.c) on a command's output. The first line of the input up to a
 * NUL byte, if there is one, is the label asked for; the rest the output.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "../../plugins/exec/perfdata.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t cut = nul != NULL ? (size_t)(nul - data) : 0;
	char *label = nul != NULL ? fuzz_str(data, cut) : NULL;
	char *out = fuzz_str(data + cut + (nul != NULL), size - cut - (nul != NULL));
	const char *s = out;
	struct pd_item it;
	char msg[256];
	int rc;

	(void)pd_find(out, label, &it);
	(void)pd_find(out, NULL, &it);
	if (pd_message(out, msg, sizeof(msg)) >= sizeof(msg))
		abort();
	/* Every item of the list, as the plugin walks it; each step moves on. */
	while ((rc = pd_next(&s, &it)) != 0) {
		if (rc == 1 && (strlen(it.label) > PD_LABEL_MAX || strlen(it.uom) > PD_UOM_MAX))
			abort();
	}
	(void)pd_range_ok(out, strlen(out));
	free(label);
	free(out);
	return 0;
}
