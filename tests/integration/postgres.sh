#!/bin/bash
# SPDX-License-Identifier: MIT
# postgres plugin against a real PostgreSQL 15 on 127.0.0.1 (started by
# tests/servers/postgres.sh): pass, refused, auth failed, unknown database,
# the deadline, persistent connections across a restart, saturation, two
# instances, init errors and secrets.
set -euo pipefail
. "$HC_SRCDIR/tests/cli/lib.sh"
. "$HC_SRCDIR/tests/servers/lib.sh"

plugin=$HC_PLUGIN_DIR/postgres.so
server=$HC_SRCDIR/tests/servers/postgres.sh
bindir=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
t_need_plugin postgres
if [ ! -x "$bindir/pg_ctl" ]; then
	echo "SKIP: $bindir/pg_ctl not found (install the postgresql-15 package)"
	exit 77
fi


srv=$T_TMP/srv
trap '"$server" stop "$srv" || true; t_cleanup' EXIT
"$server" start "$srv"
. "$srv/env"
ep="127\.0\.0\.1:$POSTGRES_PORT"

# pg ARGS...: the plugin once through healthcheckd --once.
pg() { t_run "$HEALTHCHECKD" --plugin "$plugin" "$@" --once; }
# tcp_keys: the separate keys of the password login over TCP.
login=(--set host=127.0.0.1 --set "port=$POSTGRES_PORT"
	--set "user=$POSTGRES_USER" --set "password=$POSTGRES_PASSWORD")
tcp_keys=("${login[@]}" --set "database=$POSTGRES_DB")
# A line of --once output: name, status, latency, message.
line() { echo "^postgres +$1 +[0-9]+\.[0-9] ms  $2\$"; }
pass_msg="SELECT 1 ok on $ep, database $POSTGRES_DB \(PostgreSQL 15\.[0-9]+\)"
# psql as the superuser over the socket, for looking at the server.
psql_super() {
	(cd / && srv_as_user postgres "$bindir/psql" -X -At -h "$POSTGRES_SOCKET" \
		-p "$POSTGRES_PORT" -U "$POSTGRES_SUPERUSER" -d postgres -c "$1")
}
# no_sleeper: the server runs no pg_sleep(30) of ours.
no_sleeper() {
	[ "$(psql_super "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)' AND pid <> pg_backend_pid()")" = 0 ]
}

pg "${tcp_keys[@]}"
t_expect_rc 0
t_expect_out "$(line pass "$pass_msg")"
t_expect_no "$POSTGRES_PASSWORD"
t_ok "pass while the server is up (host, port, user, password, database)"

pg --set "conninfo=host=127.0.0.1 port=$POSTGRES_PORT user=$POSTGRES_USER password=$POSTGRES_PASSWORD dbname=$POSTGRES_DB"
t_expect_rc 0
t_expect_out "$(line pass "$pass_msg")"
t_ok "conninfo with an inline password passes"

pg --set "conninfo=postgresql://$POSTGRES_USER@127.0.0.1:$POSTGRES_PORT/$POSTGRES_DB" \
	--set "password=$POSTGRES_PASSWORD"
t_expect_rc 0
t_expect_out "$(line pass "$pass_msg")"
t_ok "a URI in conninfo, with the password key overriding it"

printf '127.0.0.1:%s:%s:%s:%s\n' "$POSTGRES_PORT" "$POSTGRES_DB" \
	"$POSTGRES_USER" "$POSTGRES_PASSWORD" >"$T_TMP/pgpass"
chmod 600 "$T_TMP/pgpass"
pg --set "conninfo=host=127.0.0.1 port=$POSTGRES_PORT user=$POSTGRES_USER dbname=$POSTGRES_DB passfile=$T_TMP/pgpass"
t_expect_rc 0
t_expect_out "$(line pass "$pass_msg")"
t_ok "libpq's passfile works through conninfo"

printf '%s\n' "$POSTGRES_PASSWORD" >"$T_TMP/pw"
pg --set host=127.0.0.1 --set "port=$POSTGRES_PORT" --set "user=$POSTGRES_USER" \
	--set "password_file=$T_TMP/pw" --set "database=$POSTGRES_DB"
t_expect_rc 0
t_expect_out "$(line pass "$pass_msg")"
t_ok "password_file works (the core reads it)"

pg --set "socket=$POSTGRES_SOCKET" --set "port=$POSTGRES_PORT" \
	--set "user=$POSTGRES_SUPERUSER"
t_expect_rc 0
t_expect_out "$(line pass "SELECT 1 ok on $POSTGRES_SOCKET/\.s\.PGSQL\.$POSTGRES_PORT, database postgres \(PostgreSQL 15\.[0-9]+\)")"
t_ok "socket names the socket directory"

