#!/bin/bash
# SPDX-License-Identifier: MIT
# mysql plugin against a real MariaDB on loopback: pass over TCP and the
# socket, wrong password, unknown database, the deadline, password_file,
# persistent connections across a restart, two instances, init errors.
set -euo pipefail
. "$HC_SRCDIR/tests/cli/lib.sh"
. "$HC_SRCDIR/tests/servers/lib.sh"

so=$HC_PLUGIN_DIR/mysql.so
t_need_plugin mysql
t_need_cmd mariadb-server mariadbd mariadb-install-db

servers=$HC_SRCDIR/tests/servers/mysql.sh
srv=$T_TMP/srv
trap '"$servers" stop "$srv" || true; t_cleanup' EXIT

"$servers" start "$srv"
. "$srv/env"
port=$MYSQL_PORT
login=(--set user="$MYSQL_USER" --set password="$MYSQL_PASSWORD")
ok="ping ok: server [0-9]+\.[0-9]+\.[0-9]+-MariaDB[^ ]*"

# frozen PID: every thread of PID is stopped (SIGSTOP has taken effect).
frozen() {
	local states
	states=$(grep -h '^State:' /proc/"$1"/task/*/status)
	[[ $(grep -v 'T (stopped)' <<<"$states") == "" ]]
}

my() { t_run "$HEALTHCHECKD" --plugin "$so" "$@" --once; }

# connections: how many connections the server has accepted so far (this
# query's own included).
connections() {
	MYSQL_PWD=$MYSQL_PASSWORD mariadb --no-defaults --protocol=tcp \
		-h 127.0.0.1 -P "$port" -u "$MYSQL_USER" -N -B \
		-e "SHOW GLOBAL STATUS LIKE 'Connections'" | cut -f2
}

my --set port="$port" "${login[@]}" --set database="$MYSQL_DATABASE"
t_expect_rc 0
t_expect_out "^mysql +pass +[0-9]+\.[0-9] ms +$ok on 127\.0\.0\.1:$port\$"
t_expect_no "$MYSQL_PASSWORD"
t_ok "pass over TCP while the server is up, with the server's version"

my --set socket="$MYSQL_SOCKET" "${login[@]}"
t_expect_rc 0
t_expect_out "^mysql +pass .* ms +$ok on $MYSQL_SOCKET\$"
t_ok "pass over the Unix socket"

my --set host=localhost --set port="$port" "${login[@]}" --format json
t_expect_rc 0
python3 - "$T_TMP/out" <<'PY' || t_fail "no latency observation in the /health JSON"
import json, sys
c = json.load(open(sys.argv[1]))["checks"]["mysql:responseTime"][0]
assert c["observedUnit"] == "ms" and c["observedValue"] > 0, c
PY
t_ok "host = localhost goes over TCP, not the default socket; latency in ms"

wrong="wrong-Pa55-$RANDOM"
my --set port="$port" --set user="$MYSQL_USER" --set password="$wrong"
t_expect_rc 2
t_expect_out "^mysql +fail .* ms +auth failed on 127\.0\.0\.1:$port: Access denied for user '$MYSQL_USER'@'127\.0\.0\.1' \(using password: YES\)\$"
t_expect_no "$wrong"
t_ok "wrong password: auth failed, and the password appears nowhere"

my --set port="$port" "${login[@]}" --set database=nope
t_expect_rc 2
t_expect_out "^mysql +fail .* ms +unknown database 'nope' on 127\.0\.0\.1:$port\$"
t_ok "unknown database"

printf '%s\n' "$MYSQL_PASSWORD" >"$T_TMP/pw"
my --set port="$port" --set user="$MYSQL_USER" --set password_file="$T_TMP/pw"
t_expect_rc 0
t_expect_out "^mysql +pass .* ms +$ok on 127\.0\.0\.1:$port\$"
t_expect_no "$MYSQL_PASSWORD"
t_ok "password_file works"

t_hangpeer accept
start=$(t_now_ms)
my --set port="$T_PORT" "${login[@]}" --set timeout=500ms
took=$(( $(t_now_ms) - start ))
t_expect_rc 2
# The core's own "timed out after 500 ms" may win on a loaded machine.
t_expect_out "^mysql +fail .* ms +timed out after 500 ms( connecting to 127\.0\.0\.1:$T_PORT)?\$"
[ "$took" -lt 2000 ] || t_fail "a peer that never answers held the check for $took ms (timeout 500 ms)"
t_ok "deadline: a peer that accepts and never greets fails at the timeout ($took ms)"

cat >"$T_TMP/two.ini" <<INI
[check:orders-db]
plugin = mysql
port = $port
user = $MYSQL_USER
password_file = $T_TMP/pw
database = $MYSQL_DATABASE
[check:missing-db]
plugin = mysql
socket = $MYSQL_SOCKET
user = $MYSQL_USER
password_file = $T_TMP/pw
database = nope
INI
t_run "$HEALTHCHECKD" --once -c "$T_TMP/two.ini" --plugin-dir "$HC_PLUGIN_DIR"
t_expect_rc 2
t_expect_out "^orders-db +pass .* ms +$ok on 127\.0\.0\.1:$port\$"
t_expect_out "^missing-db +fail .* ms +unknown database 'nope' on $MYSQL_SOCKET\$"
t_ok "two sections are two independent instances"

# persistent = yes: one instance across runs, one line of stdin per run.
coproc HC { "$HCRUN" "$so" port="$port" user="$MYSQL_USER" \
	password="$MYSQL_PASSWORD" persistent=yes timeout=1s 2>"$T_TMP/hcrun.err"; }
# bash unsets HC and HC_PID once the coprocess ends: keep copies.
hcrun_pid=$HC_PID hc_in=${HC[1]} hc_out=${HC[0]}
# run EXPECTED-REGEX: one run of the kept instance.
run() {
	local line
	echo >&"$hc_in"
	IFS= read -r -t 10 line <&"$hc_out" || line="(no answer from hcrun)"
	T_RC=0 T_OUT=$line T_ERR=
	grep -Eq -- "$1" <<<"$line" || t_fail "hcrun printed '$line', not /$1/"
}
before=$(connections)
run "^pass $ok on 127\.0\.0\.1:$port\$"
run "^pass $ok on 127\.0\.0\.1:$port\$"
run "^pass $ok on 127\.0\.0\.1:$port\$"
after=$(connections)
# Three runs, one connection (the second query is the other one).
[ $((after - before)) -eq 2 ] || t_fail "3 persistent runs made $((after - before - 1)) connections, not 1"
t_ok "persistent = yes keeps one connection across runs"

"$servers" stop "$srv"
run "^fail connect to 127\.0\.0\.1:$port: Connection refused\$"
MYSQL_PORT=$port "$servers" start "$srv"
run "^pass $ok on 127\.0\.0\.1:$port\$"
t_ok "persistent = yes survives a server restart: pass, fail while stopped, pass"

"$servers" stop "$srv"
MYSQL_PORT=$port "$servers" start "$srv"
run "^pass $ok on 127\.0\.0\.1:$port \(reconnected\)\$"
t_ok "a kept connection lost to a restart between runs is replaced in the same run"

# A server that stops answering: the kept connection's ping hits the
# deadline (SIGSTOP freezes mariadbd; SIGCONT resumes it).
server_pid=$(cat "$srv/server.pid")
kill -STOP "$server_pid"
# kill returns before every thread has stopped: wait until none runs.
srv_wait 5 frozen "$server_pid" || t_fail "mariadbd did not stop on SIGSTOP"
run "^fail timed out after 1000 ms( waiting for the ping reply from 127\.0\.0\.1:$port)?\$"
# The plugin's own message when it gave up in time; the core's bare one
# when, on a loaded machine, it returned after the deadline's grace: then
# hcrun stops and says so (exit 2) instead of tearing a busy instance down.
late=0
[ "$T_OUT" = "fail timed out after 1000 ms" ] && late=1
kill -CONT "$server_pid"
t_ok "a kept connection whose ping gets no reply fails at the deadline"
eval "exec $hc_in>&-"
rc=0
wait "$hcrun_pid" || rc=$?
T_RC=$rc T_OUT= T_ERR=$(cat "$T_TMP/hcrun.err")
t_expect_rc $((late ? 2 : 0))
t_expect_err_exact ""
t_ok "the kept instance tears down cleanly (exit 0, nothing on stderr), or hcrun says the call ran late (2)"

my --set port="$port"
t_expect_rc 3
t_expect_err "user: required"
t_ok "init error naming user when it is missing"

my --set port=abc --set user=x
t_expect_rc 3
t_expect_err "port: 'abc' is not a port number \(1-65535\)"
t_ok "init error naming port when it is not a number"

my --set socket="$MYSQL_SOCKET" --set host=127.0.0.1 --set user=x
t_expect_rc 3
t_expect_err "socket: cannot be combined with host"
t_ok "init error when socket and host are both given"

my --set user=x --set persistent=maybe
t_expect_rc 3
t_expect_err "persistent: 'maybe' is neither yes nor no"
t_ok "init error naming persistent when it is not yes or no"

"$servers" stop "$srv"
my --set port="$port" "${login[@]}"
t_expect_rc 2
t_expect_out "^mysql +fail .* ms +connect to 127\.0\.0\.1:$port: Connection refused\$"
t_ok "fail with connection refused when the server is stopped"

t_run "$HEALTHCHECKD" -t -c "$T_TMP/two.ini" --plugin-dir "$HC_PLUGIN_DIR"
t_expect_rc 0
t_expect_out_exact "configuration OK"
t_ok "-t validates while the server is down (init does no network I/O)"
