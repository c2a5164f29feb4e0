/* SPDX-License-Identifier: MIT */
/*
 * healthdoc: reads a downstream service's health document and finds its
 * worst component. These shapes are understood:
 *
 *  - IETF health+json (draft-inadarei-api-health-check): "status" pass,
 *    warn or fail; "checks" keyed "component:measurement", each an array
 *    of objects with "status" and "output".
 *  - Spring Boot Actuator: "status" UP, DOWN, OUT_OF_SERVICE or UNKNOWN;
 *    "components" keyed by name, each an object with "status", "details"
 *    and possibly nested "components".
 *  - The plain shape: "status" and "checks" or "components" whose values
 *    are a status string or an object with "status".
 *  - MicroProfile Health (Quarkus, Open Liberty): "status" UP or DOWN,
 *    "checks" an array of objects with "name", "status" and "data".
 *
 * No global state; safe from any thread.
 */
#ifndef HC_HEALTHDOC_H
#define HC_HEALTHDOC_H

#include <stddef.h>

/* Statuses, ordered by severity (the values of HC_PASS, HC_WARN, HC_FAIL). */
#define HD_PASS 0
#define HD_WARN 1
#define HD_FAIL 2

/* What a document says. Strings are NUL-terminated and cut to fit. */
struct hd_report {
	int status;           /* the document's own top-level status */
	char status_text[24]; /* as the document spells it: "DOWN", "fail" */
	size_t n_components;  /* components seen (nested ones included) */
	/* The worst component (the first of the worst status, in document
	 * order); "" when the document lists none. */
	int worst;           /* its status */
	char component[64];  /* its name: "redis", "db.primary" */
	char worst_text[24]; /* its status as spelt */
	char reason[128];    /* its output, error or details; "" if none */
};

/*
 * Parse len bytes of body (not NUL-terminated) into *out. Returns 0, or -1
 * with a one-line reason in err (never a copy of the body beyond a short
 * quoted status word): not JSON, not an object, no "status", or a status
 * word that none of the shapes uses.
 */
int hd_parse(const char *body, size_t len, struct hd_report *out, char *err, size_t err_size);

#endif /* HC_HEALTHDOC_H */
