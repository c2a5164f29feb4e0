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

# zlib's zlibVersion without -lz: cc -shared links it, dlopen refuses it.
# (Not a libm function: a sanitizer build links libm into the daemon, and
# its runtime defines some of them, so they resolve from the executable.)
cat >"$T_TMP/zver.c" <<'C'
#include <healthcheckd/plugin.h>
extern const char *zlibVersion(void);
static const struct hc_key keys[] = { { NULL, NULL, 0 } };
static int z_init(const struct hc_init_ctx *ctx, void **instance)
{
	(void)ctx;
	*instance = NULL;
	return HC_OK;
}
static int z_check(void *instance, const struct hc_check_ctx *ctx, struct hc_result *r)
{
	(void)instance;
	(void)ctx;
	return hc_result_set(r, HC_PASS, "zlib %s", zlibVersion());
}
static void z_teardown(void *instance) { (void)instance; }
HC_PLUGIN_DEFINE("zver", "0.0.1", "needs zlib", keys, z_init, z_check, z_teardown);
C
"${CC:-cc}" -shared -fPIC -I"$HC_SRCDIR/include" -o "$T_TMP/zver.so" "$T_TMP/zver.c"
t_run "$HEALTHCHECKD" --plugin "$T_TMP/zver.so" --once
t_expect_rc 3
t_expect_err "cannot load: it uses zlibVersion, which no library it is linked with defines: link the library that provides zlibVersion"
t_expect_no "ldd"
t_ok "a library the plugin forgot to link is named, with the advice to link it"
"${CC:-cc}" -shared -fPIC -I"$HC_SRCDIR/include" -o "$T_TMP/zver.so" "$T_TMP/zver.c" -l:libz.so.1
t_run "$HEALTHCHECKD" --plugin "$T_TMP/zver.so" --once
t_expect_rc 0
t_expect_out '^zver  pass .*  zlib 1\.[0-9.]+$'
t_ok "linked with zlib, the same plugin loads"
