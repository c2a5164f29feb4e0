/* SPDX-License-Identifier: MIT */
/* Bearer tokens: read from a file that others cannot read, compared in constant time. */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "token.h"
#include "xalloc.h"

#define TOKEN_MAX 4096

char *hc_token_read(const char *path, char *err, size_t errsz)
{
	char *buf = hc_read_secret_file(path, TOKEN_MAX, err, errsz);
	size_t len, cut;

	if (buf == NULL)
		return NULL;
	/* hc_token_free wipes up to the first NUL: wipe the lines after
	 * the token now, whatever they hold. */
	len = strlen(buf);
	cut = strcspn(buf, "\r\n");
	explicit_bzero(buf + cut, len - cut);
	if (buf[0] == '\0') {
		snprintf(err, errsz, "%s holds no token on its first line", path);
		hc_token_free(buf);
		return NULL;
	}
	return buf;
}

void hc_token_free(char *token)
{
	hc_free_secret(token);
}

bool hc_token_matches(const char *header, const char *token)
{
	size_t hl, tl;
	unsigned char diff = 0;

	if (header == NULL || token == NULL || strncasecmp(header, "Bearer ", 7) != 0)
		return false;
	header += 7;
	header += strspn(header, " ");
	hl = strlen(header);
	tl = strlen(token);
	/* Every byte of the token is compared whatever the header holds, so
	 * the time taken says nothing of how much of a guess was right. */
	for (size_t i = 0; i < tl; i++)
		diff |= (unsigned char)(token[i] ^ (i < hl ? header[i] : 0));
	return diff == 0 && hl == tl;
}
