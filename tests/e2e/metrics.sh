#!/bin/bash
# SPDX-License-Identifier: MIT
# /metrics: the Prometheus text exposition 0.0.4 with every family of
# docs/architecture.md §6, one-hot statuses, counters that count.
set -euo pipefail
. "$HC_SRCDIR/tests/e2e/lib.sh"

e2e_say w warn
e2e_say f fail
e2e_start <<EOF
$(e2e_private)
$(e2e_check a)
$(e2e_check w)
$(e2e_check f)
[check:hb]
plugin = heartbeat
EOF
e2e_until 5 e2e_gives 503 $'[+]a ok\n[+]w warn\n[-]f failed: dependency down\n[-]hb pending\nreadyz check failed\n' \
	'/readyz?verbose' "${AUTH[@]}"

e2e_req /metrics "${AUTH[@]}"
e2e_expect_code 200
e2e_expect_header 'Content-Type: text/plain; version=0.0.4; charset=utf-8'
e2e_expect_header 'Cache-Control: no-store'
for family in check_status:gauge check_up:gauge check_duration_seconds:gauge \
              check_last_run_timestamp_seconds:gauge check_runs_total:counter \
              check_failures_total:counter status:gauge build_info:gauge; do
	name=healthcheckd_${family%:*}
	[ "$(grep -c "^# HELP $name .\+" "$T_TMP/body")" = 1 ] || t_fail "no single # HELP for $name"
	[ "$(grep -cx "# TYPE $name ${family#*:}" "$T_TMP/body")" = 1 ] ||
		t_fail "no single '# TYPE $name ${family#*:}'"
done
# Each sample belongs to the family whose # TYPE came last, and is NAME{...} VALUE.
awk '/^# TYPE / { family = $3; next } /^#/ { next }
     { name = $1; sub(/\{.*/, "", name)
       if (name != family || NF != 2 || $2 !~ /^[0-9.e+-]+$/) { print "stray: " $0; bad = 1 } }
     END { exit bad }' "$T_TMP/body" >"$T_TMP/stray" || { T_ERR=$(cat "$T_TMP/stray"); t_fail "samples outside their family"; }
t_ok "every family of docs/architecture.md §6 has one # HELP and one # TYPE, and its samples follow it"

for cs in a:pass w:warn f:fail hb:pending; do
	for s in pass warn fail pending; do
		want=0
		[ "$s" = "${cs#*:}" ] && want=1
		grep -qx "healthcheckd_check_status{check=\"${cs%:*}\",status=\"$s\"} $want" "$T_TMP/body" ||
			t_fail "check_status of ${cs%:*} for $s is not $want"
	done
done
t_ok "healthcheckd_check_status is one-hot over pass, warn, fail, pending"

for want in 'check_up{check="a"} 1' 'check_up{check="w"} 1' 'check_up{check="f"} 0' \
            'check_up{check="hb"} 0' 'status{group="liveness"} 1' \
            'status{group="readiness"} 0' 'status{group="startup"} 1' \
            'check_failures_total{check="a"} 0' 'check_runs_total{check="hb"} 0'; do
	grep -qx "healthcheckd_$want" "$T_TMP/body" || t_fail "no line healthcheckd_$want"
done
grep -Eqx 'healthcheckd_build_info\{version="[^"]+",commit="[^"]*",abi="1\.[0-9]+"\} 1' "$T_TMP/body" ||
	t_fail "no healthcheckd_build_info line"
grep -Eqx 'healthcheckd_check_duration_seconds\{check="a"\} [0-9]+\.[0-9]+' "$T_TMP/body" ||
	t_fail "no check_duration_seconds of a"
grep -Eqx 'healthcheckd_check_last_run_timestamp_seconds\{check="a"\} [0-9]{10}\.[0-9]+' "$T_TMP/body" ||
	t_fail "no check_last_run_timestamp_seconds of a"
t_ok "check_up, status per group, failures, durations, timestamps and build_info"

runs=$(e2e_metric 'healthcheckd_check_runs_total{check="a"}')
fails=$(e2e_metric 'healthcheckd_check_failures_total{check="f"}')
[ "$runs" -ge 1 ] && [ "$fails" -ge 1 ] || t_fail "runs of a: $runs, failures of f: $fails"
more_runs() { [ "$(e2e_metric 'healthcheckd_check_runs_total{check="a"}')" -gt "$runs" ]; }
more_fails() { [ "$(e2e_metric 'healthcheckd_check_failures_total{check="f"}')" -gt "$fails" ]; }
e2e_until 5 more_runs
e2e_until 5 more_fails
t_ok "healthcheckd_check_runs_total and _failures_total increase with each run"

if command -v promtool >/dev/null; then
	e2e_req /metrics "${AUTH[@]}"
	t_run promtool check metrics <"$T_TMP/body"
	[ -z "$T_OUT$T_ERR" ] || t_fail "promtool check metrics complains"
	t_ok "promtool check metrics prints nothing"
else
	echo "# SKIP promtool check metrics: promtool is not on PATH"
fi
