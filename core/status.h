/* SPDX-License-Identifier: MIT */
/* The /status page: an HTML page for people, rendered once per snapshot and detail level. */
#ifndef HC_STATUS_H
#define HC_STATUS_H

#include <stdbool.h>

#include "state.h"

/* The page of s: without detailed, the overall status and each check's
 * name and status (what the probe paths show anyone); with it, every
 * detail. Self-contained (inline style and script, no other request but
 * the script's to /health and /status). Returns a malloc'd string. */
char *hc_render_status(const struct hc_snapshot *s, bool detailed);

/* The Content-Security-Policy every page is served with: nothing but the
 * page's own inline style and script (by their SHA-256) and requests to
 * its own origin. Computed once; a static string. */
const char *hc_status_csp(void);

#endif
