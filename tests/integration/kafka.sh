#!/bin/bash
# SPDX-License-Identifier: MIT
# kafka plugin against librdkafka's own mock cluster (tests/tools/kafka_mock,
# on 127.0.0.1: Debian ships no Kafka server): brokers listed, a topic and
# its leaders, min_brokers and min_isr, brokers down and a hanging peer at
# the deadline, SASL secrets never echoed, one kept client surviving a
# broker outage, two instances, -t without network I/O or threads, init
# errors, and a prompt teardown while the brokers are down.
set -euo pipefail
. "$HC_SRCDIR/tests/cli/lib.sh"
. "$HC_SRCDIR/tests/servers/lib.sh"

t_need_plugin kafka
# librdkafka starts its threads with C11 thrd_create, which ThreadSanitizer
# does not intercept (GCC 12): a TSan build crashes inside them at their
# first allocation. tests/run runs only the scheduler and e2e tests there.
# Captured first: under pipefail, a grep -q reading ldd through a pipe can exit early and fail the pipeline.
libs=$(ldd "$HEALTHCHECKD" 2>/dev/null || true)
if [[ $libs == *libtsan* ]]; then
	echo "SKIP: librdkafka's threads cannot run under ThreadSanitizer"
	exit 77
fi
t_need_cmd curl curl
t_need_cmd strace strace
# Built next to hangpeer when the plugin is (plugins/kafka/local.mk).
KAFKA_MOCK=$(dirname "$HANGPEER")/kafka_mock
if [ ! -x "$KAFKA_MOCK" ]; then
	echo "$0: $KAFKA_MOCK is missing (run it through make check)" >&2
	exit 99
fi

# start_mock NAME BROKERS TOPIC:PARTITIONS...: a mock cluster that takes
# commands (mock NAME CMD) on a fifo until the end of the test; its
# bootstrap list in BOOT. The test opens the fifo read-write first, so
# neither side blocks. (sh -c: a background command's stdin is /dev/null
# unless the command itself redirects it.)
start_mock() {
	local name=$1 fd
	shift
	mkfifo "$T_TMP/$name.in"
	exec {fd}<>"$T_TMP/$name.in"
	eval "MOCK_FD_$name=$fd"
	t_peer "$name" sh -c 'exec "$@" <"$0"' "$T_TMP/$name.in" "$KAFKA_MOCK" "$@"
	BOOT=$T_PORT
}

# mock NAME CMD...: one command; wait for its answer, which must be ok.
mock() {
	local name=$1 fd out=$T_TMP/port.$1 n i
	shift
	fd=MOCK_FD_$name
	n=$(wc -l <"$out")
	echo "$*" >&"${!fd}"
	for i in $(seq 1 100); do
		[ "$(wc -l <"$out")" -gt "$n" ] && break
		sleep 0.05
	done
	[ "$(tail -n1 "$out")" = ok ] || t_fail "mock $name: '$*' answered '$(tail -n1 "$out")'"
}

# kafka KEY=VALUE|OPTION...: the plugin once through healthcheckd --plugin.
kafka() {
	local args=() kv
	for kv in "$@"; do
		case $kv in
		*=*) args+=(--set "$kv") ;;
		*) args+=("$kv") ;;
		esac
	done
	t_run "$HEALTHCHECKD" --plugin "$HC_PLUGIN_DIR/kafka.so" "${args[@]}" --once
}

# A timed-out check: the plugin gives up just before the deadline and says
# where; on a loaded machine the core's bare message, taken at the
# deadline, may win.
timed_out() { echo "^kafka +fail .* ms +timed out after $1 ms( waiting for metadata from $2.*)?\$"; }

