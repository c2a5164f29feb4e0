#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmark of the serving path, side by side with nginx in one run (not a
# test: it measures and prints, it asserts nothing). Loopback only; every
# load is bounded in time or count.
#
#   bench/serve.sh [BUILDDIR]      (BUILDDIR: where healthcheckd was built)
#
# 1. wrk against healthcheckd's /readyz and nginx `return 200 "ok"`:
#    req/s, p50, p99 and the ratios.
# 2. The same with a dependency check that takes 500 ms: /readyz latency
#    must not move (requests read a snapshot, they never wait on a check).
# 3. Instructions per request under callgrind, for both: N requests over one
#    keep-alive connection minus an idle run, divided by N. Repeatable where
#    wall-clock numbers are not.
# 1 and 3 also measure healthcheckd's /status (the detailed page, a snapshot
# body like /readyz's, only bigger) next to /readyz.
# Needs: nginx (nginx-light), wrk, ab (apache2-utils), valgrind.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top}
hcd=$build/healthcheckd
fixtures=$build/tests/plugins/.libs
DURATION=${DURATION:-10s}
CONNS=${CONNS:-50}
THREADS=${THREADS:-2}
N=${N:-20000}
for tool in nginx wrk ab valgrind; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install nginx-light wrk apache2-utils valgrind)" >&2; exit 2; }
done
[ -x "$hcd" ] && [ -e "$fixtures/fake_good.so" ] ||
	{ echo "bench: build first (make && make check) so $hcd and $fixtures/fake_good.so exist" >&2; exit 2; }

tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

. "$top/bench/common/port.sh"
wait_port() { # PORT [SECONDS]
	local i
	for i in $(seq 1 $((${2:-10} * 20))); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.05
	done
	echo "bench: nothing answers on port $1" >&2
	exit 1
}

nginx_conf() { # PORT WORKERS
	mkdir -p "$tmp/nginx/logs"
	cat >"$tmp/nginx/nginx.conf" <<CONF
worker_processes $2;
daemon off;
master_process ${3:-on};
error_log $tmp/nginx/logs/error.log;
pid $tmp/nginx/nginx.pid;
events { worker_connections 1024; }
http {
	access_log off;
	keepalive_requests 1000000;
	server {
		listen 127.0.0.1:$1;
		location / { default_type text/plain; return 200 "ok"; }
	}
}
CONF
}

hcd_conf() { # PORT WORD
	echo "$2" >"$tmp/state"
	cat >"$tmp/hc.ini" <<CONF
[server]
listen = 127.0.0.1:$1
shutdown_delay = 0s
workers = 2
details = always
[check:dep]
plugin = fake_good
path = $tmp/state
interval = 1s
timeout = 900ms
CONF
}

start_nginx() { nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" & pids+=($!); wait_port "$1"; }
start_hcd() { "$hcd" -c "$tmp/hc.ini" --plugin-dir "$fixtures" 2>"$tmp/hc.log" & pids+=($!); wait_port "$1"; }
stop_all() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	pids=()
}

# wrk URL → "req/s p50 p99" (latencies in ms)
run_wrk() {
	wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "$1" >"$tmp/wrk.out"
	awk '
	function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
	/Requests\/sec/ { rps = $2 }
	$1 == "50%" { p50 = ms($2) }
	$1 == "99%" { p99 = ms($2) }
	END { printf "%.0f %.3f %.3f\n", rps, p50, p99 }' "$tmp/wrk.out"
}

