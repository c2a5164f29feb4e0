#!/bin/bash
# SPDX-License-Identifier: MIT
# azureblob plugin against a real azurite on 127.0.0.1
# (tests/servers/azurite.sh), which verifies SharedKey and SAS signatures:
# container there, missing, wrong key (a real 403), account SAS, expired
# SAS, a container SAS (which may not read container properties), endpoint
# down, deadline, the connection kept across runs, -t without a request,
# init errors.
set -euo pipefail
. "$HC_SRCDIR/tests/cli/lib.sh"

t_need_plugin azureblob
PY=/usr/bin/python3
t_need_cmd nodejs node
t_need_cmd python3 "$PY"
NODE_MODULES=${HC_NODE_MODULES:-$HC_SRCDIR/tests/node_modules}
if [ ! -x "$NODE_MODULES/.bin/azurite-blob" ]; then
	echo "SKIP: azurite is not installed in $NODE_MODULES (cd tests && npm ci; tests/run does it)"
	exit 77
fi

TOOLS=$HC_SRCDIR/tests/tools
SERVER=$HC_SRCDIR/tests/servers/azurite.sh
SRV=$T_TMP/srv
trap '"$SERVER" stop "$SRV" || true; t_cleanup' EXIT
"$SERVER" start "$SRV"
. "$SRV/env"
ADDR="127\.0\.0\.1:$AZURITE_PORT"
C=$AZURITE_CONTAINER

# az MODE KEY=VALUE...: the plugin once (--once) or its init only (-t) on
# the server's container with its account key, KEY=VALUE instead.
az() {
	local mode=$1
	shift
	T_KEYS=([endpoint]="$AZURITE_ENDPOINT" [account]="$AZURITE_ACCOUNT"
		[container]="$C" [account_key]="$AZURITE_KEY")
	t_plugin_run azureblob "$mode" "$@"
}
# sas KIND ARGS...: a SAS token from tests/tools/azblob.py.
sas() { AZ_KEY=$AZURITE_KEY "$PY" "$TOOLS/azblob.py" "$@"; }

az --once
t_expect_rc 0
t_expect_out "^azureblob +pass +[0-9]+\.[0-9] ms +container $C on $ADDR: 200\$"
t_expect_no "$AZURITE_KEY"
t_ok "container there, SharedKey: pass"

printf '%s\n' "$AZURITE_KEY" >"$T_TMP/key"
az --once account_key account_key_file="$T_TMP/key"
t_expect_rc 0
t_expect_out "container $C on $ADDR: 200\$"
t_ok "account_key_file gives the key"

az --once endpoint="$AZURITE_ENDPOINT/"
t_expect_rc 0
t_ok "a trailing / on the endpoint is fine"

az --once container=no-such-container
t_expect_rc 2
t_expect_out "^azureblob +fail .* ms +no such container no-such-container in account $AZURITE_ACCOUNT \(404 ContainerNotFound from $ADDR\)\$"
t_ok "container missing: fail, no such container"

WRONG=$(head -c 64 /dev/urandom | base64 -w0)
az --once account_key="$WRONG"
t_expect_rc 2
t_expect_out "^azureblob +fail .* ms +access denied to container $C \(403 [A-Za-z]+ from $ADDR\): wrong account_key for account $AZURITE_ACCOUNT\$"
t_expect_no "$WRONG"
t_expect_no "$AZURITE_KEY"
t_ok "wrong key: azurite's 403, the key named as the cause and not echoed"

TOKEN=$(sas account-sas "$AZURITE_ACCOUNT" 2099-01-01T00:00:00Z)
SIG=$(sed -n 's/.*sig=\([^&]*\).*/\1/p' <<<"$TOKEN")
az --once account_key sas_token="$TOKEN"
t_expect_rc 0
t_expect_out "container $C on $ADDR: 200\$"
t_expect_no "$SIG"
t_ok "account SAS: pass, the token not echoed"

az --once account_key sas_token="?$TOKEN"
t_expect_rc 0
t_ok "a SAS copied with its leading ? is fine"

TOKEN=$(sas account-sas "$AZURITE_ACCOUNT" 2020-01-02T00:00:00Z 2020-01-01T00:00:00Z)
az --once account_key sas_token="$TOKEN"
t_expect_rc 2
t_expect_out "^azureblob +fail .* ms +access denied to container $C \(403 [A-Za-z]+ from $ADDR\): sas_token refused: expired, not yet valid, or not an account SAS that may read containers \(ss=b srt=c sp=r\)\$"
t_ok "expired SAS: 403, sas_token refused"

TOKEN=$(sas container-sas "$AZURITE_ACCOUNT" "$C" 2099-01-01T00:00:00Z rl)
az --once account_key sas_token="$TOKEN"
t_expect_rc 2
t_expect_out "403 AuthorizationPermissionMismatch from $ADDR\): sas_token refused"
t_ok "a container SAS cannot read container properties: 403, said"

