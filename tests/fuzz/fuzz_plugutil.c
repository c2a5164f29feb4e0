/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the key parsers every plugin shares (plugins/common/
 * parse.c, plugutil.c) on one value, the input: bool, uint, double,
 * duration, word, port, host, and the endpoint text made from a host.
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "plugutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const words[] = { "never", "authorized", "always", NULL };
	char *v = fuzz_str(data, size);
	char err[256], host[PU_HOST_MAX + 1], buf[PU_ENDPOINT_MAX + 1];
	struct hc_kv kv = { .key = "k", .value = v };
	struct hc_init_ctx ctx = { .struct_size = sizeof(ctx),
		                   .kv = &kv,
		                   .n_kv = 1,
		                   .error = err,
		                   .error_size = sizeof(err) };
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(5432) };
	struct addrinfo ai = { .ai_family = AF_INET,
		               .ai_addr = (struct sockaddr *)&sin,
		               .ai_addrlen = sizeof(sin) };
	uint64_t u;
	double d;
	int b, port;

	err[0] = '\0';
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	(void)pu_parse_bool(&ctx, "k", &b);
	(void)pu_parse_uint(&ctx, "k", 1, UINT64_MAX, &u);
	(void)pu_parse_double(&ctx, "k", 0, 1e300, &d);
	(void)pu_parse_duration(&ctx, "k", 0, UINT64_MAX, &u);
	(void)pu_parse_word(&ctx, "k", words, &b);
	port = pu_parse_port(&ctx, v);
	if (pu_parse_host(&ctx, v, host) == HC_OK) {
		pu_host_port(buf, sizeof(buf), host, port > 0 ? (unsigned)port : 80);
		pu_endpoint(buf, sizeof(buf), host, "5432", pu_host_numeric(host), &ai);
	}
	if (strnlen(err, sizeof(err)) == sizeof(err))
		abort();
	free(v);
	return 0;
}
