#!/bin/bash
# SPDX-License-Identifier: MIT
# http plugin with follow_health = yes against the real test apps of
# tests/apps: a Django app (runserver) and a FastAPI app (uvicorn) whose
# /health PINGs Redis and connects to PostgreSQL (tests/servers/redis.sh,
# postgres.sh). Pass while both are up; Redis stopped: fail naming the apps'
# redis component; Redis back on its port: pass again, on the same kept
# connection to the app.
set -euo pipefail
. "$HC_SRCDIR/tests/cli/lib.sh"

t_need_plugin http
t_need_cmd redis-server redis-server
bindir=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
if [ ! -x "$bindir/pg_ctl" ]; then
	echo "SKIP: $bindir/pg_ctl not found (install the postgresql-15 package)"
	exit 77
fi
# Debian's modules import only under /usr/bin/python3.
if ! /usr/bin/python3 -c 'import django, fastapi, uvicorn, redis, psycopg2' 2>/dev/null; then
	echo "SKIP: /usr/bin/python3 lacks python3-django, python3-fastapi," \
		"python3-uvicorn, python3-redis or python3-psycopg2"
	exit 77
fi

S=$HC_SRCDIR/tests/servers
stop_all() {
	"$S/django.sh" stop "$T_TMP/django" || true
	"$S/fastapi.sh" stop "$T_TMP/fastapi" || true
	"$S/redis.sh" stop "$T_TMP/redis" || true
	"$S/postgres.sh" stop "$T_TMP/pg" || true
}
trap 'stop_all; t_cleanup' EXIT
"$S/redis.sh" start "$T_TMP/redis"
"$S/postgres.sh" start "$T_TMP/pg"
set -a
. "$T_TMP/redis/env"
. "$T_TMP/pg/env"
set +a
"$S/django.sh" start "$T_TMP/django"
"$S/fastapi.sh" start "$T_TMP/fastapi"
. "$T_TMP/django/env"
. "$T_TMP/fastapi/env"
DJ="http://127\.0\.0\.1:$DJANGO_PORT/health"
FA="http://127\.0\.0\.1:$FASTAPI_PORT/health"

cat >"$T_TMP/apps.ini" <<EOF
[check:orders-django]
plugin = http
url = http://127.0.0.1:$DJANGO_PORT/health
follow_health = yes
timeout = 5s

[check:orders-fastapi]
plugin = http
url = http://127.0.0.1:$FASTAPI_PORT/health
follow_health = yes
timeout = 5s
EOF
apps() { t_run "$HEALTHCHECKD" --plugin-dir "$HC_PLUGIN_DIR" -c "$T_TMP/apps.ini" --once; }

# One instance on the FastAPI app through all three phases: hcrun runs the
# check once per line it reads.
t_hcrun_start "$T_TMP/kept" "$HC_PLUGIN_DIR/http.so" \
	url="http://127.0.0.1:$FASTAPI_PORT/health" follow_health=yes timeout=5s

apps
t_expect_rc 0
t_expect_out "^orders-django +pass .* ms +GET $DJ: 200, health pass \(2 components\)\$"
t_expect_out "^orders-fastapi +pass .* ms +GET $FA: 200, health pass \(2 components\)\$"
t_hcrun_once 1
t_ok "Django and FastAPI pass while Redis and PostgreSQL are up"

"$S/redis.sh" stop "$T_TMP/redis"
apps
t_expect_rc 2
REFUSED="Error 111 connecting to 127\.0\.0\.1:$REDIS_PORT\. Connection refused\."
t_expect_out "^orders-django +fail .* ms +GET $DJ: 503 \(expected 200-399\), health fail: redis fail \($REFUSED\)\$"
t_expect_out "^orders-fastapi +fail .* ms +GET $FA: 503 \(expected 200-399\), health fail: redis fail \($REFUSED\)\$"
t_hcrun_once 2
t_ok "Redis stopped: both fail naming their redis component"

"$S/redis.sh" start "$T_TMP/redis"
apps
t_expect_rc 0
t_expect_out "^orders-django +pass .* GET $DJ: 200, health pass"
t_expect_out "^orders-fastapi +pass .* GET $FA: 200, health pass"
t_hcrun_once 3
t_ok "Redis started again: both pass"

exec 3>&-
T_OUT=$(cat "$T_TMP/kept")
T_ERR=
T_RC=0
t_expect_out "^pass GET $FA: 200, health pass \(2 components\)\$"
[ "$(sed -n 2p "$T_TMP/kept")" = "fail GET http://127.0.0.1:$FASTAPI_PORT/health: 503 (expected 200-399), health fail: redis fail (Error 111 connecting to 127.0.0.1:$REDIS_PORT. Connection refused.)" ] ||
	t_fail "run 2 of the kept instance fails naming redis"
[ "$(sed -n 3p "$T_TMP/kept" | cut -d' ' -f1)" = pass ] || t_fail "run 3 passes again"
t_ok "one kept instance follows the app through the Redis restart"

"$S/postgres.sh" stop "$T_TMP/pg"
apps
t_expect_rc 2
t_expect_out "^orders-django +fail .* GET $DJ: 503 \(expected 200-399\), health fail: postgres fail \(.*\)\$"
t_expect_out "^orders-fastapi +fail .* GET $FA: 503 \(expected 200-399\), health fail: postgres fail \(.*\)\$"
t_ok "PostgreSQL stopped: both fail naming their postgres component"
