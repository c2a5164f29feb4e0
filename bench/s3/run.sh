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
. "$top/bench/common/lib.sh" "$@"
plugin=$build/plugins/.libs/s3.so
n=${N:-2000}
rounds=${ROUNDS:-5}

need "run make" "$plugin"
need "run make check" "$hcrun"
compile_driver "$top/bench/s3/s3drive.c" $(pkg-config --cflags --libs libcurl)
start_peer s3rver
url=http://127.0.0.1:$S3_PORT/$S3_BUCKET
keys=(endpoint="http://127.0.0.1:$S3_PORT" path_style=yes region="$S3_REGION"
	bucket="$S3_BUCKET" access_key_id="$S3_ACCESS_KEY_ID"
	secret_access_key="$S3_SECRET_ACCESS_KEY")

for ((r = 0; r < rounds; r++)); do
	measure raw "$tmp/s3drive" raw "$n" "$url" "$S3_REGION" \
		"$S3_ACCESS_KEY_ID" "$S3_SECRET_ACCESS_KEY"
	measure plugin "$tmp/s3drive" plugin "$n" "$plugin" "${keys[@]}"
	hcrun_mean hcrun "$n" "$plugin" "${keys[@]}"
done

take_medians
cratio() { [ -n "$1" ] && ratio "$1" "$2" || echo —; }
echo "s3rver 3.7.1 on Node $(node --version), libcurl $(pkg-config --modversion libcurl), $(nproc) CPUs; N=$n ROUNDS=$rounds"
echo
echo "| way | µs per check (wall, median) | client CPU µs per check | wall ÷ raw | CPU ÷ raw |"
echo "|---|---:|---:|---:|---:|"
echo "| raw libcurl: signed HEAD on one kept connection | ${m[raw]} | ${c[raw]} | 1.00 | 1.00 |"
echo "| s3 plugin through its ABI (kept connection) | ${m[plugin]} | ${c[plugin]} | $(ratio "${m[plugin]}" "${m[raw]}") | $(cratio "${c[plugin]}" "${c[raw]}") |"
echo "| s3 plugin through hcrun (a core thread per run; mean incl. start-up) | ${m[hcrun]} | — | $(ratio "${m[hcrun]}" "${m[raw]}") | — |"
