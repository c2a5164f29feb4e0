/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the status page's HTML escaper (sb_html, core/sbuf.c). */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sbuf.h"

/* The references sb_html writes: every '&' of its output starts one. */
static size_t reference_len(const char *p)
{
	static const char *const refs[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&#39;" };

	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++)
		if (strncmp(p, refs[i], strlen(refs[i])) == 0)
			return strlen(refs[i]);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	struct sbuf b = { 0 };
	const unsigned char *p;
	size_t k;

	sb_puts(&b, "");
	sb_html(&b, s);
	/* Whatever came in, what goes out opens no tag, leaves no quoted
	 * attribute, holds no control character and is valid UTF-8. */
	for (p = (const unsigned char *)b.p; *p != '\0'; p += k) {
		k = 1;
		if (*p == '<' || *p == '>' || *p == '"' || *p == '\'' || *p < 0x20 || *p == 0x7f)
			abort();
		if (*p == '&' && (k = reference_len((const char *)p)) == 0)
			abort();
		if (*p >= 0x80 && (k = hc_utf8_len(p)) == 0)
			abort();
	}
	free(b.p);
	free(s);
	return 0;
}
