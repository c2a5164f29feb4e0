#!/bin/bash
# SPDX-License-Identifier: MIT
# tls plugin against certificates made by openssl at test time (a test CA;
# leaves expired, 3, 20 and 400 days left, not yet valid, for a wrong host
# name; a self-signed one), in file mode and against openssl s_server on
# 127.0.0.1; a peer that never answers; init errors.
set -euo pipefail
. "$HC_SRCDIR/tests/cli/lib.sh"
. "$HC_SRCDIR/tests/tools/certs.sh"

t_need_plugin tls
t_need_cmd openssl openssl

C=$T_TMP/certs
cert_ca "$C"
cert_issue "$C" far far.test '-1 hour' '+400 days'
cert_issue "$C" month month.test '-1 hour' '+20 days'
cert_issue "$C" soon soon.test '-1 hour' '+3 days'
cert_issue "$C" expired expired.test '-30 days' '-2 days'
cert_issue "$C" future future.test '+3 days' '+60 days'
cert_issue "$C" wrongname wrong.test '-1 hour' '+400 days' DNS:wrong.example
cert_self "$C" self self.test 400
DATE='\([0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC\)'

# tls KEY=VALUE...: the plugin once through healthcheckd --plugin.
tls() {
	local args=() kv
	for kv in "$@"; do args+=(--set "$kv"); done
	t_run "$HEALTHCHECKD" --plugin "$HC_PLUGIN_DIR/tls.so" "${args[@]}" --once
}

# tls_server NAME: openssl s_server on 127.0.0.1 (a port of the kernel's
# choosing) presenting $C/NAME.pem; T_PORT once it listens, T_SERVER its
# pid. It prints
# "ACCEPT 127.0.0.1:PORT" after listen(); -www keeps it from reading stdin,
# whose end would stop it.
tls_server() {
	local out=$T_TMP/s_server.$1 i
	: >"$out"
	openssl s_server -www -accept 127.0.0.1:0 -cert "$C/$1.pem" \
		-key "$C/$1.key" </dev/null >"$out" 2>"$out.log" &
	T_SERVER=$!
	T_PIDS+=("$T_SERVER")
	for i in $(seq 1 200); do
		T_PORT=$(sed -n 's/^ACCEPT 127\.0\.0\.1://p' "$out")
		[ -n "$T_PORT" ] && return 0
		sleep 0.05
	done
	echo "openssl s_server did not start: $(cat "$out.log")" >&2
	exit 1
}

# ---- file mode -------------------------------------------------------------

tls file="$C/far.pem"
t_expect_rc 0
t_expect_out "^tls +pass +[0-9.]+ ms +certificate 'CN=far\.test' of $C/far\.pem expires in (399\.9|400\.0) days $DATE\$"
t_ok "file: 400 days left passes"

tls file="$C/month.pem"
t_expect_rc 1
t_expect_out "^tls +warn .* certificate 'CN=month\.test' of $C/month\.pem expires in (19\.9|20\.0) days $DATE\$"
t_ok "file: 20 days left warns (warn_days 30)"

tls file="$C/soon.pem"
t_expect_rc 2
t_expect_out "^tls +fail .* certificate 'CN=soon\.test' of $C/soon\.pem expires in (2\.9|3\.0) days $DATE\$"
t_ok "file: 3 days left fails (fail_days 7)"

tls file="$C/soon.pem" warn_days=3.5 fail_days=2.5
t_expect_rc 1
t_ok "file: fractional days, 3 days left between 2.5 and 3.5 warns"

tls file="$C/far.pem" warn_days=0 fail_days=0
t_expect_rc 0
t_ok "file: warn_days = fail_days = 0 fails only once expired"

tls file="$C/expired.pem"
t_expect_rc 2
t_expect_out "certificate 'CN=expired\.test' of $C/expired\.pem expired (2\.0 days|4[78]\.[0-9] h) ago $DATE\$"
t_ok "file: expired fails"

tls file="$C/future.pem"
t_expect_rc 2
t_expect_out "certificate 'CN=future\.test' of $C/future\.pem is not valid until [0-9-]+ [0-9:]+ UTC \(in (2\.9|3\.0) days\)\$"
t_ok "file: not yet valid fails"

cat "$C/far.pem" "$C/soon.pem" "$C/ca.pem" >"$C/bundle.pem"
tls file="$C/bundle.pem"
t_expect_rc 2
t_expect_out "certificate 'CN=soon\.test' \(earliest of 3\) of $C/bundle\.pem expires in (2\.9|3\.0) days"
t_ok "file: the earliest expiry of a bundle counts, named by its subject"

cat "$C/far.key" "$C/far.pem" >"$C/keyandcert.pem"
tls file="$C/keyandcert.pem"
t_expect_rc 0
t_expect_out "CN=far\.test"
t_ok "file: a private key in the file is skipped"

