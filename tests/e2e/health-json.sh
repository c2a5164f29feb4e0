#!/bin/bash
# SPDX-License-Identifier: MIT
# /health as application/health+json (IETF draft-inadarei-api-health-check),
# validated structurally: the detailed form with the token, status only
# without it.
set -euo pipefail
. "$HC_SRCDIR/tests/e2e/lib.sh"

command -v python3 >/dev/null || { echo "SKIP: python3 is not installed" >&2; exit 77; }

export E2E_RELEASE=rel-e2e-42
e2e_say w warn
e2e_say f fail
e2e_say obs observe
e2e_start <<EOF
$(e2e_private)
[service]
id = orders-api
version = 2.4.1
release_id = \${E2E_RELEASE}
description = the orders API
$(e2e_check db owner=team-payments runbook=https://wiki.example/runbooks/db \
	'description=primary orders database' component_type=datastore)
$(e2e_check w)
$(e2e_check f)
$(e2e_check obs)
[check:hb]
plugin = heartbeat
EOF
e2e_until 5 e2e_gives 503 $'[+]db ok\n[+]w warn\n[-]f failed: dependency down\n[+]obs ok\n[-]hb pending\nreadyz check failed\n' \
	'/readyz?verbose' "${AUTH[@]}"

# validate KIND [NAMES [history]]: check the last body, per kind, in Python;
# history: each check has its last runs (/health?history).
validate() {
	python3 - "$T_TMP/body" "$@" >"$T_TMP/py" 2>&1 <<'PY' || { T_ERR=$(cat "$T_TMP/py"); t_fail "$1 JSON is not as expected"; }
import datetime, json, re, sys

with open(sys.argv[1]) as f:
    doc = json.load(f)
kind = sys.argv[2]
if kind == "public":
    assert doc == {"status": "fail"}, doc
    sys.exit(0)

want = {  # name: (measurement, status, unit, value, output)
    "db": ("responseTime", "pass", "ms", None, None),
    "w": ("responseTime", "warn", "ms", None, "degraded"),
    "f": ("responseTime", "fail", "ms", None, "dependency down"),
    "obs": ("utilization", "pass", "%", 42.5, None),
    "hb": ("responseTime", "fail", None, None, "pending"),
}
names = sys.argv[3].split(",")
with_history = sys.argv[4:] == ["history"]
assert doc["status"] == kind, doc["status"]
assert doc["version"] == "2.4.1", doc
assert doc["releaseId"] == "rel-e2e-42", doc
assert doc["serviceId"] == "orders-api", doc
assert doc["description"] == "the orders API", doc
assert set(doc) <= {"status", "version", "releaseId", "serviceId", "description",
                    "output", "checks"}, sorted(doc)
checks = doc["checks"]
assert sorted(checks) == sorted(n + ":" + want[n][0] for n in names), sorted(checks)
allowed = {"componentId", "componentType", "status", "observedValue", "observedUnit",
           "time", "output", "owner", "runbook", "description",
           # beyond the draft, for the status page (healthcheckd(8))
           "groups", "severity", "lastChange", "history"}
stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
now = datetime.datetime.now(datetime.timezone.utc)
for name in names:
    measurement, status, unit, value, output = want[name]
    arr = checks[name + ":" + measurement]
    assert isinstance(arr, list) and len(arr) == 1, arr
    c = arr[0]
    assert set(c) <= allowed, sorted(c)
    assert c["componentId"] == name, c
    assert c["componentType"] == ("datastore" if name == "db" else "component"), c
    assert c["status"] == status, c
    assert c.get("output") == output, c
    assert c["groups"] == ["readiness"] and c["severity"] == "critical", c
    if name == "hb":  # pending: no result, so no time, observation or history
        assert not {"time", "observedValue", "lastChange", "history"} & set(c), c
        continue
    assert re.fullmatch(stamp, c["lastChange"]) and c["lastChange"] <= c["time"], c
    if not with_history:
        assert "history" not in c, c
        continue
    # The runs so far, oldest first, each as the ring keeps it; the status
    # has not changed since the first.
    hist = c["history"]
    assert 1 <= len(hist) <= 16, hist
    for h in hist:
        assert set(h) == {"time", "status", "latencyMs"}, h
        assert re.fullmatch(stamp, h["time"]) and h["status"] == status, h
        assert isinstance(h["latencyMs"], (int, float)) and h["latencyMs"] >= 0, h
    assert [h["time"] for h in hist] == sorted(h["time"] for h in hist), hist
    assert hist[-1]["time"] == c["time"], c
    assert c["lastChange"] == hist[0]["time"] if len(hist) < 16 else c["lastChange"] <= hist[0]["time"], c
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", c["time"]), c
    t = datetime.datetime.strptime(c["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
    t = t.replace(tzinfo=datetime.timezone.utc)
    assert abs((now - t).total_seconds()) < 300, (c["time"], now)
    assert isinstance(c["observedValue"], (int, float)) and c["observedValue"] >= 0, c
    if value is not None:
        assert c["observedValue"] == value, c
    assert c["observedUnit"] == unit, c
    if name == "db":
        assert c["owner"] == "team-payments", c
        assert c["runbook"] == "https://wiki.example/runbooks/db", c
        assert c["description"] == "primary orders database", c
    else:
        assert not {"owner", "runbook", "description"} & set(c), c
PY
}

e2e_req /health "${AUTH[@]}"
e2e_expect_code 503
e2e_expect_header 'Content-Type: application/health+json'
validate fail db,w,f,obs,hb
t_ok "/health with the token: service fields and every check keyed NAME:measurement"

e2e_req '/health?history' "${AUTH[@]}"
e2e_expect_code 503
validate fail db,w,f,obs,hb history
e2e_req '/health?history'
validate public
t_ok "/health?history with the token: every check's last runs too; without it, the status only"

e2e_req /health
e2e_expect_code 503
e2e_expect_header 'Content-Type: application/health+json'
validate public
e2e_req /health -H 'Authorization: Bearer wrong'
validate public
t_ok "/health without the token (or with a wrong one) is {\"status\": \"fail\"} only"

e2e_req /readyz/db "${AUTH[@]}" -H 'Accept: application/health+json'
e2e_expect_code 200
validate pass db
e2e_req /readyz/w "${AUTH[@]}" -H 'Accept: application/json'
e2e_expect_code 200
validate warn w
e2e_req /readyz/hb "${AUTH[@]}" -H 'Accept: application/json'
e2e_expect_code 503
validate fail hb
t_ok "/readyz/NAME as JSON holds that check alone, with its status and code"
