#!/bin/bash
# SPDX-License-Identifier: MIT
# https:// listeners: TLS beside a plain listener, the certificate rotated by
# SIGHUP (a broken one refused, the old one serving on), client certificates
# that authorize details, every misuse refused by -t with file and line,
# and sockets systemd passes: TLS for the https:// line on their port (a
# wildcard address on either side matching), a line no socket is on refused.
set -euo pipefail
. "$HC_SRCDIR/tests/e2e/lib.sh"
. "$HC_SRCDIR/tests/tools/certs.sh"
t_need_cmd openssl openssl

PKI=$T_TMP/pki
OTHER=$T_TMP/other
cert_ca "$PKI"
cert_issue "$PKI" one healthcheckd-one '-1 hour' '+30 days'
cert_issue "$PKI" two healthcheckd-two '-1 hour' '+30 days'
cert_issue "$PKI" client prometheus '-1 hour' '+30 days'
cert_ca "$OTHER"
cert_issue "$OTHER" client intruder '-1 hour' '+30 days'
# Signed by the CA, but for servers only (extendedKeyUsage serverAuth).
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=server-only \
	-keyout "$PKI/serveronly.key" -out "$PKI/serveronly.csr" 2>>"$PKI/openssl.log"
printf 'extendedKeyUsage = serverAuth\n' >"$PKI/serveronly.ext"
openssl x509 -req -in "$PKI/serveronly.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" \
	-set_serial 4096 -days 30 -extfile "$PKI/serveronly.ext" -out "$PKI/serveronly.pem" \
	2>>"$PKI/openssl.log"
