/* SPDX-License-Identifier: MIT */
/* SHA-256 (through GnuTLS) and base64 (RFC 4648): the hashes of the status page's Content-Security-Policy. */
#ifndef HC_SHA256_H
#define HC_SHA256_H

#include <stddef.h>

#define HC_SHA256_LEN 32

/* The SHA-256 digest of len bytes at data into out. */
void hc_sha256(const void *data, size_t len, unsigned char out[HC_SHA256_LEN]);

/* n bytes of in as base64 with padding, NUL-terminated, into out, which
 * holds 4 * ((n + 2) / 3) + 1 bytes. */
void hc_base64(const unsigned char *in, size_t n, char *out);

#endif
