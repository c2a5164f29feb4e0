/* SPDX-License-Identifier: MIT */
/*
 * perfdata: the output of a Nagios/monitoring-plugins command, as the
 * monitoring-plugins development guidelines define it:
 *
 *     TEXT OUTPUT | PERFDATA
 *     LONG TEXT LINE 1
 *     LONG TEXT LINE 2 | PERFDATA
 *     PERFDATA
 *
 * where PERFDATA is a blank-separated list of
 * 'label'=value[UOM];[warn];[crit];[min];[max].
 */
#ifndef HC_EXEC_PERFDATA_H
#define HC_EXEC_PERFDATA_H

#include <stddef.h>

/* Longest label kept (bytes, without the NUL); a longer item is refused. */
#define PD_LABEL_MAX 127
/* Longest unit of measurement (fits hc_result.unit). */
#define PD_UOM_MAX 15
/* Longest warn or crit range kept as text. */
#define PD_RANGE_MAX 63

/* One performance-data item. */
struct pd_item {
	char label[PD_LABEL_MAX + 1]; /* without quotes, '' turned into ' */
	int known;                    /* 0: the value was "U" (undetermined) */
	double value;
	char uom[PD_UOM_MAX + 1];    /* "" when none */
	char warn[PD_RANGE_MAX + 1]; /* range as written, "" when empty */
	char crit[PD_RANGE_MAX + 1];
	int has_min, has_max;
	double min, max;
};

/*
 * Parse the next item of a perfdata list at *s (blanks and newlines before
 * it are skipped) and move *s past it. Returns 1 with *it filled, 0 at the
 * end of the list, or -1 for a malformed item, with *s moved past it to
 * the next blank so that the caller can go on with the rest.
 */
int pd_next(const char **s, struct pd_item *it);

/*
 * 1 when the len bytes at s are a threshold range of the guidelines:
 * empty, "10", "10:", "~:10", "10:20", or any of those after '@'.
 */
int pd_range_ok(const char *s, size_t len);

/*
 * Find an item in a command's whole output (NUL-terminated): the one whose
 * label equals label, or with label NULL the first well-formed one with a
 * known value. Looks at the first line's perfdata, then at the perfdata of
 * the long output. Returns 1 with *it filled, or 0.
 */
int pd_find(const char *output, const char *label, struct pd_item *it);

/*
 * The text of the first line (before any '|'), without blanks around it,
 * cut to fit size (not inside a UTF-8 sequence). Returns its length. The
 * core turns control characters and invalid UTF-8 into harmless ones.
 */
size_t pd_message(const char *output, char *msg, size_t size);

#endif /* HC_EXEC_PERFDATA_H */
