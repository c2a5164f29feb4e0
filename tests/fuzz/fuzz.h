/* SPDX-License-Identifier: MIT */
/* What every libFuzzer target of tests/fuzz shares. */
#ifndef HC_FUZZ_H
#define HC_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* libFuzzer's entry point: one input, any bytes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A private directory for the files a target makes, under $TMPDIR (else
 * /tmp), created on first use and removed at exit. */
const char *fuzz_dir(void);

/* Write len bytes to dir/name (its parent directories are made as
 * needed). Aborts on failure: the target cannot go on without it. */
void fuzz_write(const char *name, const void *data, size_t len);

/* A NUL-terminated copy of data (free it). */
char *fuzz_str(const uint8_t *data, size_t size);

#endif
