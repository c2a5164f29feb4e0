/* SPDX-License-Identifier: MIT */
/* The helpers of fuzz.h: a temporary directory per target process. */
#include "autoconfig.h"

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

static char dir[PATH_MAX];

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Remove what fuzz_write made, deepest first, following no link. libFuzzer
 * ends some runs with _Exit, so run.sh also points TMPDIR into its own
 * directory, which it removes. */
static void cleanup(void)
{
	if (dir[0] != '\0' && nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "fuzz: cannot remove %s\n", dir);
}

const char *fuzz_dir(void)
{
	const char *tmp = getenv("TMPDIR");
	char tmpl[PATH_MAX];
	char *real;

	if (dir[0] != '\0')
		return dir;
	snprintf(tmpl, sizeof(tmpl), "%s/hcfuzz.XXXXXX",
	         tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	/* realpath: a symlinked /tmp must not defeat the prefix checks. */
	if (mkdtemp(tmpl) == NULL || (real = realpath(tmpl, NULL)) == NULL) {
		perror("fuzz: mkdtemp");
		abort();
	}
	snprintf(dir, sizeof(dir), "%s", real);
	free(real);
	atexit(cleanup);
	return dir;
}

void fuzz_write(const char *name, const void *data, size_t len)
{
	char path[PATH_MAX];
	FILE *fp;

	/* Each parent directory in turn (EEXIST after the first input). */
	for (const char *slash = strchr(name, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
		snprintf(path, sizeof(path), "%s/%.*s", fuzz_dir(), (int)(slash - name), name);
		mkdir(path, 0700);
	}
	snprintf(path, sizeof(path), "%s/%s", fuzz_dir(), name);
	fp = fopen(path, "w");
	if (fp == NULL || fwrite(data, 1, len, fp) != len || fclose(fp) != 0) {
		perror(path);
		abort();
	}
}

char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}