chmod 600 "$PKI"/*.key "$OTHER"/*.key
# The files the daemon reads; a rotation copies another pair over them.
cp "$PKI/one.pem" "$T_TMP/server.pem"
install -m 600 "$PKI/one.key" "$T_TMP/server.key"

TLS_PORT=$(srv_free_port)
TLS_URL=https://127.0.0.1:$TLS_PORT
CA=(--cacert "$PKI/ca.pem")
CLIENT=(--cert "$PKI/client.pem" --key "$PKI/client.key")
INTRUDER=(--cert "$OTHER/client.pem" --key "$OTHER/client.key")
SERVERONLY=(--cert "$PKI/serveronly.pem" --key "$PKI/serveronly.key")

tls_lines() {
	printf 'listen = https://127.0.0.1:%s\n' "$TLS_PORT"
	printf 'tls_cert_file = %s\ntls_key_file = %s\n' "$T_TMP/server.pem" "$T_TMP/server.key"
	printf 'tls_client_ca_file = %s\n' "$PKI/ca.pem"
}

# ---- -t refuses every misuse, naming file and line ---------------------------

# misuse LINE-REGEX [SERVER LINES]: -t on [server] + those lines fails with
# FILE:LINE: REGEX on stderr and nothing on stdout.
misuse() {
	local want=$1 conf=$T_TMP/misuse.ini
	shift
	{ echo '[server]'; printf '%s\n' "$@"; } >"$conf"
	t_run "$HEALTHCHECKD" -t -c "$conf" --plugin-dir "$HC_FIXTURE_DIR"
	t_expect_rc 1
	t_expect_err "^$conf:[0-9]+: $want"
	[ -z "$T_OUT" ] || t_fail "-t printed on stdout"
	t_expect_no "BEGIN"
}
https="listen = https://127.0.0.1:$TLS_PORT"
cert="tls_cert_file = $T_TMP/server.pem"
key="tls_key_file = $T_TMP/server.key"

misuse "tls_cert_file without tls_key_file" "$https" "$cert"
misuse "tls_key_file without tls_cert_file" "$https" "$key"
misuse "listen https://127.0.0.1:$TLS_PORT needs tls_cert_file and tls_key_file" "$https"
misuse "tls_cert_file is set but no listen line is https://" "listen = 127.0.0.1:$E2E_PORT" \
	"$cert" "$key"
misuse "tls_client_ca_file needs tls_cert_file" "tls_client_ca_file = $PKI/ca.pem"
misuse "tls_cert_file: cannot read $T_TMP/nowhere.pem: No such file" "$https" \
	"tls_cert_file = $T_TMP/nowhere.pem" "$key"
misuse "tls_key_file: cannot read $T_TMP/nowhere.key: No such file" "$https" "$cert" \
	"tls_key_file = $T_TMP/nowhere.key"
install -m 644 "$PKI/one.key" "$T_TMP/open.key"
misuse "tls_key_file: $T_TMP/open.key is readable by everyone \\(chmod o-r" "$https" \
	"$cert" "tls_key_file = $T_TMP/open.key"
cat "$PKI/one.pem" "$PKI/one.key" >"$T_TMP/both.pem"
chmod 644 "$T_TMP/both.pem"
misuse "tls_cert_file: $T_TMP/both.pem holds a private key and is readable by everyone \\(chmod o-r" \
	"$https" "tls_cert_file = $T_TMP/both.pem" "$key"
printf 'not a certificate\n' >"$T_TMP/junk.pem"
misuse "tls_cert_file: $T_TMP/junk.pem is not a PEM certificate chain" "$https" \
	"tls_cert_file = $T_TMP/junk.pem" "$key"
install -m 600 "$T_TMP/junk.pem" "$T_TMP/junk.key"
misuse "tls_key_file: $T_TMP/junk.key is not an unencrypted PEM private key" "$https" \
	"$cert" "tls_key_file = $T_TMP/junk.key"
cp "$PKI/two.pem" "$T_TMP/other.pem"
misuse "tls_key_file: $T_TMP/server.key is not the key of the certificate in $T_TMP/other.pem" \
	"$https" "tls_cert_file = $T_TMP/other.pem" "$key"
misuse "tls_client_ca_file: $T_TMP/junk.pem holds no PEM certificate" "$https" "$cert" "$key" \
	"tls_client_ca_file = $T_TMP/junk.pem"
t_ok "-t refuses, naming file and line: half a pair, https:// without a pair, a pair without https://, a CA without a pair, unreadable files, a world-readable key (or certificate file holding one), a certificate, key or CA that does not parse, a key of another certificate"

{ echo '[server]'; tls_lines; } >"$T_TMP/good.ini"
t_run "$HEALTHCHECKD" -t -c "$T_TMP/good.ini" --plugin-dir "$HC_FIXTURE_DIR"
t_expect_rc 0
t_expect_out_exact "configuration OK"
t_ok "-t accepts a plain and an https:// listener with a matching pair and a client CA"

{ echo '[server]'; echo "listen = 127.0.0.1:$E2E_PORT"; echo "$https"; echo "$key"
  echo "tls_cert_file = $T_TMP/other.pem"; echo 'shutdown_delay = 100ms'; } >"$T_TMP/bad.ini"
t_run timeout 20 "$HEALTHCHECKD" -c "$T_TMP/bad.ini" --plugin-dir "$HC_FIXTURE_DIR"
t_expect_rc 1
t_expect_err "configuration: $T_TMP/bad.ini:4: tls_key_file: .* is not the key of the certificate"
t_expect_err "cannot start"
t_ok "the daemon refuses to start (exit 1) rather than serve without the certificate asked for"

# ---- serving ---------------------------------------------------------------

e2e_start <<EOF
$(tls_lines)
$(e2e_private)
$(e2e_check a)
EOF
e2e_until 5 e2e_is 200 /readyz

# tls_req PATH [CURL ARGS]: e2e_req on the TLS listener.
tls_req() { E2E_URL=$TLS_URL e2e_req "$@"; }
# served_subject: the subject and serial of the certificate the TLS port
# serves to a new connection now.
served_subject() {
	local pem
	pem=$(openssl s_client -connect "127.0.0.1:$TLS_PORT" -servername localhost \
		</dev/null 2>/dev/null || true)
	openssl x509 -noout -subject -serial <<<"$pem" 2>/dev/null || true
}
subject_of() { openssl x509 -noout -subject -serial -in "$1"; }

tls_req /readyz "${CA[@]}"
e2e_expect 200 $'ok\n'
e2e_req /readyz
e2e_expect 200 $'ok\n'
e2e_log_has "healthcheckd: listening on https://127.0.0.1:$TLS_PORT"
got=$(served_subject)
[ "$got" = "$(subject_of "$PKI/one.pem")" ] || t_fail "the TLS port serves '$got', not healthcheckd-one"
t_ok "the https:// listener serves /readyz with the configured certificate (curl --cacert verifies it); the plain one beside it still answers"

set +e
plain=$(curl -s --max-time 5 "http://127.0.0.1:$TLS_PORT/readyz" 2>&1)
plain_rc=$?
set -e
[ "$plain_rc" -ne 0 ] && [ "$plain" != $'ok\n' ] ||
	t_fail "plain HTTP on the TLS port answered: $plain"
t_ok "the TLS port does not speak plain HTTP"

# ---- client certificates ---------------------------------------------------

tls_req /health "${CA[@]}"
e2e_expect 200 $'{"status":"pass"}\n'
tls_req /health "${CA[@]}" "${CLIENT[@]}"
e2e_expect_code 200
grep -qF '"a:' <<<"$T_OUT" || t_fail "a client certificate of the CA does not show details"
detailed=$T_OUT
tls_req /health "${CA[@]}" "${AUTH[@]}"
[ "$T_OUT" = "$detailed" ] || t_fail "the client certificate's details differ from the token's"
tls_req /health "${CA[@]}" "${INTRUDER[@]}"
e2e_expect 200 $'{"status":"pass"}\n'
t_ok "/health: a client certificate the client CA signed shows details (as the token does); none, or one of another CA, gets the public form"

tls_req /metrics "${CA[@]}"
e2e_expect 401 $'metrics need the bearer token or a client certificate of the client CA\n'
tls_req /metrics "${CA[@]}" "${CLIENT[@]}"
e2e_expect_code 200
tls_req /metrics "${CA[@]}" "${INTRUDER[@]}"
e2e_expect_code 401
tls_req /metrics "${CA[@]}" "${SERVERONLY[@]}"
e2e_expect_code 401
tls_req '/readyz?verbose' "${CA[@]}" "${CLIENT[@]}"
e2e_expect 200 $'[+]a ok\nreadyz check passed\n'
t_ok "/metrics: 200 with the CA's client certificate, 401 without, with another CA's, or with the CA's made for servers only"

# ---- rotation on SIGHUP ----------------------------------------------------

reloads() { grep -c -e '^healthcheckd: reloaded:' -e 'reload failed' "$E2E_LOG" || true; }
reloaded() {
	local want=$(($(reloads) + 1))
	kill -HUP "$E2E_PID"
	e2e_until 10 eval '[ "$(reloads)" -ge '"$want"' ]'
}

# A connection opened before the rotation keeps its certificate and answers
# after it; a new one gets the new certificate.
cat >"$T_TMP/keepalive.py" <<'PY'
import http.client, os, signal, ssl, sys, time
port, ca, pid, log = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
ctx = ssl.create_default_context(cafile=ca)
conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=5)
def get():
    conn.request("GET", "/readyz")
    r = conn.getresponse()
    return "%d %s" % (r.status, r.read().decode().strip())
def reloads():
    with open(log) as f:
        return sum(1 for l in f if l.startswith("healthcheckd: reloaded:") or "reload failed" in l)
first = get()
cn = dict(x[0] for x in conn.sock.getpeercert()["subject"])["commonName"]
before = reloads()
os.kill(pid, signal.SIGHUP)
deadline = time.monotonic() + 10
while reloads() <= before and time.monotonic() < deadline:
    time.sleep(0.1)
print(first, cn, get(), dict(x[0] for x in conn.sock.getpeercert()["subject"])["commonName"])
PY
cp "$PKI/two.pem" "$T_TMP/server.pem"
install -m 600 "$PKI/two.key" "$T_TMP/server.key"
kept=$(python3 "$T_TMP/keepalive.py" "$TLS_PORT" "$PKI/ca.pem" "$E2E_PID" "$E2E_LOG" 2>&1) ||
	t_fail "the kept-alive connection failed across the reload: $kept"
e2e_log_has "healthcheckd: reloaded:"
[ "$kept" = "200 ok healthcheckd-one 200 ok healthcheckd-one" ] ||
	t_fail "a connection opened before the rotation: '$kept'"
got=$(served_subject)
[ "$got" = "$(subject_of "$PKI/two.pem")" ] ||
	t_fail "after SIGHUP the TLS port serves '$got', not healthcheckd-two"
tls_req /readyz "${CA[@]}"
e2e_expect 200 $'ok\n'
e2e_req /readyz
e2e_expect 200 $'ok\n'
[ "$(grep -c 'listening on' "$E2E_LOG")" -eq 2 ] || t_fail "a listener was reopened"
kill -0 "$E2E_PID" || t_fail "the daemon is gone"
t_ok "SIGHUP rotates the certificate without a restart: new connections get the new one (subject and serial), a kept-alive one goes on with its own, the plain listener is untouched"

printf 'not a certificate\n' >"$T_TMP/server.pem"
reloaded
e2e_log_has "reload failed: still serving the previous configuration"
e2e_log_has "reload: $E2E_CONF:5: tls_cert_file: $T_TMP/server.pem is not a PEM certificate chain"
got=$(served_subject)
[ "$got" = "$(subject_of "$PKI/two.pem")" ] ||
	t_fail "after a broken rotation the TLS port serves '$got', not healthcheckd-two"
tls_req /readyz "${CA[@]}"
e2e_expect 200 $'ok\n'
t_ok "a broken certificate on reload is refused with an error naming file and line; the old one keeps serving"

cp "$PKI/one.pem" "$T_TMP/server.pem"
install -m 600 "$PKI/two.key" "$T_TMP/server.key"
reloaded
e2e_log_has "tls_key_file: $T_TMP/server.key is not the key of the certificate in $T_TMP/server.pem"
got=$(served_subject)
[ "$got" = "$(subject_of "$PKI/two.pem")" ] || t_fail "a mismatched pair was taken: '$got'"
t_ok "a certificate and key that do not match are refused on reload too"

# The client CA is reloaded too: another CA's clients get details, this one's
# no longer do.
cp "$PKI/two.pem" "$T_TMP/server.pem"
sed -i "s|^tls_client_ca_file = .*|tls_client_ca_file = $OTHER/ca.pem|" "$E2E_CONF"
reloaded
e2e_log_has "reloaded:"
tls_req /health "${CA[@]}" "${INTRUDER[@]}"
grep -qF '"a:' <<<"$T_OUT" || t_fail "the new client CA's certificate shows no details"
tls_req /health "${CA[@]}" "${CLIENT[@]}"
e2e_expect 200 $'{"status":"pass"}\n'
t_ok "the client CA is re-read on SIGHUP"

! grep -q 'PRIVATE KEY' "$E2E_LOG" || t_fail "key material in the log"
e2e_stop
[ "$E2E_RC" -eq 0 ] || t_fail "exit code $E2E_RC after SIGTERM"
t_ok "no key material in the log; a clean exit"

# ---- socket activation ------------------------------------------------------

if ! command -v systemd-socket-activate >/dev/null; then
	echo "# SKIP socket activation: systemd-socket-activate is not installed"
	exit 0
fi
ACTIVATED=$(srv_free_port)
{ echo '[server]'; echo "listen = https://127.0.0.1:$ACTIVATED"
  echo "tls_cert_file = $PKI/one.pem"; echo "tls_key_file = $PKI/one.key"
  echo 'shutdown_delay = 100ms'; } >"$T_TMP/activated.ini"
systemd-socket-activate -l "127.0.0.1:$ACTIVATED" -- \
	"$HEALTHCHECKD" -c "$T_TMP/activated.ini" --plugin-dir "$HC_FIXTURE_DIR" >"$E2E_LOG" 2>&1 &
E2E_PID=$!
# The first connection starts the daemon on the socket it was handed.
e2e_until 10 curl -sf --max-time 2 -o /dev/null "${CA[@]}" "https://127.0.0.1:$ACTIVATED/livez" ||
	{ T_ERR=$(cat "$E2E_LOG"); t_fail "nothing answered TLS on the activated socket"; }
e2e_log_has "serving on 1 socket(s) from systemd"
got=$(TLS_PORT=$ACTIVATED served_subject)
[ "$got" = "$(subject_of "$PKI/one.pem")" ] || t_fail "the activated socket serves '$got'"
e2e_log_has "socket 3 from systemd, on 127.0.0.1:$ACTIVATED: TLS, for listen https://127.0.0.1:$ACTIVATED"
e2e_stop
t_ok "socket activation: a socket systemd passes speaks TLS when its address is an https:// line's"

# activated CONF ADDRESS:PORT: the daemon on CONF, started by systemd on a
# socket bound to ADDRESS:PORT (on the first connection).
activated() {
	systemd-socket-activate -l "$2" -- \
		"$HEALTHCHECKD" -c "$1" --plugin-dir "$HC_FIXTURE_DIR" >"$E2E_LOG" 2>&1 &
	E2E_PID=$!
}
# activated_conf FILE LISTEN: [server] with that listen line (line 2) and the pair.
activated_conf() {
	{ echo '[server]'; echo "listen = $2"
	  echo "tls_cert_file = $PKI/one.pem"; echo "tls_key_file = $PKI/one.key"
	  echo 'shutdown_delay = 100ms'; } >"$1"
}

# A line on a wildcard address matches a passed socket on the same port
# whatever its address or family (ListenStream=PORT binds [::]:PORT). Tests
# listen on loopback only: the socket here is [::1]:P, the line 0.0.0.0:P.
WILD=$(srv_free_port)
activated_conf "$T_TMP/wildcard.ini" "https://0.0.0.0:$WILD"
activated "$T_TMP/wildcard.ini" "[::1]:$WILD"
# The certificate names localhost and 127.0.0.1: localhost, resolved to ::1.
e2e_until 10 curl -sf --max-time 2 -o /dev/null "${CA[@]}" --resolve "localhost:$WILD:[::1]" \
	"https://localhost:$WILD/livez" ||
	{ T_ERR=$(cat "$E2E_LOG"); t_fail "nothing answered TLS on the activated [::1] socket"; }
set +e
plain=$(curl -s --max-time 5 "http://[::1]:$WILD/health" 2>&1)
plain_rc=$?
set -e
[ "$plain_rc" -ne 0 ] && [ -z "$plain" ] || t_fail "plain HTTP on the activated [::1] socket answered: $plain"
e2e_log_has "socket 3 from systemd, on [::1]:$WILD: TLS, for listen https://0.0.0.0:$WILD"
e2e_stop
t_ok "socket activation: a socket on the port of an https://0.0.0.0:P line ([::1]:P here) speaks TLS, never plain, and the log says so"

# An https:// line on a port systemd passes no socket for: refused.
PASSED=$(srv_free_port)
activated_conf "$T_TMP/elsewhere.ini" "https://0.0.0.0:$((PASSED + 1))"
activated "$T_TMP/elsewhere.ini" "127.0.0.1:$PASSED"
# systemd-socket-activate starts the daemon on the first connection, and
# may not be listening yet when the first curl runs: knock until it exits.
knocked_and_exited() {
	curl -s --max-time 1 -o /dev/null "http://127.0.0.1:$PASSED/health" || true
	e2e_exited
}
deadline=$(( $(t_now_ms) + 10000 ))
until knocked_and_exited; do
	if [ "$(t_now_ms)" -ge "$deadline" ]; then
		T_OUT= T_ERR=$(cat "$E2E_LOG")
		t_fail "the daemon serves with an https:// line no socket is for (stderr: its log)"
	fi
	sleep 0.1
done
set +e
wait "$E2E_PID"
E2E_RC=$?
set -e
E2E_PID=
[ "$E2E_RC" -eq 1 ] || { T_ERR=$(cat "$E2E_LOG"); t_fail "exit code $E2E_RC, not 1"; }
e2e_log_has "configuration: $T_TMP/elsewhere.ini:2: listen https://0.0.0.0:$((PASSED + 1)): no socket systemd passed is on this address and port"
e2e_log_has "socket 3 from systemd, on 127.0.0.1:$PASSED: plain HTTP, no https:// line is on it"
e2e_log_has "error: cannot start"
t_ok "socket activation: an https:// line no passed socket is on stops the start (exit 1) with its file and line, rather than serving plain"
