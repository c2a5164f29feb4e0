#!/bin/bash
# SPDX-License-Identifier: MIT
# tcp plugin through `healthcheckd --once`: connect, refusal, deadline and
# init errors, against hangpeer on 127.0.0.1.
set -euo pipefail
. "$HC_SRCDIR/tests/cli/lib.sh"

so=$HC_PLUGIN_DIR/tcp.so
if [ ! -e "$so" ]; then
	echo "$0: $so does not exist (the tcp plugin is always built)" >&2
	exit 99
fi

tcp() { t_run "$HEALTHCHECKD" --plugin "$so" "$@" --once; }

t_hangpeer accept
tcp --set host=127.0.0.1 --set port="$T_PORT"
t_expect_rc 0
t_expect_out "^tcp +pass +[0-9]+\.[0-9] ms +connected to 127\.0\.0\.1:$T_PORT\$"
t_ok "pass when the port accepts"

t_hangpeer accept
kill "${T_PIDS[-1]}"
wait "${T_PIDS[-1]}" 2>/dev/null || true
tcp --set host=127.0.0.1 --set port="$T_PORT"
t_expect_rc 2
t_expect_out "^tcp +fail +[0-9]+\.[0-9] ms +connect to 127\.0\.0\.1:$T_PORT: Connection refused\$"
t_ok "fail when the connection is refused"

t_hangpeer backlog
start=$(t_now_ms)
tcp --set host=127.0.0.1 --set port="$T_PORT" --set timeout=500ms
took=$(( $(t_now_ms) - start ))
t_expect_rc 2
# The plugin gives up just before the deadline and names the address; on a
# loaded machine the core's own "timed out after 500 ms", taken at the
# deadline, may come first. Both are right.
t_expect_out "^tcp +fail +[0-9]+\.[0-9] ms +timed out after 500 ms( connecting to 127\.0\.0\.1:$T_PORT)?\$"
t_ok "fail at the deadline when the SYN is unanswered"
# The deadline is honoured; the margin is generous, not a speed test.
[ "$took" -le 2000 ] || t_fail "took $took ms, limit timeout + 1.5 s"
t_ok "return within timeout + 1.5 s ($took ms)"

tcp --set port=5432
t_expect_rc 3
t_expect_err "host: required"
t_ok "init error naming host when it is missing"

tcp --set host=127.0.0.1 --set port=abc
t_expect_rc 3
t_expect_err "port: 'abc' is not a port number \(1-65535\)"
t_ok "init error naming port when it is not a number"

tcp --set host=127.0.0.1 --set port=65536
t_expect_rc 3
t_expect_err "port: '65536' is not a port number \(1-65535\)"
t_ok "init error naming port when it is above 65535"
