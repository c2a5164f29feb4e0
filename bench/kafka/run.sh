#!/bin/bash
# SPDX-License-Identifier: MIT
# Per-check cost of the kafka plugin (one kept rd_kafka_t, an all-topic
# metadata request per check) against a raw librdkafka loop doing the same,
# and against a fresh rd_kafka_t per check, on librdkafka's mock cluster
# (tests/tools/kafka_mock, 127.0.0.1), in one run. Prints a Markdown table of
# medians and ratios. A benchmark, not a test: it asserts nothing.
#
#   bench/kafka/run.sh [BUILDDIR]     (default: the source tree)
#
# N_KEPT (default 2000) checks per round for the kept ways, N_FRESH (100)
# for the fresh client, ROUNDS (5) rounds with the ways interleaved, so that
# a burst of load elsewhere on the machine hits every way alike; each figure
# is the median over rounds of the per-round median (wall time) or mean
# (CPU time of the checking process, librdkafka's threads included). Needs a
# built tree (plugins/.libs/kafka.so, tests/tools/kafka_mock and
# tests/tools/hcrun: make check builds them) and librdkafka-dev.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/bench/common/lib.sh" "$@"
plugin=$build/plugins/.libs/kafka.so
mock=$build/tests/tools/kafka_mock
n_kept=${N_KEPT:-2000}
n_fresh=${N_FRESH:-100}
rounds=${ROUNDS:-5}
brokers=${BROKERS:-3}

need "run make" "$plugin"
need "run make check" "$hcrun" "$mock"
compile_driver "$top/bench/kafka/kdrive.c" $(pkg-config --cflags --libs rdkafka)
"$mock" "$brokers" orders:4 events:2 </dev/null >"$tmp/boot" 2>"$tmp/mock.log" &
kill_on_exit $!
for i in $(seq 1 100); do
	boot=$(head -n1 "$tmp/boot")
	[ -n "$boot" ] && break
	sleep 0.05
done
[ -n "$boot" ] || { echo "$0: the mock did not start: $(cat "$tmp/mock.log")" >&2; exit 1; }

d=$tmp/kdrive
for ((r = 0; r < rounds; r++)); do
	measure raw "$d" raw "$n_kept" "$boot"
	measure plugin "$d" plugin "$n_kept" "$plugin" bootstrap_servers="$boot"
	measure topic "$d" plugin "$n_kept" "$plugin" bootstrap_servers="$boot" topic=orders
	hcrun_mean hcrun "$n_kept" "$plugin" bootstrap_servers="$boot"
	measure fresh "$d" raw-fresh "$n_fresh" "$boot"
done

take_medians
# row LABEL KEY: one line of the table.
row() {
	echo "| $1 | ${m[$2]} | ${c[$2]:-—} | $(ratio "${m[$2]}" "${m[raw]}") |"
}
echo "librdkafka $(pkg-config --modversion rdkafka) mock cluster, $brokers brokers, 2 topics; $(nproc) CPUs; N_KEPT=$n_kept N_FRESH=$n_fresh ROUNDS=$rounds"
echo
echo "| way | µs per check (wall, median) | client CPU µs per check | ÷ raw kept |"
echo "|---|---:|---:|---:|"
row "raw librdkafka: all-topic metadata on one kept rd_kafka_t" raw
row "plugin (kept rd_kafka_t)" plugin
row "plugin, topic = orders (leaders checked)" topic
row "plugin through hcrun (a core thread per run; mean incl. start-up)" hcrun
row "raw librdkafka: rd_kafka_new + metadata + rd_kafka_destroy per check" fresh
