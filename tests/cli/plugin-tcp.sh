#!/bin/bash
# SPDX-License-Identifier: MIT
# tcp plugin through `healthcheckd --once`: connect, refusal, deadline and
# init errors, against hangpeer on 127.0.0.1.
#
# Needs HEALTHCHECKD, HC_PLUGIN_DIR (holding tcp.so) and HANGPEER.
# Exit 0 when every case passes, 1 otherwise, 99 when misconfigured.
set -euo pipefail

for var in HEALTHCHECKD HC_PLUGIN_DIR HANGPEER; do
	if [ -z "${!var:-}" ]; then
		echo "$0: $var is not set (run it through make check)" >&2
		exit 99
	fi
done
if [ ! -e "$HC_PLUGIN_DIR/tcp.so" ]; then
	echo "$0: $HC_PLUGIN_DIR/tcp.so does not exist" >&2
	exit 99
fi

tmp=$(mktemp -d)
peers=()
failures=0

cleanup() {
	local pid

	for pid in "${peers[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# start_peer MODE: runs `hangpeer MODE` in the background until the end of
# the script; sets peer_pid and peer_port once the peer is ready.
start_peer() {
	local out="$tmp/peer.${#peers[@]}" i

	"$HANGPEER" "$1" >"$out" &
	peer_pid=$!
	peers+=("$peer_pid")
	for ((i = 0; i < 100; i++)); do
		if [ -s "$out" ]; then
			peer_port=$(head -n 1 "$out")
			return 0
		fi
		sleep 0.1
	done
	echo "$0: hangpeer $1 printed no port within 10 s" >&2
	exit 1
}

# stop_peer: kills the last started peer and waits until its port is closed.
stop_peer() {
	kill "$peer_pid"
	wait "$peer_pid" 2>/dev/null || true
}

# tcp ARGS...: runs the tcp plugin once; sets rc and elapsed_ms, leaves
# stdout and stderr in $tmp/out and $tmp/err.
tcp() {
	local start end

	start=$(date +%s%N)
	rc=0
	"$HEALTHCHECKD" --plugin "$HC_PLUGIN_DIR/tcp.so" "$@" --once \
		>"$tmp/out" 2>"$tmp/err" || rc=$?
	end=$(date +%s%N)
	elapsed_ms=$(((end - start) / 1000000))
}

# expect NAME RC STREAM REGEX: the last run exited RC and a line of STREAM
# (out or err) matches the extended REGEX.
expect() {
	if [ "$rc" -eq "$2" ] && grep -Eq -- "$4" "$tmp/$3"; then
		echo "PASS: $1"
		return 0
	fi
	echo "FAIL: $1"
	echo "  want: exit $2, std$3 matching: $4"
	echo "  got:  exit $rc"
	sed 's/^/  stdout: /' "$tmp/out"
	sed 's/^/  stderr: /' "$tmp/err"
	failures=$((failures + 1))
}

# within NAME MS: the last run took at most MS milliseconds.
within() {
	if [ "$elapsed_ms" -le "$2" ]; then
		echo "PASS: $1 (${elapsed_ms} ms)"
		return 0
	fi
	echo "FAIL: $1: took ${elapsed_ms} ms, limit $2 ms"
	failures=$((failures + 1))
}

test_pass_when_port_accepts() {
	start_peer accept
	tcp --set host=127.0.0.1 --set port="$peer_port"
	expect "pass when the port accepts" 0 out \
		"^tcp +pass +[0-9]+\.[0-9] ms +connected to 127\.0\.0\.1:$peer_port\$"
}

test_fail_when_connection_refused() {
	start_peer accept
	stop_peer
	tcp --set host=127.0.0.1 --set port="$peer_port"
	expect "fail when the connection is refused" 2 out \
		"^tcp +fail +[0-9]+\.[0-9] ms +connect to 127\.0\.0\.1:$peer_port: Connection refused\$"
}

test_fail_at_deadline_when_syn_unanswered() {
	start_peer backlog
	tcp --set host=127.0.0.1 --set port="$peer_port" --set timeout=500ms
	# The plugin gives up just before the deadline and names the address;
	# on a loaded machine the core's own "timed out after 500 ms", taken
	# at the deadline, may come first. Both are right.
	expect "fail at the deadline when the SYN is unanswered" 2 out \
		"^tcp +fail +[0-9]+\.[0-9] ms +timed out after 500 ms( connecting to 127\.0\.0\.1:$peer_port)?\$"
	# The deadline is honoured; the margin is generous, not a speed test.
	within "return within timeout + 1.5 s" 2000
}

test_init_error_without_host() {
	tcp --set port=5432
	expect "init error naming host when it is missing" 3 err \
		"host: required"
}

test_init_error_for_non_numeric_port() {
	tcp --set host=127.0.0.1 --set port=abc
	expect "init error naming port when it is not a number" 3 err \
		"port: 'abc' is not a port number \(1-65535\)"
}

test_init_error_for_port_out_of_range() {
	tcp --set host=127.0.0.1 --set port=65536
	expect "init error naming port when it is above 65535" 3 err \
		"port: '65536' is not a port number \(1-65535\)"
}

test_pass_when_port_accepts
test_fail_when_connection_refused
test_fail_at_deadline_when_syn_unanswered
test_init_error_without_host
test_init_error_for_non_numeric_port
test_init_error_for_port_out_of_range

[ "$failures" -eq 0 ]
