#!/bin/bash
# SPDX-License-Identifier: MIT
# Probe traffic never multiplies into check calls: one call per interval at
# most, however many requests (counts, never timings).
set -euo pipefail
. "$HC_SRCDIR/tests/e2e/lib.sh"

start=$(t_now_ms)
e2e_start <<EOF
details = always
$(e2e_check c interval=1s "count=$T_TMP/c.count")
EOF
e2e_until 5 e2e_is 200 /readyz

# One round: 2000 requests over keep-alive connections, 16 at a time, on
# every rendering of the check's state.
for i in $(seq 1 500); do
	for p in /readyz '/readyz?verbose' /readyz/c /health; do
		printf 'url = "%s%s"\noutput = "/dev/null"\n' "$E2E_URL" "$p"
	done
done >"$T_TMP/requests"
requests=0
# Rounds until 3 s have passed (at most 40): several intervals of the check.
for round in $(seq 1 40); do
	curl -s --parallel --parallel-max 16 --max-time 10 -w '%{http_code}\n' \
		-K "$T_TMP/requests" 2>/dev/null >"$T_TMP/codes" || true
	[ "$(grep -cx 200 "$T_TMP/codes")" -eq 2000 ] || t_fail "round $round: not 2000 answers 200"
	requests=$((requests + 2000))
	[ $(( $(t_now_ms) - start )) -lt 3000 ] || break
done
elapsed_s=$(( ($(t_now_ms) - start + 999) / 1000 ))
calls=$(wc -l <"$T_TMP/c.count")
echo "# $requests requests in about $elapsed_s s; the check was called $calls times"
[ "$calls" -ge 1 ] || t_fail "the check never ran"
[ "$calls" -le $((elapsed_s + 2)) ] ||
	t_fail "$calls check calls in $elapsed_s s with a 1 s interval ($requests requests)"
t_ok "thousands of probes: check calls stay within one per interval (+2)"
