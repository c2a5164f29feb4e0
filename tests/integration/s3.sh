#!/bin/bash
# SPDX-License-Identifier: MIT
# s3 plugin against a real s3rver on 127.0.0.1 (tests/servers/s3rver.sh):
# bucket there (path style and virtual-hosted), bucket missing, unknown
# access key, endpoint down, deadline against a peer that never answers,
# -t with the endpoint down, init errors. s3rver does not check SigV4
# signatures: tests/integration/s3-capture.sh verifies what the plugin signs
# with botocore (so a wrong secret is caught there), and meets the answers
# s3rver never gives (wrong region, clock skew, TLS).
set -euo pipefail
. "$HC_SRCDIR/tests/cli/lib.sh"

t_need_plugin s3
t_need_cmd nodejs node
NODE_MODULES=${HC_NODE_MODULES:-$HC_SRCDIR/tests/node_modules}
if [ ! -x "$NODE_MODULES/.bin/s3rver" ]; then
	echo "SKIP: s3rver is not installed in $NODE_MODULES (cd tests && npm ci; tests/run does it)"
	exit 77
fi

SERVER=$HC_SRCDIR/tests/servers/s3rver.sh
SRV=$T_TMP/srv
trap '"$SERVER" stop "$SRV" || true; t_cleanup' EXIT
"$SERVER" start "$SRV"
. "$SRV/env"
ADDR="127\.0\.0\.1:$S3_PORT"
# s3rver takes any secret (it checks no signature): one that must never show.
SECRET=s3-secret-$RANDOM$RANDOM

# s3_at KEY=VALUE...: the plugin once on the server's bucket, path style.
s3_at() {
	T_KEYS=([endpoint]="http://127.0.0.1:$S3_PORT" [path_style]=yes
		[region]="$S3_REGION" [bucket]="$S3_BUCKET"
		[access_key_id]="$S3_ACCESS_KEY_ID" [secret_access_key]="$SECRET")
	t_plugin_run s3 --once "$@"
}
# s3_t KEY=VALUE...: init only (-t: no network I/O, so a case that must
# fail in init can never reach the default AWS endpoint).
s3_t() {
	T_KEYS=([endpoint]="http://127.0.0.1:1" [path_style]=yes
		[region]=eu-west-1 [bucket]=b-1 [access_key_id]=AKIDEXAMPLE
		[secret_access_key]="$SECRET")
	t_plugin_run s3 -t "$@"
}

s3_at
t_expect_rc 0
t_expect_out "^s3 +pass +[0-9]+\.[0-9] ms +HEAD bucket $S3_BUCKET on $ADDR: 200\$"
t_expect_no "$SECRET"
t_ok "bucket there, path style: pass"

printf '%s\n' "$SECRET" >"$T_TMP/secret"
s3_at secret_access_key secret_access_key_file="$T_TMP/secret"
t_expect_rc 0
t_expect_out "HEAD bucket $S3_BUCKET on $ADDR: 200\$"
t_ok "secret_access_key_file gives the secret"

# libcurl resolves *.localhost to loopback itself; s3rver serves
# BUCKET.s3.localhost (its --service-endpoint).
s3_at endpoint="http://s3.localhost:$S3_PORT" path_style=no
t_expect_rc 0
t_expect_out "HEAD bucket $S3_BUCKET on $S3_BUCKET\.s3\.localhost:$S3_PORT: 200\$"
t_ok "bucket there, virtual-hosted style: pass"

s3_at bucket=no-such-bucket
t_expect_rc 2
t_expect_out "^s3 +fail .* ms +no such bucket no-such-bucket \(404 from $ADDR\)\$"
t_ok "bucket missing: fail, no such bucket"

s3_at access_key_id=AKIANOTKNOWNHERE
t_expect_rc 2
t_expect_out "^s3 +fail .* ms +access denied to bucket $S3_BUCKET \(403 from $ADDR\): bad credentials \(access_key_id, secret_access_key, session_token\) or no s3:ListBucket permission\$"
t_expect_no AKIANOTKNOWNHERE
t_expect_no "$SECRET"
t_ok "unknown access key ID: 403, bad credentials, no key echoed"

s3_at secret_access_key=another-secret
t_expect_rc 0
t_ok "wrong secret: s3rver does not check signatures (s3-capture.sh does)"

cat >"$T_TMP/two.ini" <<EOF
[check:store-a]
plugin = s3
endpoint = http://127.0.0.1:$S3_PORT
path_style = yes
region = $S3_REGION
bucket = $S3_BUCKET
access_key_id = $S3_ACCESS_KEY_ID
secret_access_key_file = $T_TMP/secret

[check:store-b]
plugin = s3
endpoint = http://s3.localhost:$S3_PORT
region = $S3_REGION
bucket = no-such-bucket
access_key_id = $S3_ACCESS_KEY_ID
secret_access_key_file = $T_TMP/secret
EOF
t_run "$HEALTHCHECKD" --plugin-dir "$HC_PLUGIN_DIR" -c "$T_TMP/two.ini" --once
t_expect_rc 2
t_expect_out "^store-a +pass .* ms +HEAD bucket $S3_BUCKET on $ADDR: 200\$"
t_expect_out "^store-b +fail .* ms +no such bucket no-such-bucket \(404 from no-such-bucket\.s3\.localhost:$S3_PORT\)\$"
t_expect_no "$SECRET"
t_ok "two sections are two independent instances, run in parallel"

