#!/bin/bash
# SPDX-License-Identifier: MIT
# redis plugin against a real redis-server on 127.0.0.1 (tests/servers/redis.sh):
# PONG, AUTH, ACL user, SELECT, Unix socket, refused, deadline, persistent
# connection across a restart, two instances, init errors.
set -euo pipefail
. "$HC_SRCDIR/tests/cli/lib.sh"

t_need_plugin redis
t_need_cmd redis-server redis-server
t_need_cmd redis-tools redis-cli

SERVER=$HC_SRCDIR/tests/servers/redis.sh
SRV=$T_TMP/srv
trap '"$SERVER" stop "$SRV" || true; t_cleanup' EXIT
"$SERVER" start "$SRV"
. "$SRV/env"
ADDR="127\.0\.0\.1:$REDIS_PORT"

# redis KEY=VALUE...: the plugin once through healthcheckd --plugin.
redis() {
	local args=() kv
	for kv in "$@"; do args+=(--set "$kv"); done
	t_run "$HEALTHCHECKD" --plugin "$HC_PLUGIN_DIR/redis.so" "${args[@]}" --once
}

# connections: how many connections the server has accepted so far.
connections() {
	REDISCLI_AUTH=$REDIS_PASSWORD redis-cli -p "$REDIS_PORT" INFO stats |
		tr -d '\r' | sed -n 's/^total_connections_received://p'
}

redis port="$REDIS_PORT" password="$REDIS_PASSWORD"
t_expect_rc 0
t_expect_out "^redis +pass +[0-9]+\.[0-9] ms +PONG from $ADDR\$"
t_expect_no "$REDIS_PASSWORD"
t_ok "pass with PONG while the server is up"

printf '%s\n' "$REDIS_PASSWORD" >"$T_TMP/pw"
redis port="$REDIS_PORT" password_file="$T_TMP/pw"
t_expect_rc 0
t_expect_out "PONG from $ADDR\$"
t_ok "password_file gives the password"

redis port="$REDIS_PORT" user="$REDIS_USER" password="$REDIS_USER_PASSWORD" db=3
t_expect_rc 0
t_expect_out "PONG from $ADDR db 3\$"
t_ok "ACL user with its own password, SELECT 3"

redis socket="$REDIS_SOCKET" password="$REDIS_PASSWORD"
t_expect_rc 0
t_expect_out "PONG from $REDIS_SOCKET\$"
t_ok "Unix socket"

redis port="$REDIS_PORT" password=wrong-secret-42
t_expect_rc 2
t_expect_out "^redis +fail .* ms +auth failed on $ADDR: WRONGPASS invalid username-password pair or user is disabled\.\$"
t_expect_no wrong-secret-42
t_ok "wrong password: auth failed, the password appears nowhere"

redis port="$REDIS_PORT" user="$REDIS_USER" password="$REDIS_PASSWORD"
t_expect_rc 2
t_expect_out "auth failed on $ADDR: WRONGPASS"
t_expect_no "$REDIS_PASSWORD"
t_ok "another user's password: auth failed"

redis port="$REDIS_PORT"
t_expect_rc 2
t_expect_out "auth failed on $ADDR: NOAUTH Authentication required\.\$"
t_ok "no password for a server that needs one: auth failed (NOAUTH)"

redis port="$REDIS_PORT" password="$REDIS_PASSWORD" db=99
t_expect_rc 2
t_expect_out "^redis +fail .* ms +unknown db index 99 on $ADDR: ERR DB index is out of range\$"
t_ok "unknown db index"

cat >"$T_TMP/two.ini" <<EOF
[check:cache-a]
plugin = redis
port = $REDIS_PORT
password_file = $T_TMP/pw
db = 1

[check:cache-b]
plugin = redis
socket = $REDIS_SOCKET
password_file = $T_TMP/pw
db = 2
EOF
t_run "$HEALTHCHECKD" --plugin-dir "$HC_PLUGIN_DIR" -c "$T_TMP/two.ini" --once
t_expect_rc 0
t_expect_out "^cache-a +pass .* ms +PONG from $ADDR db 1\$"
t_expect_out "^cache-b +pass .* ms +PONG from $REDIS_SOCKET db 2\$"
t_ok "two sections are two independent instances"

