#!/bin/bash
# SPDX-License-Identifier: MIT
# The FastAPI test app (tests/apps/fastapi) on 127.0.0.1, served by uvicorn,
# for the http plugin's tests.
#
#   fastapi.sh start DIR  start it on a free port (FASTAPI_PORT picks one);
#                         the environment must give REDIS_PORT,
#                         REDIS_PASSWORD, POSTGRES_PORT, POSTGRES_USER,
#                         POSTGRES_PASSWORD and POSTGRES_DB, which its
#                         /health uses; write DIR/env: FASTAPI_PORT
#   fastapi.sh stop DIR   stop it
# Runs /usr/bin/python3: Debian's python3-fastapi and python3-uvicorn import
# only there. See tests/servers/lib.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
# No __pycache__ in the source tree (read-only under distcheck anyway).
export PYTHONDONTWRITEBYTECODE=1
app=$(cd "$(dirname "$0")/../apps/fastapi" && pwd)

start() {
	local dir=$1 port
	: "${REDIS_PORT:?}" "${POSTGRES_PORT:?}" "${POSTGRES_DB:?}"
	mkdir -p "$dir"
	port=${FASTAPI_PORT:-$(srv_free_port)}
	srv_bg_start "$dir" "$port" /usr/bin/python3 -m uvicorn --app-dir "$app" \
		--host 127.0.0.1 --port "$port" --no-access-log app:app
	echo "FASTAPI_PORT=$port" >"$dir/env"
}

stop() {
	[ -s "$1/env" ] || return 0
	. "$1/env"
	srv_bg_stop "$1" "$FASTAPI_PORT"
}

[ $# -eq 2 ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
case "$1" in
start) start "$2" ;;
stop) stop "$2" ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