cat >"$T_TMP/down.ini" <<EOF
[check:store]
plugin = s3
endpoint = http://127.0.0.1:1
path_style = yes
region = eu-west-1
bucket = b-1
access_key_id = AKIDEXAMPLE
secret_access_key_file = $T_TMP/secret
EOF
t_run "$HEALTHCHECKD" --plugin-dir "$HC_PLUGIN_DIR" -c "$T_TMP/down.ini" -t
t_expect_rc 0
t_expect_out "configuration OK"
t_ok "-t passes with the endpoint down (no network I/O in init)"

"$SERVER" stop "$SRV"
s3_at
t_expect_rc 2
t_expect_out "^s3 +fail .* ms +connect to $ADDR: Connection refused\$"
t_expect_no "$SECRET"
t_ok "endpoint down: fail naming it"

t_hangpeer accept
start=$(t_now_ms)
s3_at endpoint="http://127.0.0.1:$T_PORT" timeout=500ms
elapsed=$(($(t_now_ms) - start))
t_expect_rc 2
# The plugin gives up just before the deadline and names the step; on a
# loaded machine the core's bare message, taken at the deadline, may win.
t_expect_out "^s3 +fail .* ms +timed out after 500 ms( waiting for an answer from 127\.0\.0\.1:$T_PORT)?\$"
t_expect_no "$SECRET"
[ "$elapsed" -le 2000 ] || t_fail "took $elapsed ms, more than timeout + 1.5 s"
t_ok "deadline against a peer that never answers ($elapsed ms)"

t_hangpeer backlog
start=$(t_now_ms)
s3_at endpoint="http://127.0.0.1:$T_PORT" timeout=500ms
elapsed=$(($(t_now_ms) - start))
t_expect_rc 2
t_expect_out "^s3 +fail .* ms +timed out after 500 ms( connecting to 127\.0\.0\.1:$T_PORT)?\$"
[ "$elapsed" -le 2000 ] || t_fail "took $elapsed ms, more than timeout + 1.5 s"
t_ok "deadline while connecting, SYN unanswered ($elapsed ms)"

# init errors (-t exits 1): each names its key; none quotes a secret.
s3_t region
t_expect_rc 1
t_expect_err "region: required"
s3_t bucket
t_expect_rc 1
t_expect_err "bucket: required"
s3_t access_key_id
t_expect_rc 1
t_expect_err "access_key_id: required"
s3_t secret_access_key
t_expect_rc 1
t_expect_err "secret_access_key: required"
s3_t region='eu west'
t_expect_rc 1
t_expect_err "region: 'eu west' is not a region name"
s3_t bucket=a/b
t_expect_rc 1
t_expect_err "bucket: 'a/b' is not a bucket name"
s3_t bucket=Legacy_Bucket endpoint=http://s3.localhost:1 path_style=no
t_expect_rc 1
t_expect_err "bucket: 'Legacy_Bucket' cannot be part of a host name: set path_style = yes"
s3_t bucket=Legacy_Bucket
t_expect_rc 0
t_ok "a legacy bucket name is fine in path style (-t)"
s3_t access_key_id='AKID EXAMPLE'
t_expect_rc 1
t_expect_err "access_key_id: not an access key ID \(letters, digits and -_\.@\+=\)"
t_expect_no "AKID EXAMPLE"
s3_t endpoint=s3.example.com
t_expect_rc 1
t_expect_err "endpoint: 's3.example.com' is not an http:// or https:// URL"
s3_t endpoint=ftp://s3.example.com
t_expect_rc 1
t_expect_err "endpoint: 'ftp://s3.example.com' is not an http:// or https:// URL"
s3_t endpoint=https://user:pw-in-url@s3.example.com
t_expect_rc 1
t_expect_err "endpoint: must not hold a user or password"
t_expect_no pw-in-url
s3_t endpoint='https://s3.example.com/?x=1'
t_expect_rc 1
t_expect_err "must not have a query or fragment"
s3_t endpoint=http://127.0.0.1:9000 path_style=no
t_expect_rc 1
t_expect_err "endpoint: '127.0.0.1' is an address, which cannot carry the bucket in its name: set path_style = yes"
s3_t path_style=maybe
t_expect_rc 1
t_expect_err "path_style: 'maybe' is neither yes nor no"
s3_t tls_verify=maybe
t_expect_rc 1
t_expect_err "tls_verify: 'maybe' is neither yes nor no"
s3_t ca_file="$T_TMP/no-such-ca.pem"
t_expect_rc 1
t_expect_err "ca_file: cannot read"
s3_t session_token='with blank'
t_expect_rc 1
t_expect_err "session_token: empty or holds a blank"
t_expect_no "with blank"
s3_t colour=blue
t_expect_rc 1
t_expect_err "colour"
t_ok "init errors exit 1 naming the key"
