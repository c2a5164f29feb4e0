/* SPDX-License-Identifier: MIT */
/* words: sh-like splitting of a command line into argv (see words.h). */
#include <stdlib.h>
#include <string.h>

#include "words.h"

/* Where the splitter is: between words, in a word outside quotes, or
 * inside '...' or "...". */
enum words_state { W_BLANK, W_WORD, W_SINGLE, W_DOUBLE };

static int words_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Characters a shell would treat as syntax: without one, they would be
 * passed on as arguments. */
static int words_operator(char c)
{
	return c != '\0' && strchr("|&;<>()$`", c) != NULL;
}

/* Inside "...", a backslash escapes only these (as in sh). */
static int words_dq_escapable(char c)
{
	return c == '"' || c == '\\' || c == '$' || c == '`' || c == '\n';
}

/* Split into out (room for strlen(s) + 1 bytes of words and their NULs),
 * the start of each word into argv. Returns the word count, or -1 with
 * *err set. A parser: it reads top to bottom, one character at a time. */
static long words_scan(const char *s, char *out, char **argv, const char **err)
{
	enum words_state st = W_BLANK;
	long n = 0;

	for (; *s != '\0'; s++) {
		char c = *s;

		if (st == W_SINGLE) {
			if (c == '\'')
				st = W_WORD;
			else
				*out++ = c;
			continue;
		}
		if (st == W_DOUBLE) {
			if (c == '"')
				st = W_WORD;
			else if (c == '\\' && words_dq_escapable(s[1]))
				*out++ = *++s;
			else
				*out++ = c;
			continue;
		}
		if (words_blank(c)) {
			if (st == W_WORD)
				*out++ = '\0';
			st = W_BLANK;
			continue;
		}
		if (words_operator(c)) {
			*err = WORDS_ERR_OPERATOR;
			return -1;
		}
		if (st == W_BLANK) {
			argv[n++] = out;
			st = W_WORD;
		}
		if (c == '\'') {
			st = W_SINGLE;
		} else if (c == '"') {
			st = W_DOUBLE;
		} else if (c == '\\') {
			if (s[1] == '\0') {
				*err = "a backslash at the end escapes nothing";
				return -1;
			}
			*out++ = *++s;
		} else {
			*out++ = c;
		}
	}
	if (st == W_SINGLE || st == W_DOUBLE) {
		*err = st == W_SINGLE ? "unbalanced single quote" : "unbalanced double quote";
		return -1;
	}
	if (st == W_WORD)
		*out = '\0';
	return n;
}

/* See documentation in header file. */
char **words_split(const char *s, size_t *n, const char **err)
{
	size_t len = strlen(s);
	/* Words are at least one byte and a separator apart, so len / 2 + 1
	 * pointers always suffice: one pass fills one block, the pointers
	 * first, then the words. */
	size_t slots = len / 2 + 2;
	char **argv = malloc(slots * sizeof(*argv) + len + 1);
	long count;

	*n = 0;
	*err = NULL;
	if (argv == NULL)
		return NULL;
	count = words_scan(s, (char *)(argv + slots), argv, err);
	if (count < 0) {
		free(argv);
		return NULL;
	}
	argv[count] = NULL;
	*n = (size_t)count;
	return argv;
}
