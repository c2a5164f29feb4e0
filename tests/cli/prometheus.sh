#!/bin/bash
# SPDX-License-Identifier: MIT
# etc/prometheus: the alerting rules pass `promtool check rules` and their
# unit tests (`promtool test rules`), the scrape configuration passes
# `promtool check config`, and every healthcheckd_* metric the rules use is
# one the daemon's /metrics serves.
set -euo pipefail
. "$HC_SRCDIR/tests/e2e/lib.sh"
t_need_cmd prometheus promtool
dir=$HC_SRCDIR/etc/prometheus

t_run promtool check rules "$dir/healthcheckd-rules.yml"
t_expect_rc 0
t_ok "promtool check rules"

# promtool resolves rule_files relative to the test file: copy both.
cp "$dir/healthcheckd-rules.yml" "$dir/healthcheckd-rules.test.yml" "$T_TMP/"
t_run promtool test rules "$T_TMP/healthcheckd-rules.test.yml"
t_expect_rc 0
t_ok "promtool test rules: failing, flapping, down and version mismatch fire as tested"

# The token file must exist for promtool: the one thing moved.
echo token >"$T_TMP/token"
sed "s|credentials_file: .*|credentials_file: $T_TMP/token|" "$dir/scrape-config.yml" >"$T_TMP/scrape.yml"
t_run promtool check config "$T_TMP/scrape.yml"
t_expect_rc 0
t_ok "promtool check config accepts the scrape configuration"

e2e_start <<EOF
details = always
$(e2e_check a)
EOF
ran() {
	local m
	m=$(curl -s "$E2E_URL/metrics")
	grep -q 'healthcheckd_check_runs_total{check="a"} [1-9]' <<<"$m"
}
e2e_until 10 ran || t_fail "no run of check a in /metrics"
e2e_req /metrics
for m in $(grep -o 'healthcheckd_[a-z_]*' "$dir/healthcheckd-rules.yml" | sort -u); do
	grep -q "^$m[{ ]" <<<"$T_OUT" || t_fail "the rules use $m, which /metrics does not serve"
done
t_ok "every metric the rules use is served by /metrics"
