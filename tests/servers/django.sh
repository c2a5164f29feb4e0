#!/bin/bash
# SPDX-License-Identifier: MIT
# The Django test app (tests/apps/django) on 127.0.0.1, under Django's own
# server (manage.py runserver), for the http plugin's tests.
#
#   django.sh start DIR   start it on a free port (DJANGO_PORT picks one);
#                         the environment must give REDIS_PORT,
#                         REDIS_PASSWORD, POSTGRES_PORT, POSTGRES_USER,
#                         POSTGRES_PASSWORD and POSTGRES_DB, which its
#                         /health uses; write DIR/env: DJANGO_PORT
#   django.sh stop DIR    stop it
# Runs /usr/bin/python3: Debian's python3-django imports only there (a
# python3 earlier on PATH may be pyenv's). See tests/servers/lib.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
# No __pycache__ in the source tree (read-only under distcheck anyway).
export PYTHONDONTWRITEBYTECODE=1
app=$(cd "$(dirname "$0")/../apps/django" && pwd)

start() {
	local dir=$1 port
	: "${REDIS_PORT:?}" "${POSTGRES_PORT:?}" "${POSTGRES_DB:?}"
	mkdir -p "$dir"
	port=${DJANGO_PORT:-$(srv_free_port)}
	# runserver without its autoreloader: one process, whose pid we keep.
	(cd "$app" && srv_bg_start "$dir" "$port" /usr/bin/python3 manage.py \
		runserver --noreload "127.0.0.1:$port")
	echo "DJANGO_PORT=$port" >"$dir/env"
}

stop() {
	[ -s "$1/env" ] || return 0
	. "$1/env"
	srv_bg_stop "$1" "$DJANGO_PORT"
}

[ $# -eq 2 ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
case "$1" in
start) start "$2" ;;
stop) stop "$2" ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
