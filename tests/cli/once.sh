#!/bin/bash
# SPDX-License-Identifier: MIT
# healthcheckd --once: statuses, exit codes, formats, deadlines, secrets.
set -euo pipefail
. "$HC_SRCDIR/tests/cli/lib.sh"

fake=$HC_FIXTURE_DIR/fake_good.so
state=$T_TMP/state
once() { t_run "$HEALTHCHECKD" --plugin "$fake" --set "path=$state" "$@" --once; }

echo pass >"$state"; once
t_expect_rc 0
t_expect_out '^fake_good  pass +[0-9]+\.[0-9] ms  all good \(run 1\)$'
t_ok "pass exits 0 with one line: name, status, latency, message"

echo warn >"$state"; once
t_expect_rc 1
t_expect_out '^fake_good  warn .* degraded$'
t_ok "warn exits 1"

echo fail >"$state"; once
t_expect_rc 2
t_expect_out '^fake_good  fail .* dependency down$'
t_ok "fail exits 2"

echo error >"$state"; once
t_expect_rc 2
t_expect_out '^fake_good  fail .* plugin broke$'
t_ok "a plugin error is a failure with the plugin's message"

echo fail >"$state"; once --set severity=warn
t_expect_rc 1
t_expect_out '^fake_good  warn .* dependency down$'
t_ok "severity = warn turns a failure into warn"

for s in pass:0 warn:0 fail:1; do
	echo "${s%:*}" >"$state"; once --exit-codes docker
	t_expect_rc "${s#*:}"
done
once --set nokey=1 --exit-codes docker
t_expect_rc 1
t_ok "--exit-codes docker maps pass/warn to 0, fail and config errors to 1"

once --set timeout=abc
t_expect_rc 3
t_expect_err_exact "--set: timeout: bad duration 'abc' (use a positive number with ms, s or m, e.g. 2s)"
t_ok "--set goes through the core's key checks"

once --set pth=/x
t_expect_rc 3
t_expect_err_exact "--set: plugin fake_good has no key 'pth' (its keys: path, password, count)"
t_ok "--set goes through the plugin's key list"

echo hang >"$state"
start=$(t_now_ms); once --set timeout=500ms; took=$(( $(t_now_ms) - start ))
t_expect_rc 2
t_expect_out '^fake_good  fail +500\.0 ms  timed out after 500 ms$'
[ "$took" -lt 2500 ] || t_fail "a hung check held --once for $took ms (timeout 500 ms)"
t_ok "a hung check fails at its deadline"

echo leak >"$state"; once --set password=hunter2-Secret
t_expect_rc 2
t_expect_out 'auth failed for password \*\*\*$'
t_expect_err 'warning: check fake_good: password is \*\*\*$'
t_expect_no hunter2-Secret
t_ok "a secret is scrubbed from results and log lines"

printf 'hunter3-Secret\n' >"$T_TMP/pw"
once --set "password_file=$T_TMP/pw"
t_expect_rc 2
t_expect_out 'auth failed for password \*\*\*$'
t_expect_no hunter3-Secret
t_ok "password_file reads the secret, which is scrubbed too"

# A config with several checks: parallel runs, --check, --format json.
for n in a b c; do echo hang >"$T_TMP/hang-$n"; done
echo pass >"$T_TMP/ok"; echo observe >"$T_TMP/obs"
cat >"$T_TMP/c.ini" <<INI
[service]
id = orders-api
version = 2.4.1
[check:ok]
plugin = fake_good
path = $T_TMP/ok
owner = team-a
component_type = datastore
[check:obs]
plugin = fake_good
path = $T_TMP/obs
[check:off]
plugin = fake_good
path = $T_TMP/hang-a
enabled = no
INI
for n in a b c; do
	printf '[check:hang-%s]\nplugin = fake_good\npath = %s\ntimeout = 1s\n' "$n" "$T_TMP/hang-$n" >>"$T_TMP/c.ini"
