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
. "$top/bench/common/lib.sh" "$@"
plugin=$build/plugins/.libs/exec.so
n=${N:-2000}
rounds=${ROUNDS:-5}
dummy=/usr/lib/nagios/plugins/check_dummy

need "run make" "$plugin"
[ -x "$dummy" ] || { echo "$0: $dummy missing (monitoring-plugins-basic)" >&2; exit 1; }
compile_driver "$top/bench/exec/execdrive.c"

d=$tmp/execdrive
for ((r = 0; r < rounds; r++)); do
	measure raw-dummy "$d" raw "$n" "$dummy" 0 ok
	measure plugin-dummy "$d" plugin "$n" "$plugin" "$dummy 0 ok"
	measure raw-true "$d" raw "$n" /bin/true
	measure plugin-true "$d" plugin "$n" "$plugin" /bin/true
done

take_medians
echo "$(nproc) CPUs, $(uname -r); N=$n ROUNDS=$rounds"
echo
echo "| command | way | µs per run (wall, median) | CPU µs per run (self + children) | wall ÷ raw | CPU ÷ raw |"
echo "|---|---|---:|---:|---:|---:|"
for w in dummy true; do
	label="\`$dummy 0 ok\`"
	[ "$w" = true ] && label="\`/bin/true\`"
	echo "| $label | raw posix_spawn + pipe + waitpid | ${m[raw-$w]} | ${c[raw-$w]} | 1.00 | 1.00 |"
	echo "| $label | exec plugin | ${m[plugin-$w]} | ${c[plugin-$w]} | $(ratio "${m[plugin-$w]}" "${m[raw-$w]}") | $(ratio "${c[plugin-$w]}" "${c[raw-$w]}") |"
done
