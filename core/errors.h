/* SPDX-License-Identifier: MIT */
/* A list of error messages, each naming the file and line it is about. */
#ifndef HC_ERRORS_H
#define HC_ERRORS_H

#include <stddef.h>
#include <stdio.h>

#include <healthcheckd/plugin.h>

/* Where a setting came from. file points into a string owned by the config
 * (or is a literal such as "--set"); line 0 means "the file as a whole". */
struct hc_where {
	const char *file;
	int line;
};

struct hc_errors {
	char **msgs;
	size_t n;
};

/* Append "FILE:LINE: message" (or "FILE: message" for line 0). */
void hc_errors_add(struct hc_errors *e, struct hc_where at, const char *fmt, ...) HC_PRINTF(3, 4);
/* Print every message, one per line. */
void hc_errors_print(const struct hc_errors *e, FILE *fp);
void hc_errors_clear(struct hc_errors *e);

#endif
