#!/bin/bash
# SPDX-License-Identifier: MIT
# memcached plugin against a real memcached on loopback (TCP and a Unix
# socket): pass, refused, deadline, a peer that is not memcached, two
# instances, init errors.
set -euo pipefail
. "$HC_SRCDIR/tests/cli/lib.sh"

so=$HC_PLUGIN_DIR/memcached.so
t_need_plugin memcached
t_need_cmd memcached memcached

servers=$HC_SRCDIR/tests/servers/memcached.sh
tcp_dir=$T_TMP/tcp
sock_dir=$T_TMP/sock
trap '"$servers" stop "$tcp_dir" || true; "$servers" stop "$sock_dir" || true; t_cleanup' EXIT

mc() { t_run "$HEALTHCHECKD" --plugin "$so" "$@" --once; }

"$servers" start "$tcp_dir"
. "$tcp_dir/env"
MEMCACHED_SOCKET=$sock_dir/mc.sock "$servers" start "$sock_dir"
. "$sock_dir/env"
port=$MEMCACHED_PORT
sock=$MEMCACHED_SOCKET
version='1\.[0-9]+\.[0-9]+'

mc --set host=127.0.0.1 --set port="$port"
t_expect_rc 0
t_expect_out "^memcached +pass +[0-9]+\.[0-9] ms +memcached $version on 127\.0\.0\.1:$port\$"
t_ok "pass over TCP while memcached is up; the message has its version"

mc --set socket="$sock"
t_expect_rc 0
t_expect_out "^memcached +pass +[0-9]+\.[0-9] ms +memcached $version on $sock\$"
t_ok "pass over the Unix socket"

mc --set port="$port" --format json
t_expect_rc 0
python3 - "$T_TMP/out" <<'PY' || t_fail "no latency observation in the /health JSON"
import json, sys
c = json.load(open(sys.argv[1]))["checks"]["memcached:responseTime"][0]
assert c["observedUnit"] == "ms" and c["observedValue"] >= 0, c
PY
t_ok "host defaults to 127.0.0.1; the observed value is the latency in ms"

t_hangpeer accept
start=$(t_now_ms)
mc --set port="$T_PORT" --set timeout=500ms
took=$(( $(t_now_ms) - start ))
t_expect_rc 2
# The core's own "timed out after 500 ms" may win on a loaded machine.
t_expect_out "^memcached +fail .* ms +timed out after 500 ms( waiting for the version reply from 127\.0\.0\.1:$T_PORT)?\$"
[ "$took" -lt 2000 ] || t_fail "a peer that never answers held the check for $took ms (timeout 500 ms)"
t_ok "deadline: a peer that accepts and never answers fails at the timeout ($took ms)"

if [ -x /usr/bin/python3 ]; then
	# Something else on the port: answers every connection with HTTP.
	/usr/bin/python3 -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept()
    c.recv(64)
    c.sendall(b"HTTP/1.0 400 Bad Request\r\n\r\n")
    c.close()
' >"$T_TMP/http.port" &
	T_PIDS+=($!)
	for i in $(seq 1 100); do [ -s "$T_TMP/http.port" ] && break; sleep 0.05; done
	http_port=$(head -n1 "$T_TMP/http.port")
	mc --set port="$http_port"
	t_expect_rc 2
	t_expect_out "^memcached +fail .* ms +unexpected reply to version from 127\.0\.0\.1:$http_port: \"HTTP/1\.0 400 Bad Request\"\$"
	t_ok "a peer that answers something else fails with its reply"
else
	echo "ok - a peer that answers something else # SKIP /usr/bin/python3 missing"
fi

mc --set port=abc
t_expect_rc 3
t_expect_err "port: 'abc' is not a port number \(1-65535\)"
t_ok "init error naming port when it is not a number"

mc --set socket=run/mc.sock
t_expect_rc 3
t_expect_err "socket: 'run/mc\.sock' is not an absolute path"
t_ok "init error naming socket when it is relative"

mc --set socket="$sock" --set host=127.0.0.1
t_expect_rc 3
t_expect_err "socket: cannot be combined with host"
t_ok "init error when socket and host are both given"

"$servers" stop "$tcp_dir"
mc --set port="$port"
t_expect_rc 2
t_expect_out "^memcached +fail .* ms +connect to 127\.0\.0\.1:$port: Connection refused\$"
t_ok "fail with connection refused when memcached is stopped"

cat >"$T_TMP/two.ini" <<INI
[check:cache-sock]
plugin = memcached
socket = $sock
[check:cache-tcp]
plugin = memcached
port = $port
INI
t_run "$HEALTHCHECKD" -t -c "$T_TMP/two.ini" --plugin-dir "$HC_PLUGIN_DIR"
t_expect_rc 0
t_expect_out_exact "configuration OK"
t_run "$HEALTHCHECKD" --once -c "$T_TMP/two.ini" --plugin-dir "$HC_PLUGIN_DIR"
t_expect_rc 2
t_expect_out "^cache-sock +pass .* ms +memcached $version on $sock\$"
t_expect_out "^cache-tcp +fail .* ms +connect to 127\.0\.0\.1:$port: Connection refused\$"
t_ok "two sections are two independent instances; -t does no network I/O"

"$servers" stop "$sock_dir"
mc --set socket="$sock"
t_expect_rc 2
t_expect_out "^memcached +fail .* ms +connect to $sock: (Connection refused|No such file or directory)\$"
t_ok "fail over the Unix socket when memcached is stopped"
