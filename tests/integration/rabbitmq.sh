#!/bin/bash
# SPDX-License-Identifier: MIT
# rabbitmq plugin against a real rabbitmq-server on 127.0.0.1
# (tests/servers/rabbitmq.sh, started once: it takes seconds): channel,
# queue depth and warn_messages, a least-privilege user, login and vhost
# refusals (no password in output or the -v log), missing queue, TLS,
# independent instances, persistent connection across runs, a missing queue
# and a restart, broker down, -t with the broker down, deadlines, init
# errors.
set -euo pipefail
. "$HC_SRCDIR/tests/cli/lib.sh"
. "$HC_SRCDIR/tests/servers/lib.sh"

t_need_plugin rabbitmq
t_need_cmd rabbitmq-server /usr/lib/rabbitmq/bin/rabbitmq-server
t_need_cmd amqp-tools amqp-publish amqp-declare-queue
t_need_cmd openssl openssl

SERVER=$HC_SRCDIR/tests/servers/rabbitmq.sh
SRV=$T_TMP/srv
trap '"$SERVER" stop "$SRV" || true; t_cleanup' EXIT
"$SERVER" start "$SRV"
. "$SRV/env"
HP="127\.0\.0\.1:$RABBITMQ_PORT"
AT="$HP vhost '$RABBITMQ_VHOST'"
printf '%s\n' "$RABBITMQ_PASSWORD" >"$T_TMP/pw"
# The test account (keys may not be given twice), and on its vhost.
LOGIN=(user="$RABBITMQ_USER" password_file="$T_TMP/pw")
HC=(port="$RABBITMQ_PORT" "${LOGIN[@]}" vhost="$RABBITMQ_VHOST")

# rmq KEY=VALUE...: the plugin once through healthcheckd --plugin, in the
# text format (or $FORMAT).
rmq() {
	local args=() kv
	for kv in "$@"; do args+=(--set "$kv"); done
	t_run "$HEALTHCHECKD" --plugin "$HC_PLUGIN_DIR/rabbitmq.so" "${args[@]}" \
		--once --format "${FORMAT:-text}"
}

rmq port="$RABBITMQ_PORT"
t_expect_rc 0
t_expect_out "^rabbitmq +pass +[0-9]+\.[0-9] ms +channel opened on $HP vhost '/'\$"
t_ok "defaults (guest on /): logs in, opens and closes a channel"

rmq "${HC[@]}"
t_expect_rc 0
t_expect_out "^rabbitmq +pass .* channel opened on $AT\$"
t_ok "user, password_file and vhost"

rmq "${HC[@]}" queue="$RABBITMQ_QUEUE"
t_expect_rc 0
t_expect_out "^rabbitmq +pass .* queue '$RABBITMQ_QUEUE' holds 3 messages on $AT\$"
FORMAT=json rmq "${HC[@]}" queue="$RABBITMQ_QUEUE"
t_expect_out '"rabbitmq:queueDepth"'
t_expect_out '"observedValue":3\.0,'
t_expect_out '"observedUnit":"messages",'
t_ok "queue: passes, observes its message count"

rmq port="$RABBITMQ_PORT" user="$RABBITMQ_MIN_USER" \
	password="$RABBITMQ_MIN_PASSWORD" vhost="$RABBITMQ_VHOST" queue="$RABBITMQ_QUEUE"
t_expect_rc 0
t_expect_out "queue '$RABBITMQ_QUEUE' holds 3 messages on $AT\$"
t_ok "a user without any permission on the vhost can check a queue"

rmq "${HC[@]}" queue="$RABBITMQ_QUEUE" warn_messages=3
t_expect_rc 1
t_expect_out "^rabbitmq +warn .* queue '$RABBITMQ_QUEUE' holds 3 messages \(warn_messages 3\) on $AT\$"
rmq "${HC[@]}" queue="$RABBITMQ_QUEUE" warn_messages=4
t_expect_rc 0
rmq "${HC[@]}" queue="$RABBITMQ_EMPTY_QUEUE" warn_messages=1
t_expect_rc 0
t_expect_out "queue '$RABBITMQ_EMPTY_QUEUE' holds 0 messages on $AT\$"
t_ok "warn_messages: warns at that many messages or more"

rmq "${HC[@]}" queue=no-such-queue
t_expect_rc 2
t_expect_out "^rabbitmq +fail .* queue 'no-such-queue' does not exist on $AT\$"
t_ok "missing queue: fails naming it"

rmq port="$RABBITMQ_PORT" user="$RABBITMQ_USER" password=wrong-secret-42 \
	vhost="$RABBITMQ_VHOST"
