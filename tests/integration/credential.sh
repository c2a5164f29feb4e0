#!/bin/bash
# SPDX-License-Identifier: MIT
# credential plugin against files made at test time: JWTs (expired,
# expiring, far, short-lived), OAuth token JSON (expires_at as epoch
# seconds and RFC 3339, expires_in from the file's mtime), PEM certificates,
# a malformed file of each kind; the token never appears in output or logs;
# a file rotated between runs of one instance; init errors.
set -euo pipefail
. "$HC_SRCDIR/tests/cli/lib.sh"
. "$HC_SRCDIR/tests/tools/certs.sh"

t_need_plugin credential
t_need_cmd openssl openssl

D=$T_TMP/cred
mkdir -p "$D"
DATE='\([0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} UTC\)'

# b64url: standard input in base64url without padding (RFC 7515).
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

# jwt FILE PAYLOAD: a JWT with that JSON payload in FILE (the signature is
# made up: the plugin does not verify it), its text in TOKEN.
jwt() {
	local header payload sig
	header=$(printf '{"alg":"RS256","kid":"k1","typ":"JWT"}' | b64url)
	payload=$(printf '%s' "$2" | b64url)
	sig=$(head -c 64 /dev/urandom | b64url)
	TOKEN=$header.$payload.$sig
	printf '%s\n' "$TOKEN" >"$1"
}

# at OFFSET: epoch seconds at a date -d offset.
at() { date -u -d "$1" +%s; }

# credential KEY=VALUE...: the plugin once, with debug logging on.
credential() {
	local args=() kv
	for kv in "$@"; do args+=(--set "$kv"); done
	t_run "$HEALTHCHECKD" -v --plugin "$HC_PLUGIN_DIR/credential.so" \
		"${args[@]}" --once
}

