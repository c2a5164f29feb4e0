#!/bin/bash
# SPDX-License-Identifier: MIT
# A throwaway PostgreSQL 15 on 127.0.0.1 for the postgres plugin's tests.
#
#   postgres.sh start DIR   initdb (once) and start; POSTGRES_PORT picks the
#                           port (a free one otherwise), so a test can restart
#                           the same server on the same port
#   postgres.sh stop DIR    pg_ctl stop of exactly that data directory
#
# DIR/env gets POSTGRES_PORT, POSTGRES_SOCKET (the socket directory),
# POSTGRES_USER and POSTGRES_PASSWORD (a login with a password, checked with
# scram-sha-256 over TCP), POSTGRES_DB (a database it owns), POSTGRES_SUPERUSER
# (trusted over the socket only) and POSTGRES_MAX_CONNECTIONS.
# PG_BINDIR overrides where initdb, pg_ctl and psql are looked up.
# Contract and helpers: tests/servers/lib.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

bindir=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
# PostgreSQL refuses to run as root: use the account its package creates.
pg_user=postgres
max_connections=20

usage() {
	echo "usage: $0 start|stop DIR" >&2
	exit 2
}

# run CMD...: as the PostgreSQL account when we are root, from / so that a
# cwd the account cannot enter does not matter.
run() { (cd / && srv_as_user "$pg_user" "$@"); }

# reachable DIR: make every ancestor of DIR searchable by the PostgreSQL
# account. mktemp -d makes 0700 directories, which would hide the data
# directory from the server; only search (x) permission is added, and only
# to directories we own.
reachable() {
	local d= part
	[ "$(id -u)" -eq 0 ] || return 0
	# Top down, so that each test sees its parents already fixed.
	for part in $(tr / ' ' <<<"$1"); do
		d=$d/$part
		runuser -u "$pg_user" -- test -x "$d" && continue
		if [ "$(stat -c %u "$d")" -ne 0 ]; then
			echo "$0: $pg_user cannot enter $d (not ours to chmod)" >&2
			return 1
		fi
		chmod go+x "$d"
	done
}

# sockdir DIR: a socket directory whose socket path fits in sun_path (107
# bytes): DIR/s when short enough, else a fresh one under /tmp (recorded in
# DIR/sockdir so that stop removes it).
sockdir() {
	local dir=$1 s
	if [ -s "$dir/sockdir" ]; then
		s=$(cat "$dir/sockdir")
	else
		s=$dir/s
		[ $(( ${#s} + 20 )) -le 100 ] || s=$(mktemp -d /tmp/pg.XXXXXX)
		echo "$s" >"$dir/sockdir"
	fi
	# Again on a restart: stop removed one made outside DIR.
	mkdir -p "$s"
	[ "$(id -u)" -ne 0 ] || chown "$pg_user" "$s"
	echo "$s"
}

# init DIR: a new cluster with a password login and its database. The
# superuser is trusted over the socket only; TCP needs a password.
init() {
	local dir=$1 pw
	pw=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
	printf '%s\n' "$pw" >"$dir/superpw"
	[ "$(id -u)" -ne 0 ] || chown "$pg_user" "$dir/superpw"
	run "$bindir/initdb" -D "$dir/data" -U postgres -E UTF8 --no-locale \
		--auth-local=trust --auth-host=scram-sha-256 \
		--pwfile="$dir/superpw" --no-sync >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; return 1; }
}

# provision DIR PORT SOCK: the test login and database, once.
provision() {
	local dir=$1 port=$2 sock=$3 pw
	pw=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
	run "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$port" \
		-U postgres -d postgres >/dev/null <<SQL
CREATE ROLE hc_user LOGIN PASSWORD 'pw-$pw';
CREATE DATABASE hc_db OWNER hc_user;
SQL
	cat >"$dir/env.new" <<ENV
POSTGRES_SOCKET=$sock
POSTGRES_USER=hc_user
POSTGRES_PASSWORD=pw-$pw
POSTGRES_DB=hc_db
POSTGRES_SUPERUSER=postgres
POSTGRES_MAX_CONNECTIONS=$max_connections
ENV
}

start() {
	local dir=$1 port sock
	[ -x "$bindir/pg_ctl" ] || { echo "$0: $bindir/pg_ctl not found (install postgresql-15)" >&2; return 1; }
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	[ "$(id -u)" -ne 0 ] || chown "$pg_user" "$dir"
	reachable "$dir"
	sock=$(sockdir "$dir")
	[ -f "$dir/data/PG_VERSION" ] || init "$dir"
	port=${POSTGRES_PORT:-$(srv_free_port)}
	# fsync=off and no WAL niceties: start-up in about a second, and the
	# data is thrown away anyway.
	run "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
		-o "-c listen_addresses=127.0.0.1 -c port=$port" \
		-o "-c unix_socket_directories=$sock -c fsync=off" \
		-o "-c synchronous_commit=off -c full_page_writes=off" \
		-o "-c max_connections=$max_connections -c shared_buffers=16MB" \
		start >"$dir/pg_ctl.log" 2>&1 ||
		{ cat "$dir/pg_ctl.log" "$dir/server.log" >&2; return 1; }
	srv_wait 10 srv_port_open "$port" ||
		{ echo "$0: nothing answers on 127.0.0.1:$port" >&2; return 1; }
	if [ ! -f "$dir/env.base" ]; then
		provision "$dir" "$port" "$sock"
		mv "$dir/env.new" "$dir/env.base"
	fi
	{ echo "POSTGRES_PORT=$port"; cat "$dir/env.base"; } >"$dir/env"
}

stop() {
	local dir=$1 port=
	[ -d "$dir" ] || return 0
	[ -f "$dir/data/postmaster.pid" ] || return 0
	# Line 4 of postmaster.pid is the port; pg_ctl stop acts on the pid in
	# line 1, the server this data directory started.
	port=$(sed -n 4p "$dir/data/postmaster.pid")
	run "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null ||
		return 1
	[ -z "$port" ] || srv_wait_closed "$port" 10
}

# cleanup_sock DIR: remove a socket directory made outside DIR.
cleanup_sock() {
	local s
	[ -s "$1/sockdir" ] || return 0
	s=$(cat "$1/sockdir")
	case "$s" in "$1"/*) ;; *) rm -rf "$s" ;; esac
}

[ $# -eq 2 ] || usage
case "$1" in
start) start "$2" ;;
stop) stop "$2" && cleanup_sock "$2" ;;
*) usage ;;
esac
