#!/bin/bash
# SPDX-License-Identifier: MIT
# Heartbeat checks: POST /heartbeat/NAME with the bearer token, its status
# codes, pending until the first push, stale after ttl, a check's own token.
set -euo pipefail
. "$HC_SRCDIR/tests/e2e/lib.sh"

printf 'own-token-5e1d\n' >"$T_TMP/own-token"
chmod 600 "$T_TMP/own-token"
OWN=(-H 'Authorization: Bearer own-token-5e1d')
e2e_start <<EOF
$(e2e_private)
[check:hb]
plugin = heartbeat
ttl = 2s
[check:own]
plugin = heartbeat
groups = liveness
ttl = 30s
token_file = $T_TMP/own-token
$(e2e_check a)
EOF
# push NAME [CURL ARGS]: POST /heartbeat/NAME.
push() {
	local name=$1
	shift
	e2e_req "/heartbeat/$name" -X POST "$@"
}

e2e_req /readyz/hb
e2e_expect 503 $'[-]hb pending\nreadyz check failed\n'
e2e_until 5 e2e_gives 503 $'[-]hb pending\n[+]a ok\nreadyz check failed\n' '/readyz?verbose'
e2e_req /livez
e2e_expect 503 $'[-]own pending\nlivez check failed\n'
t_ok "a heartbeat check is pending, and its group 503, until the first push"

push hb "${AUTH[@]}"
e2e_expect 204 ''
e2e_req /readyz/hb
e2e_expect 200 $'ok\n'
e2e_req /readyz
e2e_expect 200 $'ok\n'
t_ok "POST /heartbeat/NAME with the token is 204 and the check passes at once"

push hb "${AUTH[@]}" -H 'Content-Type: application/json' -d '{"status":"fail","output":"queue full"}'
e2e_expect 204 ''
e2e_req '/readyz/hb?verbose' "${AUTH[@]}"
e2e_expect 503 $'[-]hb failed: queue full\nreadyz check failed\n'
e2e_req '/readyz/hb?verbose'
e2e_expect 503 $'[-]hb failed: reason withheld\nreadyz check failed\n'
push hb "${AUTH[@]}" -d '{"status":"warn","output":"slow"}'
e2e_expect 204 ''
e2e_req '/readyz/hb?verbose' "${AUTH[@]}"
e2e_expect 200 $'[+]hb warn\nreadyz check passed\n'
t_ok "a pushed status and output are the check's, the output shown with the token only"

for bad in 'Authorization: Bearer wrong' "Authorization: Basic $E2E_TOKEN" 'X-None: 1'; do
	push hb -H "$bad" -d '{"status":"pass"}'
	e2e_expect 401 $'a heartbeat needs the bearer token\n'
done
e2e_req '/readyz/hb?verbose' "${AUTH[@]}"
e2e_expect 200 $'[+]hb warn\nreadyz check passed\n'
t_ok "a push without the token or with a wrong one is 401 and changes nothing"

push nope "${AUTH[@]}"
e2e_expect 404 $'no heartbeat check of that name\n'
push a "${AUTH[@]}"
e2e_expect 404 $'no heartbeat check of that name\n'
t_ok "a push to an unknown check, or to a check that is no heartbeat, is 404"

push nope
e2e_expect 401 $'a heartbeat needs the bearer token\n'
t_ok "without the token, an unknown name is 401 too: names are not given away"

head -c 1025 /dev/zero | tr '\0' ' ' >"$T_TMP/big"
push hb "${AUTH[@]}" --data-binary "@$T_TMP/big"
e2e_expect 413 $'a heartbeat body is at most 1024 bytes\n'
printf '{"status":"pass","output":"%s"}' "$(head -c 995 /dev/zero | tr '\0' x)" >"$T_TMP/fits"
push hb "${AUTH[@]}" --data-binary "@$T_TMP/fits"
e2e_expect 204 ''
t_ok "a body over 1 KiB is 413; one of exactly 1024 bytes is taken"

for body in '{"status":' '[]' '{"status":"maybe"}' '{"status":1}' '{"output":2}' 'pass'; do
	push hb "${AUTH[@]}" -d "$body"
	e2e_expect 400 $'expected {"status": "pass|warn|fail", "output": "..."}\n'
done
t_ok "a malformed body is 400"

for m in GET HEAD PUT; do
	if [ "$m" = HEAD ]; then e2e_head /heartbeat/hb; else e2e_req /heartbeat/hb -X "$m"; fi
	e2e_expect_code 405
	e2e_expect_header 'Allow: POST'
done
t_ok "other methods on /heartbeat/NAME are 405 with Allow: POST"

push own "${AUTH[@]}"
e2e_expect 401 $'a heartbeat needs the bearer token\n'
push own "${OWN[@]}"
e2e_expect 204 ''
push hb "${OWN[@]}"
e2e_expect 401 $'a heartbeat needs the bearer token\n'
e2e_req /livez
e2e_expect 200 $'ok\n'
t_ok "a check's own token_file replaces the server's token for its pushes"

before=$(t_now_ms)
push hb "${AUTH[@]}"
e2e_expect 204 ''
e2e_req /readyz/hb
e2e_expect 200 $'ok\n'
# Stale by the last push + ttl (2 s) + 1.5 s.
e2e_by $((before + 3500)) e2e_is 503 /readyz/hb
e2e_req '/readyz/hb?verbose' "${AUTH[@]}"
e2e_expect_code 503
t_expect_out '^\[-\]hb failed: no heartbeat for [0-9.]+ s \(ttl 2000 ms\)$'
t_ok "without a push for ttl the check fails, within ttl + 1.5 s"
