/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the http plugin's health document parser
 * (plugins/http/healthdoc.c) on a response body. */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "../../plugins/http/healthdoc.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hd_report r;
	char err[160];

	/* The body is not NUL-terminated: a copy exactly size long lets ASan
	 * see a read past its end. */
	char *body = malloc(size ? size : 1);

	memcpy(body, data, size);
	memset(&r, 0x5a, sizeof(r));
	if (hd_parse(body, size, &r, err, sizeof(err)) == 0) {
		if (strnlen(r.component, sizeof(r.component)) == sizeof(r.component) ||
		    strnlen(r.reason, sizeof(r.reason)) == sizeof(r.reason) ||
		    strnlen(r.status_text, sizeof(r.status_text)) == sizeof(r.status_text) ||
		    strnlen(r.worst_text, sizeof(r.worst_text)) == sizeof(r.worst_text))
			abort();
	} else if (strnlen(err, sizeof(err)) == sizeof(err)) {
		abort();
	}
	free(body);
	return 0;
}
