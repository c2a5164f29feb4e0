#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Soak (not a test, not run by CI): the daemon under steady probe traffic
# for MINUTES with a flapping check, a reload (SIGHUP) every 10 s and an
# isolated plugin that segfaults half of the time. Reports failed requests,
# and the daemon's RSS, open fds and threads, and its plugin hosts, at the
# start (after a minute's warm-up, or a fifth of the run if shorter) and
# at the end. Loopback only.
#
#   bench/soak.sh [MINUTES] [BUILDDIR]        RATE=50 (requests per second)
#
# Needs the test fixture plugin: `make check TESTS=` in BUILDDIR builds it.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
minutes=${1:-10}
. "$top/bench/common/lib.sh" "${2:-$top}"
RATE=${RATE:-50}
hcd=$build/healthcheckd
need "make, then make check TESTS=" "$hcd" "$build/plugins/.libs/tcp.so" \
	"$build/plugins/.libs/disk.so" "$build/tests/plugins/.libs/fake_good.so"
mkdir "$tmp/plugins"
ln -s "$build/plugins/.libs/tcp.so" "$build/plugins/.libs/disk.so" \
	"$build/tests/plugins/.libs/fake_good.so" "$tmp/plugins/"
start_acceptor
port=$(free_port)

say() { echo "$2" >"$tmp/$1.new" && mv "$tmp/$1.new" "$tmp/$1"; }
say flap pass
say crash pass
{
	printf '[server]\nlisten = 127.0.0.1:%s\ndetails = always\nshutdown_delay = 100ms\n' "$port"
	for i in $(seq 20); do
		printf '[check:tcp%d]\nplugin = tcp\nhost = 127.0.0.1\nport = %s\ninterval = 1s\ntimeout = 500ms\n' "$i" "$dep"
	done
	for i in $(seq 5); do
		printf '[check:disk%d]\nplugin = disk\npath = /\ninterval = 1s\nisolate = process\n' "$i"
	done
	printf '[check:flap]\nplugin = fake_good\npath = %s/flap\ninterval = 1s\ntimeout = 500ms\n' "$tmp"
	printf '[check:crash]\nplugin = fake_good\npath = %s/crash\ninterval = 1s\ntimeout = 500ms\nisolate = process\n' "$tmp"
} >"$tmp/soak.ini"
"$hcd" -c "$tmp/soak.ini" --plugin-dir "$tmp/plugins" 2>"$tmp/daemon.log" &
daemon=$!
kill_on_exit "$daemon"
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/livez" && break; sleep 0.1; done

# The probes: RATE requests a second, round robin over the endpoints, on
# keep-alive connections; a failure is a transport error, a timeout, or a
# status the endpoint must not give (/readyz may be 503: flap fails).
python3 - "$port" "$RATE" "$((minutes * 60))" >"$tmp/probes" <<'EOF' &
import http.client, sys, time
port, rate, secs = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
paths = [("/livez", {200}), ("/readyz", {200, 503}), ("/health", {200, 503}), ("/metrics", {200})]
conn, sent, failed, i = None, 0, 0, 0
start = time.monotonic()
while time.monotonic() - start < secs:
    path, ok = paths[i % len(paths)]
    i += 1
    try:
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", path)
        r = conn.getresponse()
        r.read()
        if r.status not in ok:
            failed += 1
    except Exception:
        failed += 1
        conn = None
    sent += 1
    time.sleep(max(0, start + sent / rate - time.monotonic()))
print(sent, failed)
EOF
probes=$!
kill_on_exit "$probes"

children() { cat "/proc/$daemon/task/"*/children 2>/dev/null | tr ' ' '\n' | grep . || true; }
zombies() { for c in $(children); do sed 's/.*) //' "/proc/$c/stat" 2>/dev/null | cut -d' ' -f1; done | grep -c Z || true; }
sample() {
	printf '%s %s %s %s %s\n' "$(awk '/^VmRSS:/ { print $2 }' "/proc/$daemon/status")" \
		"$(ls "/proc/$daemon/fd" | wc -l)" \
		"$(awk '/^Threads:/ { print $2 }' "/proc/$daemon/status")" "$(children | wc -l)" "$(zombies)"
}
warmup=$((minutes * 60 / 5 < 60 ? minutes * 60 / 5 : 60))
end=$(( $(date +%s) + minutes * 60 ))
t=0 reloads=0 first=
while [ "$(date +%s)" -lt "$end" ]; do
	sleep 1
	t=$((t + 1))
	# flap changes every 7 s; crash segfaults for 10 s of every 20.
	[ $((t % 7)) -ne 0 ] || { [ $((t / 7 % 2)) -eq 0 ] && say flap pass || say flap fail; }
	[ $((t % 10)) -ne 0 ] || { [ $((t / 10 % 2)) -eq 1 ] && say crash segv || say crash pass; }
	if [ $((t % 10)) -eq 5 ]; then
		kill -HUP "$daemon"
		reloads=$((reloads + 1))
	fi
	[ "$t" -ne "$warmup" ] || first=$(sample)
done
wait "$probes"
last=$(sample)
read -r sent failed <"$tmp/probes"
read -r rss0 fd0 th0 h0 z0 <<<"$first"
read -r rss1 fd1 th1 h1 z1 <<<"$last"
crashes=$(grep -c 'check crash: plugin crashed (SIGSEGV)' "$tmp/daemon.log" || true)
echo "soak: $minutes min, $sent requests at $RATE/s, $failed failed; $reloads reloads; $crashes plugin crashes"
printf '| | daemon RSS KB | fds | threads | plugin hosts | zombies |\n|---|---|---|---|---|---|\n'
printf '| after %d s | %s | %s | %s | %s | %s |\n' "$warmup" "$rss0" "$fd0" "$th0" "$h0" "$z0"
printf '| at the end | %s | %s | %s | %s | %s |\n' "$rss1" "$fd1" "$th1" "$h1" "$z1"
echo "RSS growth: $((rss1 - rss0)) KB"
kill "$daemon"
wait "$daemon" 2>/dev/null || true
