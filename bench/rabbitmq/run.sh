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
build=$(cd "${1:-$top}" && pwd)
plugin=$build/plugins/.libs/rabbitmq.so
hcrun=$build/tests/tools/hcrun
n_fresh=${N_FRESH:-200}
n_kept=${N_KEPT:-3000}
rounds=${ROUNDS:-5}

[ -e "$plugin" ] || { echo "$0: $plugin not built (run make)" >&2; exit 1; }
[ -x "$hcrun" ] || { echo "$0: $hcrun not built (run make check)" >&2; exit 1; }
tmp=$(mktemp -d)
trap '"$top/tests/servers/rabbitmq.sh" stop "$tmp/srv" || true; rm -rf "$tmp"' EXIT
cc -O2 -Wall -o "$tmp/amqpdrive" "$top/bench/rabbitmq/amqpdrive.c" \
	-I"$top/include" $(pkg-config --cflags --libs librabbitmq) -ldl
"$top/tests/servers/rabbitmq.sh" start "$tmp/srv" >/dev/null
. "$tmp/srv/env"

declare -A result cpu
# measure NAME CMD...: run CMD (an amqpdrive line); keep its median and CPU.
measure() {
	local name=$1 median mean p95 cpu_us fails
	shift
	read -r median mean p95 cpu_us fails < <("$@") ||
		{ echo "$0: $name failed" >&2; exit 1; }
	[ "${fails:-1}" -eq 0 ] || { echo "$0: $name: $fails checks failed" >&2; exit 1; }
	result[$name]="${result[$name]:-} $median"
	cpu[$name]="${cpu[$name]:-} $cpu_us"
}

# hcrun_kept NAME KEY=VALUE...: N_KEPT runs of one persistent instance
# through hcrun (the core's path: a thread per run); mean per run,
# start-up included.
hcrun_kept() {
	local name=$1 start end passed
	shift
	start=$(date +%s%N)
	passed=$(head -c "$n_kept" /dev/zero | tr '\0' '\n' |
		"$hcrun" "$plugin" "$@" persistent=yes | grep -c '^pass ' || true)
	[ "$passed" -eq "$n_kept" ] || { echo "$0: hcrun: $passed of $n_kept passed" >&2; exit 1; }
	end=$(date +%s%N)
	result[$name]="${result[$name]:-} $(awk -v t=$((end - start)) -v n="$n_kept" 'BEGIN { printf "%.1f", t / n / 1e3 }')"
}

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

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
	hcrun_kept hcrun "${keys[@]}" queue="$RABBITMQ_QUEUE"
done

declare -A m c
for k in "${!result[@]}"; do m[$k]=$(median <<<"${result[$k]}"); done
for k in "${!cpu[@]}"; do c[$k]=$(median <<<"${cpu[$k]}"); done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
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
