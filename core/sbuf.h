/* SPDX-License-Identifier: MIT */
/* A growing string, and what writing JSON and text into one needs. */
#ifndef HC_SBUF_H
#define HC_SBUF_H

#include <stddef.h>

#include <healthcheckd/plugin.h> /* HC_PRINTF */

/* p is NUL-terminated once anything was written; the caller takes p.
 * Out of memory ends the process, as every allocation here. */
struct sbuf {
	char *p;
	size_t len, cap;
};

void sb_printf(struct sbuf *b, const char *fmt, ...) HC_PRINTF(2, 3);
void sb_putn(struct sbuf *b, const char *s, size_t n);
void sb_puts(struct sbuf *b, const char *s);
/* s as a JSON string, quotes included: ", \ and control characters
 * escaped, invalid UTF-8 written as '?' (JSON must be valid UTF-8). */
void sb_json_string(struct sbuf *b, const char *s);
/* s as HTML text, also fit for a quoted attribute value: & < > " ' as
 * character references, control characters as spaces, invalid UTF-8 as
 * '?'. Whatever s holds, it cannot open a tag or leave an attribute. */
void sb_html(struct sbuf *b, const char *s);
/* v as a JSON number (finite only): 9 significant digits, and a ".0" when
 * it would read as an integer. */
void sb_json_real(struct sbuf *b, double v);

/* Length of the valid UTF-8 sequence at p, or 0 (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF). */
size_t hc_utf8_len(const unsigned char *p);

#endif
