/* SPDX-License-Identifier: MIT */
/* Logging to stderr with syslog levels, in the form journald and humans read. */
#include "autoconfig.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

static int log_max_level = HC_LOG_INFO;
static bool log_to_journal;

/* systemd sets JOURNAL_STREAM=DEV:INODE for the stream it connected to
 * stderr; only then is the "<N>" prefix understood rather than noise. */
static bool stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) != 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void hc_log_init(int verbose)
{
	log_max_level = verbose ? HC_LOG_DEBUG : HC_LOG_INFO;
	log_to_journal = stderr_is_journal();
}

static const char *level_word(int level)
{
	switch (level) {
	case HC_LOG_ERR:
		return "error: ";
	case HC_LOG_WARNING:
		return "warning: ";
	case HC_LOG_DEBUG:
		return "debug: ";
	default:
		return "";
	}
}

void hc_vlog(int level, const char *fmt, va_list ap)
{
	char line[1024];

	if (level > log_max_level)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	/* One fprintf per line: stdio locks the stream, so lines from
	 * different threads never interleave. */
	if (log_to_journal)
		fprintf(stderr, "<%d>%s\n", level, line);
	else
		fprintf(stderr, "healthcheckd: %s%s\n", level_word(level), line);
}

void hc_log(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hc_vlog(level, fmt, ap);
	va_end(ap);
}
