#!/bin/bash
# SPDX-License-Identifier: MIT
# s3 plugin against a peer that records what it is sent and answers as told
# (tests/tools/capture_peer.py): the SigV4 signature verified with
# botocore's signer (S3 itself is not at hand and s3rver checks no
# signature), the answers s3rver never gives (wrong region, a clock far
# off), the connection kept across runs, no request from -t, TLS.
set -euo pipefail
. "$HC_SRCDIR/tests/cli/lib.sh"

t_need_plugin s3
PY=/usr/bin/python3
t_need_cmd python3 "$PY"
t_need_cmd openssl openssl
if ! "$PY" -c 'import botocore.auth' 2>/dev/null; then
	echo "SKIP: botocore is not installed for $PY (Debian package python3-botocore)"
	exit 77
fi

TOOLS=$HC_SRCDIR/tests/tools
CAP=$T_TMP/cap
mkdir -p "$CAP"
t_peer capture "$PY" "$TOOLS/capture_peer.py" "$CAP"
PORT=$T_PORT
ADDR="127\.0\.0\.1:$PORT"
KEY_ID=AKIDHEALTHCHECK
SECRET=wJalrXUtnFEMI/K7MDENG+bPxRfiCY-$RANDOM$RANDOM
TOKEN=FwoGZXIvYXdzEHealth/Token+$RANDOM==

# s3 KEY=VALUE...: the plugin once on bucket b-1 in eu-west-1 at the peer,
# path style, with KEY=VALUE instead.
s3() {
	T_KEYS=([endpoint]="http://127.0.0.1:$PORT" [path_style]=yes
		[region]=eu-west-1 [bucket]=b-1 [access_key_id]="$KEY_ID"
		[secret_access_key]="$SECRET")
	t_plugin_run s3 --once "$@"
}
# verify [SECRET [TOKEN]]: botocore's verdict on the last request.
verify() {
	set +e
	VERDICT=$(AWS_SECRET_ACCESS_KEY=${1:-$SECRET} AWS_SESSION_TOKEN=${2:-} \
		"$PY" "$TOOLS/sigv4_verify.py" "$CAP/requests.jsonl" "$KEY_ID" eu-west-1)
	VERIFIED=$?
	set -e
}
# answer STATUS [HEADER: VALUE]...: what the peer answers from now on.
answer() { printf '%s\n' "$@" >"$CAP/response"; }

s3
t_expect_rc 0
t_expect_out "^s3 +pass .* ms +HEAD bucket b-1 on $ADDR: 200\$"
verify
[ "$VERIFIED" -eq 0 ] || t_fail "botocore: $VERDICT"
t_ok "path style: botocore verifies the signature ($VERDICT)"

s3 session_token="$TOKEN" endpoint="http://s3.localhost:$PORT" path_style=no
t_expect_rc 0
t_expect_out "HEAD bucket b-1 on b-1\.s3\.localhost:$PORT: 200\$"
t_expect_no "$SECRET"
t_expect_no "$TOKEN"
verify "$SECRET" "$TOKEN"
[ "$VERIFIED" -eq 0 ] || t_fail "botocore: $VERDICT"
t_ok "virtual-hosted, session token signed as x-amz-security-token ($VERDICT)"

s3 endpoint="http://127.0.0.1:$PORT/gateway/s3/"
t_expect_rc 0
t_expect_out "HEAD bucket b-1 on $ADDR: 200\$"
grep -Fq '"path": "/gateway/s3/b-1"' "$CAP/requests.jsonl" || t_fail "not HEAD /gateway/s3/b-1"
verify
[ "$VERIFIED" -eq 0 ] || t_fail "botocore: $VERDICT"
t_ok "an endpoint with a path: the bucket under it, signed ($VERDICT)"

s3 session_token="$TOKEN" endpoint="http://s3.localhost:$PORT" path_style=no
verify "not-$SECRET" "$TOKEN"
[ "$VERIFIED" -eq 1 ] && grep -q "signature mismatch" <<<"$VERDICT" ||
	t_fail "the verifier accepted a signature made with another secret: $VERDICT"
sed -i 's|"path": "/"|"path": "/other"|' "$CAP/requests.jsonl"
verify "$SECRET" "$TOKEN"
[ "$VERIFIED" -eq 1 ] && grep -q "signature mismatch" <<<"$VERDICT" ||
	t_fail "the verifier accepted a request whose path changed: $VERDICT"
t_ok "the verifier refuses another secret and another canonical request"

