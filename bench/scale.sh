#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Scale benchmark (not a test: it measures and prints, it asserts nothing).
# Loopback only; every run is bounded in time.
#
#   bench/scale.sh [BUILDDIR]        SIZES="10 100 1000 10000" INTERVALS="1 10"
#
# For each number of tcp checks (all against one local accept-and-close
# listener) and each interval, one daemon, side by side with a raw
# non-blocking connect loop (bench/scale/rawconnect.c) doing the same
# connects:
#   runs done per second vs scheduled, scheduler lag p50/p99 (from
#   /metrics' histogram, bucket bounds), daemon CPU µs per run (from
#   /proc/PID/stat) and its ratio to the raw connect's, RSS, and
#   /health and /metrics latency and size.
# Then, at interval 10 s, /readyz throughput (wrk) against the same
# daemon with no checks, and the CPU cost of one heartbeat push.
# Needs: curl, wrk (apt-get install wrk), a C compiler.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/common/lib.sh" "${1:-$top}"
hcd=$build/healthcheckd
plugins=$build/plugins/.libs
SIZES=${SIZES:-10 100 1000 10000}
INTERVALS=${INTERVALS:-1 10}
for tool in curl wrk cc; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install curl wrk gcc)" >&2; exit 2; }
done
need make "$hcd" "$plugins/tcp.so"
start_acceptor
cc -O2 -o "$tmp/rawconnect" "$top/bench/scale/rawconnect.c"
hz=$(getconf CLK_TCK)

# config N INTERVAL PORT [extra section]: N tcp checks against the listener.
config() {
	local n=$1 interval=$2 port=$3 i
	printf '[server]\nlisten = 127.0.0.1:%s\ndetails = always\nworkers = 4\n' "$port"
	for ((i = 0; i < n; i++)); do
		printf '[check:c%d]\nplugin = tcp\nhost = 127.0.0.1\nport = %s\ninterval = %ss\ntimeout = 500ms\n' \
			"$i" "$dep" "$interval"
	done
}

# cpu_ticks PID: utime + stime of the process, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# metrics PORT: the sum of runs_total and the lag histogram's cumulative
# buckets, one "le count" per line after a "runs N" line.
metrics() {
	curl -s "http://127.0.0.1:$1/metrics" | awk '
		/^healthcheckd_check_runs_total/ { runs += $2 }
		/^healthcheckd_scheduler_lag_seconds_bucket/ {
			le = $1; sub(/.*le="/, "", le); sub(/".*/, "", le); print "le", le, $2 }
		END { print "runs", runs }'
}

# quantile Q BEFORE AFTER: the bucket bound under which fraction Q of the
# runs between the two metrics snapshots started.
quantile() {
	awk -v q="$1" 'FNR == NR && $1 == "le" { b[$2] = $3; next }
	               $1 == "le" { n++; le[n] = $2; c[n] = $3 - b[$2] }
	               END { total = c[n]; for (i = 1; i <= n; i++) if (c[i] >= q * total) { print le[i]; exit } }' "$2" "$3"
}

# timed PORT PATH: "seconds bytes", the median of 5 requests.
timed() {
	local i
	for i in 1 2 3 4 5; do
		curl -s -o /dev/null -w '%{time_total} %{size_download}\n' "http://127.0.0.1:$1$2"
	done | sort -n | sed -n 3p
}

start_daemon() {
	local cfg=$1 port=$2 i
	"$hcd" -c "$cfg" --plugin-dir "$plugins" 2>"$tmp/daemon.log" &
	daemon=$!
	for i in $(seq 300); do
		curl -s -o /dev/null "http://127.0.0.1:$port/livez" && return 0
		sleep 0.1
	done
	echo "bench: the daemon did not start; its log:" >&2
	cat "$tmp/daemon.log" >&2
	exit 1
}
stop_daemon() {
	kill "$daemon"
	wait "$daemon" 2>/dev/null || true
}

