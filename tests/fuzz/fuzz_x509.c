/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the shared PEM/x509 loader (plugins/common/x509.c) on
 * a file made from the input, and the expiry it finds there. */
#include "autoconfig.h"

#include <limits.h>
#include <stdio.h>

#include "../../plugins/common/x509.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[PATH_MAX], why[256];
	struct pux509_expiry e;
	struct hc_result r = { 0 };
	STACK_OF(X509) * certs;

	fuzz_write("cert.pem", data, size);
	snprintf(path, sizeof(path), "%s/cert.pem", fuzz_dir());
	certs = pux509_load_file(path, why, sizeof(why));
	if (certs == NULL)
		return 0;
	if (pux509_expiry(certs, &e) == 0)
		pux509_judge(&r, &e, 7 * 86400.0, 86400.0, path);
	sk_X509_pop_free(certs, X509_free);
	return 0;
}
