#!/bin/bash
# SPDX-License-Identifier: MIT
# The probe endpoints over HTTP: paths, methods, headers, text lines, exclude,
# content negotiation, status codes, and a change of state picked up.
set -euo pipefail
. "$HC_SRCDIR/tests/e2e/lib.sh"

# max_age: the N of the last answer's Cache-Control: max-age=N, in $age.
max_age() {
	grep -Eqx 'Cache-Control: max-age=[0-9]+' <<<"$T_ERR" ||
		t_fail "no Cache-Control: max-age=N"
	age=$(sed -n 's/^Cache-Control: max-age=//p' <<<"$T_ERR")
}

e2e_say w warn
e2e_start <<EOF
$(e2e_private)
$(e2e_check a)
$(e2e_check w)
$(e2e_check live groups=liveness)
$(e2e_check boot groups=startup)
EOF
# Every check has its first result once all three groups answer 200.
for p in /readyz /livez /startupz; do e2e_until 5 e2e_is 200 $p; done

e2e_req /readyz
e2e_expect 200 $'ok\n'
e2e_expect_header 'Content-Type: text/plain; charset=utf-8'
e2e_expect_header 'Cache-Control: no-store'
e2e_expect_header 'X-Content-Type-Options: nosniff'
t_ok "/readyz passes with 'ok', text/plain, no-store, nosniff"

e2e_req /livez
e2e_expect 200 $'ok\n'
e2e_req /startupz
e2e_expect 200 $'ok\n'
t_ok "/livez and /startupz pass with 'ok'"

e2e_req '/readyz?verbose'
e2e_expect 200 $'[+]a ok\n[+]w warn\nreadyz check passed\n'
e2e_req '/livez?verbose'
e2e_expect 200 $'[+]live ok\nlivez check passed\n'
e2e_req '/startupz?verbose'
e2e_expect 200 $'[+]boot ok\nstartupz check passed\n'
t_ok "?verbose: one line per check of the group, then '<group> check passed'"

e2e_req /readyz/a
e2e_expect 200 $'ok\n'
e2e_req '/readyz/w?verbose'
e2e_expect 200 $'[+]w warn\nreadyz check passed\n'
e2e_req /livez/live
e2e_expect 200 $'ok\n'
t_ok "/GROUP/NAME answers for one check"

e2e_req /livez/nope
e2e_expect 404 $'no check \'nope\' in livez\n'
e2e_req /readyz/live
e2e_expect 404 $'no check \'live\' in readyz\n'
t_ok "/GROUP/NAME of an unknown check, or of a check of another group, is 404"

for p in /nope /readyzz /heal /metrics/x /; do
	e2e_req "$p"
	e2e_expect 404 $'not found\n'
done
t_ok "unknown paths are 404"

for m in POST DELETE PUT PATCH; do
	for p in /readyz /livez/live /health /metrics; do
		e2e_req "$p" -X "$m"
		e2e_expect 405 $'method not allowed\n'
		e2e_expect_header 'Allow: GET, HEAD'
	done
done
t_ok "other methods than GET and HEAD are 405 with Allow: GET, HEAD"

e2e_req /readyz -X POST -d 'some body'
e2e_expect 405 $'method not allowed\n'
e2e_req /livez -X GET -d 'some body'
e2e_expect_code 200
t_ok "a request with a body is answered, not dropped"

e2e_head /readyz
e2e_expect 200 ''
e2e_expect_header 'Content-Type: text/plain; charset=utf-8'
e2e_expect_header 'Content-Length: 3'
e2e_expect_header 'Cache-Control: no-store'
e2e_head /health
e2e_expect 200 ''
e2e_expect_header 'Content-Type: application/health+json'
t_ok "HEAD answers the headers of GET and no body"

e2e_req /health
e2e_expect_code 200
e2e_expect_header 'Content-Type: application/health+json'
e2e_expect_header 'X-Content-Type-Options: nosniff'
# Every check runs each second, so the next result is due within 1 s.
max_age
[ "$age" -le 1 ] || t_fail "max-age=$age, but a result is due within 1 s"
t_ok "/health has Cache-Control: max-age, at most the time to the next result"

for accept in application/json application/health+json 'text/html, application/json;q=0.9'; do
	e2e_req /readyz -H "Accept: $accept"
	e2e_expect 200 $'{"status":"warn"}\n'
	e2e_expect_header 'Content-Type: application/health+json'
	e2e_expect_header 'Cache-Control: no-store'
done
e2e_req /readyz -H 'Accept: text/plain'
e2e_expect 200 $'ok\n'
t_ok "Accept: application/json or application/health+json gets the JSON form"

