#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmark of /readyz over TLS against plain HTTP on the same daemon, in one
# run (not a test: it measures and prints, it asserts nothing). Loopback only;
# every load is bounded in time or count.
#
#   bench/serve-tls.sh [BUILDDIR]      (BUILDDIR: where healthcheckd was built)
#
# 1. wrk, keep-alive (one handshake per connection): req/s and p99 of /readyz
#    on the plain and on the https:// listener.
# 2. ab without keep-alive (a TCP connection, and over TLS a full handshake,
#    per request): req/s, i.e. what a probe that reconnects every time costs.
# Needs: wrk, ab (apache2-utils), openssl.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top}
hcd=$build/healthcheckd
DURATION=${DURATION:-10s}
CONNS=${CONNS:-50}
THREADS=${THREADS:-2}
N=${N:-5000}
for tool in wrk ab openssl; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install wrk apache2-utils openssl)" >&2; exit 2; }
done
[ -x "$hcd" ] || { echo "bench: build first so $hcd exists" >&2; exit 2; }

tmp=$(mktemp -d)
pid=
cleanup() {
	[ -z "$pid" ] || kill "$pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

. "$top/bench/common/port.sh"

. "$top/tests/tools/certs.sh"
cert_ca "$tmp/pki"
cert_issue "$tmp/pki" server localhost '-1 hour' '+1 day'
chmod 600 "$tmp/pki/server.key"
plain=$(free_port)
tls=$(free_port)
cat >"$tmp/hc.ini" <<EOF
[server]
listen = 127.0.0.1:$plain
listen = https://127.0.0.1:$tls
tls_cert_file = $tmp/pki/server.pem
tls_key_file = $tmp/pki/server.key
max_connections = 1024
max_connections_per_ip = 0
shutdown_delay = 0ms
EOF
"$hcd" -c "$tmp/hc.ini" >"$tmp/log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
	curl -sf -o /dev/null "http://127.0.0.1:$plain/readyz" && break
	sleep 0.05
done

echo "healthcheckd $("$hcd" --version | head -n1), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "certificate: ECDSA P-256 (tests/tools/certs.sh); TLS as negotiated by wrk/ab (OpenSSL) with GnuTLS"
echo
printf '%-34s %12s %10s\n' "" "req/s" "p99"
for scheme in http https; do
	port=$plain
	[ "$scheme" = https ] && port=$tls
	out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "$scheme://127.0.0.1:$port/readyz")
	rps=$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")
	p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
	printf '%-34s %12s %10s\n' "wrk keep-alive -c$CONNS $scheme" "$rps" "$p99"
done
for scheme in http https; do
	port=$plain
	[ "$scheme" = https ] && port=$tls
	out=$(ab -q -c 20 -n "$N" "$scheme://127.0.0.1:$port/readyz" 2>&1)
	rps=$(awk '/^Requests per second/ { print $4 }' <<<"$out")
	p99=$(awk '$1 == "99%" { print $2 "ms" }' <<<"$out")
	failed=$(awk '/^Failed requests/ { print $3 }' <<<"$out")
	printf '%-34s %12s %10s  (failed: %s)\n' "ab new connection each -c20 $scheme" "$rps" "$p99" "$failed"
done
