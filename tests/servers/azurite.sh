#!/bin/bash
# SPDX-License-Identifier: MIT
# A throwaway azurite blob service (npm, installed under tests/node_modules
# by tests/run's `npm ci`) on 127.0.0.1 for the azureblob plugin's tests.
#
#   azurite.sh start DIR   start it (port: $AZURITE_PORT if set, else the
#                          port of an earlier start in DIR, else a free one)
#                          with one account whose key is random, and create
#                          one container; write DIR/env: AZURITE_PORT,
#                          AZURITE_ACCOUNT, AZURITE_KEY, AZURITE_ENDPOINT (the
#                          path-style http://127.0.0.1:PORT/ACCOUNT),
#                          AZURITE_CONTAINER.
#   azurite.sh stop DIR    stop the server started in DIR (by its pidfile).
# The container is created by tests/tools/azblob.py, a SharedKey signer
# written apart from the plugin's. azurite verifies SharedKey and SAS
# signatures. Telemetry is off (--disableTelemetry): by default azurite
# sends usage data to Azure. Node modules come from $HC_NODE_MODULES, else
# tests/node_modules. See tests/servers/lib.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
tools=$(cd "$(dirname "$0")/../tools" && pwd)
modules=${HC_NODE_MODULES:-$(cd "$(dirname "$0")/.." && pwd)/node_modules}

# az_ours: the server on the port is the one our pidfile names and it
# knows our account (an unsigned request is refused, not unknown).
az_ours() {
	local pid
	pid=$(head -n1 "$dir/azurite.pid" 2>/dev/null) || return 1
	srv_alive "$pid" && srv_port_open "$AZURITE_PORT" &&
		AZ_KEY=$AZURITE_KEY /usr/bin/python3 "$tools/azblob.py" \
			create-container "$AZURITE_ENDPOINT" "$AZURITE_ACCOUNT" \
			"$AZURITE_CONTAINER"
}

az_start() {
	[ -x "$modules/.bin/azurite-blob" ] ||
		{ echo "azurite.sh: $modules/.bin/azurite-blob not found (run npm ci in tests/)" >&2; exit 2; }
	local want=${AZURITE_PORT:-}
	mkdir -p "$dir/data"
	if [ -s "$dir/env" ]; then
		. "$dir/env"
	else
		AZURITE_PORT=$(srv_free_port)
		AZURITE_KEY=$(head -c 64 /dev/urandom | base64 -w0)
	fi
	AZURITE_PORT=${want:-$AZURITE_PORT}
	AZURITE_ACCOUNT=healthacct
	AZURITE_ENDPOINT=http://127.0.0.1:$AZURITE_PORT/$AZURITE_ACCOUNT
	AZURITE_CONTAINER=health
	rm -f "$dir/azurite.pid"
	AZURITE_ACCOUNTS="$AZURITE_ACCOUNT:$AZURITE_KEY" setsid \
		"$modules/.bin/azurite-blob" --blobHost 127.0.0.1 \
		--blobPort "$AZURITE_PORT" --location "$dir/data" --silent \
		--disableTelemetry </dev/null >"$dir/azurite.log" 2>&1 &
	echo $! >"$dir/azurite.pid"
	if ! srv_wait 30 az_ours; then
		echo "azurite.sh: azurite did not answer on 127.0.0.1:$AZURITE_PORT" >&2
		tail -n 20 "$dir/azurite.log" >&2 || true
		az_stop
		exit 1
	fi
	cat >"$dir/env" <<-EOF2
		AZURITE_PORT=$AZURITE_PORT
		AZURITE_ACCOUNT=$AZURITE_ACCOUNT
		AZURITE_KEY=$AZURITE_KEY
		AZURITE_ENDPOINT=$AZURITE_ENDPOINT
		AZURITE_CONTAINER=$AZURITE_CONTAINER
	EOF2
}

az_stop() {
	local pid
	[ -s "$dir/azurite.pid" ] || return 0
	pid=$(head -n1 "$dir/azurite.pid")
	# Only an azurite: a stale pidfile may name a recycled pid.
	if grep -q azurite "/proc/$pid/cmdline" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
	fi
	[ -n "${AZURITE_PORT:-}" ] || . "$dir/env"
	srv_wait_closed "$AZURITE_PORT" 10 ||
		{ echo "azurite.sh: port $AZURITE_PORT still open" >&2; exit 1; }
	rm -f "$dir/azurite.pid"
}

[ $# -eq 2 ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
dir=$2
case "$1" in
start) az_start ;;
stop) az_stop ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