t_expect_rc 2
t_expect_out "^rabbitmq +fail .* login refused \(user $RABBITMQ_USER\) on $AT: ACCESS_REFUSED - Login was refused"
t_expect_no wrong-secret-42
t_ok "wrong password: login refused, the password appears nowhere"

rmq port="$RABBITMQ_PORT" "${LOGIN[@]}" vhost=no-such-vhost
t_expect_rc 2
t_expect_out "^rabbitmq +fail .* vhost 'no-such-vhost' refused or missing on $HP: NOT_ALLOWED - vhost no-such-vhost not found\$"
rmq port="$RABBITMQ_PORT" "${LOGIN[@]}" vhost=/
t_expect_rc 2
t_expect_out "vhost '/' refused or missing on $HP: NOT_ALLOWED - access to vhost '/' refused for user '$RABBITMQ_USER'\$"
t_ok "missing or forbidden vhost: fails naming it"

# The daemon's -v log of a failing check: the message, never the password.
HCPORT=$(srv_free_port)
cat >"$T_TMP/verbose.ini" <<EOF
[server]
listen = 127.0.0.1:$HCPORT
shutdown_delay = 100ms

[check:mq]
plugin = rabbitmq
port = $RABBITMQ_PORT
user = $RABBITMQ_USER
password = wrong-secret-43
vhost = $RABBITMQ_VHOST
interval = 1s
timeout = 500ms
EOF
"$HEALTHCHECKD" -v -c "$T_TMP/verbose.ini" --plugin-dir "$HC_PLUGIN_DIR" \
	>"$T_TMP/verbose.out" 2>"$T_TMP/verbose.log" &
hc_pid=$!
T_PIDS+=("$hc_pid")
srv_wait 20 grep -q "login refused" "$T_TMP/verbose.log" ||
	{ T_ERR=$(cat "$T_TMP/verbose.log"); t_fail "no login refused in the -v log"; }
kill "$hc_pid"
wait "$hc_pid" || true
T_OUT=$(cat "$T_TMP/verbose.out")
T_ERR=$(cat "$T_TMP/verbose.log")
cp "$T_TMP/verbose.log" "$T_TMP/err"
cp "$T_TMP/verbose.out" "$T_TMP/out"
t_expect_err "login refused \(user $RABBITMQ_USER\) on $AT"
t_expect_no wrong-secret-43
t_ok "the -v log names the refusal, never the password"

rmq host=localhost port="$RABBITMQ_TLS_PORT" tls=yes ca_file="$RABBITMQ_CA"
t_expect_rc 0
t_expect_out "^rabbitmq +pass .* channel opened on localhost:$RABBITMQ_TLS_PORT vhost '/'\$"
rmq host=localhost port="$RABBITMQ_TLS_PORT" tls=yes ca_file="$RABBITMQ_CA" \
	"${LOGIN[@]}" vhost="$RABBITMQ_VHOST" queue="$RABBITMQ_QUEUE"
t_expect_rc 0
t_expect_out "queue '$RABBITMQ_QUEUE' holds 3 messages on localhost:$RABBITMQ_TLS_PORT vhost '$RABBITMQ_VHOST'\$"
t_ok "TLS: verified against ca_file, login, queue"

rmq port="$RABBITMQ_TLS_PORT" tls=yes ca_file="$RABBITMQ_CA"
t_expect_rc 2
t_expect_out "^rabbitmq +fail .* connect to 127\.0\.0\.1:$RABBITMQ_TLS_PORT vhost '/': SSL peer cert verification failed\$"
t_ok "TLS: the certificate names localhost, not 127.0.0.1: fails"

rmq host=localhost port="$RABBITMQ_TLS_PORT" tls=yes
t_expect_rc 2
t_expect_out "connect to localhost:$RABBITMQ_TLS_PORT vhost '/': SSL peer cert verification failed\$"
t_ok "TLS: a CA the system does not know fails by default"

rmq port="$RABBITMQ_TLS_PORT" tls=yes verify=no
t_expect_rc 0
t_expect_out "channel opened on 127\.0\.0\.1:$RABBITMQ_TLS_PORT vhost '/'\$"
t_ok "TLS: verify = no accepts any certificate"

rmq port="$RABBITMQ_PORT" tls=yes verify=no
t_expect_rc 2
t_expect_out "connect to $HP vhost '/': SSL handshake failed\$"
t_ok "TLS against the plain AMQP port: handshake fails"

cat >"$T_TMP/two.ini" <<EOF
[check:mq-queue]
plugin = rabbitmq
port = $RABBITMQ_PORT
user = $RABBITMQ_USER
password_file = $T_TMP/pw
vhost = $RABBITMQ_VHOST
queue = $RABBITMQ_QUEUE