done
start=$(t_now_ms)
t_run "$HEALTHCHECKD" --once -c "$T_TMP/c.ini" --plugin-dir "$HC_FIXTURE_DIR"
took=$(( $(t_now_ms) - start ))
t_expect_rc 2
[ "$(wc -l <<<"$T_OUT")" -eq 5 ] || t_fail "expected 5 lines (disabled check skipped)"
t_expect_out '^hang-c +fail .* timed out after 1000 ms$'
[ "$took" -lt 2500 ] || t_fail "three checks with 1 s deadlines took $took ms: not run in parallel"
t_ok "checks run in parallel, each bounded by its own deadline; disabled ones are skipped"

t_run "$HEALTHCHECKD" --once -c "$T_TMP/c.ini" --plugin-dir "$HC_FIXTURE_DIR" --check ok --check obs --format json
t_expect_rc 0
python3 - "$T_TMP/out" <<'PY' || t_fail "JSON does not have the /health shape"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["status"] == "pass", d
assert d["serviceId"] == "orders-api" and d["version"] == "2.4.1", d
ok = d["checks"]["ok:responseTime"][0]
assert ok["componentId"] == "ok" and ok["componentType"] == "datastore", ok
assert ok["status"] == "pass" and ok["observedUnit"] == "ms" and ok["owner"] == "team-a", ok
assert isinstance(ok["observedValue"], float) and "output" not in ok, ok
obs = d["checks"]["obs:utilization"][0]
assert obs["observedValue"] == 42.5 and obs["observedUnit"] == "%", obs
assert obs["componentType"] == "component" and obs["time"].endswith("Z"), obs
PY
t_ok "--format json prints the /health document"

t_run "$HEALTHCHECKD" --once -c "$T_TMP/c.ini" --plugin-dir "$HC_FIXTURE_DIR" --check nope
t_expect_rc 3
t_expect_err_exact "healthcheckd: --check: no check named 'nope'"
t_ok "--check with an unknown name is a usage error"

t_run "$HEALTHCHECKD" --once -c "$T_TMP/c.ini" --plugin-dir "$HC_FIXTURE_DIR" --check ok --check ok --check ok
t_expect_rc 0
[ "$(wc -l <<<"$T_OUT")" -eq 3 ] || t_fail "expected 3 lines"
t_ok "--check may name a check more than once"

# b's result comes after its deadline while --once still waits on a:
# it is a timeout all the same, whatever the order of the checks.
echo "sleep 2000" >"$T_TMP/slow-a"; echo "sleep 1500" >"$T_TMP/slow-b"
printf '[check:a]\nplugin = fake_good\npath = %s\ntimeout = 5s\n[check:b]\nplugin = fake_good\npath = %s\ntimeout = 500ms\n' \
	"$T_TMP/slow-a" "$T_TMP/slow-b" >"$T_TMP/order.ini"
t_run "$HEALTHCHECKD" --once -c "$T_TMP/order.ini" --plugin-dir "$HC_FIXTURE_DIR"
t_expect_rc 2
t_expect_out '^b +fail +500\.0 ms  timed out after 500 ms$'
t_ok "a late result is a timeout whatever the order of the checks"

t_run "$HEALTHCHECKD" -t -c "$T_TMP/c.ini" --plugin-dir "$HC_FIXTURE_DIR"
t_expect_rc 0
t_expect_out_exact "configuration OK"
t_ok "-t validates without running a check"

# A heartbeat check has nobody to push to it: --once leaves it out, and
# reports it as fail only when --check names it (healthcheckd(8)).
printf 'tok\n' >"$T_TMP/hb-token"
chmod 600 "$T_TMP/hb-token"
echo pass >"$state"
cat >"$T_TMP/hb.ini" <<EOF
[check:ok]
plugin = fake_good
path = $state
[check:hb]
plugin = heartbeat
ttl = 30s
token_file = $T_TMP/hb-token
EOF
t_run "$HEALTHCHECKD" --once -c "$T_TMP/hb.ini" --plugin-dir "$HC_FIXTURE_DIR"
t_expect_rc 0
t_expect_out '^ok +pass '
if grep -q '^hb ' <<<"$T_OUT"; then t_fail "--once reported the heartbeat check"; fi
t_run "$HEALTHCHECKD" --once -c "$T_TMP/hb.ini" --plugin-dir "$HC_FIXTURE_DIR" --check hb
t_expect_rc 2
t_expect_out '^hb +fail .* heartbeat checks are not run$'
t_ok "--once leaves heartbeat checks out unless --check names one, then fail"
