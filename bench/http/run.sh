#!/bin/bash
# SPDX-License-Identifier: MIT
# Per-check cost of the http plugin against a raw libcurl loop on one kept
# connection, both against the same local server (bench/http/okserver.c, a
# minimal keep-alive HTTP/1.1 server, so that the client's cost shows), in
# one run. Prints a Markdown table of medians and ratios. A benchmark, not
# a test: it asserts nothing.
#
#   bench/http/run.sh [BUILDDIR]     (default: the source tree)
#
# Each way runs once in the bench's thread and once with a new thread per
# check (CURLDRIVE_THREAD=1), which is how the core runs checks: libcurl and
# OpenSSL set up per-thread state on a thread's first transfer.
# N (default 5000) checks per round, ROUNDS (5) rounds with the ways
# interleaved, so that a burst of load elsewhere on the machine hits every
# way alike; each figure is the median over rounds of the per-round median
# (wall time) or mean (CPU time of the checking process). Needs a built tree
# (plugins/.libs/http.so, tests/tools/hcrun) and libcurl4-openssl-dev.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/bench/common/lib.sh" "$@"
plugin=$build/plugins/.libs/http.so
n=${N:-5000}
rounds=${ROUNDS:-5}

need "run make" "$plugin"
need "run make check" "$hcrun"
compile_driver "$top/bench/http/curldrive.c" $(pkg-config --cflags --libs libcurl) -lpthread
cc -O2 -Wall -Wextra -o "$tmp/okserver" "$top/bench/http/okserver.c"
# One connection at a time is all it serves: each way runs alone.
OKSERVER_LIFETIME=3600 "$tmp/okserver" >"$tmp/port" &
kill_on_exit $!
for _ in $(seq 1 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
url=http://127.0.0.1:$(head -n1 "$tmp/port")/

d=$tmp/curldrive
for ((r = 0; r < rounds; r++)); do
	measure raw "$d" raw "$n" "$url"
	measure plugin "$d" plugin "$n" "$plugin" url="$url"
	measure body "$d" plugin "$n" "$plugin" url="$url" body_contains=ok \
		body_regex='^ok$' warn_latency=200ms
	# A thread per check, as the core runs checks.
	measure rawth env CURLDRIVE_THREAD=1 "$d" raw "$n" "$url"
	measure pluginth env CURLDRIVE_THREAD=1 "$d" plugin "$n" "$plugin" url="$url"
	hcrun_mean hcrun "$n" "$plugin" url="$url"
done

take_medians
row() { echo "| $1 | ${m[$2]} | ${c[$2]:-—} | $(ratio "${m[$2]}" "${m[raw]}") | $( [ -n "${c[$2]:-}" ] && ratio "${c[$2]}" "${c[raw]}" || echo —) |"; }
echo "libcurl $(pkg-config --modversion libcurl), $(nproc) CPUs; N=$n ROUNDS=$rounds"
echo
echo "| way | µs per check (wall, median) | client CPU µs per check | wall ÷ raw | CPU ÷ raw |"
echo "|---|---:|---:|---:|---:|"
row "raw libcurl: curl_easy_perform on one kept handle + status code" raw
row "plugin: url only (status 200-399)" plugin
row "plugin: + body_contains, body_regex, warn_latency" body
row "raw libcurl, each check on a new thread" rawth
row "plugin, each check on a new thread" pluginth
row "plugin through hcrun (a core thread per run; mean incl. start-up)" hcrun

# Instructions per check under callgrind: repeatable where wall-clock
# figures are not. (600 checks - 100 checks) / 500, so that start-up,
# the first connection and teardown cancel out.
command -v valgrind >/dev/null || { echo; echo "(valgrind missing: no instruction counts)"; exit 0; }
instr() {
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$d" "$@" 2>&1 |
		sed -n 's/.*Collected : //p'
}
per_check() {
	local mode=$1 a b
	shift
	a=$(instr "$mode" 100 "$@")
	b=$(instr "$mode" 600 "$@")
	echo $(((b - a) / 500))
}
iraw=$(per_check raw "$url")
iplugin=$(per_check plugin "$plugin" url="$url")
ibody=$(per_check plugin "$plugin" url="$url" body_contains=ok body_regex='^ok$' \
	warn_latency=200ms)
echo
echo "| way | instructions per check (callgrind) | ÷ raw |"
echo "|---|---:|---:|"
echo "| raw libcurl on one kept handle | $iraw | 1.00 |"
echo "| plugin: url only | $iplugin | $(ratio "$iplugin" "$iraw") |"
echo "| plugin: + body_contains, body_regex, warn_latency | $ibody | $(ratio "$ibody" "$iraw") |"
