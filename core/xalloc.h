/* SPDX-License-Identifier: MIT */
/* Allocation that cannot fail: out of memory ends the process with a message. */
#ifndef HC_XALLOC_H
#define HC_XALLOC_H

#include <stddef.h>

#include <healthcheckd/plugin.h>

/* A daemon that cannot allocate a few bytes of configuration cannot serve
 * either; stopping loudly beats limping on half-parsed state. */
void *hc_xcalloc(size_t n, size_t size);
void *hc_xreallocarray(void *p, size_t n, size_t size);
char *hc_xstrdup(const char *s);
char *hc_xasprintf(const char *fmt, ...) HC_PRINTF(1, 2);

#endif
