/* SPDX-License-Identifier: MIT */
/* A list of error messages, each naming the file and line it is about. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stdlib.h>

#include "errors.h"
#include "xalloc.h"

void hc_errors_add(struct hc_errors *e, struct hc_where at, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	e->msgs = hc_xreallocarray(e->msgs, e->n + 1, sizeof(*e->msgs));
	if (at.line > 0)
		e->msgs[e->n++] = hc_xasprintf("%s:%d: %s", at.file, at.line, msg);
	else if (at.file != NULL)
		e->msgs[e->n++] = hc_xasprintf("%s: %s", at.file, msg);
	else
		e->msgs[e->n++] = hc_xstrdup(msg);
}

void hc_errors_print(const struct hc_errors *e, FILE *fp)
{
	for (size_t i = 0; i < e->n; i++)
		fprintf(fp, "%s\n", e->msgs[i]);
}

void hc_errors_clear(struct hc_errors *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->msgs[i]);
	free(e->msgs);
	e->msgs = NULL;
	e->n = 0;
}
