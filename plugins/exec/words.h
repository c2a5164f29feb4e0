/* SPDX-License-Identifier: MIT */
/*
 * words: split a configuration value into words the way sh splits a simple
 * command, without running a shell (no expansions, no operators).
 */
#ifndef HC_EXEC_WORDS_H
#define HC_EXEC_WORDS_H

#include <stddef.h>

/*
 * Split s into words. Blanks (space, tab, newline) separate words; '...'
 * keeps everything up to the next ' literally; "..." keeps everything but
 * lets \ escape " \ $ ` and newline; outside quotes \ takes the next
 * character literally. Quoted and unquoted parts next to each other make
 * one word (a'b c'd is "ab cd"); '' is an empty word.
 *
 * A character that only means something to a shell (| & ; < > ( ) $ `)
 * outside quotes is refused with WORDS_ERR_OPERATOR: without a shell it
 * would silently become an argument, which is never what the writer meant.
 *
 * Returns a NULL-terminated array of *n words in one allocation (free it
 * once with free()), or NULL with *err pointing at a static message
 * ("unbalanced single quote", ...) and *n = 0; NULL with *err NULL means
 * out of memory.
 */
char **words_split(const char *s, size_t *n, const char **err);

/* The message for a shell operator outside quotes. */
#define WORDS_ERR_OPERATOR                                                                         \
	"a shell operator or expansion (| & ; < > ( ) $ `) "                                       \
	"outside quotes: quote it"

#endif /* HC_EXEC_WORDS_H */
