/* SPDX-License-Identifier: MIT */
/* Reading the small files a config names (configs, secrets, tokens) safely. */
#ifndef HC_FILEIO_H
#define HC_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

/* Open path for reading without blocking (a FIFO would hang -t forever) and
 * insist on a regular file. Returns the fd, or -1 with "cannot read PATH:
 * reason" in err. */
int hc_open_regular(const char *path, mode_t *mode, char *err, size_t errsz);

/* The whole content of a regular file of at most max bytes, NUL-terminated,
 * with its mode. NULL with the reason in err: unreadable, not regular,
 * larger than max, or holding a NUL byte. */
char *hc_read_file(const char *path, size_t max, mode_t *mode, char *err, size_t errsz);

/* hc_read_file for a secret (a token, a private key): also refused when
 * everyone may read it (mode o+r). Free it with hc_free_secret. */
char *hc_read_secret_file(const char *path, size_t max, char *err, size_t errsz);
/* Wipe a string (up to its NUL) and free it; NULL is fine. */
void hc_free_secret(char *s);

#endif
