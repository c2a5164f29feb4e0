#!/bin/bash
# SPDX-License-Identifier: MIT
# systemd integration: the sd_notify messages (READY, STATUS, WATCHDOG,
# RELOADING, STOPPING) and socket activation overriding `listen`.
set -euo pipefail
. "$HC_SRCDIR/tests/e2e/lib.sh"

# Captured first: under pipefail, a grep -q reading ldd through a pipe can exit early and fail the pipeline.
libs=$(ldd "$HEALTHCHECKD")
if [[ $libs != *libsystemd* ]]; then
	echo "SKIP: healthcheckd was built without libsystemd"
	exit 77
fi
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }

# A stand-in for systemd's notify socket: every datagram, then a -- line.
NOTIFY_LOG=$T_TMP/notify.log
python3 - "$T_TMP/notify" "$NOTIFY_LOG" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(60)
with open(sys.argv[2], "a", buffering=1) as log:
    while True:
        try:
            data = s.recv(4096)
        except socket.timeout:
            break
        log.write(data.decode() + "\n--\n")
PY
T_PIDS+=($!)
e2e_until 5 test -S "$T_TMP/notify" || t_fail "the notify socket stand-in did not start"
notified() { grep -qx -- "$1" "$NOTIFY_LOG" 2>/dev/null; }

NOTIFY_SOCKET=$T_TMP/notify e2e_start < <(e2e_check a)
e2e_until 5 notified 'READY=1' || t_fail "no READY=1"
e2e_until 5 notified 'STATUS=1 checks: 1 pass, 0 warn, 0 fail, 0 pending' ||
	t_fail "no STATUS= line with the counts: $(cat "$NOTIFY_LOG")"
e2e_until 5 notified 'WATCHDOG=1' || t_fail "no WATCHDOG=1"
t_ok "READY=1 once serving, STATUS= with the counts, WATCHDOG=1 from the scheduler loop"

kill -HUP "$E2E_PID"
e2e_until 5 notified 'RELOADING=1' || t_fail "no RELOADING=1 on SIGHUP"
e2e_stop
[ "$E2E_RC" -eq 0 ] || t_fail "exit code $E2E_RC"
e2e_until 5 notified 'STOPPING=1' || t_fail "no STOPPING=1 on SIGTERM"
t_ok "RELOADING=1 on SIGHUP, STOPPING=1 on SIGTERM"

if ! command -v systemd-socket-activate >/dev/null; then
	echo "# SKIP socket activation: systemd-socket-activate is not installed"
	exit 0
fi
ACTIVATED=$(srv_free_port)
systemd-socket-activate -l "127.0.0.1:$ACTIVATED" -- \
	"$HEALTHCHECKD" -c "$E2E_CONF" --plugin-dir "$HC_FIXTURE_DIR" >"$E2E_LOG" 2>&1 &
E2E_PID=$!
# The first connection starts the daemon on the socket it was handed.
e2e_until 10 curl -sf --max-time 2 -o /dev/null "http://127.0.0.1:$ACTIVATED/livez" ||
	{ T_ERR=$(cat "$E2E_LOG"); t_fail "nothing answered on the activated socket"; }
e2e_log_has "serving on 1 socket(s) from systemd"
if srv_port_open "$E2E_PORT"; then t_fail "the config's listen address was bound too"; fi
e2e_stop
t_ok "socket activation: the daemon serves the socket it is given, not its listen lines"
