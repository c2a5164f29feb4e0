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
	e2e_expect 200 ok
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
