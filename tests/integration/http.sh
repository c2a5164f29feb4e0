#!/bin/bash
# SPDX-License-Identifier: MIT
# http plugin against tests/tools/httppeer.py (HTTP and HTTPS on 127.0.0.1)
# and tests/tools/hangpeer: status, body, latency, deadline, TLS with a
# CA made here, the secret header, the body cap, redirects, HEAD, health
# documents, a kept connection, -t without I/O, two instances, init errors.
set -euo pipefail
. "$HC_SRCDIR/tests/cli/lib.sh"

t_need_plugin http
t_need_cmd python3 /usr/bin/python3
t_need_cmd openssl openssl

PEER=$HC_SRCDIR/tests/tools/httppeer.py
TOKEN="Bearer tok-$RANDOM$RANDOM-secret"
export HTTPPEER_TOKEN=$TOKEN
t_peer http /usr/bin/python3 "$PEER"
PORT=$T_PORT
BASE=http://127.0.0.1:$PORT
B="http://127\.0\.0\.1:$PORT"

# http KEY=VALUE...: the plugin once through healthcheckd --plugin.
http() {
	local args=() kv
	for kv in "$@"; do args+=(--set "$kv"); done
	t_run "$HEALTHCHECKD" --plugin "$HC_PLUGIN_DIR/http.so" "${args[@]}" --once
}

# peer_log NAME: what the peer NAME has logged so far.
peer_log() { cat "$T_TMP/$1.log"; }

http url="$BASE/ok"
t_expect_rc 0
t_expect_out "^http +pass +[0-9]+\.[0-9] ms +GET $B/ok: 200\$"
t_ok "pass: 200 from GET"

http url="$BASE/status/500"
t_expect_rc 2
t_expect_out "^http +fail .* ms +GET $B/status/500: 500 \(expected 200-399\)\$"
http url="$BASE/status/404" expect_status="200-299, 404"
t_expect_rc 0
t_expect_out "GET $B/status/404: 404\$"
http url="$BASE/status/204" expect_status="200,301-302"
t_expect_rc 2
t_expect_out "GET $B/status/204: 204 \(expected 200,301-302\)\$"
t_ok "status codes: default 200-399, lists and ranges"

http url="$BASE/ok" body_contains="from httppeer"
t_expect_rc 0
http url="$BASE/ok" body_contains=goodbye
t_expect_rc 2
t_expect_out "GET $B/ok: 200, body lacks 'goodbye'\$"
http url="$BASE/ok" body_regex='^hello from [a-z]+$'
t_expect_rc 0
http url="$BASE/ok" body_regex='^from (httppeer|x)'
t_expect_rc 2
t_expect_out "GET $B/ok: 200, body does not match '\^from \(httppeer\|x\)'\$"
t_ok "body_contains and body_regex"

http url="$BASE/slow/400" warn_latency=100ms
t_expect_rc 1
t_expect_out "^http +warn .* ms +GET $B/slow/400: 200 in [0-9]+ ms, over warn_latency 100 ms\$"
http url="$BASE/ok" warn_latency=5s
t_expect_rc 0
t_ok "latency over warn_latency warns"

t_hangpeer accept
start=$(t_now_ms)
http url="http://127.0.0.1:$T_PORT/" timeout=500ms
elapsed=$(($(t_now_ms) - start))
t_expect_rc 2
# The plugin gives up just before the deadline and names the step; on a
# loaded machine the core's bare message, taken at the deadline, may win.
t_expect_out "^http +fail .* ms +timed out after 500 ms( waiting for the answer: GET http://127\.0\.0\.1:$T_PORT/)?\$"
[ "$elapsed" -le 2000 ] || t_fail "took $elapsed ms, more than timeout + 1.5 s"
t_ok "deadline against a peer that never answers ($elapsed ms)"

t_hangpeer backlog
start=$(t_now_ms)
http url="http://127.0.0.1:$T_PORT/" timeout=500ms
elapsed=$(($(t_now_ms) - start))
t_expect_rc 2
t_expect_out "^http +fail .* ms +timed out after 500 ms( connecting: GET http://127\.0\.0\.1:$T_PORT/)?\$"
[ "$elapsed" -le 2000 ] || t_fail "took $elapsed ms, more than timeout + 1.5 s"
t_ok "deadline while connecting, SYN unanswered ($elapsed ms)"

t_hangpeer accept
start=$(t_now_ms)
http url="https://127.0.0.1:$T_PORT/" timeout=500ms
elapsed=$(($(t_now_ms) - start))
t_expect_rc 2
t_expect_out "^http +fail .* ms +timed out after 500 ms( in the TLS handshake: GET https://127\.0\.0\.1:$T_PORT/)?\$"
[ "$elapsed" -le 2000 ] || t_fail "took $elapsed ms, more than timeout + 1.5 s"
t_ok "deadline in a TLS handshake that never gets an answer ($elapsed ms)"

