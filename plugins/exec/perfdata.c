/* SPDX-License-Identifier: MIT */
/* perfdata: Nagios plugin output and performance data (see perfdata.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "perfdata.h"

/* What separates items: a newline too, for the long output's lines. */
#define PD_BLANKS " \t\r\n"

static int pd_blank(char c)
{
	return c != '\0' && strchr(PD_BLANKS, c) != NULL;
}

/*
 * A number at s: the guidelines' class [-0-9.], plus the exponent some
 * plugins print (1e-05). Returns its length with *out set, or 0. strtod
 * alone would also take "inf", "nan", hex and leading blanks.
 */
static size_t pd_number(const char *s, double *out)
{
	char buf[64], *end;
	size_t i = 0, digits;

	if (s[i] == '-' || s[i] == '+')
		i++;
	digits = i;
	while (isdigit((unsigned char)s[i]) || s[i] == '.')
		i++;
	if (i == digits)
		return 0;
	if ((s[i] == 'e' || s[i] == 'E') &&
	    (isdigit((unsigned char)s[i + 1]) ||
	     ((s[i + 1] == '-' || s[i + 1] == '+') && isdigit((unsigned char)s[i + 2])))) {
		i += 2;
		while (isdigit((unsigned char)s[i]))
			i++;
	}
	if (i >= sizeof(buf))
		return 0;
	memcpy(buf, s, i);
	buf[i] = '\0';
	*out = strtod(buf, &end);
	return end == buf + i ? i : 0;
}

/* 1 when all of s (NUL-terminated, not empty) is one number. */
static int pd_whole_number(const char *s)
{
	double v;
	size_t n = pd_number(s, &v);

	return n > 0 && s[n] == '\0';
}

/* See documentation in header file. */
int pd_range_ok(const char *s, size_t len)
{
	char buf[PD_RANGE_MAX + 1], *p = buf, *colon;

	if (len == 0)
		return 1;
	if (len > PD_RANGE_MAX)
		return 0;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (*p == '@')
		p++;
	colon = strchr(p, ':');
	if (colon == NULL)
		return pd_whole_number(p);
	*colon = '\0';
	if (*p == '\0' && colon[1] == '\0')
		return 0;
	if (*p != '\0' && strcmp(p, "~") != 0 && !pd_whole_number(p))
		return 0;
	return colon[1] == '\0' || pd_whole_number(colon + 1);
}

/* The label at s, quoted or not, into it->label. Returns the position
 * after its '=', or NULL. */
static const char *pd_label(const char *s, struct pd_item *it)
{
	size_t n = 0;

	if (*s == '\'') {
		/* Quoted: anything but a newline; '' stands for one quote. */
		for (s++;; s++) {
			if (*s == '\0' || *s == '\n')
				return NULL;
			if (*s == '\'' && s[1] != '\'')
				break;
			if (*s == '\'')
				s++;
			if (n == PD_LABEL_MAX)
				return NULL;
			it->label[n++] = *s;
		}
		s++;
	} else {
		for (; *s != '='; s++) {
			if (*s == '\0' || pd_blank(*s) || *s == '\'' || n == PD_LABEL_MAX)
				return NULL;
			it->label[n++] = *s;
		}
	}
	if (n == 0 || *s != '=')
		return NULL;
	it->label[n] = '\0';
	return s + 1;
}

/* The value and its unit at s. Returns the position after them, or
 * NULL. */
static const char *pd_value(const char *s, struct pd_item *it)
{
	size_t len, i;

	if (s[0] == 'U' && (s[1] == ';' || s[1] == '\0' || pd_blank(s[1])))
		return s + 1; /* undetermined: it->known stays 0 */
	len = pd_number(s, &it->value);
	if (len == 0)
		return NULL;
	it->known = 1;
	s += len;
	len = strcspn(s, ";" PD_BLANKS);
	if (len > PD_UOM_MAX)
		return NULL;
	for (i = 0; i < len; i++)
		if (!isalpha((unsigned char)s[i]) && s[i] != '%' && s[i] != '/')
			return NULL;
	memcpy(it->uom, s, len);
	it->uom[len] = '\0';
	return s + len;
}