t_run "$HEALTHCHECKD" --plugin "$HC_PLUGIN_DIR/tls.so" --set file="$C/soon.pem" \
	--once --format json
t_expect_rc 2
t_expect_out '"tls:expiry":\['
t_expect_out '"observedValue":(2\.9|3)[0-9.]*,'
t_expect_out '"observedUnit":"d",'
t_ok "file: days left are the observed value, unit d"

tls file="$C/missing.pem"
t_expect_rc 2
t_expect_out "^tls +fail .* $C/missing\.pem: cannot open: No such file or directory\$"
t_ok "file: a missing file fails naming it and the errno"

tls file="$C/far.key"
t_expect_rc 2
t_expect_out "$C/far\.key: no PEM certificate in it\$"
t_ok "file: a file without a certificate fails"

sed 's/^M/X/' "$C/far.pem" >"$C/mangled.pem"
tls file="$C/mangled.pem"
t_expect_rc 2
t_expect_out "$C/mangled\.pem: unreadable certificate: [a-z]"
t_ok "file: a mangled certificate fails with OpenSSL's reason"

# ---- endpoint mode ---------------------------------------------------------

tls_server far
tls host=127.0.0.1 port="$T_PORT" ca_file="$C/ca.pem"
t_expect_rc 0
t_expect_out "^tls +pass +[0-9.]+ ms +certificate 'CN=far\.test' of 127\.0\.0\.1:$T_PORT expires in (399\.9|400\.0) days $DATE\$"
t_ok "endpoint: 400 days left, chain and IP address verified against ca_file"

tls host=localhost port="$T_PORT" ca_file="$C/ca.pem"
t_expect_rc 0
t_expect_out "of localhost:$T_PORT \(127\.0\.0\.1\) expires in"
t_ok "endpoint: a host name is sent as SNI and verified"

tls host=127.0.0.1 port="$T_PORT" sni=localhost ca_file="$C/ca.pem"
t_expect_rc 0
t_ok "endpoint: sni names the server at an address"

tls host=127.0.0.1 port="$T_PORT" sni=other.example ca_file="$C/ca.pem"
t_expect_rc 2
t_expect_out "^tls +fail .* certificate of 127\.0\.0\.1:$T_PORT failed verification: hostname mismatch\$"
t_ok "endpoint: sni is the name verified"

tls host=127.0.0.1 port="$T_PORT"
t_expect_rc 2
t_expect_out "certificate of 127\.0\.0\.1:$T_PORT failed verification: unable to get local issuer certificate\$"
t_ok "endpoint: a CA the system store lacks fails verification"

tls host=127.0.0.1 port="$T_PORT" verify=no
t_expect_rc 0
t_ok "endpoint: verify = no only reads the expiry"

tls_server month
tls host=127.0.0.1 port="$T_PORT" ca_file="$C/ca.pem"
t_expect_rc 1
t_expect_out "certificate 'CN=month\.test' of 127\.0\.0\.1:$T_PORT expires in (19\.9|20\.0) days"
t_ok "endpoint: 20 days left warns"

tls_server soon
tls host=127.0.0.1 port="$T_PORT" ca_file="$C/ca.pem"
t_expect_rc 2
t_expect_out "certificate 'CN=soon\.test' of 127\.0\.0\.1:$T_PORT expires in (2\.9|3\.0) days"
t_ok "endpoint: 3 days left fails"

tls_server expired
tls host=127.0.0.1 port="$T_PORT" ca_file="$C/ca.pem"
t_expect_rc 2
t_expect_out "certificate 'CN=expired\.test' of 127\.0\.0\.1:$T_PORT expired .* ago"
t_ok "endpoint: expired fails with the expiry, not only OpenSSL's reason"

tls_server future
tls host=127.0.0.1 port="$T_PORT" ca_file="$C/ca.pem"
t_expect_rc 2
t_expect_out "certificate 'CN=future\.test' of 127\.0\.0\.1:$T_PORT is not valid until"
t_ok "endpoint: not yet valid fails"

tls_server wrongname
tls host=127.0.0.1 port="$T_PORT" ca_file="$C/ca.pem"
t_expect_rc 2
t_expect_out "^tls +fail .* certificate of 127\.0\.0\.1:$T_PORT failed verification: IP address mismatch\$"
t_ok "endpoint: a wrong host name fails naming the reason"

tls host=localhost port="$T_PORT" ca_file="$C/ca.pem"
t_expect_rc 2
t_expect_out "failed verification: hostname mismatch\$"
t_ok "endpoint: a wrong host name fails for a name too"

tls_server self
tls host=127.0.0.1 port="$T_PORT"
t_expect_rc 2
t_expect_out "^tls +fail .* certificate of 127\.0\.0\.1:$T_PORT failed verification: self-signed certificate\$"
t_ok "endpoint: self-signed without its CA fails naming the reason"

