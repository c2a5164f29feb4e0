/* SPDX-License-Identifier: MIT */
/* Bearer tokens: read from a file that others cannot read, compared in constant time. */
#ifndef HC_TOKEN_H
#define HC_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

/* The first line of path, or NULL with the reason in err: the file cannot
 * be read, is readable by everyone (mode o+r), or its first line is empty. */
char *hc_token_read(const char *path, char *err, size_t errsz);
/* Wipe and free a token. */
void hc_token_free(char *token);
/* Does the Authorization header value carry "Bearer TOKEN"? Constant time
 * in the token's content. */
bool hc_token_matches(const char *header, const char *token);

#endif
