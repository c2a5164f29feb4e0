#!/bin/bash
# SPDX-License-Identifier: MIT
# etc/kubernetes/orders-api.yaml holds together: its ConfigMap's
# configuration passes `healthcheckd -t`, and every probe, Service and
# Ingress path that reaches healthcheckd is one the daemon serves, on the
# port it listens on, with that configuration (started here, only the
# listen address and token path moved to this test's).
set -euo pipefail
. "$HC_SRCDIR/tests/e2e/lib.sh"
t_need_plugin tcp
/usr/bin/python3 -c 'import yaml' 2>/dev/null ||
	{ echo "SKIP: python3-yaml is not installed"; exit 77; }

manifest=$HC_SRCDIR/etc/kubernetes/orders-api.yaml
t_run /usr/bin/python3 "$HC_SRCDIR/tests/tools/k8s_probes.py" "$manifest" "$T_TMP"
t_expect_rc 0
paths=$T_OUT
for kind in startupProbe livenessProbe readinessProbe ingress; do
	grep -q "^$kind " <<<"$paths" || t_fail "no $kind reaches healthcheckd"
done
t_ok "the manifests parse; ConfigMap, Secret, grace period and securityContext agree"

listen=$(sed -n 's/^listen *= *\([^ ;]*\).*/\1/p' "$T_TMP/configmap.ini")
while read -r kind path port; do
	[ "$port" = "${listen##*:}" ] || t_fail "$kind $path goes to port $port, the daemon listens on $listen"
done <<<"$paths"
t_ok "every path goes to the port the ConfigMap's daemon listens on (${listen##*:})"

sed -e "s|^listen *=.*|listen = 127.0.0.1:$E2E_PORT|" \
	-e "s|^token_file *=.*|token_file = $E2E_TOKEN_FILE|" "$T_TMP/configmap.ini" >"$E2E_CONF"
t_run "$HEALTHCHECKD" -t -c "$E2E_CONF" --plugin-dir "$HC_PLUGIN_DIR"
t_expect_rc 0
t_expect_out '^configuration OK$'
t_ok "healthcheckd -t accepts the ConfigMap's configuration"

e2e_launch --plugin-dir "$HC_PLUGIN_DIR"
while read -r kind path port; do
	e2e_req "$path"
	case $E2E_CODE in
	200|503) ;;
	*) t_fail "$kind $path answers $E2E_CODE" ;;
	esac
done <<<"$paths"
t_ok "the daemon serves every one of those paths (200 or 503, never 404)"
