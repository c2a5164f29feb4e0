#!/bin/bash
# SPDX-License-Identifier: MIT
# Details and authorization: details = never | authorized | always, the bearer
# token from token_file, /metrics behind the token, and config secrets that
# never reach a body or the log.
set -euo pipefail
. "$HC_SRCDIR/tests/e2e/lib.sh"

pw1=hunter2-Pw-7f3a
pw2=s3cr3t-file-9b1c
printf '%s\n' "$pw2" >"$T_TMP/pw"
chmod 600 "$T_TMP/pw"
e2e_say a fail
e2e_say pw leak
e2e_say pwf leak
checks() {
	e2e_check a
	e2e_check pw "password=$pw1"
	e2e_check pwf "password_file=$T_TMP/pw"
}
withheld=$'[-]a failed: reason withheld\n[-]pw failed: reason withheld\n[-]pwf failed: reason withheld\nreadyz check failed\n'
told=$'[-]a failed: dependency down\n[-]pw failed: auth failed for password ***\n[-]pwf failed: auth failed for password ***\nreadyz check failed\n'
public=$'{"status":"fail"}\n'

# no_secret WHAT: neither password is in the last body.
no_secret() {
	! grep -qF -e "$pw1" -e "$pw2" "$T_TMP/body" || t_fail "$1 shows a password"
}

# -v adds a debug line per run: the log must stay clean of secrets even so.
e2e_start -v <<EOF
$(e2e_private)
$(checks)
EOF
e2e_until 5 e2e_has '^\[-\]pwf failed: auth' '/readyz?verbose' "${AUTH[@]}"

e2e_req '/readyz?verbose'
e2e_expect 503 "$withheld"
for bad in 'Bearer wrong' "Bearer ${E2E_TOKEN}x" "Bearer ${E2E_TOKEN:1}" 'Bearer ' \
           "Basic $E2E_TOKEN" 'Bearer second line is ignored'; do
	e2e_req '/readyz?verbose' -H "Authorization: $bad"
	e2e_expect 503 "$withheld"
done
t_ok "details = authorized: without the token (or with a wrong one) 'reason withheld', never 401"

e2e_req '/readyz?verbose' "${AUTH[@]}"
e2e_expect 503 "$told"
e2e_req '/readyz?verbose' -H "authorization: bearer $E2E_TOKEN"
e2e_expect 503 "$told"
t_ok "details = authorized: the token of token_file's first line shows the real messages"

e2e_req /health
e2e_expect 503 "$public"
e2e_req /health "${AUTH[@]}"
e2e_expect_code 503
grep -q '"checks"' "$T_TMP/body" || t_fail "/health with the token is not the detailed form"
t_ok "details = authorized: /health is status only without the token, detailed with it"

e2e_req /metrics
e2e_expect 401 $'metrics need the bearer token\n'
e2e_req /metrics -H 'Authorization: Bearer wrong'
e2e_expect 401 $'metrics need the bearer token\n'
e2e_req /metrics "${AUTH[@]}"
e2e_expect_code 200
grep -qx 'healthcheckd_check_up{check="a"} 0' "$T_TMP/body" || t_fail "/metrics lacks check_up of a"
t_ok "details = authorized: /metrics is 401 without the token, 200 with it while checks fail"

for req in '/readyz?verbose' /readyz/pw /readyz/pwf /health /metrics '/readyz?verbose&exclude=a'; do
	e2e_req "$req" "${AUTH[@]}"
	no_secret "$req"
	e2e_req "$req" "${AUTH[@]}" -H 'Accept: application/json'
	no_secret "$req as JSON"
done
grep -qF '"output":"auth failed for password ***"' "$T_TMP/body" ||
	t_fail "the JSON form lacks the scrubbed message (did the leak run?)"
e2e_stop
T_OUT=$(cat "$E2E_LOG") T_ERR=
t_expect_out '^healthcheckd: warning: check pw: password is \*\*\*$'
t_expect_out '^healthcheckd: warning: check pwf: password is \*\*\*$'
t_expect_out '^healthcheckd: debug: check pw: fail in .* ms: auth failed for password \*\*\*$'
cp "$E2E_LOG" "$T_TMP/body"
no_secret "the daemon's log"
t_ok "a password from the config (or its _file) is in no body, with the token, nor in the log"

e2e_start <<EOF
details = always
$(checks)
EOF
e2e_until 5 e2e_has '^\[-\]pwf failed: auth' '/readyz?verbose'
e2e_expect 503 "$told"
e2e_req /metrics
e2e_expect_code 200
e2e_req /health
grep -q '"checks"' "$T_TMP/body" || t_fail "/health is not the detailed form"
no_secret /health
t_ok "details = always: real messages, /metrics and detailed /health without a token"

e2e_stop
e2e_start <<EOF
details = never
token_file = $E2E_TOKEN_FILE
$(checks)
EOF
e2e_until 5 e2e_has '^\[-\]pwf failed' '/readyz?verbose'
e2e_req '/readyz?verbose' "${AUTH[@]}"
e2e_expect 503 "$withheld"
e2e_req /health "${AUTH[@]}"
e2e_expect 503 "$public"
e2e_req /metrics "${AUTH[@]}"
e2e_expect 404 $'metrics are off (details = never)\n'
t_ok "details = never: no details and no /metrics even with the token"

e2e_stop
e2e_start <<EOF
details = authorized
$(checks)
EOF
e2e_until 5 e2e_has '^\[-\]pwf failed' '/readyz?verbose'
e2e_req /metrics "${AUTH[@]}"
e2e_expect 401 $'metrics need authorization, and neither token_file nor tls_client_ca_file is configured\n'
e2e_req '/readyz?verbose' "${AUTH[@]}"
e2e_expect 503 "$withheld"
t_ok "details = authorized with no token_file (the default): /metrics says nothing configured can authorize"

e2e_stop
chmod 644 "$E2E_TOKEN_FILE"
e2e_config <<EOF
token_file = $E2E_TOKEN_FILE
$(checks)
EOF
t_run timeout 10 "$HEALTHCHECKD" -c "$E2E_CONF" --plugin-dir "$HC_FIXTURE_DIR"
t_expect_rc 1
t_expect_err_exact "healthcheckd: error: configuration: token_file: $E2E_TOKEN_FILE is readable by everyone (chmod o-r $E2E_TOKEN_FILE)
healthcheckd: error: cannot start"
t_ok "a world-readable token_file: the daemon refuses to start and says why"