# no_token: neither the token nor any of its three parts in the output.
no_token() {
	local part
	t_expect_no "$TOKEN"
	for part in ${TOKEN//./ }; do t_expect_no "$part"; done
}

# ---- JWT -------------------------------------------------------------------

jwt "$D/far.jwt" "{\"iss\":\"kubernetes/serviceaccount\",\"sub\":\"system:serviceaccount:default:app\",\"exp\":$(at '+400 days')}"
credential file="$D/far.jwt"
t_expect_rc 0
t_expect_out "^credential +pass +[0-9.]+ ms +JWT in $D/far\.jwt expires in (399\.9|400\.0) days $DATE\$"
no_token
t_ok "jwt: 400 days left passes; the token is in no output or log line"

jwt "$D/soon.jwt" "{\"exp\":$(at '+3 days'),\"aud\":[\"api\"]}"
credential file="$D/soon.jwt"
t_expect_rc 2
t_expect_out "JWT in $D/soon\.jwt expires in (2\.9|3\.0) days $DATE\$"
no_token
credential file="$D/soon.jwt" warn_days=5 fail_days=1.5
t_expect_rc 1
t_ok "jwt: 3 days left fails under fail_days 7, warns under 5/1.5"

jwt "$D/expired.jwt" "{\"exp\":$(at '-1 hour')}"
credential file="$D/expired.jwt"
t_expect_rc 2
t_expect_out "JWT in $D/expired\.jwt expired (59|60) min ago $DATE\$"
no_token
t_ok "jwt: expired fails"

jwt "$D/short.jwt" "{\"exp\":$(at '+30 minutes')}"
credential file="$D/short.jwt" warn_in=1h fail_in=10m
t_expect_rc 1
t_expect_out "JWT in $D/short\.jwt expires in (29|30) min $DATE\$"
credential file="$D/short.jwt" warn_in=20m fail_in=10m
t_expect_rc 0
credential file="$D/short.jwt" fail_in=45m
t_expect_rc 2
t_run "$HEALTHCHECKD" --plugin "$HC_PLUGIN_DIR/credential.so" \
	--set file="$D/short.jwt" --set warn_in=1h --once --format json
t_expect_out '"observedValue":1[78][0-9][0-9](\.[0-9]+)?,'
t_expect_out '"observedUnit":"s",'
t_ok "jwt: a short-lived token with warn_in/fail_in; seconds observed"

t_run "$HEALTHCHECKD" --plugin "$HC_PLUGIN_DIR/credential.so" \
	--set file="$D/soon.jwt" --once --format json
t_expect_out '"credential:expiry":\['
t_expect_out '"observedValue":(2\.9|3)[0-9.]*,'
t_expect_out '"observedUnit":"d",'
t_ok "jwt: with warn_days/fail_days, days observed"

# ---- OAuth token JSON ------------------------------------------------------

SECRET=ya29.a0-oauth-access-token-secret-9f8e7d
printf '{"access_token": "%s", "token_type": "Bearer", "expires_at": %s}\n' \
	"$SECRET" "$(at '+20 days')" >"$D/epoch.json"
credential file="$D/epoch.json"
t_expect_rc 1
t_expect_out "OAuth token in $D/epoch\.json expires in (19\.9|20\.0) days $DATE\$"
t_expect_no "$SECRET"
t_ok "oauth: expires_at in epoch seconds"

printf '{"access_token": "%s", "expires_at": "%s"}\n' "$SECRET" \
	"$(date -u -d '+400 days' +%Y-%m-%dT%H:%M:%S.250+00:00)" >"$D/rfc3339.json"
credential file="$D/rfc3339.json"
t_expect_rc 0
t_expect_out "OAuth token in $D/rfc3339\.json expires in (399\.9|400\.0) days"
t_expect_no "$SECRET"
t_ok "oauth: expires_at in RFC 3339"

printf '{"access_token": "%s", "refresh_token": "r-%s", "expires_in": 3600}\n' \
	"$SECRET" "$SECRET" >"$D/in.json"
touch -d '-2 hours' "$D/in.json"
credential file="$D/in.json"
t_expect_rc 2
t_expect_out "OAuth token in $D/in\.json expired (59|60) min ago $DATE\$"
t_expect_no "$SECRET"
touch -d '-10 minutes' "$D/in.json"
credential file="$D/in.json" warn_in=5m
t_expect_rc 0
t_expect_out "OAuth token in $D/in\.json expires in (49|50) min"
t_ok "oauth: expires_in counts from the file's mtime"

# ---- PEM -------------------------------------------------------------------

C=$T_TMP/certs
cert_ca "$C"
cert_issue "$C" far far.test '-1 hour' '+400 days'
cert_issue "$C" expired expired.test '-30 days' '-2 days'
cert_issue "$C" future future.test '+3 days' '+60 days'
cat "$C/far.key" "$C/far.pem" >"$D/client.pem"
credential file="$D/client.pem"
t_expect_rc 0
t_expect_out "certificate 'CN=far\.test' of $D/client\.pem expires in (399\.9|400\.0) days \([0-9-]+ [0-9:]+ UTC\)\$"
t_expect_no "$(sed -n 2p "$C/far.key")"
t_ok "x509: a client certificate with its key, the key never quoted"

cat "$C/far.pem" "$C/expired.pem" >"$D/bundle.pem"
credential file="$D/bundle.pem" type=x509
t_expect_rc 2
t_expect_out "certificate 'CN=expired\.test' \(earliest of 2\) of $D/bundle\.pem expired"
t_ok "x509: the earliest expiry counts, as in tls file mode"

credential file="$C/future.pem"
t_expect_rc 2
t_expect_out "certificate 'CN=future\.test' of $C/future\.pem is not valid until"
t_ok "x509: not yet valid fails"

# ---- malformed files: what is wrong, never the content ---------------------

# bad FILE REGEX: the check fails with "FILE: REGEX" and quotes nothing of it.
bad() {
	local file=$1 want=$2
	shift 2
	credential file="$file" "$@"
	t_expect_rc 2
	t_expect_out "^credential +fail +[0-9.]+ ms +$file: $want\$"
}

jwt "$D/bad.jwt" '{"exp": 1}'
TOKEN=${TOKEN%%.*}.not*base64.${TOKEN##*.}
printf '%s\n' "$TOKEN" >"$D/bad.jwt"
bad "$D/bad.jwt" "JWT payload is not base64url" type=jwt
no_token
jwt "$D/bad.jwt" '{"sub": "no-json-here"'
bad "$D/bad.jwt" "JWT payload is not JSON \(at byte [0-9]+\)"
no_token
t_expect_no no-json-here
jwt "$D/bad.jwt" '["exp", 5]'
bad "$D/bad.jwt" "JWT payload is not a JSON object"
jwt "$D/bad.jwt" '{"sub": "system:serviceaccount:x"}'
bad "$D/bad.jwt" "JWT has no exp claim"
no_token
t_expect_no serviceaccount
jwt "$D/bad.jwt" '{"exp": "tomorrow"}'
bad "$D/bad.jwt" "JWT exp claim is not a number"
no_token
printf 'a.b.c.d.e\n' >"$D/jwe.jwt"
bad "$D/jwe.jwt" "a JWE \(encrypted JWT\): its claims cannot be read"
printf '%s\n' "$SECRET" >"$D/opaque.txt"
bad "$D/opaque.txt" "not a JWT: 2 parts, a JWT has 3" type=jwt
t_expect_no "$SECRET"
t_ok "jwt: malformed tokens are named, never quoted"

printf '{"access_token": "%s", "expires_in": 3600\n' "$SECRET" >"$D/bad.json"
bad "$D/bad.json" "OAuth token file is not JSON \(at byte [0-9]+\)"
t_expect_no "$SECRET"
printf '{"access_token": "%s"}\n' "$SECRET" >"$D/bad.json"
bad "$D/bad.json" "OAuth token JSON has neither expires_at nor expires_in"
t_expect_no "$SECRET"
printf '{"access_token": "%s", "expires_at": "next week"}\n' "$SECRET" >"$D/bad.json"
bad "$D/bad.json" "OAuth expires_at is not a time \(epoch seconds or RFC 3339\)"
t_expect_no "next week"
printf '{"access_token": "%s", "expires_in": "3600"}\n' "$SECRET" >"$D/bad.json"
bad "$D/bad.json" "OAuth expires_in is not a number"
t_expect_no "$SECRET"
t_ok "oauth: malformed token JSON is named, never quoted"

sed 's/^M/X/' "$C/far.pem" >"$D/mangled.pem"
bad "$D/mangled.pem" "unreadable certificate: [a-z ]+"
bad "$C/far.key" "no PEM certificate in it" type=x509
t_expect_no "$(sed -n 2p "$C/far.key")"
t_ok "x509: a mangled PEM and a key without a certificate"

printf 'password = %s\n' "$SECRET" >"$D/other.txt"
bad "$D/other.txt" "neither a JWT, an OAuth token JSON nor a PEM certificate"
t_expect_no "$SECRET"
: >"$D/empty"
bad "$D/empty" "is empty"
bad "$D/missing" "cannot open: No such file or directory"
bad "$D" "not a regular file"
t_ok "files that hold no credential, or none at all"

# ---- the file is read again on every run -----------------------------------

jwt "$D/rotating.jwt" "{\"exp\":$(at '-5 minutes')}"
OLD=$TOKEN
coproc HC { "$HCRUN" "$HC_PLUGIN_DIR/credential.so" file="$D/rotating.jwt" \
	warn_in=2m fail_in=1m 2>&1; }
hc_pid=$HC_PID hc_in=${HC[1]} hc_out=${HC[0]}
run_hc() { echo >&"$hc_in"; read -r -t 10 T_OUT <&"$hc_out"; T_RC=0; T_ERR=; }
run_hc
t_expect_out "^fail JWT in $D/rotating\.jwt expired"
jwt "$D/rotating.new" "{\"exp\":$(at '+1 hour')}"
mv "$D/rotating.new" "$D/rotating.jwt"
run_hc
t_expect_out "^pass JWT in $D/rotating\.jwt expires in (59|60) min"
exec {hc_in}>&-
wait "$hc_pid" || true
t_ok "a token rotated on disk is read on the next run of the same instance"

# ---- the daemon's -v log ---------------------------------------------------

. "$HC_SRCDIR/tests/servers/lib.sh"
jwt "$D/served.jwt" "{\"exp\":$(at '+400 days')}"
GOOD=$TOKEN
printf '[server]\nlisten = 127.0.0.1:%s\nshutdown_delay = 100ms\n\n' \
	"$(srv_free_port)" >"$T_TMP/served.ini"
printf '[check:token]\nplugin = credential\nfile = %s\ninterval = 1s\ntimeout = 500ms\n' \
	"$D/served.jwt" >>"$T_TMP/served.ini"
"$HEALTHCHECKD" -v -c "$T_TMP/served.ini" --plugin-dir "$HC_PLUGIN_DIR" \
	2>"$T_TMP/served.log" &
daemon=$!
T_PIDS+=("$daemon")
srv_wait 10 grep -q "debug: check token: pass" "$T_TMP/served.log" ||
	t_fail "no debug line of a passing run: $(cat "$T_TMP/served.log")"
jwt "$D/served.new" '{"sub": "system:serviceaccount:default:app"}'
BAD=$TOKEN
mv "$D/served.new" "$D/served.jwt"
srv_wait 10 grep -q "pass -> fail: $D/served.jwt: JWT has no exp claim" \
	"$T_TMP/served.log" || t_fail "no state change: $(cat "$T_TMP/served.log")"
kill "$daemon"
wait "$daemon" || true
# t_expect_no reads $T_TMP/out and $T_TMP/err.
cp "$T_TMP/served.log" "$T_TMP/out"
: >"$T_TMP/err"
T_OUT=$(cat "$T_TMP/out") T_ERR=
for TOKEN in "$GOOD" "$BAD"; do no_token; done
t_expect_no serviceaccount
t_ok "the daemon's -v log names the file and the fault, never the token"

# ---- init errors -----------------------------------------------------------

credential
t_expect_rc 3
t_expect_err "file: required \(the file holding the credential\)"
credential file="$D/far.jwt" type=saml
t_expect_rc 3
t_expect_err "type: 'saml' is not one of auto, jwt, oauth, x509"
credential file="$D/far.jwt" warn_days=3 fail_in=1h
t_expect_rc 3
t_expect_err "warn_in, fail_in: give thresholds in days \(warn_days, fail_days\) or as durations \(warn_in, fail_in\), not both"
credential file="$D/far.jwt" warn_in=10m fail_in=1h
t_expect_rc 3
t_expect_err "fail_in: 1h is longer than warn_in \(10m\)"
credential file="$D/far.jwt" fail_in=soon
t_expect_rc 3
t_expect_err "fail_in: 'soon' is not a duration"
credential file="$D/far.jwt" warn_days=1 fail_days=2
t_expect_rc 3
t_expect_err "fail_days: 2 is more than warn_days \(1\)"
t_ok "init errors exit 3 naming the key"

t_run "$HEALTHCHECKD" --plugin "$HC_PLUGIN_DIR/credential.so" --set file="$D/missing" -t
t_expect_rc 0
t_ok "-t accepts a file that does not exist yet (it is read on every run)"
