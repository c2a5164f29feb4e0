#!/bin/bash
# SPDX-License-Identifier: MIT
# GET /status: its headers and size over curl, then the page in a real
# browser (Debian's chromium, driven by playwright-core from
# tests/package.json) through tests/e2e/status-page.mjs: the checks listed,
# a failure shown without a reload, the page without JavaScript, the token
# entry, keyboard, 320 px, dark mode, no console error or CSP violation,
# staleness once the daemon stops. Screenshots go to status-page*.png
# beside this test's log.
set -euo pipefail
. "$HC_SRCDIR/tests/e2e/lib.sh"

NODE_MODULES=${HC_NODE_MODULES:-$HC_SRCDIR/tests/node_modules}
t_need_cmd chromium /usr/bin/chromium
t_need_cmd nodejs node
[ -d "$NODE_MODULES/playwright-core" ] ||
	{ echo "SKIP: playwright-core is not installed (cd tests && npm ci)" >&2; exit 77; }

e2e_say w warn
e2e_say obs observe
e2e_start <<EOF
$(e2e_private)
[service]
id = orders-api
version = 2.4.1
release_id = rel-e2e
$(e2e_check db interval=2s owner=team-payments runbook=https://wiki.example/runbooks/db \
	'description=primary orders database')
$(e2e_check w interval=2s severity=warn)
$(e2e_check obs interval=3s 'groups=liveness readiness')
[check:hb]
plugin = heartbeat
EOF
e2e_until 10 e2e_has '^\[\+\]obs ok$' '/readyz?verbose'

e2e_req /status
e2e_expect_code 200
e2e_expect_header 'Content-Type: text/html; charset=utf-8'
e2e_expect_header 'Cache-Control: no-store'
e2e_expect_header 'X-Content-Type-Options: nosniff'
e2e_expect_header 'Referrer-Policy: no-referrer'
csp=$(sed -n 's/^content-security-policy: //Ip' <<<"$T_ERR")
for want in "default-src 'none'" "script-src 'sha256-" "style-src 'sha256-" "connect-src 'self'" \
	"base-uri 'none'" "form-action 'none'" "frame-ancestors 'none'"; do
	[[ $csp == *"$want"* ]] || t_fail "Content-Security-Policy lacks $want: $csp"
done
[[ $csp != *unsafe* ]] || t_fail "Content-Security-Policy allows something unsafe: $csp"
grep -q '<th scope="row" data-label="Check"><span class="name">hb</span></th>' "$T_TMP/body" ||
	t_fail "the public page does not list hb"
! grep -q 'team-payments\|2\.4\.1\|dependency down' "$T_TMP/body" ||
	t_fail "the public page shows details"
public_size=$(stat -c %s "$T_TMP/body")
e2e_req /status "${AUTH[@]}"
e2e_expect_code 200
grep -q '<td data-label="Owner">team-payments</td>' "$T_TMP/body" ||
	t_fail "the page with the token has no owner"
detailed_size=$(stat -c %s "$T_TMP/body")
refresh=$(sed -n 's/.*data-refresh="\([0-9]*\)".*/\1/p' "$T_TMP/body")
[ "$public_size" -lt 30720 ] && [ "$detailed_size" -lt 30720 ] ||
	t_fail "the page is not under 30 KiB: $public_size and $detailed_size bytes"
# The script's feed: the /health document with history, answering 200
# where /health answers 503 (hb is pending).
e2e_req /status "${AUTH[@]}" -H 'Accept: application/health+json'
e2e_expect_code 200
e2e_expect_header 'Content-Type: application/health+json'
e2e_expect_header 'Cache-Control: no-store'
grep -q '"componentId":"db".*"history":\[{"time":' "$T_TMP/body" || t_fail "the page's feed has no history"
e2e_req /status -H 'Accept: application/health+json'
e2e_expect 200 $'{"status":"fail"}\n'
e2e_req /health "${AUTH[@]}"
e2e_expect_code 503
! grep -q '"history"' "$T_TMP/body" || t_fail "/health without ?history has history"
e2e_head /status
e2e_expect_code 200
[ -z "$T_OUT" ] || t_fail "HEAD /status sent a body"
t_ok "/status: HTML under a strict CSP, nosniff, no-store, $public_size/$detailed_size bytes, public without the token; its feed 200 with history"

# The browser: its profile and temporary files under $T_TMP, screenshots
# beside the log, where they stay after the test.
out=$PWD/tests/e2e
[ -d "$out" ] || out=$T_TMP
mkdir -p "$T_TMP/browser"
set +e
TMPDIR=$T_TMP/browser NODE_MODULES=$NODE_MODULES URL=$E2E_URL TOKEN=$E2E_TOKEN \
	STATE=$T_TMP/db.state PID=$E2E_PID OUT=$out PERIOD=$refresh \
	timeout 300 node "$HC_SRCDIR/tests/e2e/status-page.mjs" >"$T_TMP/node.out" 2>"$T_TMP/node.err"
T_RC=$?
set -e
T_OUT=$(cat "$T_TMP/node.out") T_ERR=$(cat "$T_TMP/node.err")
cat "$T_TMP/node.out"
[ "$T_RC" -eq 0 ] || t_fail "the browser test failed (stderr: node's)"
[ -s "$out/status-page.png" ] || t_fail "no screenshot in $out"
t_ok "in chromium: every behaviour above; screenshots in $out/status-page*.png"
e2e_stop
[ "$E2E_RC" -eq 0 ] || t_fail "the daemon exited $E2E_RC after SIGTERM"