[check:mq-guest]
plugin = rabbitmq
port = $RABBITMQ_PORT
persistent = yes

[check:mq-missing]
plugin = rabbitmq
port = $RABBITMQ_PORT
queue = no-such-queue
EOF
t_run "$HEALTHCHECKD" --plugin-dir "$HC_PLUGIN_DIR" -c "$T_TMP/two.ini" --once
t_expect_rc 2
t_expect_out "^mq-queue +pass .* queue '$RABBITMQ_QUEUE' holds 3 messages on $AT\$"
t_expect_out "^mq-guest +pass .* channel opened on $HP vhost '/'\$"
t_expect_out "^mq-missing +fail .* queue 'no-such-queue' does not exist on $HP vhost '/'\$"
t_ok "three sections are three independent instances"

# hcrun_start KEY=VALUE...: one instance in hcrun, fed through a fifo; each
# run_once N runs it once more and waits for its line N in $T_TMP/runs.
hcrun_start() {
	rm -f "$T_TMP/in" "$T_TMP/runs"
	mkfifo "$T_TMP/in"
	: >"$T_TMP/runs"
	"$HCRUN" "$HC_PLUGIN_DIR/rabbitmq.so" "$@" <"$T_TMP/in" >"$T_TMP/runs" &
	hcrun_pid=$!
	T_PIDS+=("$hcrun_pid")
	exec 3>"$T_TMP/in"
}
run_once() {
	local i
	echo >&3
	for i in $(seq 1 200); do
		[ "$(wc -l <"$T_TMP/runs")" -ge "$1" ] && return 0
		sleep 0.05
	done
	T_OUT=$(cat "$T_TMP/runs")
	t_fail "hcrun printed no line $1"
}
hcrun_stop() {
	exec 3>&-
	wait "$hcrun_pid" || t_fail "hcrun exited $?"
	T_OUT=$(cat "$T_TMP/runs")
	T_ERR=
	T_RC=0
}
# client_ports: the local ports of hcrun's connections to the broker.
client_ports() {
	ss -Htnp state established "( dport = :$RABBITMQ_PORT )" |
		awk -v pid="pid=$hcrun_pid," 'index($0, pid) { split($3, a, ":"); print a[2] }'
}
line() { sed -n "${1}p" "$T_TMP/runs"; }

hcrun_start "${HC[@]}" persistent=yes queue="$RABBITMQ_QUEUE"
run_once 1
first=$(client_ports)
run_once 2
run_once 3
last=$(client_ports)
hcrun_stop
[ "$(grep -c "^pass queue '$RABBITMQ_QUEUE' holds 3 messages" "$T_TMP/runs")" -eq 3 ] || t_fail "three passes"
[ -n "$first" ] && [ "$first" = "$last" ] || t_fail "connection changed: '$first' then '$last'"
t_ok "persistent = yes keeps one connection across runs"

hcrun_start "${HC[@]}" persistent=yes queue=no-such-queue
run_once 1
first=$(client_ports)
run_once 2
last=$(client_ports)
hcrun_stop
[ "$(grep -c "^fail queue 'no-such-queue' does not exist on 127.0.0.1:$RABBITMQ_PORT" "$T_TMP/runs")" -eq 2 ] || t_fail "two fails naming the queue"
[ -n "$first" ] && [ "$first" = "$last" ] || t_fail "connection changed: '$first' then '$last'"
t_ok "persistent = yes: a missing queue closes the channel, not the connection"

# One instance across a restart: pass, stop, fail, start on the same port,
# pass.
hcrun_start "${HC[@]}" persistent=yes queue="$RABBITMQ_QUEUE" timeout=5s
run_once 1
"$SERVER" stop "$SRV"
run_once 2
RABBITMQ_PORT=$RABBITMQ_PORT "$SERVER" start "$SRV"
run_once 3
run_once 4
hcrun_stop
pass="pass queue '$RABBITMQ_QUEUE' holds 3 messages on 127.0.0.1:$RABBITMQ_PORT vhost '$RABBITMQ_VHOST'"
[ "$(line 1)" = "$pass" ] || t_fail "run 1 passes"
[ "$(line 2)" = "fail connect to 127.0.0.1:$RABBITMQ_PORT vhost '$RABBITMQ_VHOST': refused or unreachable" ] ||
	t_fail "run 2 fails: refused"
[ "$(line 3)" = "$pass" ] || t_fail "run 3 passes again"
[ "$(line 4)" = "$pass" ] || t_fail "run 4 passes on the new connection"
t_ok "persistent = yes survives a broker restart"