tls host=127.0.0.1 port="$T_PORT" ca_file="$C/self.pem"
t_expect_rc 0
t_expect_out "certificate 'CN=self\.test' of 127\.0\.0\.1:$T_PORT expires in"
t_ok "endpoint: self-signed with ca_file naming it passes"

SELF=$T_PORT
tls_server far
FAR=$T_PORT
cat >"$T_TMP/two.ini" <<EOF
[check:site-a]
plugin = tls
host = 127.0.0.1
port = $FAR
ca_file = $C/ca.pem

[check:site-b]
plugin = tls
host = 127.0.0.1
port = $SELF
ca_file = $C/self.pem
EOF
t_run "$HEALTHCHECKD" -c "$T_TMP/two.ini" --plugin-dir "$HC_PLUGIN_DIR" --once
t_expect_rc 0
t_expect_out "^site-a +pass .*CN=far\.test"
t_expect_out "^site-b +pass .*CN=self\.test"
t_ok "two instances, each with its own trust store"

t_hangpeer accept
start=$(t_now_ms)
tls host=127.0.0.1 port="$T_PORT" timeout=1s
elapsed=$(($(t_now_ms) - start))
t_expect_rc 2
# The plugin gives up just before the deadline and names the step; on a
# loaded machine the core's bare message, taken at the deadline, may win.
t_expect_out "^tls +fail .* ms +timed out after 1000 ms( in the TLS handshake with 127\.0\.0\.1:$T_PORT)?\$"
[ "$elapsed" -le 3000 ] || t_fail "took $elapsed ms, more than timeout + 2 s"
t_ok "endpoint: a peer that never answers fails at the deadline ($elapsed ms)"

t_hangpeer backlog
start=$(t_now_ms)
tls host=127.0.0.1 port="$T_PORT" timeout=1s
elapsed=$(($(t_now_ms) - start))
t_expect_rc 2
t_expect_out "^tls +fail .* ms +timed out after 1000 ms( connecting to 127\.0\.0\.1:$T_PORT)?\$"
[ "$elapsed" -le 3000 ] || t_fail "took $elapsed ms, more than timeout + 2 s"
t_ok "endpoint: a connect that never completes fails at the deadline ($elapsed ms)"

# A port nothing listens on: an s_server's, once it is stopped.
kill "$T_SERVER"
for i in $(seq 1 100); do
	(exec 3<>"/dev/tcp/127.0.0.1/$FAR") 2>/dev/null || break
	sleep 0.05
done
tls host=127.0.0.1 port="$FAR"
t_expect_rc 2
t_expect_out "^tls +fail .* connect to 127\.0\.0\.1:$FAR: Connection refused\$"
t_ok "endpoint: refused"

# ---- init errors -----------------------------------------------------------

tls
t_expect_rc 3
t_expect_err "file or host: required \(a PEM file or an endpoint\)"
tls file="$C/far.pem" host=127.0.0.1
t_expect_rc 3
t_expect_err "file and host: give one, a PEM file or an endpoint"
tls file="$C/far.pem" verify=yes
t_expect_rc 3
t_expect_err "verify: applies to an endpoint \(host\), not to a file"
tls file="$C/far.pem" ca_file="$C/ca.pem"
t_expect_rc 3
t_expect_err "ca_file: applies to an endpoint \(host\), not to a file"
tls file="$C/far.pem" port=443
t_expect_rc 3
t_expect_err "port: applies to an endpoint"
tls host=127.0.0.1 port=0
t_expect_rc 3
t_expect_err "port: '0' is not a port number \(1-65535\)"
tls host=127.0.0.1 sni=10.0.0.1
t_expect_rc 3
t_expect_err "sni: '10\.0\.0\.1' is not a host name"
tls host=127.0.0.1 verify=maybe
t_expect_rc 3
t_expect_err "verify: 'maybe' is neither yes nor no"
tls host=127.0.0.1 ca_file="$C/nothing.pem"
t_expect_rc 3
t_expect_err "ca_file: cannot read '$C/nothing\.pem': No such file or directory"
tls host=127.0.0.1 ca_file="$C/far.key"
t_expect_rc 3
t_expect_err "ca_file: cannot load trusted certificates: "
tls host=127.0.0.1 verify=no ca_file="$C/ca.pem"
t_expect_rc 3
t_expect_err "ca_file: useless with verify = no"
tls file="$C/far.pem" warn_days=-1
t_expect_rc 3
t_expect_err "warn_days: '-1' is not a number from 0 to 36500"
tls file="$C/far.pem" warn_days=5 fail_days=10
t_expect_rc 3
t_expect_err "fail_days: 10 is more than warn_days \(5\)"
t_ok "init errors exit 3 naming the key"

t_run "$HEALTHCHECKD" --plugin "$HC_PLUGIN_DIR/tls.so" --set host=tls.invalid -t
t_expect_rc 0
t_ok "-t does no network I/O: an unresolvable host is fine"