# ---- TLS, with a CA made here ----------------------------------------------
# cert NAME CN SAN: a key and a certificate signed by the test CA.
cert() {
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$T_TMP/$1.key" -out "$T_TMP/$1.csr" -subj "/CN=$2" 2>/dev/null
	openssl x509 -req -in "$T_TMP/$1.csr" -CA "$T_TMP/ca.pem" \
		-CAkey "$T_TMP/ca.key" -CAcreateserial -days 2 \
		-extfile <(printf '%s\n' "$3") -out "$T_TMP/$1.pem" 2>/dev/null
}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$T_TMP/ca.key" -out "$T_TMP/ca.pem" -days 2 \
	-subj "/CN=healthcheckd test CA" 2>/dev/null
cert server 127.0.0.1 "subjectAltName=IP:127.0.0.1,DNS:localhost"
cert client health-client "extendedKeyUsage=clientAuth"

t_peer https /usr/bin/python3 "$PEER" --cert "$T_TMP/server.pem" \
	--key "$T_TMP/server.key"
TLS=https://127.0.0.1:$T_PORT
http url="$TLS/ok" ca_file="$T_TMP/ca.pem"
t_expect_rc 0
t_expect_out "GET https://127\.0\.0\.1:$T_PORT/ok: 200\$"
t_ok "https with ca_file: pass"

http url="$TLS/ok"
t_expect_rc 2
t_expect_out "^http +fail .* ms +GET https://127\.0\.0\.1:$T_PORT/ok: SSL certificate problem: (unable to get local issuer certificate|self-signed certificate in certificate chain)\$"
t_ok "https without ca_file: fail with curl's reason"

http url="https://localhost:$T_PORT/ok" ca_file="$T_TMP/ca.pem"
t_expect_rc 0
cert other 127.0.0.2 "subjectAltName=IP:127.0.0.2"
t_peer https-other /usr/bin/python3 "$PEER" --cert "$T_TMP/other.pem" \
	--key "$T_TMP/other.key"
http url="https://127.0.0.1:$T_PORT/ok" ca_file="$T_TMP/ca.pem"
t_expect_rc 2
t_expect_out "GET https://127\.0\.0\.1:$T_PORT/ok: SSL: .*127\.0\.0\.1"
t_ok "the host name is verified too"

t_peer mtls /usr/bin/python3 "$PEER" --cert "$T_TMP/server.pem" \
	--key "$T_TMP/server.key" --client-ca "$T_TMP/ca.pem"
http url="https://127.0.0.1:$T_PORT/ok" ca_file="$T_TMP/ca.pem" \
	client_cert="$T_TMP/client.pem" client_key="$T_TMP/client.key"
t_expect_rc 0
http url="https://127.0.0.1:$T_PORT/ok" ca_file="$T_TMP/ca.pem"
t_expect_rc 2
t_expect_out "GET https://127\.0\.0\.1:$T_PORT/ok: "
t_ok "client certificate: pass with it, fail without"

# ---- the secret header -----------------------------------------------------
http url="$BASE/auth" auth_header="$TOKEN"
t_expect_rc 0
t_expect_no "$TOKEN"
printf '%s\n' "Authorization: $TOKEN" >"$T_TMP/auth"
http url="$BASE/auth" auth_header_file="$T_TMP/auth"
t_expect_rc 0
t_expect_no "${TOKEN#Bearer }"
t_run "$HEALTHCHECKD" -v --plugin "$HC_PLUGIN_DIR/http.so" --set url="$BASE/auth" \
	--set auth_header="${TOKEN}x" --once
t_expect_rc 2
t_expect_out "GET $B/auth: 401 \(expected 200-399\)\$"
t_expect_err "debug: check http: GET $B/auth: 401"
t_expect_no "${TOKEN#Bearer }"
APIKEY=k-$RANDOM$RANDOM-apikey
http url="$BASE/header/X-Api-Key" auth_header="X-Api-Key: $APIKEY" \
	body_contains=zzz
t_expect_rc 2
t_expect_out "GET $B/header/X-Api-Key: 200, body lacks 'zzz'\$"
t_expect_no "$APIKEY"
t_ok "auth_header (and auth_header_file) sent, never shown, even with -v"

http url="$BASE/header/X-Trace" header_1="Accept: text/plain" \
	header_2="X-Trace: healthcheckd-probe" body_contains=healthcheckd-probe
t_expect_rc 0
http url="$BASE/header/User-Agent" body_contains=healthcheckd-http/
t_expect_rc 0
http url="$BASE/header/User-Agent" header_3="User-Agent: probe-x" \
	body_regex='^probe-x$'
t_expect_rc 0
t_ok "header_N lines are sent; a User-Agent of its own unless one is given"

