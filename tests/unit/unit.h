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

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

/* The temporary directories to remove at exit (unit_remove_at_exit). */
static char unit_tmp_dirs[4][256];

/* rm -r path (nftw would need _XOPEN_SOURCE, which not every test sets). */
static inline void unit_remove_tree(const char *path)
{
	struct stat st;
	struct dirent *e;
	DIR *d;

	if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && (d = opendir(path)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			char sub[1024];

			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
			    snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name) >= (int)sizeof(sub))
				continue;
			unit_remove_tree(sub);
		}
		closedir(d);
	}
	remove(path);
}

static inline void unit_remove_tmp_dirs(void)
{
	for (size_t i = 0; i < sizeof(unit_tmp_dirs) / sizeof(unit_tmp_dirs[0]); i++)
		if (unit_tmp_dirs[i][0] != '\0')
			unit_remove_tree(unit_tmp_dirs[i]);
}

/* Remove the directory dir (made by mkdtemp) and all under it when the
 * test program exits, pass or fail: tests leave nothing in /tmp. */
static inline void unit_remove_at_exit(const char *dir)
{
	size_t i = 0, n = sizeof(unit_tmp_dirs) / sizeof(unit_tmp_dirs[0]);

	while (i < n && unit_tmp_dirs[i][0] != '\0')
		i++;
	assert_true(i < n && strlen(dir) < sizeof(unit_tmp_dirs[i]));
	if (i == 0)
		atexit(unit_remove_tmp_dirs);
	strcpy(unit_tmp_dirs[i], dir);
}

/* A fresh directory under $TMPDIR (else /tmp), removed at exit, in dir. */
static inline void unit_mkdtemp(char *dir, size_t size, const char *prefix)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, size, "%s/%s-XXXXXX", tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp", prefix);
	assert_non_null(mkdtemp(dir));
	unit_remove_at_exit(dir);
}

/* Write text to a new file under a fresh temporary directory (removed at
 * exit); returns its path (malloc'd). */
static inline char *unit_write_file(const char *name, const char *text)
{
	static char dir[256];
	char *path;
	FILE *fp;

	if (dir[0] == '\0')
		unit_mkdtemp(dir, sizeof(dir), "hc-unit");
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
