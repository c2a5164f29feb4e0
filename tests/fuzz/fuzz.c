/* SPDX-License-Identifier: MIT */
/* The helpers of fuzz.h: a temporary directory per target process. */
#include "autoconfig.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

static char dir[PATH_MAX];

/* Remove what fuzz_write made. */
static void cleanup(void)
{
	char cmd[PATH_MAX + 16];

	if (dir[0] == '\0')
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz: cannot remove %s\n", dir);
}

const char *fuzz_dir(void)
{
	char tmpl[] = "/tmp/hcfuzz.XXXXXX";
	char *real;

	if (dir[0] != '\0')
		return dir;
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