# ---- body cap, redirects, HEAD ----------------------------------------------
start=$(t_now_ms)
http url="$BASE/large" body_contains=BEGIN
t_expect_rc 0
t_expect_out "GET $B/large: 200\$"
http url="$BASE/large" body_contains=zzz max_body=1000
t_expect_rc 2
t_expect_out "GET $B/large: 200, body lacks 'zzz' in its first 1000 bytes\$"
http url="$BASE/large"
t_expect_rc 0
# The peer logs "large: sent N" from its request's thread once its write
# fails, after the client hung up: possibly after --once has returned.
# Wait (10 s at most) for the three lines.
large_sent() { peer_log http | sed -n 's/^large: sent \([0-9]*\) of.*/\1/p'; }
for _ in $(seq 1 200); do
	[ "$(large_sent | wc -l)" -ge 3 ] && break
	sleep 0.05
done
sent=$(large_sent)
[ "$(wc -l <<<"$sent")" -eq 3 ] || t_fail "the peer sent /large $(wc -l <<<"$sent") times"
for n in $sent; do
	[ "$n" -lt $((16 * 1024 * 1024)) ] || t_fail "the peer sent $n bytes of /large"
done
t_ok "a 64 MiB body is cut at max_body, not downloaded (peer sent $(tr '\n' ' ' <<<"$sent")bytes)"

http url="$BASE/redirect"
t_expect_rc 0
t_expect_out "GET $B/redirect: 302\$"
http url="$BASE/redirect" expect_status=200
t_expect_rc 2
t_expect_out "GET $B/redirect: 302 \(expected 200\)\$"
http url="$BASE/redirect" expect_status=200 follow_redirects=yes body_contains=hello
t_expect_rc 0
t_expect_out "GET $B/redirect: 200\$"
t_ok "redirects followed only with follow_redirects = yes"

http url="$BASE/head-only" method=HEAD
t_expect_rc 0
t_expect_out "HEAD $B/head-only: 200\$"
http url="$BASE/head-only"
t_expect_rc 2
t_expect_out "GET $B/head-only: 405 \(expected 200-399\)\$"
grep -q '^HEAD /head-only ' "$T_TMP/http.log" || t_fail "the peer saw no HEAD"
t_ok "method = HEAD"

# ---- follow_health ----------------------------------------------------------
http url="$BASE/health/ietf-pass" follow_health=yes
t_expect_rc 0
t_expect_out "GET $B/health/ietf-pass: 200, health pass \(2 components\)\$"
http url="$BASE/health/ietf-fail" follow_health=yes
t_expect_rc 2
t_expect_out "503 \(expected 200-399\), health fail: redis fail \(Error 111 connecting to 127\.0\.0\.1:6379\.\)\$"
http url="$BASE/health/spring-down" follow_health=yes expect_status=200-599
t_expect_rc 2
t_expect_out "GET $B/health/spring-down: 503, health DOWN: redis DOWN \(RedisConnectionFailureException: Unable to connect\)\$"
http url="$BASE/health/spring-up" follow_health=yes
t_expect_rc 0
t_expect_out "health UP \(2 components\)\$"
http url="$BASE/health/plain-warn" follow_health=yes
t_expect_rc 1
t_expect_out "^http +warn .* GET $B/health/plain-warn: 200, health warn: search warn \(index 3 h old\)\$"
http url="$BASE/health/garbage" follow_health=yes
t_expect_rc 2
t_expect_out "GET $B/health/garbage: 200, no health document: not JSON \(line 1, column 1\)\$"
t_expect_no "It works"
http url="$BASE/large" follow_health=yes
t_expect_rc 2
t_expect_out "health document larger than max_body \(65536 bytes\)\$"
t_ok "follow_health: IETF, Spring Boot, plain; the worst component named"

# ---- one instance, several runs; two instances; -t ------------------------
printf '\n\n\n' | "$HCRUN" "$HC_PLUGIN_DIR/http.so" url="$BASE/ok?kept" >"$T_TMP/runs"
[ "$(grep -c "^pass GET $B/ok: 200\$" "$T_TMP/runs")" -eq 3 ] || { cat "$T_TMP/runs"; t_fail "three passes"; }
conns=$(grep '^GET /ok?kept ' "$T_TMP/http.log" | sed 's/.* conn=//' | sort -u | wc -l)
[ "$conns" -eq 1 ] || t_fail "three runs used $conns connections"
t_ok "the connection is kept across runs"

# One instance across a restart of its peer on the same port: the kept
# connection is dead, and the run after the restart opens a new one
# instead of failing. hcrun runs the check once per input line.
t_peer restart /usr/bin/python3 "$PEER"
RPORT=$T_PORT
RPEER=$T_PEER
t_hcrun_start "$T_TMP/restart" "$HC_PLUGIN_DIR/http.so" url="http://127.0.0.1:$RPORT/ok"
t_hcrun_once 1
kill "$RPEER"
for _ in $(seq 1 100); do
	(exec 4<>"/dev/tcp/127.0.0.1/$RPORT") 2>/dev/null || break
	sleep 0.05
