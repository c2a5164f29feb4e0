#!/bin/bash
# SPDX-License-Identifier: MIT
# A throwaway memcached for the integration tests (contract: lib.sh).
#
#   memcached.sh start DIR   127.0.0.1 on a free port (MEMCACHED_PORT if
#                            set, so a restart keeps its port), or only the
#                            Unix socket MEMCACHED_SOCKET if that is set;
#                            writes DIR/env with MEMCACHED_PORT or
#                            MEMCACHED_SOCKET.
#   memcached.sh stop DIR    stops the memcached that start started.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cmd=${1:-} dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
	echo "usage: $0 start|stop DIR" >&2
	exit 2
fi
pidfile=$dir/memcached.pid

# ours PORT PID: the memcached answering on PORT is process PID (stats pid),
# not some other server that took the port first.
ours() {
	local line
	exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
	printf 'stats\r\n' >&3
	while IFS= read -r -t 2 line <&3; do
		case "$line" in
		"STAT pid $2"$'\r') exec 3<&-; return 0 ;;
		END$'\r') break ;;
		esac
	done
	exec 3<&-
	return 1
}

start() {
	local args=(-U 0 -m 16 -c 64) pid
	mkdir -p "$dir"
	# memcached refuses to run as root without -u; the user it becomes
	# must be able to create the socket in DIR.
	if [ "$(id -u)" -eq 0 ]; then
		local user=memcache
		id -u "$user" >/dev/null 2>&1 || user=nobody
		args+=(-u "$user")
		chown "$user" "$dir"
		chmod o+x "$(dirname "$dir")"
	fi
	if [ -n "${MEMCACHED_SOCKET:-}" ]; then
		args+=(-s "$MEMCACHED_SOCKET" -a 0700)
	else
		MEMCACHED_PORT=${MEMCACHED_PORT:-$(srv_free_port)}
		args+=(-l 127.0.0.1 -p "$MEMCACHED_PORT")
	fi
	memcached "${args[@]}" </dev/null >>"$dir/memcached.log" 2>&1 &
	pid=$!
	echo "$pid" >"$pidfile"
	if [ -n "${MEMCACHED_SOCKET:-}" ]; then
		srv_wait 10 test -S "$MEMCACHED_SOCKET" && srv_alive "$pid" ||
			{ cat "$dir/memcached.log" >&2; echo "memcached did not start" >&2; exit 1; }
		echo "MEMCACHED_SOCKET=$MEMCACHED_SOCKET" >"$dir/env"
	else
		srv_wait 10 ours "$MEMCACHED_PORT" "$pid" ||
			{ cat "$dir/memcached.log" >&2; echo "memcached did not answer on 127.0.0.1:$MEMCACHED_PORT" >&2; exit 1; }
		echo "MEMCACHED_PORT=$MEMCACHED_PORT" >"$dir/env"
	fi
}

stop() {
	local pid i
	[ -s "$pidfile" ] || return 0
	pid=$(head -n1 "$pidfile")
	srv_kill_pidfile "$pidfile"
	for ((i = 0; i < 100; i++)); do
		srv_alive "$pid" || break
		sleep 0.1
	done
	if srv_alive "$pid"; then
		echo "memcached (pid $pid) did not stop" >&2
		exit 1
	fi
	rm -f "$pidfile"
}

case "$cmd" in
start) start ;;
stop) stop ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
