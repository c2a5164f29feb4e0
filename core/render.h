/* SPDX-License-Identifier: MIT */
/* Rendering results: the text lines of --once and the application/health+json body. */
#ifndef HC_RENDER_H
#define HC_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config.h"
#include "instance.h"

/* One row to render: a check and its latest outcome (NULL: pending). */
struct hc_row {
	const struct hc_check_conf *conf;
	const struct hc_outcome *out;
};

/* "pass", "warn", "fail" (anything else: "fail"). */
const char *hc_status_name(int status);

/* The worst status of the rows; a pending row counts as fail. */
int hc_worst_status(const struct hc_row *rows, size_t n);

/* One line per row: name, status, latency, message. */
void hc_render_text(FILE *fp, const struct hc_row *rows, size_t n);

/* The /health body (IETF draft-inadarei-api-health-check). detailed adds
 * the service fields and every check; without it only the status.
 * Returns a malloc'd string. */
char *hc_render_health_json(const struct hc_service_conf *svc,
                            const struct hc_row *rows, size_t n,
                            bool detailed);

#endif
