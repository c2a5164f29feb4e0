#!/bin/bash
# SPDX-License-Identifier: MIT
# Per-check cost of the postgres plugin, fresh and persistent, against a raw
# libpq loop and against exec'ing check_pgsql (monitoring-plugins-standard),
# on one throwaway PostgreSQL 15 on loopback, in one run. Prints a Markdown
# table of medians and ratios. A benchmark, not a test: it asserts nothing.
#
#   bench/postgres/run.sh [BUILDDIR]     (default: the source tree)
#
# N_FRESH (default 200) and N_KEPT (3000) checks per round, ROUNDS (5) rounds
# with the ways interleaved, so that a burst of load elsewhere on the machine
# hits every way alike; each figure is the median over rounds of the
# per-round median (wall time) or mean (CPU time of the checking process and
# its children). Needs a built tree (plugins/.libs/postgres.so,
# tests/tools/hcrun), libpq-dev, postgresql-15, and for the check_pgsql row
# monitoring-plugins-standard (the row is skipped without it).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/bench/common/lib.sh" "$@"
plugin=$build/plugins/.libs/postgres.so
check_pgsql=${CHECK_PGSQL:-/usr/lib/nagios/plugins/check_pgsql}
n_fresh=${N_FRESH:-200}
n_kept=${N_KEPT:-3000}
rounds=${ROUNDS:-5}

need "run make" "$plugin"
need "run make check" "$hcrun"
compile_driver "$top/bench/postgres/pgdrive.c" $(pkg-config --cflags --libs libpq)
start_peer postgres

# A transport: how each way reaches the server.
bench_transport() {
	local label=$1 host=$2 user=$3 db=$4
	local conninfo="host=$host port=$POSTGRES_PORT user=$user dbname=$db"
	local keys=("host=$host" "port=$POSTGRES_PORT" "user=$user" "database=$db")
	local d=$tmp/pgdrive r
	result=()
	cpu=()
	for ((r = 0; r < rounds; r++)); do
		measure raw "$d" raw "$n_fresh" "$conninfo"
		measure fresh "$d" plugin "$n_fresh" "$plugin" "${keys[@]}"
		if [ -x "$check_pgsql" ]; then
			measure exec "$d" exec "$n_fresh" "$check_pgsql" \
				-H "$host" -P "$POSTGRES_PORT" -l "$user" -d "$db" -q 'SELECT 1'
		fi
		measure rawkept "$d" raw-kept "$n_kept" "$conninfo"
		measure kept "$d" plugin "$n_kept" "$plugin" "${keys[@]}" persistent=yes
		hcrun_mean hcrun "$n_kept" "$plugin" "${keys[@]}" persistent=yes
	done
	report "$label"
}

report() {
	local raw kept
	take_medians
	raw=${m[raw]}
	kept=${m[rawkept]}
	# row NAME KEY: one line of the table.
	row() {
		echo "| $1 | ${m[$2]} | ${c[$2]:-—} | $(ratio "${m[$2]}" "$raw") | $(ratio "${m[$2]}" "$kept") |"
	}
	echo
	echo "### $1"
	echo
	echo "| way | µs per check (wall, median) | client CPU µs per check | ÷ raw libpq fresh | ÷ raw libpq kept |"
	echo "|---|---:|---:|---:|---:|"
	row "raw libpq: PQconnectdb + SELECT 1 + PQfinish" raw
	row "plugin, fresh connection" fresh
	[ -z "${m[exec]:-}" ] || row "exec check_pgsql -q 'SELECT 1'" exec
	row "raw libpq: SELECT 1 on one kept connection" rawkept
	row "plugin, persistent = yes" kept
	row "plugin, persistent = yes, through hcrun (a core thread per run; mean incl. start-up)" hcrun
}

echo "PostgreSQL $(sed -n 1p "$tmp/srv/data/PG_VERSION"), libpq $(pkg-config --modversion libpq), $(nproc) CPUs; N_FRESH=$n_fresh N_KEPT=$n_kept ROUNDS=$rounds"
# TCP with a scram-sha-256 password: what a production check does.
PGPASSWORD=$POSTGRES_PASSWORD bench_transport \
	"127.0.0.1, scram-sha-256 password" 127.0.0.1 "$POSTGRES_USER" "$POSTGRES_DB"
# The Unix socket with trust: no hashing, so the plugin's own share shows.
bench_transport "Unix socket, trust" "$POSTGRES_SOCKET" \
	"$POSTGRES_SUPERUSER" postgres