"$SERVER" stop "$SRV"
rmq port="$RABBITMQ_PORT" user="$RABBITMQ_USER" password=broker-down-secret \
	vhost="$RABBITMQ_VHOST"
t_expect_rc 2
t_expect_out "^rabbitmq +fail .* connect to $AT: refused or unreachable\$"
t_expect_no broker-down-secret
t_ok "broker stopped: fails"

t_run "$HEALTHCHECKD" -t -c "$T_TMP/two.ini" --plugin-dir "$HC_PLUGIN_DIR"
t_expect_rc 0
t_expect_out "configuration OK"
t_ok "-t validates without connecting (the broker is down)"

echo "not a certificate" >"$T_TMP/not-a-ca.pem"
rmq port="$RABBITMQ_TLS_PORT" tls=yes ca_file="$T_TMP/not-a-ca.pem"
t_expect_rc 2
t_expect_out "^rabbitmq +fail .* connect to 127\.0\.0\.1:$RABBITMQ_TLS_PORT vhost '/': cannot load the CA certificates of ca_file\$"
t_ok "TLS: a ca_file without certificates fails before connecting"

t_hangpeer accept
start=$(t_now_ms)
rmq port="$T_PORT" password=hang-secret timeout=500ms
elapsed=$(($(t_now_ms) - start))
t_expect_rc 2
# The plugin gives up just before the deadline and names the step; on a
# loaded machine the core's bare message, taken at the deadline, may win.
t_expect_out "^rabbitmq +fail .* timed out after 500 ms( logging in to 127\.0\.0\.1:$T_PORT vhost '/')?\$"
t_expect_no hang-secret
[ "$elapsed" -le 2000 ] || t_fail "took $elapsed ms, more than timeout + 1.5 s"
t_ok "deadline against a peer that never answers the AMQP header ($elapsed ms)"

start=$(t_now_ms)
rmq port="$T_PORT" tls=yes timeout=500ms
elapsed=$(($(t_now_ms) - start))
t_expect_rc 2
t_expect_out "^rabbitmq +fail .* timed out after 500 ms( connecting to 127\.0\.0\.1:$T_PORT vhost '/')?\$"
[ "$elapsed" -le 2000 ] || t_fail "took $elapsed ms, more than timeout + 1.5 s"
t_ok "deadline against a peer that never answers the TLS handshake ($elapsed ms)"

t_hangpeer backlog
start=$(t_now_ms)
rmq port="$T_PORT" timeout=500ms
elapsed=$(($(t_now_ms) - start))
t_expect_rc 2
t_expect_out "^rabbitmq +fail .* timed out after 500 ms( connecting to 127\.0\.0\.1:$T_PORT vhost '/')?\$"
[ "$elapsed" -le 2000 ] || t_fail "took $elapsed ms, more than timeout + 1.5 s"
t_ok "deadline while connecting, SYN unanswered ($elapsed ms)"

rmq port=abc
t_expect_rc 3
t_expect_err "port: 'abc' is not a port number \(1-65535\)"
rmq host=''
t_expect_rc 3
t_expect_err "host: must not be empty"
rmq tls=maybe
t_expect_rc 3
t_expect_err "tls: 'maybe' is neither yes nor no"
rmq verify=no
t_expect_rc 3
t_expect_err "verify: needs tls = yes"
rmq ca_file=/etc/hostname
t_expect_rc 3
t_expect_err "ca_file: needs tls = yes"
rmq tls=yes ca_file="$T_TMP/no-such-ca.pem"
t_expect_rc 3
t_expect_err "ca_file: cannot read '$T_TMP/no-such-ca.pem'"
rmq user=hc
t_expect_rc 3
t_expect_err "user: needs a password \(password or password_file\)"
rmq vhost=''
t_expect_rc 3
t_expect_err "vhost: '' is not a name of 1 to 255 bytes"
rmq queue="$(printf 'q%.0s' $(seq 1 256))"
t_expect_rc 3
t_expect_err "queue: 'q+' is not a name of 1 to 255 bytes"
rmq warn_messages=5
t_expect_rc 3
t_expect_err "warn_messages: needs a queue"
rmq queue=q warn_messages=0
t_expect_rc 3
t_expect_err "warn_messages: '0' is not a whole number from 1 to 4294967295"
rmq persistent=maybe
t_expect_rc 3
t_expect_err "persistent: 'maybe' is neither yes nor no"
rmq password_file="$T_TMP/no-such-file"
t_expect_rc 3
t_expect_err "password_file: cannot read"
rmq colour=blue
t_expect_rc 3
t_expect_err "colour"
t_ok "init errors exit 3 naming the key"
