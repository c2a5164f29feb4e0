#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# isolate = none vs process on the same checks (not a test: it measures and
# prints, it asserts nothing). Loopback only; every run is bounded in time.
#
#   bench/isolate/run.sh [BUILDDIR]      TCP=100 DISK=10 WINDOW=20
#
# One daemon per mode, side by side in one run, each with TCP tcp checks
# against one local accept-and-close listener (bench/scale/acceptor.c) and
# DISK disk checks, all at interval 1 s: the start-up time (to "serving"),
# runs done per second, CPU µs per run of the daemon and its plugin hosts
# together (from /proc/PID/stat over WINDOW seconds), and the memory of the
# daemon and its hosts: RSS (what each process maps, shared pages counted
# in every process) and PSS (shared pages split between the processes that
# map them: what the pod's memory really grows by).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/bench/common/lib.sh"
hcd=$build/healthcheckd
plugins=$build/plugins/.libs
TCP=${TCP:-100}
DISK=${DISK:-10}
WINDOW=${WINDOW:-20}
for tool in curl cc python3; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 2; }
done
need "make" "$hcd" "$plugins/tcp.so" "$plugins/disk.so"
start_acceptor
hz=$(getconf CLK_TCK)

# config MODE PORT: the checks, all isolated or none.
config() {
	local i
	printf '[server]\nlisten = 127.0.0.1:%s\ndetails = always\nworkers = 4\nisolate = %s\n' "$2" "$1"
	for ((i = 0; i < TCP; i++)); do
		printf '[check:t%d]\nplugin = tcp\nhost = 127.0.0.1\nport = %s\ninterval = 1s\ntimeout = 500ms\n' "$i" "$dep"
	done
	for ((i = 0; i < DISK; i++)); do
		printf '[check:d%d]\nplugin = disk\npath = /\ninterval = 1s\ntimeout = 500ms\n' "$i"
	done
}

# procs: the daemon and its plugin hosts (its children).
procs() {
	echo "$daemon"
	cat "/proc/$daemon/task/"*/children 2>/dev/null | tr ' ' '\n' | grep . || true
}
sum_ticks() { for p in $(procs); do awk '{ print $14 + $15 }' "/proc/$p/stat"; done | awk '{ s += $1 } END { print s }'; }
# sum_kb FIELD FILE: FIELD of /proc/PID/FILE summed over procs.
sum_kb() { for p in $(procs); do awk -v f="$1:" '$1 == f { print $2 }' "/proc/$p/$2"; done | awk '{ s += $1 } END { print s + 0 }'; }
runs() { curl -s "http://127.0.0.1:$1/metrics" | awk '/^healthcheckd_check_runs_total/ { r += $2 } END { print r }'; }

printf '| isolate | checks | start-up ms | runs/s | CPU µs/run (daemon + hosts) | processes | RSS MB | PSS MB | PSS KB per check |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
declare -A pss
for mode in none process; do
	port=$(free_port)
	config "$mode" "$port" >"$tmp/isolate.ini"
	s0=$(date +%s%N)
	"$hcd" -c "$tmp/isolate.ini" --plugin-dir "$plugins" 2>"$tmp/daemon.log" &
	daemon=$!
	kill_on_exit "$daemon"
	for _ in $(seq 600); do
		curl -s -o /dev/null "http://127.0.0.1:$port/livez" && break
		sleep 0.05
	done
	started=$(( ($(date +%s%N) - s0) / 1000000 ))
	# First runs are spread over the first interval.
	sleep 3
	r0=$(runs "$port"); t0=$(sum_ticks)
	sleep "$WINDOW"
	t1=$(sum_ticks); r1=$(runs "$port")
	n=$(procs | wc -l)
	rss=$(sum_kb VmRSS status)
	pss[$mode]=$(sum_kb Pss smaps_rollup)
	printf '| %s | %d | %d | %.0f | %.0f | %d | %.1f | %.1f | %.0f |\n' "$mode" $((TCP + DISK)) "$started" \
		"$(awk -v r=$((r1 - r0)) -v w="$WINDOW" 'BEGIN { print r / w }')" \
		"$(awk -v t=$((t1 - t0)) -v r=$((r1 - r0)) -v hz="$hz" 'BEGIN { print t * 1e6 / hz / r }')" \
		"$n" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" \
		"$(awk -v k="${pss[$mode]}" 'BEGIN { print k / 1024 }')" \
		"$(awk -v k="${pss[$mode]}" -v n=$((TCP + DISK)) 'BEGIN { print k / n }')"
	kill "$daemon"
	wait "$daemon" 2>/dev/null || true
done
extra=$(awk -v a="${pss[process]}" -v b="${pss[none]}" -v n=$((TCP + DISK)) 'BEGIN { printf "%.0f", (a - b) / n }')
echo
echo "isolate = process costs $extra KB of PSS per check: $(awk -v k="$extra" 'BEGIN { printf "%.0f", k * 10000 / 1024 }') MB at 10,000 checks."
