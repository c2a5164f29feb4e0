#!/bin/bash
# SPDX-License-Identifier: MIT
# A throwaway s3rver (npm, installed under tests/node_modules by tests/run's
# `npm ci`) on 127.0.0.1 for the s3 plugin's tests.
#
#   s3rver.sh start DIR   start it with one bucket (port: $S3_PORT if set,
#                         else the port of an earlier start in DIR, else a
#                         free one); write DIR/env: S3_PORT, S3_BUCKET,
#                         S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY (s3rver's
#                         one account), S3_REGION.
#   s3rver.sh stop DIR    stop the server started in DIR (by its pidfile).
# Virtual-hosted requests work through the name s3.localhost, which libcurl
# resolves to loopback itself: BUCKET.s3.localhost:PORT. s3rver checks the
# access key ID but not SigV4 signatures (tests/integration/s3-sigv4.sh
# checks those with botocore). Node modules come from $HC_NODE_MODULES, else
# tests/node_modules. See tests/servers/lib.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
modules=${HC_NODE_MODULES:-$(cd "$(dirname "$0")/.." && pwd)/node_modules}

# s3_ours: the server on the port is the one our pidfile names, and it
# has the bucket.
s3_ours() {
	local pid
	pid=$(head -n1 "$dir/s3rver.pid" 2>/dev/null) || return 1
	srv_alive "$pid" &&
		curl -sf -o /dev/null --noproxy '*' -I "http://127.0.0.1:$S3_PORT/$S3_BUCKET"
}

s3_start() {
	[ -x "$modules/.bin/s3rver" ] ||
		{ echo "s3rver.sh: $modules/.bin/s3rver not found (run npm ci in tests/)" >&2; exit 2; }
	local want=${S3_PORT:-}
	mkdir -p "$dir/data"
	if [ -s "$dir/env" ]; then
		. "$dir/env"
	else
		S3_PORT=$(srv_free_port)
	fi
	S3_PORT=${want:-$S3_PORT}
	S3_BUCKET=health-bucket
	rm -f "$dir/s3rver.pid"
	# setsid: a make check interrupted by ^C must not leave it running
	# attached to the terminal's process group; the test stops it.
	setsid "$modules/.bin/s3rver" -d "$dir/data" -a 127.0.0.1 -p "$S3_PORT" \
		--service-endpoint localhost --configure-bucket "$S3_BUCKET" \
		</dev/null >"$dir/s3rver.log" 2>&1 &
	echo $! >"$dir/s3rver.pid"
	if ! srv_wait 30 s3_ours; then
		echo "s3rver.sh: s3rver did not answer on 127.0.0.1:$S3_PORT" >&2
		tail -n 20 "$dir/s3rver.log" >&2 || true
		s3_stop
		exit 1
	fi
	cat >"$dir/env" <<-EOF2
		S3_PORT=$S3_PORT
		S3_BUCKET=$S3_BUCKET
		S3_ACCESS_KEY_ID=S3RVER
		S3_SECRET_ACCESS_KEY=S3RVER
		S3_REGION=us-east-1
	EOF2
}

s3_stop() {
	local pid
	[ -s "$dir/s3rver.pid" ] || return 0
	pid=$(head -n1 "$dir/s3rver.pid")
	# Only an s3rver: a stale pidfile may name a recycled pid.
	if grep -q s3rver "/proc/$pid/cmdline" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
	fi
	[ -n "${S3_PORT:-}" ] || . "$dir/env"
	srv_wait_closed "$S3_PORT" 10 ||
		{ echo "s3rver.sh: port $S3_PORT still open" >&2; exit 1; }
	rm -f "$dir/s3rver.pid"
}

[ $# -eq 2 ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
dir=$2
case "$1" in
start) s3_start ;;
stop) s3_stop ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