# The connections that one hcrun with three runs adds: 1 when it keeps its
# connection (and 1 for the INFO that counts them).
before=$(connections)
printf '\n\n\n' | "$HCRUN" "$HC_PLUGIN_DIR/redis.so" port="$REDIS_PORT" \
	password="$REDIS_PASSWORD" persistent=yes >"$T_TMP/runs"
after=$(connections)
[ "$(grep -c '^pass PONG' "$T_TMP/runs")" -eq 3 ] || { cat "$T_TMP/runs"; t_fail "three passes"; }
[ $((after - before)) -eq 2 ] || t_fail "persistent = yes opened $((after - before - 1)) connections for 3 runs"
t_ok "persistent = yes keeps one connection across runs"

# One instance across a restart: pass, stop, fail, start on the same port,
# pass. hcrun runs the check once per input line.
t_hcrun_start "$T_TMP/restart" "$HC_PLUGIN_DIR/redis.so" port="$REDIS_PORT" password="$REDIS_PASSWORD" \
	persistent=yes db=1
t_hcrun_once 1
"$SERVER" stop "$SRV"
t_hcrun_once 2
REDIS_PORT=$REDIS_PORT "$SERVER" start "$SRV"
t_hcrun_once 3
exec 3>&-
T_OUT=$(cat "$T_TMP/restart")
T_ERR=
T_RC=0
[ "$(sed -n 1p "$T_TMP/restart")" = "pass PONG from 127.0.0.1:$REDIS_PORT db 1" ] || t_fail "run 1 passes"
[ "$(sed -n 2p "$T_TMP/restart")" = "fail connect to 127.0.0.1:$REDIS_PORT: Connection refused" ] || t_fail "run 2 fails: refused"
[ "$(sed -n 3p "$T_TMP/restart")" = "pass PONG from 127.0.0.1:$REDIS_PORT db 1" ] || t_fail "run 3 passes again"
t_ok "persistent = yes survives a server restart"

"$SERVER" stop "$SRV"
redis port="$REDIS_PORT" password="$REDIS_PASSWORD"
t_expect_rc 2
t_expect_out "^redis +fail .* ms +connect to $ADDR: Connection refused\$"
t_expect_no "$REDIS_PASSWORD"
t_ok "server stopped: connection refused"

t_hangpeer accept
start=$(t_now_ms)
redis port="$T_PORT" password=hang-secret timeout=500ms
elapsed=$(($(t_now_ms) - start))
t_expect_rc 2
# The plugin gives up just before the deadline and names the step; on a
# loaded machine the core's bare message, taken at the deadline, may win.
t_expect_out "^redis +fail .* ms +timed out after 500 ms( waiting for AUTH reply from 127\.0\.0\.1:$T_PORT)?\$"
t_expect_no hang-secret
[ "$elapsed" -le 2000 ] || t_fail "took $elapsed ms, more than timeout + 1.5 s"
t_ok "deadline against a peer that never answers ($elapsed ms)"

t_hangpeer backlog
start=$(t_now_ms)
redis port="$T_PORT" timeout=500ms
elapsed=$(($(t_now_ms) - start))
t_expect_rc 2
t_expect_out "^redis +fail .* ms +timed out after 500 ms( connecting to 127\.0\.0\.1:$T_PORT)?\$"
[ "$elapsed" -le 2000 ] || t_fail "took $elapsed ms, more than timeout + 1.5 s"
t_ok "deadline while connecting, SYN unanswered ($elapsed ms)"

redis port=abc
t_expect_rc 3
t_expect_err "port: 'abc' is not a port number \(1-65535\)"
redis port=70000
t_expect_rc 3
t_expect_err "port: '70000' is not a port number \(1-65535\)"
redis db=-1
t_expect_rc 3
t_expect_err "db: '-1' is not a whole number from 0 to 2147483647"
redis socket=relative.sock
t_expect_rc 3
t_expect_err "socket: 'relative.sock' is not an absolute path"
redis socket=/tmp/x.sock port=6379
t_expect_rc 3
t_expect_err "socket: cannot be combined with host or port"
redis user=health
t_expect_rc 3
t_expect_err "user: needs a password"
redis persistent=maybe
t_expect_rc 3
t_expect_err "persistent: 'maybe' is neither yes nor no"
redis password_file="$T_TMP/no-such-file"
t_expect_rc 3
t_expect_err "password_file: cannot read"
redis colour=blue
t_expect_rc 3
t_expect_err "colour"
t_ok "init errors exit 3 naming the key"
