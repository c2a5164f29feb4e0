#!/bin/bash
# SPDX-License-Identifier: MIT
# mongodb plugin against tests/tools/mongo_double, a wire-protocol test
# double on 127.0.0.1 (Debian ships no MongoDB server): ping, refused,
# deadlines, an error reply, credentials never echoed, two instances, init
# errors.
set -euo pipefail
. "$HC_SRCDIR/tests/cli/lib.sh"

t_need_plugin mongodb
# Built next to hangpeer when the plugin is (plugins/mongodb/local.mk).
MONGO_DOUBLE=$(dirname "$HANGPEER")/mongo_double
if [ ! -x "$MONGO_DOUBLE" ]; then
	echo "$0: $MONGO_DOUBLE is missing (run it through make check)" >&2
	exit 99
fi

# After a SCRAM attempt (user + password), LeakSanitizer's own tracer
# crashes at exit scanning a dynamic TLS block of the main thread ("Tracer
# caught signal 11", DTLS at 0xdc: GCC 12's libsanitizer with glibc 2.36), before
# it looks for a single leak. Those calls run with leak detection off; every
# other call keeps it. ASan's other checks stay on for them.
no_lsan() { ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 "$@"; }

# start_double MODE: run the double in MODE until the end of the test; set
# D_PORT, D_PID and D_LOG (the commands it read, one a line).
start_double() {
	t_peer "double.$1" "$MONGO_DOUBLE" "$1"
	D_PORT=$T_PORT D_PID=$T_PEER D_LOG=$T_TMP/double.$1.log
}

# mongodb KEY=VALUE...: the plugin once through healthcheckd --plugin.
mongodb() {
	local args=() kv
	for kv in "$@"; do args+=(--set "$kv"); done
	t_run "$HEALTHCHECKD" --plugin "$HC_PLUGIN_DIR/mongodb.so" "${args[@]}" --once
}

start_double ok
OK_PORT=$D_PORT
OK_LOG=$D_LOG
mongodb host=127.0.0.1 port="$OK_PORT"
t_expect_rc 0
t_expect_out "^mongodb +pass +[0-9]+\.[0-9] ms +ping answered by 127\.0\.0\.1:$OK_PORT\$"
# libmongoc's handshake is an OP_QUERY isMaster, then ping comes as OP_MSG.
[ "$(cat "$OK_LOG")" = "OP_QUERY isMaster
OP_MSG ping" ] || { cat "$OK_LOG"; t_fail "the double saw isMaster, then ping"; }
t_ok "pass when ping answers ok (against the test double)"

mongodb uri="mongodb://127.0.0.1:$OK_PORT/?appname=orders-health"
t_expect_rc 0
t_expect_out "ping answered by 127\.0\.0\.1:$OK_PORT\$"
t_ok "uri instead of host and port"

start_double autherr
mongodb port="$D_PORT"
t_expect_rc 2
t_expect_out "^mongodb +fail .* ms +auth failed on 127\.0\.0\.1:$D_PORT: Authentication failed\.\$"
t_ok "an error reply to ping fails with the server's message"

mongodb uri="mongodb://health:uri-secret-17@127.0.0.1:$OK_PORT/"
t_expect_rc 2
t_expect_out "auth failed on 127\.0\.0\.1:$OK_PORT: "
[ "$(tail -n 1 "$OK_LOG")" = "OP_MSG saslStart" ] || t_fail "the plugin authenticated"
t_expect_no uri-secret-17
t_ok "password inline in the uri: used, auth failed, never echoed"

printf 'file-secret-23\n' >"$T_TMP/pw"
no_lsan mongodb port="$OK_PORT" user=health password_file="$T_TMP/pw" database=orders
t_expect_rc 2
t_expect_out "auth failed on 127\.0\.0\.1:$OK_PORT: "
t_expect_no file-secret-23
t_ok "user and password_file: auth attempted, password never echoed"

mongodb uri="mongodb://health:uri-secret-17@127.0.0.1:$OK_PORT/?connectTimeout=5"
t_expect_rc 3
t_expect_err "uri: Unsupported URI option \"connecttimeout\""
t_expect_no uri-secret-17
mongodb uri="mongodb://health:uri@secret-17@127.0.0.1:$OK_PORT/"
t_expect_rc 3
t_expect_err "uri: the user name and password must have .* percent-encoded"
t_expect_no secret-17
t_ok "a bad uri holding a password: init error, password never echoed"

cat >"$T_TMP/two.ini" <<EOF
[check:orders-db]
plugin = mongodb
port = $OK_PORT

[check:audit-db]
plugin = mongodb
port = $D_PORT
EOF
t_run "$HEALTHCHECKD" --plugin-dir "$HC_PLUGIN_DIR" -c "$T_TMP/two.ini" --once
t_expect_rc 2
t_expect_out "^orders-db +pass .* ms +ping answered by 127\.0\.0\.1:$OK_PORT\$"
t_expect_out "^audit-db +fail .* ms +auth failed on 127\.0\.0\.1:$D_PORT: Authentication failed\.\$"
t_ok "two sections are two independent instances"

start_double ok
kill "$D_PID"
wait "$D_PID" 2>/dev/null || true
mongodb uri="mongodb://health:down-secret-5@127.0.0.1:$D_PORT/"
t_expect_rc 2
t_expect_out "^mongodb +fail .* ms +server selection failed for 127\.0\.0\.1:$D_PORT: No suitable servers found .*connection refused calling hello on '127\.0\.0\.1:$D_PORT'\]\$"
t_expect_no down-secret-5
t_ok "server stopped: server selection failed, connection refused"

# The plugin gives up just before the deadline and says where; on a loaded
# machine the core's bare message, taken at the deadline, may win.
start_double hang
start=$(t_now_ms)
mongodb port="$D_PORT" timeout=500ms
elapsed=$(($(t_now_ms) - start))
t_expect_rc 2
t_expect_out "^mongodb +fail .* ms +timed out after 500 ms( on 127\.0\.0\.1:$D_PORT: .*socket timeout calling hello.*)?\$"
[ "$elapsed" -le 2000 ] || t_fail "took $elapsed ms, more than timeout + 1.5 s"
t_ok "deadline against a peer that accepts and never answers ($elapsed ms)"

start_double hangping
start=$(t_now_ms)
mongodb port="$D_PORT" timeout=500ms
elapsed=$(($(t_now_ms) - start))
t_expect_rc 2
t_expect_out "^mongodb +fail .* ms +timed out after 500 ms( on 127\.0\.0\.1:$D_PORT: Failed to send \"ping\" command.*)?\$"
[ "$elapsed" -le 2000 ] || t_fail "took $elapsed ms, more than timeout + 1.5 s"
t_ok "deadline against a server that answers the handshake, not ping ($elapsed ms)"

mongodb uri=mongodb://127.0.0.1/ port=27017
t_expect_rc 3
t_expect_err "uri: cannot be combined with host or port"
mongodb uri=http://127.0.0.1/
t_expect_rc 3
t_expect_err "uri: Invalid URI Schema"
mongodb port=abc
t_expect_rc 3
t_expect_err "port: 'abc' is not a port number \(1-65535\)"
mongodb host='db/?x=1'
t_expect_rc 3
t_expect_err "host: 'db/\?x=1' is not an address or name"
mongodb password=x
t_expect_rc 3
t_expect_err "password: needs user"
mongodb user=u database=a.b
t_expect_rc 3
t_expect_err "database: 'a\.b' is not a database name"
mongodb colour=blue
t_expect_rc 3
t_expect_err "colour"
t_ok "init errors exit 3 naming the key"