# The capture peer sees each connection and every request exactly:
# whether -t sends any, and whether runs share one connection.
mkdir -p "$T_TMP/cap"
t_peer capture "$PY" "$TOOLS/capture_peer.py" "$T_TMP/cap"
CAPTURE=$T_PORT
T_KEYS=([endpoint]="http://127.0.0.1:$CAPTURE/$AZURITE_ACCOUNT"
	[account]="$AZURITE_ACCOUNT" [container]="$C" [account_key]="$AZURITE_KEY")
t_plugin_run azureblob -t
t_expect_rc 0
[ ! -e "$T_TMP/cap/requests.jsonl" ] || t_fail "-t sent a request"
t_ok "-t sends no request"

printf '\n\n\n' | "$HCRUN" "$HC_PLUGIN_DIR/azureblob.so" \
	endpoint="http://127.0.0.1:$CAPTURE/$AZURITE_ACCOUNT" \
	account="$AZURITE_ACCOUNT" container="$C" account_key="$AZURITE_KEY" \
	>"$T_TMP/runs"
[ "$(grep -c '^pass ' "$T_TMP/runs")" -eq 3 ] || t_fail "three passes: $(cat "$T_TMP/runs")"
clients=$("$PY" -c 'import json, sys; print(len({json.loads(l)["client"] for l in open(sys.argv[1])}))' \
	"$T_TMP/cap/requests.jsonl")
[ "$(wc -l <"$T_TMP/cap/requests.jsonl")" -eq 3 ] && [ "$clients" -eq 1 ] ||
	t_fail "3 runs made $(wc -l <"$T_TMP/cap/requests.jsonl") requests on $clients connections"
request=$(tail -n1 "$T_TMP/cap/requests.jsonl")
grep -Fq "\"path\": \"/$AZURITE_ACCOUNT/$C?restype=container\"" <<<"$request" ||
	t_fail "not Get Container Properties: $request"
t_ok "one connection kept across runs, GET ?restype=container"

"$SERVER" stop "$SRV"
az --once
t_expect_rc 2
t_expect_out "^azureblob +fail .* ms +connect to $ADDR: Connection refused\$"
t_expect_no "$AZURITE_KEY"
t_ok "endpoint down: fail naming it"

t_hangpeer accept
start=$(t_now_ms)
az --once endpoint="http://127.0.0.1:$T_PORT/$AZURITE_ACCOUNT" timeout=500ms
elapsed=$(($(t_now_ms) - start))
t_expect_rc 2
# The plugin gives up just before the deadline and names the step; on a
# loaded machine the core's bare message, taken at the deadline, may win.
t_expect_out "^azureblob +fail .* ms +timed out after 500 ms( waiting for an answer from 127\.0\.0\.1:$T_PORT)?\$"
t_expect_no "$AZURITE_KEY"
[ "$elapsed" -le 2000 ] || t_fail "took $elapsed ms, more than timeout + 1.5 s"
t_ok "deadline against a peer that never answers ($elapsed ms)"

# init errors (-t exits 1): each names its key; none quotes a secret.
az -t account
t_expect_rc 1
t_expect_err "account: required"
az -t account=Bad_Account
t_expect_rc 1
t_expect_err "account: 'Bad_Account' is not a storage account name"
az -t container
t_expect_rc 1
t_expect_err "container: required"
az -t container=-bad--name
t_expect_rc 1
t_expect_err "container: '-bad--name' is not a container name"
az -t container='$root'
t_expect_rc 0
t_ok "\$root is a container name"
az -t account_key
t_expect_rc 1
t_expect_err "account_key or sas_token: exactly one is required"
az -t sas_token="sv=2019-12-12&sig=abc"
t_expect_rc 1
t_expect_err "account_key or sas_token: exactly one is required"
az -t account_key='not base64 at all!'
t_expect_rc 1
t_expect_err "account_key: not base64"
t_expect_no "not base64 at all"
az -t account_key sas_token="sv=2019-12-12&se=2099"
t_expect_rc 1
t_expect_err "sas_token: not a shared access signature \(a query string with sig=\)"
t_expect_no "se=2099"
az -t endpoint=blob.example.com
t_expect_rc 1
t_expect_err "endpoint: 'blob.example.com' is not an http:// or https:// URL"
az -t tls_verify=maybe
t_expect_rc 1
t_expect_err "tls_verify: 'maybe' is neither yes nor no"
az -t ca_file="$T_TMP/no-such-ca.pem"
t_expect_rc 1
t_expect_err "ca_file: cannot read"
az -t colour=blue
t_expect_rc 1
t_expect_err "colour"
t_ok "init errors exit 1 naming the key"
