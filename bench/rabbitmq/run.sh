#!/bin/bash
# SPDX-License-Identifier: MIT
# Per-check cost of the rabbitmq plugin, fresh and persistent, against raw
# librabbitmq loops doing the same, on one throwaway rabbitmq-server on
# loopback, in one run. Prints a Markdown table of medians and ratios. A
# benchmark, not a test: it asserts nothing.
#
#   bench/rabbitmq/run.sh [BUILDDIR]     (default: the source tree)
#
# N_FRESH (default 200) and N_KEPT (3000) checks per round, ROUNDS (5) rounds
# with the ways interleaved, so that a burst of load elsewhere on the machine
# hits every way alike; each figure is the median over rounds of the
# per-round median (wall time) or mean (CPU time of the checking process).
# Needs a built tree (plugins/.libs/rabbitmq.so, tests/tools/hcrun),
# librabbitmq-dev, rabbitmq-server and amqp-tools.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/bench/common/lib.sh" "$@"
plugin=$build/plugins/.libs/rabbitmq.so
n_fresh=${N_FRESH:-200}
n_kept=${N_KEPT:-3000}
rounds=${ROUNDS:-5}

need "run make" "$plugin"
need "run make check" "$hcrun"
compile_driver "$top/bench/rabbitmq/amqpdrive.c" $(pkg-config --cflags --libs librabbitmq)
start_peer rabbitmq

d=$tmp/amqpdrive
raw=("$RABBITMQ_PORT" "$RABBITMQ_USER" "$RABBITMQ_PASSWORD" "$RABBITMQ_VHOST")
# amqpdrive calls init itself: the core's password_file is not there.
keys=("port=$RABBITMQ_PORT" "user=$RABBITMQ_USER" "password=$RABBITMQ_PASSWORD"
	"vhost=$RABBITMQ_VHOST")
for ((r = 0; r < rounds; r++)); do
	measure raw "$d" raw "$n_fresh" "${raw[@]}"
	measure fresh "$d" plugin "$n_fresh" "$plugin" "${keys[@]}"
	measure rawkept "$d" raw-kept "$n_kept" "${raw[@]}"
	measure kept "$d" plugin "$n_kept" "$plugin" "${keys[@]}" persistent=yes
	measure rawqueue "$d" raw-queue "$n_kept" "${raw[@]}" "$RABBITMQ_QUEUE"
	measure keptqueue "$d" plugin "$n_kept" "$plugin" "${keys[@]}" \
		persistent=yes queue="$RABBITMQ_QUEUE"
	hcrun_mean hcrun "$n_kept" "$plugin" "${keys[@]}" queue="$RABBITMQ_QUEUE" persistent=yes
done

take_medians
# row NAME KEY BASE: one line of the table, its ratio to BASE.
row() {
	echo "| $1 | ${m[$2]} | ${c[$2]:-—} | $(ratio "${m[$2]}" "${m[$3]}") |"
}
echo "rabbitmq-server $(dpkg-query -W -f '${Version}' rabbitmq-server 2>/dev/null || echo '?'), librabbitmq $(pkg-config --modversion librabbitmq), $(nproc) CPUs; N_FRESH=$n_fresh N_KEPT=$n_kept ROUNDS=$rounds"
echo
echo "| way | µs per check (wall, median) | client CPU µs per check | ÷ its raw loop |"
echo "|---|---:|---:|---:|"
row "raw: connect + login + channel open/close + connection close" raw raw
row "plugin, fresh connection" fresh raw
row "raw: channel open/close on one kept connection" rawkept rawkept
row "plugin, persistent = yes" kept rawkept
row "raw: passive queue.declare on one kept channel" rawqueue rawqueue
row "plugin, persistent = yes, queue" keptqueue rawqueue
row "plugin, persistent = yes, queue, through hcrun (a core thread per run; mean incl. start-up)" hcrun rawqueue
