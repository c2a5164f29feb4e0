/* SPDX-License-Identifier: MIT */
/* What every cmocka unit test includes, in the order cmocka needs. */
#ifndef HC_UNIT_H
#define HC_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Write text to a new file under a fresh temporary directory; returns its
 * path (malloc'd). */
static inline char *unit_write_file(const char *name, const char *text)
{
	static char dir[64];
	char *path;
	FILE *fp;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/hc-unit-XXXXXX");
		assert_non_null(mkdtemp(dir));
	}
	path = malloc(strlen(dir) + strlen(name) + 2);
	assert_non_null(path);
	sprintf(path, "%s/%s", dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	return path;
}

/* The directory of the test plugins (set by make check). */
static inline const char *unit_fixture_dir(void)
{
	const char *dir = getenv("HC_FIXTURE_DIR");

	return dir != NULL ? dir : "tests/plugins/.libs";
}

#endif
