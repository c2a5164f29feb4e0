#!/bin/bash
# SPDX-License-Identifier: MIT
# A throwaway MariaDB for the integration tests (contract: lib.sh).
#
#   mysql.sh start DIR   mariadb-install-db into DIR/data (first start
#                        only), then mariadbd on 127.0.0.1 on a free port
#                        (MYSQL_PORT if set, so a restart keeps its port)
#                        and on the socket DIR/mysqld.sock. Creates the
#                        database MYSQL_DATABASE and the user MYSQL_USER with
#                        the password MYSQL_PASSWORD (all privileges); writes
#                        them, MYSQL_PORT and MYSQL_SOCKET to DIR/env.
#   mysql.sh stop DIR    stops the mariadbd that start started.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cmd=${1:-} dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
	echo "usage: $0 start|stop DIR" >&2
	exit 2
fi
pidfile=$dir/server.pid
user=hc
database=hc

# client SQL: run SQL as the test user over TCP; prints the result.
client() {
	MYSQL_PWD=$password mariadb --no-defaults --protocol=tcp -h 127.0.0.1 \
		-P "$MYSQL_PORT" -u "$user" -N -B -e "$1"
}

# ours: the server answering on the port logs in the test user and serves
# our data directory, not some other server that took the port first.
ours() { [ "$(client 'SELECT @@datadir')" = "$dir/data/" ]; }

fail() {
	cat "$dir/error.log" "$dir/install.log" 2>/dev/null | tail -n 30 >&2
	echo "mysql.sh: $*" >&2
	exit 1
}

install_db() {
	local as=()
	[ "$(id -u)" -eq 0 ] && as=(--user=mysql)
	mariadb-install-db --no-defaults --datadir="$dir/data" "${as[@]}" \
		--auth-root-authentication-method=socket --skip-test-db \
		--skip-name-resolve >"$dir/install.log" 2>&1 ||
		fail "mariadb-install-db failed"
}

start() {
	local as=() pid
	dir=$(mkdir -p "$dir" && cd "$dir" && pwd)
	# mariadbd refuses to run as root without --user; that user must
	# reach and write DIR.
	if [ "$(id -u)" -eq 0 ]; then
		as=(--user=mysql)
		chown mysql "$dir"
		chmod o+x "$(dirname "$dir")"
	fi
	[ -s "$dir/password" ] || echo "hc-$RANDOM$RANDOM-Secret" >"$dir/password"
	password=$(cat "$dir/password")
	[ -d "$dir/data/mysql" ] || install_db
	# Runs at every start; written to be idempotent.
	cat >"$dir/init.sql" <<-SQL
		CREATE DATABASE IF NOT EXISTS $database;
		CREATE USER IF NOT EXISTS '$user'@'%' IDENTIFIED BY '$password';
		CREATE USER IF NOT EXISTS '$user'@'localhost' IDENTIFIED BY '$password';
		GRANT ALL ON *.* TO '$user'@'%';
		GRANT ALL ON *.* TO '$user'@'localhost';
	SQL
	chmod 644 "$dir/init.sql"
	MYSQL_PORT=${MYSQL_PORT:-$(srv_free_port)}
	mariadbd --no-defaults "${as[@]}" --datadir="$dir/data" \
		--bind-address=127.0.0.1 --port="$MYSQL_PORT" \
		--socket="$dir/mysqld.sock" --pid-file="$dir/mariadbd.pid" \
		--log-error="$dir/error.log" --init-file="$dir/init.sql" \
		--skip-name-resolve --innodb-buffer-pool-size=16M \
		</dev/null >>"$dir/mariadbd.out" 2>&1 &
	pid=$!
	echo "$pid" >"$pidfile"
	srv_wait 30 ours || fail "mariadbd did not answer on 127.0.0.1:$MYSQL_PORT"
	cat >"$dir/env" <<-ENV
		MYSQL_PORT=$MYSQL_PORT
		MYSQL_SOCKET=$dir/mysqld.sock
		MYSQL_USER=$user
		MYSQL_PASSWORD=$password
		MYSQL_DATABASE=$database
	ENV
}

stop() {
	local pid i
	[ -s "$pidfile" ] || return 0
	pid=$(head -n1 "$pidfile")
	srv_kill_pidfile "$pidfile"
	# A test may have frozen it (SIGSTOP): let it act on the SIGTERM.
	kill -CONT "$pid" 2>/dev/null || true
	for ((i = 0; i < 300; i++)); do
		srv_alive "$pid" || break
		sleep 0.1
	done
	srv_alive "$pid" && fail "mariadbd (pid $pid) did not stop within 30 s"
	rm -f "$pidfile"
}

case "$cmd" in
start) start ;;
stop) stop ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