start_mock up 3 orders:4 events:2
UP=$BOOT
B=${UP//./\\.}
[[ $UP =~ ^127\.0\.0\.1:[0-9]+(,127\.0\.0\.1:[0-9]+){2}$ ]] ||
	t_fail "the mock's brokers are not all on 127.0.0.1: $UP"

kafka bootstrap_servers="$UP"
t_expect_rc 0
t_expect_out "^kafka +pass +[0-9.]+ ms +3 brokers listed by $B\$"
kafka bootstrap_servers="$UP" --format json
t_expect_rc 0
t_expect_out '"observedValue":3\.0,'
t_expect_out '"observedUnit":"brokers",'
t_ok "pass while the cluster is up; observed value = brokers listed (3)"

kafka bootstrap_servers="$UP" topic=orders
t_expect_rc 0
t_expect_out "^kafka +pass .* ms +3 brokers listed by $B; topic orders: 4 partitions, each with a leader\$"
t_ok "topic that exists: every partition has a leader"

kafka bootstrap_servers="$UP" topic=payments
t_expect_rc 2
t_expect_out "^kafka +fail .* ms +topic payments does not exist \(3 brokers listed by $B\)\$"
# The request named no topic, so the mock (which creates a topic a
# request names) did not create it: it is still missing.
kafka bootstrap_servers="$UP" topic=payments
t_expect_rc 2
t_expect_out "topic payments does not exist"
t_ok "missing topic: fail naming it, and the check does not create it"

kafka bootstrap_servers="$UP" min_brokers=4
t_expect_rc 1
t_expect_out "^kafka +warn .* ms +3 brokers listed by $B, fewer than min_brokers 4\$"
kafka bootstrap_servers="$UP" min_brokers=3
t_expect_rc 0
t_ok "min_brokers above the brokers listed: warn"

# The 2.0 mock gives each partition min(3, brokers) replicas, all in sync.
kafka bootstrap_servers="$UP" topic=orders min_isr=4
t_expect_rc 1
t_expect_out "^kafka +warn .* ms +topic orders partition 0 has 3 in-sync replicas, fewer than min_isr 4 \(4 of 4 partitions; 3 brokers listed by $B\)\$"
kafka bootstrap_servers="$UP" topic=orders min_isr=3
t_expect_rc 0
t_ok "min_isr above a partition's in-sync replicas: warn"

mock up noleader events 1
kafka bootstrap_servers="$UP" topic=events
t_expect_rc 2
t_expect_out "^kafka +fail .* ms +topic events partition 1 has no leader \(1 of 2 partitions; 3 brokers listed by $B\)\$"
kafka bootstrap_servers="$UP" topic=orders
t_expect_rc 0
mock up leader events 1 2
kafka bootstrap_servers="$UP" topic=events
t_expect_rc 0
t_ok "a partition without a leader: fail naming topic and partition"

start_mock down 2 orders:1
DOWN=$BOOT
mock down down 1
mock down down 2
start=$(t_now_ms)
kafka bootstrap_servers="$DOWN" timeout=500ms
elapsed=$(($(t_now_ms) - start))
t_expect_rc 2
t_expect_out "$(timed_out 500 "${DOWN//./\\.}")"
[ "$elapsed" -le 2000 ] || t_fail "took $elapsed ms, more than timeout + 1.5 s"
t_ok "every broker down: fail at the deadline ($elapsed ms)"

t_hangpeer accept
HANG=127.0.0.1:$T_PORT
start=$(t_now_ms)
kafka bootstrap_servers="$HANG" timeout=500ms
elapsed=$(($(t_now_ms) - start))
t_expect_rc 2
t_expect_out "$(timed_out 500 "127\.0\.0\.1:$T_PORT")"
[ "$elapsed" -le 2000 ] || t_fail "took $elapsed ms, more than timeout + 1.5 s"
t_ok "a peer that accepts and never answers: fail at the deadline ($elapsed ms)"

# The 2.0 mock has no SASL, so a wrong password cannot be refused by it:
# the handshake fails instead. What is checked is that the password
# appears nowhere, in the result or in librdkafka's log lines (-v).
kafka bootstrap_servers="$UP" security_protocol=sasl_plaintext \
	sasl_username=health sasl_password=mock-secret-31 timeout=1s -v
t_expect_rc 2
t_expect_out "^kafka +fail .* ms +timed out after 1000 ms( waiting for metadata from $B.*SASL.*)?\$"
t_expect_err "librdkafka .*SASL"
t_expect_no mock-secret-31
printf 'file-secret-47\n' >"$T_TMP/pw"
kafka bootstrap_servers="$HANG" security_protocol=sasl_plaintext \
	sasl_mechanism=SCRAM-SHA-512 sasl_username=health \
	sasl_password_file="$T_TMP/pw" timeout=500ms -v
t_expect_rc 2
t_expect_out "$(timed_out 500 "127\.0\.0\.1:${HANG#*:}")"
t_expect_no file-secret-47
t_ok "SASL: the password never appears in results or -v logs (the mock has no SASL)"

cat >"$T_TMP/two.ini" <<EOF
[check:orders-bus]
plugin = kafka
bootstrap_servers = $UP
topic = orders

[check:audit-bus]
plugin = kafka
bootstrap_servers = $DOWN
timeout = 500ms
EOF
t_run "$HEALTHCHECKD" --plugin-dir "$HC_PLUGIN_DIR" -c "$T_TMP/two.ini" --once
t_expect_rc 2
t_expect_out "^orders-bus +pass .* ms +3 brokers listed by $B; topic orders: 4 partitions, each with a leader\$"
t_expect_out "^audit-bus +fail .* ms +timed out after 500 ms"
t_ok "two sections are two independent instances"

# One instance across a broker outage, through hcrun (one run per input
# line): pass, every broker down, fail, every broker up, pass. Started
# after the mocks, so that they hold no copy of the fifo's write end.
start_mock outage 2 orders:2
OUTAGE=$BOOT
mkfifo "$T_TMP/runs.in"
"$HCRUN" "$HC_PLUGIN_DIR/kafka.so" bootstrap_servers="$OUTAGE" topic=orders \
	timeout=3s <"$T_TMP/runs.in" >"$T_TMP/runs" 2>"$T_TMP/runs.log" &
HCRUN_PID=$!
T_PIDS+=("$HCRUN_PID")
exec {runs}>"$T_TMP/runs.in"
# run_once N: one more run; wait for its line N.
run_once() {
	local i
	echo >&"$runs"
	for i in $(seq 1 200); do
		[ "$(wc -l <"$T_TMP/runs")" -ge "$1" ] && return 0
		sleep 0.05
	done
	t_fail "hcrun printed no line $1"
}
# rdk_threads: librdkafka's main threads in hcrun (one per rd_kafka_t).
rdk_threads() { cat /proc/"$HCRUN_PID"/task/*/comm 2>/dev/null | grep -c '^rdk:main$' || true; }
OB=${OUTAGE//./\\.}
run_once 1
run_once 2
[ "$(rdk_threads)" -eq 1 ] || t_fail "$(rdk_threads) clients after two runs"
mock outage down 1
mock outage down 2
run_once 3
mock outage up 1
mock outage up 2
run_once 4
[ "$(rdk_threads)" -eq 1 ] || t_fail "$(rdk_threads) clients after four runs"
T_OUT=$(cat "$T_TMP/runs") T_ERR=$(cat "$T_TMP/runs.log") T_RC=0
pass="pass 2 brokers listed by $OUTAGE; topic orders: 2 partitions, each with a leader"
[ "$(sed -n 1p "$T_TMP/runs")" = "$pass" ] || t_fail "run 1 passes"
[ "$(sed -n 2p "$T_TMP/runs")" = "$pass" ] || t_fail "run 2 passes"
grep -Eq "^fail timed out after 3000 ms( waiting for metadata from $OB.*)?\$" \
	<<<"$(sed -n 3p "$T_TMP/runs")" || t_fail "run 3 fails at the deadline"
[ "$(sed -n 4p "$T_TMP/runs")" = "$pass" ] || t_fail "run 4 passes again"
mock outage down 1
mock outage down 2
start=$(t_now_ms)
exec {runs}>&-
wait "$HCRUN_PID" || t_fail "hcrun exited $?"
elapsed=$(($(t_now_ms) - start))
[ "$elapsed" -le 2000 ] || t_fail "teardown took $elapsed ms with the brokers down"
t_ok "one client kept across runs survives every broker going down and up; teardown took $elapsed ms"

# -t: init makes no client, so it needs no broker and does no network I/O
# and starts no thread. The count of threads is compared with a config
# without kafka, because sanitizer runtimes may start their own.
# LeakSanitizer cannot run under ptrace: leak detection is off for these.
threads_and_connects() {
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -qq -e trace=connect,clone,clone3 -o "$T_TMP/strace" \
		"$HEALTHCHECKD" -t --plugin-dir "$HC_PLUGIN_DIR" -c "$1" \
		>"$T_TMP/strace.out" 2>&1 ||
		{ T_OUT=$(cat "$T_TMP/strace.out") T_ERR=$(cat "$T_TMP/strace") T_RC=-1
		  t_fail "healthcheckd -t $1 under strace failed"; }
	echo "$(grep -c CLONE_THREAD "$T_TMP/strace" || true) $(grep -c 'connect(' "$T_TMP/strace" || true)"
}
printf '[check:disk]\nplugin = disk\npath = /\n' >"$T_TMP/base.ini"
cat "$T_TMP/base.ini" - >"$T_TMP/t.ini" <<EOF

[check:bus]
plugin = kafka
bootstrap_servers = $HANG
topic = orders
security_protocol = sasl_plaintext
sasl_username = health
sasl_password = t-secret-5
EOF
base=$(threads_and_connects "$T_TMP/base.ini") || exit 1
with=$(threads_and_connects "$T_TMP/t.ini") || exit 1
[ "$with" = "$base" ] || t_fail "-t with kafka: threads and connects '$with', without: '$base'"
port=$(srv_free_port)
sed -i "s/^bootstrap_servers = .*/bootstrap_servers = 127.0.0.1:$port/" "$T_TMP/t.ini"
t_run "$HEALTHCHECKD" -t --plugin-dir "$HC_PLUGIN_DIR" -c "$T_TMP/t.ini"
t_expect_rc 0
t_expect_out "^configuration OK\$"
t_ok "-t makes no connection and starts no thread; works with nothing listening"

# The daemon with a kept client whose brokers are all down exits within
# shutdown_delay (500 ms) + 2 s after SIGTERM: teardown does not wait on
# a broker.
start_mock term 2 orders:1
TERM_BOOT=$BOOT
LISTEN=$(srv_free_port)
cat >"$T_TMP/d.ini" <<EOF
[server]
listen = 127.0.0.1:$LISTEN
shutdown_delay = 500ms
details = always

[check:bus]
plugin = kafka
bootstrap_servers = $TERM_BOOT
interval = 1s
timeout = 500ms
EOF
"$HEALTHCHECKD" -c "$T_TMP/d.ini" --plugin-dir "$HC_PLUGIN_DIR" \
	</dev/null >"$T_TMP/d.log" 2>&1 &
DPID=$!
T_PIDS+=("$DPID")
# readyz STATE: wait until /readyz?verbose shows the check in STATE.
readyz() {
	local i
	for i in $(seq 1 100); do
		curl -s --max-time 2 "http://127.0.0.1:$LISTEN/readyz?verbose" \
			>"$T_TMP/readyz" 2>/dev/null || true
		grep -q "$1" "$T_TMP/readyz" && return 0
		sleep 0.1
	done
	T_OUT=$(cat "$T_TMP/readyz") T_ERR=$(cat "$T_TMP/d.log") T_RC=-1
	t_fail "/readyz never showed '$1'"
}
readyz '^\[+\]bus ok$'
mock term down 1
mock term down 2
readyz '^\[-\]bus failed: timed out'
sent=$(t_now_ms)
kill -TERM "$DPID"
rc=0
wait "$DPID" || rc=$?
elapsed=$(($(t_now_ms) - sent))
T_OUT= T_ERR=$(cat "$T_TMP/d.log") T_RC=$rc
[ "$rc" -eq 0 ] || t_fail "the daemon exited $rc"
[ "$elapsed" -le 2500 ] || t_fail "exited $elapsed ms after SIGTERM, more than shutdown_delay + 2 s"
t_ok "SIGTERM with every broker down: the daemon exits in $elapsed ms (shutdown_delay 500 ms)"

kafka
t_expect_rc 3
t_expect_err "bootstrap_servers: required"
kafka bootstrap_servers='a:9092, b:9092'
t_expect_rc 3
t_expect_err "bootstrap_servers: 'a:9092, b:9092' is not a list host:port\[,host:port\]\.\.\."
kafka bootstrap_servers=a:9092,,b:9092
t_expect_rc 3
t_expect_err "bootstrap_servers: 'a:9092,,b:9092' is not a list"
kafka bootstrap_servers="$UP" security_protocol=tls
t_expect_rc 3
t_expect_err "security_protocol: 'tls' is not one of plaintext, ssl, sasl_plaintext, sasl_ssl"
kafka bootstrap_servers="$UP" sasl_username=health sasl_password=init-secret-9
t_expect_rc 3
t_expect_err "sasl_username: needs security_protocol sasl_plaintext or sasl_ssl"
t_expect_no init-secret-9
kafka bootstrap_servers="$UP" sasl_password=init-secret-9
t_expect_rc 3
t_expect_err "sasl_password: needs security_protocol sasl_plaintext or sasl_ssl"
t_expect_no init-secret-9
kafka bootstrap_servers="$UP" security_protocol=sasl_ssl sasl_password=init-secret-9
t_expect_rc 3
t_expect_err "sasl_username: required with security_protocol sasl_ssl"
t_expect_no init-secret-9
kafka bootstrap_servers="$UP" security_protocol=sasl_plaintext sasl_username=health
t_expect_rc 3
t_expect_err "sasl_password: required with security_protocol sasl_plaintext"
kafka bootstrap_servers="$UP" security_protocol=sasl_plaintext \
	sasl_mechanism=GSSAPI sasl_username=health sasl_password=init-secret-9
t_expect_rc 3
t_expect_err "sasl_mechanism: 'GSSAPI' is not one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512"
t_expect_no init-secret-9
kafka bootstrap_servers="$UP" ssl_ca_file="$T_TMP/no-such-ca.pem" security_protocol=ssl
t_expect_rc 3
t_expect_err "ssl_ca_file: cannot read '.*no-such-ca\.pem'"
kafka bootstrap_servers="$UP" ssl_ca_file=/etc/hostname
t_expect_rc 3
t_expect_err "ssl_ca_file: needs security_protocol ssl or sasl_ssl"
kafka bootstrap_servers="$UP" topic='orders/eu'
t_expect_rc 3
t_expect_err "topic: 'orders/eu' is not a topic name"
kafka bootstrap_servers="$UP" min_brokers=0
t_expect_rc 3
t_expect_err "min_brokers: '0' is not a whole number from 1 to 2147483647"
kafka bootstrap_servers="$UP" min_isr=2
t_expect_rc 3
t_expect_err "min_isr: needs topic"
kafka bootstrap_servers="$UP" colour=blue
t_expect_rc 3
t_expect_err "colour"
t_ok "init errors exit 3 naming the key, never quoting the password"
