#!/bin/bash
# SPDX-License-Identifier: MIT
# The SDK promise: a plugin built from plugin.h alone, with a plain
# `cc -shared -fPIC`, loads and runs; the header is valid C11 and C++11.
set -euo pipefail
. "$HC_SRCDIR/tests/cli/lib.sh"

cat >"$T_TMP/hello.c" <<'C'
#include <stdlib.h>
#include <string.h>
#include <healthcheckd/plugin.h>

static const struct hc_key keys[] = {
	{ "greeting", "what to say", 0 },
	{ "token", "a secret", HC_KEY_SECRET },
	{ NULL, NULL, 0 }
};

struct hello { char greeting[64]; };

static int hello_init(const struct hc_init_ctx *ctx, void **instance)
{
	const char *g = hc_kv_get(ctx, "greeting");
	struct hello *h;

	if (g == NULL)
		return hc_init_error(ctx, "greeting is required");
	h = (struct hello *)calloc(1, sizeof(*h));
	if (h == NULL)
		return HC_ENOMEM;
	strncpy(h->greeting, g, sizeof(h->greeting) - 1);
	*instance = h;
	return HC_OK;
}

static int hello_check(void *instance, const struct hc_check_ctx *ctx, struct hc_result *r)
{
	struct hello *h = (struct hello *)instance;

	hc_result_observe(r, (double)hc_remaining_ms(ctx), "ms");
	return hc_result_set(r, HC_PASS, "%s (run %llu)", h->greeting,
	                     (unsigned long long)ctx->run);
}

static void hello_teardown(void *instance)
{
	free(instance);
}

HC_PLUGIN_DEFINE("hello", "0.0.1", "out-of-tree test plugin", keys,
                 hello_init, hello_check, hello_teardown);
C

"${CC:-cc}" -std=c11 -pedantic -Wall -Wextra -Werror -shared -fPIC \
	-I"$HC_SRCDIR/include" -o "$T_TMP/hello.so" "$T_TMP/hello.c"
t_run "$HEALTHCHECKD" --plugin "$T_TMP/hello.so" --set greeting=hi --once
t_expect_rc 0
t_expect_out '^hello  pass +[0-9.]+ ms  hi \(run 1\)$'
t_ok "a plugin built from the header alone with cc -shared -fPIC loads and runs"

t_run "$HEALTHCHECKD" --plugin "$T_TMP/hello.so" --once
t_expect_rc 3
t_expect_err_exact "$T_TMP/hello.so: plugin hello: greeting is required"
t_ok "its init error reaches the user"

if command -v "${CXX:-c++}" >/dev/null 2>&1; then
	cp "$T_TMP/hello.c" "$T_TMP/hello.cc"
	"${CXX:-c++}" -std=c++11 -pedantic -Wall -Wextra -Werror -shared -fPIC \
		-I"$HC_SRCDIR/include" -o "$T_TMP/hello.so" "$T_TMP/hello.cc"
	t_run "$HEALTHCHECKD" --plugin "$T_TMP/hello.so" --set greeting=hi --once
	t_expect_rc 0
	t_ok "the same plugin compiled as C++11 loads and runs"
else
	echo "SKIP: no C++ compiler; the C++11 build of the header was not tried"
fi

# In-tree plugins link with -z defs: one calling into the core fails to link.
cat >"$T_TMP/bad.c" <<'C'
void hc_log(int level, const char *fmt, ...);
void bad(void);
void bad(void) { hc_log(3, "x"); }
C
if "${CC:-cc}" -shared -fPIC -Wl,-z,defs -o "$T_TMP/bad.so" "$T_TMP/bad.c" 2>"$T_TMP/ld.err"; then
	t_fail "a plugin calling a core symbol linked with -z defs"
fi
grep -q "undefined reference to .hc_log" "$T_TMP/ld.err" || t_fail "unexpected linker error: $(cat "$T_TMP/ld.err")"
t_ok "-Wl,-z,defs refuses a plugin that calls a core symbol"

# The README's example plugin builds and runs as the README says.
sed -n '/^\/\* ping\.c:/,/^```$/p' "$HC_SRCDIR/README.md" | sed '$d' >"$T_TMP/ping.c"
[ -s "$T_TMP/ping.c" ] || t_fail "no ping.c example found in README.md"
"${CC:-cc}" -Wall -Wextra -Werror -shared -fPIC -I"$HC_SRCDIR/include" \
	-o "$T_TMP/ping.so" "$T_TMP/ping.c"
t_run "$HEALTHCHECKD" --plugin "$T_TMP/ping.so" --set "path=$T_TMP/ping.c" --once
t_expect_rc 0
t_expect_out "^ping  pass +[0-9.]+ ms  $T_TMP/ping.c exists\$"
t_ok "the README's example plugin builds and runs"

# The loader's messages tell the author what to do.
t_run "$HEALTHCHECKD" --plugin "$T_TMP/nowhere/hello.so" --once
t_expect_rc 3
t_expect_err "^$T_TMP/nowhere/hello.so: no such file\$"
t_ok "a plugin path that does not exist says so"

cp "$T_TMP/hello.so" "$T_TMP/greet.so"
t_run "$HEALTHCHECKD" --plugin "$T_TMP/greet.so" --set greeting=hi --once
t_expect_rc 3
t_expect_err "the file is greet\.so: rename the file hello\.so"
t_ok "a plugin file named differently is told the name it must have"

# libm's lgamma without -lm: cc -shared links it, dlopen refuses it.
cat >"$T_TMP/gamma.c" <<'C'
#include <math.h>
#include <stdlib.h>
#include <healthcheckd/plugin.h>
static const struct hc_key keys[] = { { "x", "argument", 0 }, { NULL, NULL, 0 } };
static int g_init(const struct hc_init_ctx *ctx, void **instance)
{
	double *x = malloc(sizeof(*x));
	if (x == NULL)
		return HC_ENOMEM;
	*x = atof(hc_kv_get(ctx, "x") ? hc_kv_get(ctx, "x") : "1");
	*instance = x;
	return HC_OK;
}
static int g_check(void *instance, const struct hc_check_ctx *ctx, struct hc_result *r)
{
	(void)ctx;
	return hc_result_set(r, HC_PASS, "%g", lgamma(*(double *)instance));
}
static void g_teardown(void *instance) { free(instance); }
HC_PLUGIN_DEFINE("gamma", "0.0.1", "needs libm", keys, g_init, g_check, g_teardown);
C
"${CC:-cc}" -shared -fPIC -fno-builtin -I"$HC_SRCDIR/include" -o "$T_TMP/gamma.so" "$T_TMP/gamma.c"
t_run "$HEALTHCHECKD" --plugin "$T_TMP/gamma.so" --once
t_expect_rc 3
t_expect_err "cannot load: it uses lgamma, which no library it is linked with defines: link the library that provides lgamma"
t_expect_no "ldd"
t_ok "a library the plugin forgot to link is named, with the advice to link it"
"${CC:-cc}" -shared -fPIC -fno-builtin -I"$HC_SRCDIR/include" -o "$T_TMP/gamma.so" "$T_TMP/gamma.c" -lm
t_run "$HEALTHCHECKD" --plugin "$T_TMP/gamma.so" --set x=4 --once
t_expect_rc 0
t_expect_out '^gamma  pass .*  1\.79176$'
t_ok "linked with -lm, the same plugin loads"