e2e_req '/readyz?verbose&exclude=w'
e2e_expect 200 $'[+]a ok\n[+]w excluded: ok\nreadyz check passed\n'
e2e_req '/readyz?verbose&exclude=w&exclude=a'
e2e_expect 200 $'[+]a excluded: ok\n[+]w excluded: ok\nreadyz check passed\n'
t_ok "?exclude=NAME is repeatable; an excluded check shows 'excluded: ok'"

e2e_req '/readyz?verbose&exclude=nope'
e2e_expect 200 $'[+]a ok\n[+]w warn\nwarn: some health checks cannot be excluded: no matches for "nope"\nreadyz check passed\n'
e2e_req '/readyz?exclude=nope'
e2e_expect 200 $'ok\n'
t_ok "?exclude of an unknown name adds the warn line and does not fail"

e2e_req '/readyz?verbose&exclude=zz&exclude=a&exclude=nope&exclude=zz'
e2e_expect 200 $'[+]a excluded: ok\n[+]w warn\nwarn: some health checks cannot be excluded: no matches for "nope","zz"\nreadyz check passed\n'
t_ok "unknown ?exclude names: one warn line naming them all, as kube-apiserver"

e2e_req '/readyz/w?exclude=w'
e2e_expect 200 $'ok\n'
e2e_req '/readyz/w?verbose&exclude=w'
e2e_expect 200 $'[+]w excluded: ok\nreadyz check passed\n'
t_ok "/readyz/NAME?exclude=NAME: the check exists, excluded, and passes"

e2e_say a fail
e2e_until 5 e2e_is 503 /readyz
e2e_expect 503 $'[-]a failed: reason withheld\n[+]w warn\nreadyz check failed\n'
e2e_req '/readyz?verbose'
e2e_expect 503 $'[-]a failed: reason withheld\n[+]w warn\nreadyz check failed\n'
e2e_req /readyz/a
e2e_expect 503 $'[-]a failed: reason withheld\nreadyz check failed\n'
e2e_req '/readyz?exclude=a'
e2e_expect 200 $'ok\n'
e2e_req /readyz -H 'Accept: application/json'
e2e_expect 503 $'{"status":"fail"}\n'
e2e_req /livez
e2e_expect 200 $'ok\n'
t_ok "a failing check turns its group 503 and is named; excluding it passes again"

e2e_say a pass
e2e_until 5 e2e_is 200 /readyz
e2e_expect 200 $'ok\n'
t_ok "a recovered check turns its group 200 again"

# Start-up is a latch: once the startup group passed, /startupz passes
# whatever its checks say, and its body agrees (no [-] above "passed").
e2e_say boot fail
e2e_until 5 e2e_is 503 /startupz/boot
e2e_req /startupz
e2e_expect 200 $'ok\n'
e2e_req '/startupz?verbose'
e2e_expect 200 $'[+]boot ok (start-up completed; now failed: reason withheld)\nstartupz check passed\n'
e2e_has '^\[\+\]boot ok \(start-up completed; now failed: .+\)$' '/startupz?verbose' "${AUTH[@]}" ||
	t_fail "/startupz?verbose with details does not show the failure after start-up"
e2e_say boot pass
t_ok "after start-up, /startupz passes and its verbose body says so for a failing check"

# A check without a first result is pending: a heartbeat never pushed.
e2e_stop
e2e_start <<EOF
$(e2e_check a interval=30s)
[check:p]
plugin = heartbeat
token_file = $E2E_TOKEN_FILE
EOF
e2e_until 5 e2e_has '^\[\+\]a ok$' '/readyz?verbose'
e2e_expect 503 $'[+]a ok\n[-]p pending\nreadyz check failed\n'
e2e_req /readyz
e2e_expect 503 $'[+]a ok\n[-]p pending\nreadyz check failed\n'
e2e_req /readyz/p
e2e_expect 503 $'[-]p pending\nreadyz check failed\n'
t_ok "a pending check is '[-]NAME pending' and fails its group with 503"

# a has just run and runs again in 30 s (long enough that a sanitizer build
# on a loaded machine does not reach its second run before the countdown
# below is over); p has no schedule (it is pushed).
e2e_req /health
e2e_expect_code 503
max_age
[ "$age" -ge 1 ] && [ "$age" -le 30 ] || t_fail "max-age=$age, but the next result is due in at most 30 s"
t_ok "/health max-age is the time to the next due result"

# Within one snapshot (a runs every 30 s, p is never pushed to, so none
# comes for seconds), max-age counts down: two requests 2 s apart.
e2e_req /health
max_age
first=$age
sleep 2
e2e_req /health
max_age
[ "$age" -lt "$first" ] || t_fail "max-age went from $first to $age in 2 s: it does not count down"
t_ok "/health max-age counts down between snapshots"
