#!/bin/bash
# SPDX-License-Identifier: MIT
# A hung plugin: the check fails at its deadline, /readyz keeps answering,
# other checks keep their schedule, and the hung instance is not run again.
set -euo pipefail
. "$HC_SRCDIR/tests/e2e/lib.sh"

e2e_say h hang
e2e_start <<EOF
$(e2e_private)
$(e2e_check h timeout=500ms "count=$T_TMP/h.count")
$(e2e_check a)
EOF
# h's first run starts within its interval (1 s) of the start and is failed
# at its deadline (500 ms): 4 s leaves a wide margin.
e2e_until 4 e2e_gives 503 $'[-]h failed: timed out after 500 ms\nreadyz check failed\n' \
	'/readyz/h?verbose' "${AUTH[@]}"
e2e_req '/readyz/h?verbose'
e2e_expect 503 $'[-]h failed: reason withheld\nreadyz check failed\n'
t_ok "a hung check fails with 'timed out after 500 ms' after its deadline"

runs=$(e2e_metric 'healthcheckd_check_runs_total{check="a"}')
for i in $(seq 1 25); do
	e2e_req '/readyz?verbose' "${AUTH[@]}" --max-time 2
	e2e_expect 503 $'[-]h failed: timed out after 500 ms\n[+]a ok\nreadyz check failed\n'
	e2e_req /livez --max-time 2
	e2e_expect 200 $'ok\n'
	sleep 0.1
done
t_ok "/readyz and /livez keep answering, each request within 2 s, while the check hangs"

# a runs each second; two more runs within 6 s whatever h does.
two_more() { [ "$(e2e_metric 'healthcheckd_check_runs_total{check="a"}')" -ge $((runs + 2)) ]; }
e2e_until 6 two_more
t_ok "the other check keeps its schedule (its runs_total keeps increasing)"

[ "$(wc -l <"$T_TMP/h.count")" -eq 1 ] || t_fail "the hung check was called $(wc -l <"$T_TMP/h.count") times"
[ "$(e2e_metric 'healthcheckd_check_runs_total{check="h"}')" -eq 1 ] || t_fail "h has more than one run"
t_ok "the hung instance is not called again while its call has not returned"

# A hung check that a reload retires must not keep its worker: with one
# worker, the other check goes on running, and the exit leaves the hung
# call alone.
e2e_stop
e2e_say h hang
rm -f "$T_TMP/h.count"
{ printf 'workers = 1\n'; e2e_private; e2e_check h timeout=2s interval=5s "count=$T_TMP/h.count"; e2e_check a; } >"$T_TMP/one-worker"
e2e_start <"$T_TMP/one-worker"
e2e_until 5 test -s "$T_TMP/h.count" || t_fail "h never started"
sed -i 's/^timeout = 2s$/timeout = 3s/' "$E2E_CONF"
kill -HUP "$E2E_PID"
e2e_until 8 grep -qF "reloaded:" "$E2E_LOG" || t_fail "the reload did not finish"
e2e_log_has "reload: check h is stuck in a call; it is left, not torn down"
runs=$(e2e_metric 'healthcheckd_check_runs_total{check="a"}')
two_more() { [ "$(e2e_metric 'healthcheckd_check_runs_total{check="a"}')" -ge $((runs + 2)) ]; }
e2e_until 8 two_more || t_fail "with its one worker held by the retired hung check, a stopped running"
t_ok "a hung check retired by a reload gives its worker back to the others"
# The exit waits shutdown_delay (100 ms), then 1.5 s for the worker held by
# h (the daemon's JOIN_NS), and ThreadSanitizer sleeps 1 s in exit(): 2.6 s
# before any load, which 4 s left too little of on a loaded CI machine. A
# daemon that waited for the hung call would never exit, so 3 s more of
# margin hide nothing; and polled, a daemon that hangs fails the test
# instead of hanging it.
start=$(t_now_ms)
kill -TERM "$E2E_PID"
e2e_by $((start + 6000)) e2e_exited
took=$(( $(t_now_ms) - start ))
e2e_stop
[ "$E2E_RC" -eq 0 ] || t_fail "exit code $E2E_RC"
echo "# exited $took ms after SIGTERM"
e2e_log_has "still inside a check at exit: not torn down"
t_ok "SIGTERM with a hung retired check exits 0 in $took ms, leaving the call alone"
