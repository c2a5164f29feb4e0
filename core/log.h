/* SPDX-License-Identifier: MIT */
/* Logging to stderr with syslog levels, in the form journald and humans read. */
#ifndef HC_LOG_H
#define HC_LOG_H

#include <healthcheckd/plugin.h>

/* Set up logging once at start. verbose enables HC_LOG_DEBUG lines.
 * When stderr is the journal (JOURNAL_STREAM matches it), lines carry the
 * "<N>" level prefix sd-daemon(3) describes; otherwise a word ("error: "). */
void hc_log_init(int verbose);

/* Log one line (a trailing newline is added). Thread-safe. */
void hc_log(int level, const char *fmt, ...) HC_PRINTF(2, 3);
void hc_vlog(int level, const char *fmt, va_list ap) HC_PRINTF(2, 0);

#endif