/* Field i after the value (0 warn, 1 crit, 2 min, 3 max), len bytes at
 * s. Returns 1 when it is well-formed (empty is). */
static int pd_field(struct pd_item *it, int i, const char *s, size_t len)
{
	char *range = i == 0 ? it->warn : it->crit;
	double v;

	if (i < 2) {
		if (!pd_range_ok(s, len))
			return 0;
		memcpy(range, s, len);
		range[len] = '\0';
		return 1;
	}
	if (len == 0)
		return 1;
	if (pd_number(s, &v) != len)
		return 0;
	if (i == 2) {
		it->has_min = 1;
		it->min = v;
	} else {
		it->has_max = 1;
		it->max = v;
	}
	return 1;
}

/* The ;warn;crit;min;max fields at s, any of them empty, trailing ones
 * left out. Returns the position after them, or NULL. */
static const char *pd_fields(const char *s, struct pd_item *it)
{
	int i;

	for (i = 0; i < 4 && *s == ';'; i++) {
		size_t len = strcspn(++s, ";" PD_BLANKS);

		if (!pd_field(it, i, s, len))
			return NULL;
		s += len;
	}
	return *s == '\0' || pd_blank(*s) ? s : NULL;
}

/* Past a malformed item that starts at s: a quoted label to its closing
 * quote (it may hold blanks), then to the next blank. */
static const char *pd_skip(const char *s)
{
	if (*s == '\'') {
		for (s++; *s != '\0' && *s != '\n'; s++) {
			if (*s == '\'' && s[1] == '\'')
				s++;
			else if (*s == '\'')
				break;
		}
	}
	while (*s != '\0' && !pd_blank(*s))
		s++;
	return s;
}

/* See documentation in header file. */
int pd_next(const char **sp, struct pd_item *it)
{
	const char *s = *sp + strspn(*sp, PD_BLANKS);
	const char *p;

	*sp = s;
	if (*s == '\0')
		return 0;
	memset(it, 0, sizeof(*it));
	p = pd_label(s, it);
	if (p != NULL)
		p = pd_value(p, it);
	if (p != NULL)
		p = pd_fields(p, it);
	if (p == NULL) {
		*sp = pd_skip(s);
		return -1;
	}
	*sp = p;
	return 1;
}

/* The first item wanted (see pd_find) among those starting before stop. */
static int pd_search(const char *s, const char *stop, const char *label, struct pd_item *it)
{
	for (;;) {
		s += strspn(s, PD_BLANKS);
		if (*s == '\0' || s >= stop)
			return 0;
		if (pd_next(&s, it) != 1)
			continue;
		if (label != NULL ? strcmp(it->label, label) == 0 : it->known)
			return 1;
	}
}

/* See documentation in header file. */
int pd_find(const char *output, const char *label, struct pd_item *it)
{
	const char *nl = strchr(output, '\n');
	const char *end1 = nl != NULL ? nl : output + strlen(output);
	const char *bar = strchr(output, '|');

	/* Items never span a newline, so the first line's list ends at it. */
	if (bar != NULL && bar < end1 && pd_search(bar + 1, end1, label, it))
		return 1;
	if (nl == NULL)
		return 0;
	/* In the long output, everything after its first '|' is perfdata. */
	bar = strchr(nl + 1, '|');
	return bar != NULL && pd_search(bar + 1, bar + strlen(bar), label, it);
}

/* See documentation in header file. */
size_t pd_message(const char *output, char *msg, size_t size)
{
	size_t len = strcspn(output, "|\n");

	while (len > 0 && isspace((unsigned char)output[0])) {
		output++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)output[len - 1]))
		len--;
	if (len >= size) {
		len = size - 1;
		/* Not in the middle of a UTF-8 sequence. */
		while (len > 0 && ((unsigned char)output[len] & 0xc0) == 0x80)
			len--;
	}
	memcpy(msg, output, len);
	msg[len] = '\0';
	return len;
}
