/* SPDX-License-Identifier: MIT */
/* SHA-256 (through GnuTLS) and base64 (RFC 4648): the hashes of the status page's Content-Security-Policy. */
#include "autoconfig.h"

#include <stdint.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "sha256.h"

/* GnuTLS is linked for the https:// listeners (core/tls.c) anyway. It
 * fails only when SHA-256 is unusable (a failed FIPS self-test); the
 * digest is then zeros, a hash no page matches: the browser refuses the
 * page's script and style, and nothing else depends on it. */
void hc_sha256(const void *data, size_t len, unsigned char out[HC_SHA256_LEN])
{
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, data, len, out) < 0)
		memset(out, 0, HC_SHA256_LEN);
}

void hc_base64(const unsigned char *in, size_t n, char *out)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		*out++ = abc[v >> 18 & 63];
		*out++ = abc[v >> 12 & 63];
		*out++ = i + 1 < n ? abc[v >> 6 & 63] : '=';
		*out++ = i + 2 < n ? abc[v & 63] : '=';
	}
	*out = '\0';
}