pg --set host=127.0.0.1 --set "port=$POSTGRES_PORT" --set "user=$POSTGRES_USER" \
	--set password=Wrong-Secret-42 --set "database=$POSTGRES_DB"
t_expect_rc 2
t_expect_out "$(line fail "auth failed on $ep: password authentication failed for user \"$POSTGRES_USER\"")"
t_expect_no Wrong-Secret-42
t_ok "a wrong password: auth failed, and the password is nowhere in the output"

pg --set "conninfo=postgresql://$POSTGRES_USER:Inline-Secret-43@127.0.0.1:$POSTGRES_PORT/$POSTGRES_DB"
t_expect_rc 2
t_expect_out "$(line fail "auth failed on $ep: password authentication failed for user \"$POSTGRES_USER\"")"
t_expect_no Inline-Secret-43
t_ok "a wrong password inline in conninfo: auth failed, never echoed"

pg --set "conninfo=host=127.0.0.1 password='Inline-Secret-44"
t_expect_rc 3
t_expect_err "conninfo: unterminated quoted string"
t_expect_no Inline-Secret-44
pg --set "conninfo=postgresql://u:Inline Secret-45@127.0.0.1/x?foo=1"
t_expect_rc 3
t_expect_err 'conninfo: invalid URI query parameter: "foo"'
t_expect_no Secret-45
t_ok "a conninfo libpq cannot parse: init error naming conninfo, no password"

pg "${login[@]}" --set database=no_such_db
t_expect_rc 2
t_expect_out "$(line fail "unknown database on $ep: database \"no_such_db\" does not exist")"
t_ok "an unknown database"

pg "${tcp_keys[@]}" --set "query=SELECT * FROM no_such_table"
t_expect_rc 2
t_expect_out "$(line fail "query failed on $ep: relation \"no_such_table\" does not exist")"
t_ok "a failing query fails with the server's error"

start=$(t_now_ms)
pg "${tcp_keys[@]}" --set "query=SELECT pg_sleep(30)" --set timeout=500ms
took=$(( $(t_now_ms) - start ))
t_expect_rc 2
t_expect_out "^postgres +fail .* timed out after 500 ms( waiting for query on $ep)?\$"
[ "$took" -lt 2000 ] || t_fail "the check took $took ms with timeout 500 ms"
srv_wait 5 no_sleeper ||
	t_fail "the server still runs the timed-out query"
t_ok "a slow query times out at the deadline and the server cancels it"

pg "${tcp_keys[@]}" --set saturation=yes
t_expect_rc 0
t_expect_out "$(line pass "[0-9]+ of $POSTGRES_MAX_CONNECTIONS connections in use \(ratio 0\.[0-9]+\) on $ep, database $POSTGRES_DB")"
t_run "$HEALTHCHECKD" --plugin "$plugin" "${tcp_keys[@]}" --set saturation=yes --once --format json
python3 - "$T_TMP/out" <<'PY' || t_fail "no utilization ratio in the JSON"
import json, sys
c = json.load(open(sys.argv[1]))["checks"]["postgres:utilization"][0]
assert c["observedUnit"] == "ratio" and 0 < c["observedValue"] < 1, c
PY
pg "${tcp_keys[@]}" --set saturation=yes --set warn_ratio=0.01
t_expect_rc 1
t_expect_out "$(line warn "[0-9]+ of $POSTGRES_MAX_CONNECTIONS connections in use \(ratio 0\.[0-9]+, warn_ratio 0\.01\) on $ep, database $POSTGRES_DB")"
pg "${tcp_keys[@]}" --set saturation=yes --set warn_ratio=0 --set fail_ratio=0.01
t_expect_rc 2
t_expect_out "fail_ratio 0\.01\) on $ep"
t_ok "saturation observes numbackends / max_connections against warn_ratio and fail_ratio"

t_hangpeer accept
start=$(t_now_ms)
pg --set host=127.0.0.1 --set "port=$T_PORT" --set timeout=500ms
took=$(( $(t_now_ms) - start ))
t_expect_rc 2
t_expect_out "^postgres +fail .* timed out after 500 ms( connecting to 127\.0\.0\.1:$T_PORT)?\$"
[ "$took" -lt 2000 ] || t_fail "the check took $took ms with timeout 500 ms"
t_ok "a peer that accepts and never answers: timed out at the deadline"

