/* SPDX-License-Identifier: MIT */
/* A growing string, and what writing JSON and text into one needs. */
#include "autoconfig.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sbuf.h"
#include "xalloc.h"

/* Room for n more bytes and the NUL. */
static void sb_reserve(struct sbuf *b, size_t n)
{
	if (b->len + n + 1 <= b->cap)
		return;
	b->cap = (b->len + n + 1) * 2;
	b->p = hc_xreallocarray(b->p, b->cap, 1);
}

void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		sb_reserve(b, n > 0 ? (size_t)n : 0);
	}
}

void sb_putn(struct sbuf *b, const char *s, size_t n)
{
	sb_reserve(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void sb_puts(struct sbuf *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

size_t hc_utf8_len(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

void sb_json_string(struct sbuf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t plain, k;
	char esc[7];

	sb_putn(b, "\"", 1);
	while (*p != '\0') {
		/* Runs of plain ASCII go in one copy. */
		for (plain = 0;
		     p[plain] >= 0x20 && p[plain] < 0x80 && p[plain] != '"' && p[plain] != '\\';
		     plain++)
			;
		sb_putn(b, (const char *)p, plain);
		p += plain;
		if (*p == '\0')
			break;
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p++;
			sb_putn(b, esc, 2);
		} else if (*p < 0x20) {
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 0xf];
			sb_putn(b, esc, 6);
			p++;
		} else if ((k = hc_utf8_len(p)) > 0) {
			sb_putn(b, (const char *)p, k);
			p += k;
		} else {
			sb_putn(b, "?", 1);
			p++;
		}
	}
	sb_putn(b, "\"", 1);
}

void sb_json_real(struct sbuf *b, double v)
{
	char num[32];
	int n = snprintf(num, sizeof(num), "%.9g", v);

	sb_putn(b, num, (size_t)n);
	if (strpbrk(num, ".eEn") == NULL)
		sb_putn(b, ".0", 2);
}

void sb_html(struct sbuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t plain, k;

	while (*p != '\0') {
		for (plain = 0;
		     p[plain] >= 0x20 && p[plain] < 0x7f && strchr("&<>\"'", p[plain]) == NULL;
		     plain++)
			;
		sb_putn(b, (const char *)p, plain);
		p += plain;
		switch (*p) {
		case '\0':
			return;
		case '&':
			sb_puts(b, "&amp;");
			break;
		case '<':
			sb_puts(b, "&lt;");
			break;
		case '>':
			sb_puts(b, "&gt;");
			break;
		case '"':
			sb_puts(b, "&quot;");
			break;
		case '\'':
			sb_puts(b, "&#39;");
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				sb_putn(b, " ", 1);
			else if ((k = hc_utf8_len(p)) > 0) {
				sb_putn(b, (const char *)p, k);
				p += k - 1;
			} else
				sb_putn(b, "?", 1);
		}
		p++;
	}
}
