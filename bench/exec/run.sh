#!/bin/bash
# SPDX-License-Identifier: MIT
# Per-check cost of the exec plugin against a raw posix_spawn + pipe read +
# waitpid loop of the same command, in one run: check_dummy from Debian's
# monitoring-plugins-basic and /bin/true. Prints a Markdown table of
# medians and ratios. A benchmark, not a test: it asserts nothing.
#
#   bench/exec/run.sh [BUILDDIR]     (default: the source tree)
#
# N (default 2000) runs per round, ROUNDS (5) rounds with the ways
# interleaved, so that a burst of load elsewhere on the machine hits both
# alike; each figure is the median over rounds of the per-round median
# (wall time) or mean (CPU time of the driver and its children).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$top}" && pwd)
plugin=$build/plugins/.libs/exec.so
n=${N:-2000}
rounds=${ROUNDS:-5}
dummy=/usr/lib/nagios/plugins/check_dummy

[ -e "$plugin" ] || { echo "$0: $plugin not built (run make)" >&2; exit 1; }
[ -x "$dummy" ] || { echo "$0: $dummy missing (monitoring-plugins-basic)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -Wall -o "$tmp/execdrive" "$top/bench/exec/execdrive.c" -I"$top/include" -ldl

declare -A wall cpu
# measure KEY ARGS...: one execdrive line; keep its median and CPU.
measure() {
	local key=$1 median mean p95 cpu_us fails
	shift
	read -r median mean p95 cpu_us fails < <("$tmp/execdrive" "$@") ||
		{ echo "$0: $key failed" >&2; exit 1; }
	[ "${fails:-1}" -eq 0 ] || { echo "$0: $key: $fails runs failed" >&2; exit 1; }
	wall[$key]="${wall[$key]:-} $median"
	cpu[$key]="${cpu[$key]:-} $cpu_us"
}

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

for ((r = 0; r < rounds; r++)); do
	measure raw-dummy raw "$n" "$dummy" 0 ok
	measure plugin-dummy plugin "$n" "$plugin" "$dummy 0 ok"
	measure raw-true raw "$n" /bin/true
	measure plugin-true plugin "$n" "$plugin" /bin/true
done

declare -A mw mc
for k in "${!wall[@]}"; do
	mw[$k]=$(median <<<"${wall[$k]}")
	mc[$k]=$(median <<<"${cpu[$k]}")
done
echo "$(nproc) CPUs, $(uname -r); N=$n ROUNDS=$rounds"
echo
echo "| command | way | µs per run (wall, median) | CPU µs per run (self + children) | wall ÷ raw | CPU ÷ raw |"
echo "|---|---|---:|---:|---:|---:|"
for c in dummy true; do
	label="\`$dummy 0 ok\`"
	[ "$c" = true ] && label="\`/bin/true\`"
	echo "| $label | raw posix_spawn + pipe + waitpid | ${mw[raw-$c]} | ${mc[raw-$c]} | 1.00 | 1.00 |"
	echo "| $label | exec plugin | ${mw[plugin-$c]} | ${mc[plugin-$c]} | $(ratio "${mw[plugin-$c]}" "${mw[raw-$c]}") | $(ratio "${mc[plugin-$c]}" "${mc[raw-$c]}") |"
done
