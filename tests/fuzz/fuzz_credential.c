/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the credential plugin's token parsers
 * (plugins/credential/expiry.c): JWT, OAuth token JSON, RFC 3339 times. */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "../../plugins/credential/expiry.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exactly size long, not NUL-terminated: as the plugin reads a file. */
	char *text = malloc(size ? size : 1);
	char *str = fuzz_str(data, size);
	char why[128];
	double exp;

	memcpy(text, data, size);
	(void)cred_detect(text, size);
	if (cred_jwt_exp(text, size, &exp, why, sizeof(why)) != 0 &&
	    strnlen(why, sizeof(why)) == sizeof(why))
		abort();
	if (cred_oauth_exp(text, size, 1700000000.0, &exp, why, sizeof(why)) != 0 &&
	    strnlen(why, sizeof(why)) == sizeof(why))
		abort();
	(void)cred_rfc3339(str, &exp);
	free(str);
	free(text);
	return 0;
}
