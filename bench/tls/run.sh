#!/bin/bash
# SPDX-License-Identifier: MIT
# Per-check cost of the tls plugin (endpoint and file mode) and of the
# credential plugin (a JWT), each against the least raw OpenSSL/jansson
# code that learns the same thing, in one run, on loopback. Prints a
# Markdown table of medians and ratios. A benchmark, not a test: it
# asserts nothing.
#
#   bench/tls/run.sh [BUILDDIR]     (default: the source tree)
#
# N (default 500) checks per way and round, ROUNDS (5) rounds with the ways
# interleaved, so that a burst of load elsewhere hits every way alike; each
# figure is the median over rounds of the per-round median (wall time) or
# mean (CPU time of the checking process). The endpoint is one openssl
# s_server -www on 127.0.0.1 with an ECDSA P-256 certificate from a test CA.
# Needs a built tree (plugins/.libs/tls.so, credential.so), libssl-dev,
# libjansson-dev and openssl.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/bench/common/lib.sh" "$@"
n=${N:-500}
rounds=${ROUNDS:-5}

so=$build/plugins/.libs
need "run make" "$so/tls.so" "$so/credential.so"
compile_driver "$top/bench/tls/tlsdrive.c" $(pkg-config --cflags --libs openssl jansson)
. "$top/tests/tools/certs.sh"
cert_ca "$tmp"
cert_issue "$tmp" far far.test '-1 hour' '+400 days'
payload=$(printf '{"sub":"bench","exp":%s}' "$(date -d '+400 days' +%s)" |
	openssl base64 -A | tr '+/' '-_' | tr -d '=')
printf 'eyJhbGciOiJSUzI1NiJ9.%s.c2lnbmF0dXJl\n' "$payload" >"$tmp/token.jwt"

openssl s_server -www -accept 127.0.0.1:0 -cert "$tmp/far.pem" \
	-key "$tmp/far.key" </dev/null >"$tmp/s_server.out" 2>/dev/null &
kill_on_exit $!
for _ in $(seq 1 100); do
	port=$(sed -n 's/^ACCEPT 127\.0\.0\.1://p' "$tmp/s_server.out")
	[ -n "$port" ] && break
	sleep 0.05
done
[ -n "$port" ] || { echo "$0: openssl s_server did not start" >&2; exit 1; }

d=$tmp/tlsdrive
for ((r = 0; r < rounds; r++)); do
	measure raw-endpoint "$d" raw-endpoint "$n" 127.0.0.1 "$port" "$tmp/ca.pem"
	measure endpoint "$d" plugin "$n" "$so/tls.so" host=127.0.0.1 port="$port" \
		ca_file="$tmp/ca.pem"
	measure raw-file "$d" raw-file "$n" "$tmp/far.pem"
	measure file "$d" plugin "$n" "$so/tls.so" file="$tmp/far.pem"
	measure raw-jwt "$d" raw-jwt "$n" "$tmp/token.jwt"
	measure jwt "$d" plugin "$n" "$so/credential.so" file="$tmp/token.jwt"
done

take_medians
# row LABEL KEY RAWKEY: one line of the table.
row() { echo "| $1 | ${m[$2]} | ${c[$2]} | $(ratio "${m[$2]}" "${m[$3]}") |"; }

echo "$(openssl version), jansson $(pkg-config --modversion jansson), $(nproc) CPUs; N=$n ROUNDS=$rounds"
echo
echo "| way | µs per check (wall, median) | client CPU µs per check | ÷ raw |"
echo "|---|---:|---:|---:|"
row "raw OpenSSL: connect, SSL_connect, verify, notAfter of the chain" raw-endpoint raw-endpoint
row "tls plugin, endpoint (verify = yes, ca_file)" endpoint raw-endpoint
row "raw OpenSSL: PEM_read_bio_X509 loop, notAfter" raw-file raw-file
row "tls plugin, file" file raw-file
row "raw: read, EVP_DecodeBlock, json_loadb, exp" raw-jwt raw-jwt
row "credential plugin, JWT" jwt raw-jwt
