#!/bin/bash
# SPDX-License-Identifier: MIT
# Several listen lines: 127.0.0.1 and [::1] served by one daemon.
set -euo pipefail
. "$HC_SRCDIR/tests/e2e/lib.sh"

# Is there an IPv6 loopback to bind? (Containers may have none.)
v6=no
python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null && v6=yes
if [ "$v6" = yes ]; then
	extra="listen = [::1]:$E2E_PORT"
else
	extra=
	echo "# SKIP the IPv6 part: ::1 cannot be bound here"
fi
e2e_start <<EOF
$extra
$(e2e_check a)
EOF
e2e_until 5 e2e_is 200 /readyz
e2e_expect 200 $'ok\n'
e2e_log_has "healthcheckd: listening on 127.0.0.1:$E2E_PORT"
t_ok "listen = 127.0.0.1:PORT serves IPv4 loopback"

if [ "$v6" = yes ]; then
	E2E_URL="http://[::1]:$E2E_PORT" e2e_req /readyz -g
	e2e_expect 200 $'ok\n'
	E2E_URL="http://[::1]:$E2E_PORT" e2e_req '/readyz?verbose' -g
	e2e_expect 200 $'[+]a ok\nreadyz check passed\n'
	e2e_log_has "healthcheckd: listening on [::1]:$E2E_PORT"
	t_ok "a second listen line, [::1]:PORT, serves IPv6 loopback on the same port"
fi
