#!/bin/bash
# SPDX-License-Identifier: MIT
# A throwaway rabbitmq-server on 127.0.0.1 for the rabbitmq plugin's tests.
#
#   rabbitmq.sh start DIR   start it (AMQP port: $RABBITMQ_PORT if set, else
#                           the port of an earlier start in DIR, else a free
#                           one), with an AMQP-over-TLS listener (certificates
#                           made with openssl, CA in DIR/tls/ca.pem), a user,
#                           a vhost and two queues, one holding 3 messages;
#                           write DIR/env: RABBITMQ_PORT, RABBITMQ_TLS_PORT,
#                           RABBITMQ_CA, RABBITMQ_USER, RABBITMQ_PASSWORD,
#                           RABBITMQ_MIN_USER and RABBITMQ_MIN_PASSWORD (no
#                           permission on the vhost), RABBITMQ_VHOST, RABBITMQ_QUEUE (3 messages),
#                           RABBITMQ_EMPTY_QUEUE. A restart in the same DIR
#                           keeps ports, accounts and queues (durable).
#   rabbitmq.sh stop DIR    stop the node started in DIR and its epmd.
#   rabbitmq.sh ctl DIR ARGS...  rabbitmqctl against that node.
# Every listener (AMQP, AMQPS, epmd, Erlang distribution) is on 127.0.0.1;
# the node's name, cookie, data and logs are DIR's own, so it neither sees
# nor disturbs a system RabbitMQ. See tests/servers/lib.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rmq_user=rabbitmq
rmq_bin=/usr/lib/rabbitmq/bin

usage() {
	echo "usage: $0 start|stop DIR, or $0 ctl DIR ARGS..." >&2
	exit 2
}

# run CMD...: as the rabbitmq account when we are root (the broker's files
# must be its own), with this node's environment, from / so that a cwd the
# account cannot enter does not matter. runuser resets HOME, hence env: the
# Erlang cookie lives in HOME.
run() {
	(cd / && srv_as_user "$rmq_user" env \
		HOME="$dir/home" \
		RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf" \
		RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" \
		RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config" \
		RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
		RABBITMQ_MNESIA_BASE="$dir/mnesia" \
		RABBITMQ_LOG_BASE="$dir/log" \
		RABBITMQ_PID_FILE="$dir/rabbitmq.pid" \
		RABBITMQ_NODENAME="$RABBITMQ_NODE" \
		RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
		RABBITMQ_NODE_PORT="$RABBITMQ_PORT" \
		RABBITMQ_DIST_PORT="$RABBITMQ_DIST_PORT" \
		ERL_EPMD_ADDRESS=127.0.0.1 \
		ERL_EPMD_PORT="$RABBITMQ_EPMD_PORT" \
		RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
		"$@")
}

# detach CMD...: CMD without the descriptors above 2 that we inherited: the
# broker outlives this script, and a pipe or fifo of the caller's that it
# kept open would never see end-of-file.
detach() {
	local fd
	for fd in $(ls /proc/$BASHPID/fd); do
		[ "$fd" -le 2 ] || eval "exec $fd>&-" 2>/dev/null || true
	done
	"$@"
}

# ctl ARGS...: rabbitmqctl against this node. The cookie is passed
# explicitly: rabbitmqctl must not read another HOME's.
ctl() {
	run "$rmq_bin/rabbitmqctl" -n "$RABBITMQ_NODE" \
		--erlang-cookie "$(cat "$dir/home/.erlang.cookie")" "$@"
}

# reachable DIR: make every ancestor of DIR searchable by the rabbitmq
# account (mktemp -d makes 0700 directories); only search permission, and
# only on directories we own.
reachable() {
	local d= part
	[ "$(id -u)" -eq 0 ] || return 0
	for part in $(tr / ' ' <<<"$1"); do
		d=$d/$part
		runuser -u "$rmq_user" -- test -x "$d" && continue
		if [ "$(stat -c %u "$d")" -ne 0 ]; then
			echo "$0: $rmq_user cannot enter $d (not ours to chmod)" >&2
			return 1
		fi
		chmod go+x "$d"
	done
}

# certs: a CA and a server certificate for the name localhost only, so
# that the tests see a connection to 127.0.0.1 fail the name check.
certs() {
	local t=$dir/tls
	mkdir -p "$t"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=hc-test-ca \
		-keyout "$t/ca.key" -out "$t/ca.pem" 2>"$t/openssl.log"
	openssl req -newkey rsa:2048 -nodes -subj /CN=localhost \
		-keyout "$t/server.key" -out "$t/server.csr" 2>>"$t/openssl.log"
	printf 'subjectAltName=DNS:localhost\n' >"$t/ext"
	openssl x509 -req -in "$t/server.csr" -CA "$t/ca.pem" -CAkey "$t/ca.key" \
		-CAcreateserial -days 2 -extfile "$t/ext" -out "$t/server.pem" \
		2>>"$t/openssl.log"
}