cat >"$T_TMP/two.ini" <<INI
[check:main]
plugin = postgres
host = 127.0.0.1
port = $POSTGRES_PORT
user = $POSTGRES_USER
password = $POSTGRES_PASSWORD
database = $POSTGRES_DB
persistent = yes
[check:other]
plugin = postgres
socket = $POSTGRES_SOCKET
port = $POSTGRES_PORT
user = $POSTGRES_SUPERUSER
database = no_such_db
INI
t_run "$HEALTHCHECKD" --once -c "$T_TMP/two.ini" --plugin-dir "$HC_PLUGIN_DIR"
t_expect_rc 2
t_expect_out "^main +pass +[0-9]+\.[0-9] ms  $pass_msg\$"
t_expect_out "^other +fail +[0-9]+\.[0-9] ms  unknown database on $POSTGRES_SOCKET/\.s\.PGSQL\.$POSTGRES_PORT: database \"no_such_db\" does not exist\$"
t_expect_no "$POSTGRES_PASSWORD"
t_ok "two sections are two independent instances"

"$server" stop "$srv"
t_run "$HEALTHCHECKD" -t -c "$T_TMP/two.ini" --plugin-dir "$HC_PLUGIN_DIR"
t_expect_rc 0
t_expect_out_exact "configuration OK"
t_ok "-t validates without connecting (the server is down)"

pg "${tcp_keys[@]}"
t_expect_rc 2
t_expect_out "$(line fail "connect to $ep: Connection refused")"
t_ok "fail with connection refused when the server is stopped"

# persistent = yes through hcrun: one instance, one run per input line.
coproc HC { "$HCRUN" "$plugin" host=127.0.0.1 "port=$POSTGRES_PORT" \
	"user=$POSTGRES_USER" "password=$POSTGRES_PASSWORD" \
	"database=$POSTGRES_DB" persistent=yes timeout=2s 2>&1; }
# bash unsets HC and HC_PID once the coprocess ends: keep copies.
hc_pid=$HC_PID hc_in=${HC[1]} hc_out=${HC[0]}
# run_hc: one run of the kept instance; sets T_OUT to its line.
run_hc() { echo >&"$hc_in"; read -r -t 10 T_OUT <&"$hc_out"; T_RC=0; T_ERR=; }
POSTGRES_PORT=$POSTGRES_PORT "$server" start "$srv"
run_hc
t_expect_out "^pass $pass_msg\$"
pid1=$(psql_super "SELECT pid FROM pg_stat_activity WHERE application_name = 'healthcheckd'")
run_hc
t_expect_out "^pass $pass_msg\$"
pid2=$(psql_super "SELECT pid FROM pg_stat_activity WHERE application_name = 'healthcheckd'")
[ -n "$pid1" ] && [ "$pid1" = "$pid2" ] || t_fail "persistent: backend $pid1, then $pid2"
"$server" stop "$srv"
run_hc
t_expect_out "^fail connect to $ep: Connection refused\$"
POSTGRES_PORT=$POSTGRES_PORT "$server" start "$srv"
run_hc
t_expect_out "^pass $pass_msg\$"
eval "exec $hc_in>&-"
wait "$hc_pid" || t_fail "hcrun exited with $?"
t_ok "persistent = yes keeps one connection and survives a server restart"

pg --set host=127.0.0.1 --set port=abc
t_expect_rc 3
t_expect_err "port: 'abc' is not a port number \(1-65535\)"
pg --set socket=relative/dir
t_expect_rc 3
t_expect_err "socket: 'relative/dir' is not an absolute path"
pg --set host=127.0.0.1 --set socket=/tmp
t_expect_rc 3
t_expect_err "socket: give either host or socket, not both"
pg --set sslmode=maybe
t_expect_rc 3
t_expect_err "sslmode: 'maybe' is not one of disable, allow, prefer, require, verify-ca, verify-full"
pg --set persistent=sometimes
t_expect_rc 3
t_expect_err "persistent: 'sometimes' is neither yes nor no"
pg --set warn_ratio=0.5
t_expect_rc 3
t_expect_err "warn_ratio: only used with saturation = yes"
pg --set saturation=yes --set fail_ratio=1.5
t_expect_rc 3
t_expect_err "fail_ratio: '1\.5' is not a number from 0 to 1"
pg --set saturation=yes --set warn_ratio=0.9 --set fail_ratio=0.5
t_expect_rc 3
t_expect_err "warn_ratio: 0\.9 is above fail_ratio 0\.5"
pg --set saturation=yes --set "query=SELECT 2"
t_expect_rc 3
t_expect_err "query: cannot be combined with saturation = yes"
pg --set "query= "
t_expect_rc 3
t_expect_err "query: must not be empty"
t_ok "init errors exit 3 and name the key"
