/* SPDX-License-Identifier: MIT */
/* Reading the small files a config names (configs, secrets, tokens) safely. */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "xalloc.h"

int hc_open_regular(const char *path, mode_t *mode, char *err, size_t errsz)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;

	if (fd < 0) {
		snprintf(err, errsz, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errsz, "cannot read %s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (mode != NULL)
		*mode = st.st_mode;
	return fd;
}

char *hc_read_file(const char *path, size_t max, mode_t *mode, char *err, size_t errsz)
{
	char *buf;
	size_t len = 0;
	ssize_t n;
	int fd = hc_open_regular(path, mode, err, errsz);

	if (fd < 0)
		return NULL;
	buf = hc_xcalloc(1, max + 2);
	while (len <= max && (n = read(fd, buf + len, max + 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (n < 0 || len > max || memchr(buf, '\0', len) != NULL) {
		if (n < 0)
			snprintf(err, errsz, "cannot read %s: %s", path, strerror(errno));
		else if (len > max)
			snprintf(err, errsz, "%s is larger than %zu bytes", path, max);
		else
			snprintf(err, errsz, "%s holds a NUL byte", path);
		explicit_bzero(buf, len);
		free(buf);
		return NULL;
	}
	return buf;
}

char *hc_read_secret_file(const char *path, size_t max, char *err, size_t errsz)
{
	mode_t mode;
	char *buf = hc_read_file(path, max, &mode, err, errsz);

	/* Anyone on the machine could read it: refuse rather than trust it. */
	if (buf != NULL && (mode & S_IROTH)) {
		snprintf(err, errsz, "%s is readable by everyone (chmod o-r %s)", path, path);
		hc_free_secret(buf);
		return NULL;
	}
	return buf;
}

void hc_free_secret(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}