# init: ports, names, certificates and configuration of a new DIR.
init() {
	RABBITMQ_PORT=${RABBITMQ_PORT:-$(srv_free_port)}
	RABBITMQ_TLS_PORT=$(srv_free_port)
	RABBITMQ_EPMD_PORT=$(srv_free_port)
	RABBITMQ_DIST_PORT=$(srv_free_port)
	RABBITMQ_NODE=hc$RABBITMQ_PORT@localhost
	mkdir -p "$dir/home" "$dir/mnesia" "$dir/log"
	certs
	: >"$dir/rabbitmq-env.conf"
	echo '[].' >"$dir/enabled_plugins"
	echo '[].' >"$dir/advanced.config"
	cat >"$dir/rabbitmq.conf" <<-EOF
		listeners.ssl.default = 127.0.0.1:$RABBITMQ_TLS_PORT
		ssl_options.cacertfile = $dir/tls/ca.pem
		ssl_options.certfile = $dir/tls/server.pem
		ssl_options.keyfile = $dir/tls/server.key
		ssl_options.verify = verify_none
		ssl_options.fail_if_no_peer_cert = false
	EOF
	cat >"$dir/ports" <<-EOF
		RABBITMQ_PORT=$RABBITMQ_PORT
		RABBITMQ_TLS_PORT=$RABBITMQ_TLS_PORT
		RABBITMQ_EPMD_PORT=$RABBITMQ_EPMD_PORT
		RABBITMQ_DIST_PORT=$RABBITMQ_DIST_PORT
		RABBITMQ_NODE=$RABBITMQ_NODE
	EOF
	[ "$(id -u)" -ne 0 ] || chown -R "$rmq_user" "$dir"
}

# provision: the test account, vhost and queues, once per DIR.
provision() {
	local pw url i
	pw=pw-$(head -c 9 /dev/urandom | od -An -tx1 | tr -d ' \n')
	ctl add_user hc "$pw" >/dev/null
	ctl add_vhost hc-vhost >/dev/null
	ctl set_permissions -p hc-vhost hc '.*' '.*' '.*' >/dev/null
	# A user without any permission on the vhost: what a check needs.
	ctl add_user hc-min "$pw-min" >/dev/null
	ctl set_permissions -p hc-vhost hc-min '^$' '^$' '^$' >/dev/null
	url=amqp://hc:$pw@127.0.0.1:$RABBITMQ_PORT/hc-vhost
	amqp-declare-queue --url "$url" -d -q hc-queue >/dev/null
	amqp-declare-queue --url "$url" -d -q hc-empty >/dev/null
	for i in 1 2 3; do
		amqp-publish --url "$url" -r hc-queue -p -b "message $i"
	done
	cat >"$dir/accounts" <<-EOF
		RABBITMQ_CA=$dir/tls/ca.pem
		RABBITMQ_USER=hc
		RABBITMQ_PASSWORD=$pw
		RABBITMQ_MIN_USER=hc-min
		RABBITMQ_MIN_PASSWORD=$pw-min
		RABBITMQ_VHOST=hc-vhost
		RABBITMQ_QUEUE=hc-queue
		RABBITMQ_EMPTY_QUEUE=hc-empty
	EOF
}

start() {
	local want=${RABBITMQ_PORT:-}
	[ -x "$rmq_bin/rabbitmq-server" ] ||
		{ echo "$0: rabbitmq-server not found (Debian package rabbitmq-server)" >&2; exit 2; }
	command -v amqp-publish >/dev/null ||
		{ echo "$0: amqp-publish not found (Debian package amqp-tools)" >&2; exit 2; }
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	reachable "$dir"
	if [ -s "$dir/ports" ]; then
		. "$dir/ports"
		[ -z "$want" ] || [ "$want" = "$RABBITMQ_PORT" ] ||
			{ echo "$0: $dir was made for port $RABBITMQ_PORT" >&2; exit 1; }
	else
		init
	fi
	rm -f "$dir/rabbitmq.pid"
	detach run "$rmq_bin/rabbitmq-server" >"$dir/log/startup.log" 2>&1 &
	# rabbitmqctl wait: until the node runs the broker (or the process
	# named in the pidfile dies).
	if ! srv_wait 60 test -s "$dir/rabbitmq.pid" ||
		! ctl wait --timeout 60 "$dir/rabbitmq.pid" >"$dir/log/wait.log" 2>&1; then
		echo "$0: rabbitmq-server did not start on 127.0.0.1:$RABBITMQ_PORT" >&2
		tail -n 20 "$dir/log/startup.log" "$dir/log/wait.log" >&2 || true
		stop
		exit 1
	fi
	[ -s "$dir/accounts" ] || provision
	cat "$dir/ports" "$dir/accounts" >"$dir/env"
}

stop() {
	local pid
	[ -s "$dir/ports" ] || return 0
	. "$dir/ports"
	if [ -s "$dir/rabbitmq.pid" ]; then
		pid=$(head -n1 "$dir/rabbitmq.pid")
		# rabbitmqctl stop PIDFILE returns once that process is gone;
		# SIGTERM if the node does not answer (a stale pidfile may name
		# a recycled pid: only a beam is ours).
		if ! ctl stop "$dir/rabbitmq.pid" >/dev/null 2>&1 &&
			grep -q beam "/proc/$pid/cmdline" 2>/dev/null; then
			kill "$pid" 2>/dev/null || true
		fi
	fi
	run epmd -port "$RABBITMQ_EPMD_PORT" -kill >/dev/null 2>&1 || true
	srv_wait_closed "$RABBITMQ_PORT" 20 &&
		srv_wait_closed "$RABBITMQ_EPMD_PORT" 10 ||
		{ echo "$0: rabbitmq still listens on 127.0.0.1:$RABBITMQ_PORT or epmd on $RABBITMQ_EPMD_PORT" >&2; exit 1; }
	rm -f "$dir/rabbitmq.pid"
}

[ $# -ge 2 ] || usage
dir=$2
case "$1" in
start) [ $# -eq 2 ] || usage; start ;;
stop) [ $# -eq 2 ] || usage; stop ;;
ctl) dir=$(cd "$dir" && pwd); . "$dir/ports"; shift 2; ctl "$@" ;;
*) usage ;;
esac
