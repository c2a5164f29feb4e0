#!/bin/bash
# SPDX-License-Identifier: MIT
# SIGHUP: a good new config is taken (new check, changed check, kept state,
# re-read token); a broken one is rejected and the old one keeps serving.
set -euo pipefail
. "$HC_SRCDIR/tests/e2e/lib.sh"

e2e_start <<EOF
$(e2e_private)
$(e2e_check a)
$(e2e_check b)
EOF
e2e_until 5 e2e_gives 200 $'[+]a ok\n[+]b ok\nreadyz check passed\n' '/readyz?verbose' "${AUTH[@]}"
runs_of_a() { e2e_metric 'healthcheckd_check_runs_total{check="a"}'; }
two_runs() { [ "$(runs_of_a)" -ge 2 ]; }
e2e_until 5 two_runs

# reloaded N: SIGHUP, then wait for the Nth "reload" outcome in the log.
reloaded() {
	kill -HUP "$E2E_PID"
	e2e_until 5 log_count "$1"
}
# names: the checks named in the last ?verbose body, in order.
names() { sed -n 's/^\[[-+]\]\([^ ]*\) .*/\1/p' "$T_TMP/body" | paste -sd' '; }
log_count() { [ "$(grep -c -e '^healthcheckd: reloaded:' -e 'reload failed' "$E2E_LOG")" -ge "$1" ]; }

# Same a; b changed (severity = warn, its file now says fail); a new c; and a
# new token in the same token_file.
e2e_say b fail
good_config() {
	e2e_private
	e2e_check a
	e2e_check b severity=warn
	e2e_check c
}
good_config | e2e_config
printf 'rotated-token-77aa\n' >"$E2E_TOKEN_FILE"
before=$(runs_of_a)
reloaded 1
OLD=("${AUTH[@]}")
AUTH=(-H 'Authorization: Bearer rotated-token-77aa')
e2e_log_has "healthcheckd: reloaded: 3 checks (1 kept as they were, 1 removed or changed)"
e2e_req '/readyz?verbose'
[ "$(names)" = "a b c" ] || t_fail "the checks after the reload are not a b c"
e2e_req /readyz/a
e2e_expect 200 $'ok\n'
e2e_until 5 e2e_gives 200 $'[+]a ok\n[+]b warn\n[+]c ok\nreadyz check passed\n' '/readyz?verbose'
e2e_req '/readyz/b?verbose' "${AUTH[@]}"; e2e_expect 200 $'[+]b warn\nreadyz check passed\n'
t_ok "SIGHUP with a good config: the new check appears and runs, the changed one is replaced"

after=$(runs_of_a)
[ "$after" -ge "$before" ] || t_fail "runs_total of the unchanged check went from $before to $after"
t_ok "the unchanged check keeps its state: its runs_total does not reset"

e2e_req /metrics "${OLD[@]}"
e2e_expect 401 $'metrics need the bearer token\n'
e2e_req /metrics "${AUTH[@]}"
e2e_expect_code 200
t_ok "the token file is re-read on reload: the new token works, the old one no longer does"

{ good_config; e2e_check d pth=/x; } | e2e_config
before=$(runs_of_a)
reloaded 2
line=$(grep -n '^pth = /x$' "$E2E_CONF" | cut -d: -f1)
e2e_log_has "healthcheckd: error: reload: $E2E_CONF:$line: plugin fake_good has no key 'pth' (its keys: path, password, count)"
e2e_log_has "healthcheckd: error: reload failed: still serving the previous configuration"
e2e_req '/readyz?verbose'
[ "$(names)" = "a b c" ] || t_fail "the checks after a failed reload are not a b c"
e2e_req /readyz/d
e2e_expect 404 $'no check \'d\' in readyz\n'
more_runs() { [ "$(runs_of_a)" -gt "$before" ]; }
e2e_until 5 more_runs
kill -0 "$E2E_PID" || t_fail "the daemon is gone"
t_ok "SIGHUP with a bad key: 'reload failed' in the log, the old checks keep serving and running"

# A reload that fails after the token file was read (above: the token was
# read, then a check was refused) must not keep the token's buffer: under
# LeakSanitizer (--enable-sanitizers, ASAN_OPTIONS=detect_leaks=1) a leak
# shows at exit as a report and a non-zero exit code.
reloaded 3
e2e_stop
[ "$E2E_RC" = 0 ] || { T_ERR=$(cat "$E2E_LOG"); t_fail "SIGTERM after failed reloads: exit $E2E_RC (stderr: the log)"; }
if grep -q 'LeakSanitizer' "$E2E_LOG"; then
	T_ERR=$(cat "$E2E_LOG")
	t_fail "a leak at exit after failed reloads (stderr: the log)"
fi
t_ok "failed reloads with a token file leave nothing behind: a clean exit at SIGTERM"
