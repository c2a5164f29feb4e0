#!/bin/bash
# SPDX-License-Identifier: MIT
# Per-check cost of the s3 plugin against a raw libcurl loop sending the
# same SigV4-signed HEAD on one kept connection, on one throwaway s3rver on
# loopback, in one run. Prints a Markdown table of medians and ratios. A
# benchmark, not a test: it asserts nothing.
#
#   bench/s3/run.sh [BUILDDIR]     (default: the source tree)
#
# N (default 2000) checks per round, ROUNDS (5) rounds with the ways
# interleaved, so that a burst of load elsewhere on the machine hits both
# alike; each figure is the median over rounds of the per-round median
# (wall time) or mean (CPU time of the checking process). Needs a built
# tree (plugins/.libs/s3.so, tests/tools/hcrun), libcurl4-openssl-dev, and
# s3rver installed by `npm ci` in tests/.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$top}" && pwd)
plugin=$build/plugins/.libs/s3.so
hcrun=$build/tests/tools/hcrun
n=${N:-2000}
rounds=${ROUNDS:-5}

[ -e "$plugin" ] || { echo "$0: $plugin not built (run make)" >&2; exit 1; }
[ -x "$hcrun" ] || { echo "$0: $hcrun not built (run make check)" >&2; exit 1; }
tmp=$(mktemp -d)
trap '"$top/tests/servers/s3rver.sh" stop "$tmp/srv" || true; rm -rf "$tmp"' EXIT
cc -O2 -Wall -o "$tmp/s3drive" "$top/bench/s3/s3drive.c" -I"$top/include" \
	$(pkg-config --cflags --libs libcurl) -ldl
"$top/tests/servers/s3rver.sh" start "$tmp/srv" >/dev/null
. "$tmp/srv/env"
url=http://127.0.0.1:$S3_PORT/$S3_BUCKET
keys=(endpoint="http://127.0.0.1:$S3_PORT" path_style=yes region="$S3_REGION"
	bucket="$S3_BUCKET" access_key_id="$S3_ACCESS_KEY_ID"
	secret_access_key="$S3_SECRET_ACCESS_KEY")

declare -A result cpu
# measure NAME CMD...: run CMD (an s3drive line); keep its median and CPU.
measure() {
	local name=$1 median mean p95 cpu_us fails
	shift
	read -r median mean p95 cpu_us fails < <("$@") ||
		{ echo "$0: $name failed" >&2; exit 1; }
	[ "${fails:-1}" -eq 0 ] || { echo "$0: $name: $fails checks failed" >&2; exit 1; }
	result[$name]="${result[$name]:-} $median"
	cpu[$name]="${cpu[$name]:-} $cpu_us"
}

# hcrun_kept: N runs of one instance through hcrun (the core's path: a
# thread per run); mean per run, start-up included.
hcrun_kept() {
	local start end passed
	start=$(date +%s%N)
	passed=$(head -c "$n" /dev/zero | tr '\0' '\n' |
		"$hcrun" "$plugin" "${keys[@]}" | grep -c '^pass ' || true)
	[ "$passed" -eq "$n" ] || { echo "$0: hcrun: $passed of $n passed" >&2; exit 1; }
	end=$(date +%s%N)
	result[hcrun]="${result[hcrun]:-} $(awk -v t=$((end - start)) -v n="$n" 'BEGIN { printf "%.1f", t / n / 1e3 }')"
}

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

for ((r = 0; r < rounds; r++)); do
	measure raw "$tmp/s3drive" raw "$n" "$url" "$S3_REGION" \
		"$S3_ACCESS_KEY_ID" "$S3_SECRET_ACCESS_KEY"
	measure plugin "$tmp/s3drive" plugin "$n" "$plugin" "${keys[@]}"
	hcrun_kept
done

declare -A m c
for k in "${!result[@]}"; do m[$k]=$(median <<<"${result[$k]}"); done
for k in "${!cpu[@]}"; do c[$k]=$(median <<<"${cpu[$k]}"); done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
cratio() { [ -n "$1" ] && ratio "$1" "$2" || echo —; }
echo "s3rver 3.7.1 on Node $(node --version), libcurl $(pkg-config --modversion libcurl), $(nproc) CPUs; N=$n ROUNDS=$rounds"
echo
echo "| way | µs per check (wall, median) | client CPU µs per check | wall ÷ raw | CPU ÷ raw |"
echo "|---|---:|---:|---:|---:|"
echo "| raw libcurl: signed HEAD on one kept connection | ${m[raw]} | ${c[raw]} | 1.00 | 1.00 |"
echo "| s3 plugin through its ABI (kept connection) | ${m[plugin]} | ${c[plugin]} | $(ratio "${m[plugin]}" "${m[raw]}") | $(cratio "${c[plugin]}" "${c[raw]}") |"
echo "| s3 plugin through hcrun (a core thread per run; mean incl. start-up) | ${m[hcrun]} | — | $(ratio "${m[hcrun]}" "${m[raw]}") | — |"
