# SPDX-License-Identifier: MIT
# What the bench/NAME/run.sh scripts share: a temporary directory and the
# peers stopped on exit, a driver compiled with bench/common/drive.c, its
# one line per round kept, runs through tests/tools/hcrun timed, and the
# median over rounds. Sourced (bash) after setting top (the source tree),
# with the script's arguments: $build is the first (default: the source
# tree), $hcrun its tests/tools/hcrun. set -euo pipefail is the caller's.
#
# Results: measure and hcrun_mean add one figure per round to result[KEY]
# (wall µs) and cpu[KEY] (CPU µs); take_medians fills m[KEY] and c[KEY]
# with their medians over rounds.

build=$(cd "${1:-$top}" && pwd)
hcrun=$build/tests/tools/hcrun
declare -A result cpu m c
bench_peers=()
bench_pids=()

# Stop what was started, then remove $tmp.
bench_exit() {
	local s p
	for s in "${bench_peers[@]}"; do
		"$top/tests/servers/$s.sh" stop "$tmp/srv" || true
	done
	for p in "${bench_pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
tmp=$(mktemp -d)
trap bench_exit EXIT

# need HINT FILE...: stop unless every FILE exists (HINT: what builds it).
need() {
	local f
	for f in "${@:2}"; do
		[ -e "$f" ] || { echo "$0: $f not built ($1)" >&2; exit 1; }
	done
}

# start_peer NAME: tests/servers/NAME.sh start in $tmp/srv, stopped on exit;
# its env file is sourced (the peer's port, user, ...).
start_peer() {
	bench_peers+=("$1")
	"$top/tests/servers/$1.sh" start "$tmp/srv" >/dev/null
	. "$tmp/srv/env"
}

# kill_on_exit PID: a background peer of the caller's, killed on exit.
kill_on_exit() {
	bench_pids+=("$1")
}

# compile_driver SRC [CC ARGS...]: $tmp/NAME (NAME: SRC's basename without
# .c) from SRC and bench/common/drive.c; the arguments add libraries.
compile_driver() {
	local src=$1 out
	shift
	out=$tmp/$(basename "$src" .c)
	cc -O2 -Wall -Wextra -o "$out" "$src" "$top/bench/common/drive.c" -I"$top/include" \
		-I"$top/bench/common" "$@" -ldl
}

# measure KEY CMD...: run CMD (a driver line: median mean p95 cpu
# failures); keep its median and CPU; stop if it failed.
measure() {
	local key=$1 median mean p95 cpu_us fails
	shift
	read -r median mean p95 cpu_us fails < <("$@") ||
		{ echo "$0: $key failed" >&2; exit 1; }
	[ "${fails:-1}" -eq 0 ] || { echo "$0: $key: $fails checks failed" >&2; exit 1; }
	result[$key]="${result[$key]:-} $median"
	cpu[$key]="${cpu[$key]:-} $cpu_us"
}

# hcrun_mean KEY N PLUGIN KEY=VALUE...: N runs of one instance through
# hcrun (the core's path: a thread per run); the mean per run, hcrun's
# start-up included, goes to result[KEY].
hcrun_mean() {
	local key=$1 n=$2 start end passed
	shift 2
	start=$(date +%s%N)
	passed=$(head -c "$n" /dev/zero | tr '\0' '\n' |
		"$hcrun" "$@" | grep -c '^pass ' || true)
	[ "$passed" -eq "$n" ] || { echo "$0: hcrun: $passed of $n passed" >&2; exit 1; }
	end=$(date +%s%N)
	result[$key]="${result[$key]:-} $(awk -v t=$((end - start)) -v n="$n" 'BEGIN { printf "%.1f", t / n / 1e3 }')"
}

# The median of the numbers on stdin (separated by blanks).
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# take_medians: m[KEY] and c[KEY], the medians over rounds.
take_medians() {
	local k
	m=()
	c=()
	for k in "${!result[@]}"; do m[$k]=$(median <<<"${result[$k]}"); done
	for k in "${!cpu[@]}"; do c[$k]=$(median <<<"${cpu[$k]}"); done
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# start_acceptor: bench/scale/acceptor.c (accepts and closes, on a free
# loopback port) started, killed on exit; its port in $dep.
start_acceptor() {
	cc -O2 -o "$tmp/acceptor" "$top/bench/scale/acceptor.c"
	"$tmp/acceptor" >"$tmp/acceptor.port" &
	kill_on_exit $!
	for _ in $(seq 50); do [ -s "$tmp/acceptor.port" ] && break; sleep 0.1; done
	dep=$(cat "$tmp/acceptor.port")
}

. "$top/bench/common/port.sh"
