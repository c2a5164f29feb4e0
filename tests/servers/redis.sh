#!/bin/bash
# SPDX-License-Identifier: MIT
# A throwaway redis-server on 127.0.0.1 for the redis plugin's tests.
#
#   redis.sh start DIR   start it (port: $REDIS_PORT if set, else the port of
#                        an earlier start in DIR, else a free one), with a
#                        password for the default user, an ACL user and a Unix
#                        socket; write DIR/env: REDIS_PORT, REDIS_SOCKET,
#                        REDIS_PASSWORD, REDIS_USER, REDIS_USER_PASSWORD.
#                        A restart in the same DIR keeps port and passwords.
#   redis.sh stop DIR    stop the server started in DIR (by its pidfile).
# Nothing is saved to disk (--save '', no AOF). See tests/servers/lib.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# redis_cli ARGS...: redis-cli against the server of this DIR.
redis_cli() {
	REDISCLI_AUTH=$REDIS_PASSWORD redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"
}

# redis_ours: the server answering on the port is the one our pidfile
# names (a leftover server on a reused port would also answer PONG).
redis_ours() {
	local pid
	pid=$(head -n1 "$dir/redis.pid" 2>/dev/null) || return 1
	[ -n "$pid" ] || return 1
	local info
	info=$(redis_cli INFO server | tr -d '\r')
	grep -qx "process_id:$pid" <<<"$info"
}

redis_start() {
	command -v redis-server >/dev/null ||
		{ echo "redis.sh: redis-server not found (Debian package redis-server)" >&2; exit 2; }
	local want=${REDIS_PORT:-}
	mkdir -p "$dir"
	if [ -s "$dir/env" ]; then
		. "$dir/env"
	else
		REDIS_PORT=$(srv_free_port)
		REDIS_PASSWORD=pw-$RANDOM$RANDOM
		REDIS_USER=health
		REDIS_USER_PASSWORD=upw-$RANDOM$RANDOM
	fi
	REDIS_PORT=${want:-$REDIS_PORT}
	REDIS_SOCKET=$dir/redis.sock
	rm -f "$dir/redis.pid"
	# The ACL user may do what a health check does and nothing else.
	redis-server --bind 127.0.0.1 --port "$REDIS_PORT" \
		--unixsocket "$REDIS_SOCKET" --unixsocketperm 700 \
		--save '' --appendonly no --daemonize yes \
		--pidfile "$dir/redis.pid" --dir "$dir" --logfile "$dir/redis.log" \
		--requirepass "$REDIS_PASSWORD" \
		--user "$REDIS_USER" on ">$REDIS_USER_PASSWORD" '+@connection' \
		>"$dir/start.log" 2>&1 ||
		{ cat "$dir/start.log" >&2; exit 1; }
	if ! srv_wait 10 redis_ours; then
		echo "redis.sh: redis-server did not answer on 127.0.0.1:$REDIS_PORT" >&2
		tail -n 20 "$dir/redis.log" >&2 2>/dev/null || true
		exit 1
	fi
	cat >"$dir/env" <<-EOF
		REDIS_PORT=$REDIS_PORT
		REDIS_SOCKET=$REDIS_SOCKET
		REDIS_PASSWORD=$REDIS_PASSWORD
		REDIS_USER=$REDIS_USER
		REDIS_USER_PASSWORD=$REDIS_USER_PASSWORD
	EOF
}

redis_stop() {
	local pid
	[ -s "$dir/redis.pid" ] && [ -s "$dir/env" ] || return 0
	pid=$(head -n1 "$dir/redis.pid")
	# Only a redis-server: a stale pidfile may name a recycled pid.
	if grep -q redis-server "/proc/$pid/cmdline" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
	fi
	. "$dir/env"
	srv_wait_closed "$REDIS_PORT" 10 ||
		{ echo "redis.sh: port $REDIS_PORT still open" >&2; exit 1; }
	rm -f "$dir/redis.pid"
}

[ $# -eq 2 ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
dir=$2
case "$1" in
start) redis_start ;;
stop) redis_stop ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