raw_us=$("$tmp/rawconnect" "$dep" 20000)
echo "raw non-blocking connect + close: $raw_us CPU us each (20000 in a row)"
echo
printf '| checks | interval | runs/s done (scheduled) | lag p50 | lag p99 | CPU us/run | / raw connect | RSS MB | /health ms, KB | /metrics ms, KB |\n'
printf '|---|---|---|---|---|---|---|---|---|---|\n'
for n in $SIZES; do
	for interval in $INTERVALS; do
		port=$(free_port)
		config "$n" "$interval" "$port" >"$tmp/scale.ini"
		start_daemon "$tmp/scale.ini" "$port"
		# First runs are spread over the first interval.
		sleep $((interval + 2))
		window=$((interval * 2 > 10 ? interval * 2 : 10))
		metrics "$port" >"$tmp/m0"
		t0=$(cpu_ticks "$daemon")
		sleep "$window"
		t1=$(cpu_ticks "$daemon")
		metrics "$port" >"$tmp/m1"
		runs=$(( $(awk '$1 == "runs" { print $2 }' "$tmp/m1") - $(awk '$1 == "runs" { print $2 }' "$tmp/m0") ))
		cpu_us=$(( (t1 - t0) * 1000000 / hz ))
		per_run=$(awk -v c="$cpu_us" -v r="$runs" 'BEGIN { printf "%.0f", r ? c / r : 0 }')
		ratio=$(awk -v p="$per_run" -v r="$raw_us" 'BEGIN { printf "%.2f", p / r }')
		read -r hs hb < <(timed "$port" /health)
		read -r ms mb < <(timed "$port" /metrics)
		printf '| %d | %d s | %.0f (%.0f) | %s s | %s s | %s | %s× | %.1f | %.1f, %.0f | %.1f, %.0f |\n' \
			"$n" "$interval" "$(awk -v r="$runs" -v w="$window" 'BEGIN { print r / w }')" \
			"$(awk -v n="$n" -v i="$interval" 'BEGIN { print n / i }')" \
			"$(quantile 0.5 "$tmp/m0" "$tmp/m1")" "$(quantile 0.99 "$tmp/m0" "$tmp/m1")" \
			"$per_run" "$ratio" "$(awk -v k="$(rss_kb "$daemon")" 'BEGIN { print k / 1024 }')" \
			"$(awk -v s="$hs" 'BEGIN { print s * 1000 }')" "$(awk -v b="$hb" 'BEGIN { print b / 1024 }')" \
			"$(awk -v s="$ms" 'BEGIN { print s * 1000 }')" "$(awk -v b="$mb" 'BEGIN { print b / 1024 }')"
		stop_daemon
	done
done

echo
echo "/readyz throughput (wrk -t2 -c50 -d5s) and heartbeat push cost, checks at interval 10 s:"
printf '| checks | /readyz req/s | vs 0 checks | heartbeat push CPU us |\n|---|---|---|---|\n'
base=
for n in 0 $SIZES; do
	port=$(free_port)
	{ config "$n" 10 "$port"; printf '[check:hb]\nplugin = heartbeat\nttl = 60m\n'; } >"$tmp/scale.ini"
	sed -i 's/^details = always$/details = always\ntoken_file = token/' "$tmp/scale.ini"
	printf 'benchtoken\n' >"$tmp/token"
	chmod 600 "$tmp/token"
	start_daemon "$tmp/scale.ini" "$port"
	sleep 12
	# One push first: a pending heartbeat fails readiness, and a failing
	# /readyz lists every check (a 300 KB body at 10,000 checks).
	curl -s -o /dev/null -X POST -H 'Authorization: Bearer benchtoken' "http://127.0.0.1:$port/heartbeat/hb"
	rps=$(wrk -t2 -c50 -d5s "http://127.0.0.1:$port/readyz" | awk '/^Requests\/sec:/ { print $2 }')
	[ -n "$base" ] || base=$rps
	# 200 pushes, minus what the daemon spends in the same time without them.
	t0=$(cpu_ticks "$daemon"); s0=$(date +%s%N)
	for _ in $(seq 200); do
		curl -s -o /dev/null -X POST -H 'Authorization: Bearer benchtoken' "http://127.0.0.1:$port/heartbeat/hb"
	done
	t1=$(cpu_ticks "$daemon"); s1=$(date +%s%N)
	sleep "$(awk -v a="$s0" -v b="$s1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')"
	t2=$(cpu_ticks "$daemon")
	push=$(( ((t1 - t0) - (t2 - t1)) * 1000000 / hz / 200 ))
	printf '| %d | %.0f | %.2f× | %d |\n' "$n" "$rps" "$(awk -v a="$rps" -v b="$base" 'BEGIN { print a / b }')" "$push"
	stop_daemon
done