# Wait until /readyz says ok, so the bench measures the steady state.
wait_ready() {
	local i
	for i in $(seq 1 100); do
		[ "$(curl -s "http://127.0.0.1:$1/readyz")" = ok ] && return 0
		sleep 0.1
	done
	echo "bench: /readyz never became ready" >&2
	exit 1
}

echo "== wrk -t$THREADS -c$CONNS -d$DURATION, loopback, $(nproc) cores"
pn=$(free_port); nginx_conf "$pn" "$THREADS"; start_nginx "$pn"
ph=$(free_port); hcd_conf "$ph" pass; start_hcd "$ph"; wait_ready "$ph"
read -r n_rps n_p50 n_p99 < <(run_wrk "http://127.0.0.1:$pn/")
read -r h_rps h_p50 h_p99 < <(run_wrk "http://127.0.0.1:$ph/readyz")
read -r p_rps p_p50 p_p99 < <(run_wrk "http://127.0.0.1:$ph/status")
p_size=$(curl -s "http://127.0.0.1:$ph/status" | wc -c)
stop_all
ph=$(free_port); hcd_conf "$ph" "sleep 500"; start_hcd "$ph"; wait_ready "$ph"
read -r s_rps s_p50 s_p99 < <(run_wrk "http://127.0.0.1:$ph/readyz")
runs=$(curl -s "http://127.0.0.1:$ph/metrics" | awk '/^healthcheckd_check_runs_total/ { print $2 }')
stop_all

printf '| server | req/s | p50 ms | p99 ms | req/s vs nginx | p99 vs nginx |\n|---|---|---|---|---|---|\n'
printf '| nginx `return 200` | %s | %s | %s | 1.00 | 1.00 |\n' "$n_rps" "$n_p50" "$n_p99"
awk -v r="$h_rps" -v a="$h_p50" -v b="$h_p99" -v nr="$n_rps" -v nb="$n_p99" \
	'BEGIN { printf "| healthcheckd /readyz | %s | %s | %s | %.2f | %.2f |\n", r, a, b, r / nr, b / nb }'
awk -v r="$s_rps" -v a="$s_p50" -v b="$s_p99" -v nr="$n_rps" -v nb="$n_p99" \
	'BEGIN { printf "| healthcheckd /readyz, check takes 500 ms | %s | %s | %s | %.2f | %.2f |\n", r, a, b, r / nr, b / nb }'
awk -v r="$p_rps" -v a="$p_p50" -v b="$p_p99" -v nr="$n_rps" -v nb="$n_p99" -v sz="$p_size" \
	'BEGIN { printf "| healthcheckd /status (%d bytes) | %s | %s | %s | %.2f | %.2f |\n", sz, r, a, b, r / nr, b / nb }'

# callgrind: total instructions of a run with N keep-alive requests, minus a
# run that serves none, over N.
callgrind_total() { # OUTFILE
	callgrind_annotate "$1" 2>/dev/null | awk '/PROGRAM TOTALS/ && !done { gsub(",", "", $1); print $1; done = 1 }'
}
measure() { # NAME START-CMD PORT URL REQUESTS
	local name=$1 cmd=$2 port=$3 url=$4 reqs=$5 out=$tmp/cg.$1.$5
	valgrind --tool=callgrind --callgrind-out-file="$out" --trace-children=no $cmd \
		>/dev/null 2>"$tmp/vg.log" &
	local pid=$!
	wait_port "$port" 60
	sleep 1
	[ "$reqs" -gt 0 ] && ab -q -k -n "$reqs" -c 1 "$url" >/dev/null
	kill -TERM "$pid"
	wait "$pid" || true
	callgrind_total "$out"
}

echo
echo "== instructions per request (callgrind, $N keep-alive requests over one connection, minus idle)"
pn=$(free_port); nginx_conf "$pn" 1 off
ngx="nginx -p $tmp/nginx -c $tmp/nginx/nginx.conf"
n_idle=$(measure nginx "$ngx" "$pn" "http://127.0.0.1:$pn/" 0)
n_busy=$(measure nginx "$ngx" "$pn" "http://127.0.0.1:$pn/" "$N")
ph=$(free_port); hcd_conf "$ph" pass
hc="$hcd -c $tmp/hc.ini --plugin-dir $fixtures"
sed -i 's/^interval = 1s/interval = 10m/; s/^timeout = 900ms/timeout = 1s/' "$tmp/hc.ini"
h_idle=$(measure hcd "$hc" "$ph" "http://127.0.0.1:$ph/readyz" 0)
h_busy=$(measure hcd "$hc" "$ph" "http://127.0.0.1:$ph/readyz" "$N")
p_busy=$(measure hcd-status "$hc" "$ph" "http://127.0.0.1:$ph/status" "$N")
awk -v ni="$n_idle" -v nb="$n_busy" -v hi="$h_idle" -v hb="$h_busy" -v pb="$p_busy" -v n="$N" 'BEGIN {
	np = (nb - ni) / n; hp = (hb - hi) / n; pp = (pb - hi) / n
	printf "| server | instructions per request | vs nginx |\n|---|---|---|\n"
	printf "| nginx `return 200` | %.0f | 1.00 |\n", np
	printf "| healthcheckd /readyz | %.0f | %.2f |\n", hp, hp / np
	printf "| healthcheckd /status | %.0f | %.2f |\n", pp, pp / np
}'
echo
echo "(the 500 ms check ran $runs times in all while wrk sent its requests: requests never wait for it)"