done
HTTPPEER_PORT=$RPORT t_peer restart2 /usr/bin/python3 "$PEER"
t_hcrun_once 2
exec 3>&-
[ "$(cat "$T_TMP/restart")" = "pass GET http://127.0.0.1:$RPORT/ok: 200
pass GET http://127.0.0.1:$RPORT/ok: 200" ] || t_fail "runs: $(cat "$T_TMP/restart")"
grep -q '^GET /ok conn=1$' "$T_TMP/restart2.log" || t_fail "no request reached the new peer"
t_ok "a kept connection to a restarted peer is replaced in the same run"

cat >"$T_TMP/two.ini" <<EOF
[check:api-a]
plugin = http
url = $BASE/ok

[check:api-b]
plugin = http
url = $BASE/status/503
expect_status = 503
EOF
t_run "$HEALTHCHECKD" --plugin-dir "$HC_PLUGIN_DIR" -c "$T_TMP/two.ini" --once
t_expect_rc 0
t_expect_out "^api-a +pass .* ms +GET $B/ok: 200\$"
t_expect_out "^api-b +pass .* ms +GET $B/status/503: 503\$"
t_ok "two sections are two independent instances"

before=$(grep -c . "$T_TMP/http.log")
t_hangpeer accept
cat >"$T_TMP/t.ini" <<EOF
[check:api]
plugin = http
url = $BASE/ok
follow_health = yes

[check:hung]
plugin = http
url = http://127.0.0.1:$T_PORT/
EOF
start=$(t_now_ms)
t_run "$HEALTHCHECKD" -t --plugin-dir "$HC_PLUGIN_DIR" -c "$T_TMP/t.ini"
elapsed=$(($(t_now_ms) - start))
t_expect_rc 0
t_expect_out "configuration OK"
[ "$(grep -c . "$T_TMP/http.log")" -eq "$before" ] || t_fail "-t sent a request"
[ "$elapsed" -le 5000 ] || t_fail "-t took $elapsed ms"
t_ok "-t makes no request"

# ---- configuration errors ---------------------------------------------------
http method=GET
t_expect_rc 3
t_expect_err "url: required"
http url=ftp://127.0.0.1/x
t_expect_rc 3
t_expect_err "url: 'ftp://127\.0\.0\.1/x' is not an http:// or https:// URL with a host"
http url='http://exa mple/'
t_expect_rc 3
t_expect_err "url: 'http://exa mple/' is not an http"
http url="$BASE/" expect_status=abc
t_expect_rc 3
t_expect_err "expect_status: 'abc' is not a list of status codes \(100-599\) and ranges"
http url="$BASE/" expect_status=300-200
t_expect_rc 3
t_expect_err "expect_status: '300-200' is not a list"
http url="$BASE/" expect_status=2000
t_expect_rc 3
t_expect_err "expect_status: '2000' is not a list"
http url="$BASE/" body_regex='(unclosed'
t_expect_rc 3
t_expect_err "body_regex: '\(unclosed': "
http url="$BASE/" method=POST
t_expect_rc 3
t_expect_err "method: 'POST' is not one of GET, HEAD"
http url="$BASE/" method=HEAD body_contains=x
t_expect_rc 3
t_expect_err "method: HEAD has no body"
http url="$BASE/" header_1="no colon here"
t_expect_rc 3
t_expect_err "header_1: 'no colon here' is not a header 'Name: value'"
http url="$BASE/" header_9="X: y"
t_expect_rc 3
t_expect_err "header_9"
http url="$BASE/" ca_file="$T_TMP/no-such-ca.pem"
t_expect_rc 3
t_expect_err "ca_file: cannot read '.*no-such-ca\.pem': No such file or directory"
http url="$BASE/" client_key="$T_TMP/client.key"
t_expect_rc 3
t_expect_err "client_key: needs client_cert"
http url="$BASE/" max_body=0
t_expect_rc 3
t_expect_err "max_body: '0' is not a whole number from 1 to 16777216"
http url="$BASE/" warn_latency=fast
t_expect_rc 3
t_expect_err "warn_latency: 'fast' is not a duration"
http url="$BASE/" follow_redirects=maybe
t_expect_rc 3
t_expect_err "follow_redirects: 'maybe' is neither yes nor no"
http url="$BASE/" follow_health=maybe
t_expect_rc 3
t_expect_err "follow_health: 'maybe' is neither yes nor no"
http url="$BASE/" auth_header=""
t_expect_rc 3
t_expect_err "auth_header: empty"
t_ok "init errors exit 3 naming the key"