s3 secret_access_key=wrong-secret
t_expect_rc 0
t_expect_no wrong-secret
verify "$SECRET"
[ "$VERIFIED" -eq 1 ] || t_fail "a wrong secret verified: $VERDICT"
t_ok "wrong secret: the signature does not verify (S3 would answer 403)"

rm -f "$CAP/requests.jsonl"
T_KEYS=([endpoint]="http://127.0.0.1:$PORT" [path_style]=yes
	[region]=eu-west-1 [bucket]=b-1 [access_key_id]="$KEY_ID"
	[secret_access_key]="$SECRET")
t_plugin_run s3 -t
t_expect_rc 0
[ ! -e "$CAP/requests.jsonl" ] || t_fail "-t sent a request"
t_ok "-t sends no request"

printf '\n\n\n' | "$HCRUN" "$HC_PLUGIN_DIR/s3.so" endpoint="http://127.0.0.1:$PORT" \
	path_style=yes region=eu-west-1 bucket=b-1 access_key_id="$KEY_ID" \
	secret_access_key="$SECRET" >"$T_TMP/runs"
[ "$(grep -c '^pass ' "$T_TMP/runs")" -eq 3 ] || t_fail "three passes: $(cat "$T_TMP/runs")"
clients=$("$PY" -c 'import json, sys; print(len({json.loads(l)["client"] for l in open(sys.argv[1])}))' \
	"$CAP/requests.jsonl")
[ "$(wc -l <"$CAP/requests.jsonl")" -eq 3 ] && [ "$clients" -eq 1 ] ||
	t_fail "3 runs made $(wc -l <"$CAP/requests.jsonl") requests on $clients connections"
t_ok "one connection kept across runs"

answer 301 "x-amz-bucket-region: eu-central-1"
s3
t_expect_rc 2
t_expect_out "^s3 +fail .* ms +wrong region: bucket b-1 is in eu-central-1 \(x-amz-bucket-region\), not eu-west-1 \(301 from $ADDR\)\$"
t_ok "301 with x-amz-bucket-region: wrong region, the right one named"

answer 400 "x-amz-bucket-region: ap-south-1"
s3
t_expect_rc 2
t_expect_out "wrong region: bucket b-1 is in ap-south-1 \(x-amz-bucket-region\), not eu-west-1 \(400 from $ADDR\)\$"
t_ok "400 with x-amz-bucket-region: wrong region"

answer 301
s3
t_expect_rc 2
t_expect_out "^s3 +fail .* ms +bucket b-1 is not served at $ADDR \(301 redirect\): wrong region eu-west-1 or endpoint\$"
t_ok "301 without a region: wrong region or endpoint"

answer 403 "Date: Mon, 01 Jan 2024 00:00:00 GMT"
s3
t_expect_rc 2
t_expect_out "^s3 +fail .* ms +access denied to bucket b-1 \(403 from $ADDR\): this machine's clock is [0-9]+ s ahead of the server's, more than S3 allows\$"
t_expect_no "$SECRET"
t_ok "403 from a server whose clock is far off: clock skew named"

answer 403
s3
t_expect_rc 2
t_expect_out "access denied to bucket b-1 \(403 from $ADDR\): bad credentials"
t_ok "403 with the clocks agreeing: bad credentials"

answer 503
s3
t_expect_rc 2
t_expect_out "^s3 +fail .* ms +HEAD bucket b-1 on $ADDR: unexpected status 503\$"
t_ok "another status: unexpected, named"
rm -f "$CAP/response"

# TLS: a self-signed certificate for 127.0.0.1, its own CA.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$T_TMP/key.pem" \
	-out "$T_TMP/cert.pem" 2>/dev/null
mkdir -p "$T_TMP/tls"
t_peer tls "$PY" "$TOOLS/capture_peer.py" "$T_TMP/tls" "$T_TMP/cert.pem" "$T_TMP/key.pem"
TLS=$T_PORT
s3 endpoint="https://127.0.0.1:$TLS" \
	ca_file="$T_TMP/cert.pem"
t_expect_rc 0
t_expect_out "HEAD bucket b-1 on 127\.0\.0\.1:$TLS: 200\$"
t_ok "https with ca_file: pass"

s3 endpoint="https://127.0.0.1:$TLS"
t_expect_rc 2
t_expect_out "^s3 +fail .* ms +127\.0\.0\.1:$TLS: SSL certificate problem: self.signed certificate\$"
t_ok "https without the CA: fail, the certificate named as the problem"

s3 endpoint="https://127.0.0.1:$TLS" \
	tls_verify=no
t_expect_rc 0
t_ok "https with tls_verify = no: pass"
