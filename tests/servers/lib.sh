# Shared helpers of the tests/servers/NAME.sh scripts (sourced, not run).
#
# Contract of every tests/servers/NAME.sh:
#   NAME.sh start DIR   start a throwaway server with all its state under DIR
#                       (created if missing), listening on 127.0.0.1 only, on a
#                       free port; wait until it answers; write DIR/env, shell
#                       assignments the tests source (NAME_PORT=..., and for
#                       servers with accounts NAME_USER, NAME_PASSWORD...).
#                       Exit 0 when it answers, non-zero with a message.
#   NAME.sh stop DIR    stop exactly the processes start started (by pidfile),
#                       wait until the port is closed. Idempotent.
# Servers never bind anything but loopback and never outlive the test run.

# srv_free_port: print a TCP port nothing listens on right now, below the
# kernel's ephemeral range, so that no outgoing connection of a test running
# alongside takes it before the server binds it.
srv_free_port() {
	local port i low
	low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
	[ "$low" -gt 11000 ] || low=32768
	for i in $(seq 1 200); do
		port=$((10000 + RANDOM % (low - 10000)))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	echo "srv_free_port: no free port found" >&2
	return 1
}

# srv_port_open PORT: does something accept on 127.0.0.1:PORT?
srv_port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# srv_wait SECONDS CMD...: run CMD every 0.1 s until it succeeds.
srv_wait() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# srv_wait_closed PORT SECONDS: wait until nothing accepts on PORT. PID 1 in
# containers may reap late, so a stopped server is judged by its port, not
# by kill -0.
srv_wait_closed() {
	local deadline=$((SECONDS + $2))
	while srv_port_open "$1"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# srv_alive PID: the process runs. A zombie waiting for a late reaper (PID 1
# in containers) counts as gone, which kill -0 would not say.
srv_alive() {
	local state
	state=$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ]
}

# srv_kill_pidfile FILE: SIGTERM the process named in FILE, if any.
srv_kill_pidfile() {
	local pid
	[ -s "$1" ] || return 0
	pid=$(head -n1 "$1")
	[ -n "$pid" ] && kill "$pid" 2>/dev/null || true
}

# srv_as_user USER CMD...: run CMD as USER when we are root (servers such as
# PostgreSQL refuse to run as root), as ourselves otherwise.
srv_as_user() {
	local user=$1
	shift
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$user" -- "$@"
	else
		"$@"
	fi
}

# srv_bg_start DIR PORT CMD...: start CMD in the background (its output in
# DIR/server.log, its pid in DIR/server.pid) and wait up to 30 s until it
# accepts on 127.0.0.1:PORT. Fails, with the log, when CMD dies first (a
# port taken meanwhile by another process is not mistaken for ours).
srv_bg_start() {
	local dir=$1 port=$2 pid deadline=$((SECONDS + 30))
	shift 2
	"$@" >"$dir/server.log" 2>&1 </dev/null &
	pid=$!
	echo "$pid" >"$dir/server.pid"
	until srv_port_open "$port" && srv_alive "$pid"; do
		if ! srv_alive "$pid" || [ "$SECONDS" -ge "$deadline" ]; then
			echo "$1 did not start on 127.0.0.1:$port:" >&2
			tail -n 20 "$dir/server.log" >&2
			return 1
		fi
		sleep 0.1
	done
}

# srv_bg_stop DIR PORT: SIGTERM what srv_bg_start started in DIR, wait until
# PORT is closed. Idempotent.
srv_bg_stop() {
	srv_kill_pidfile "$1/server.pid"
	rm -f "$1/server.pid"
	srv_wait_closed "$2" 10
}
