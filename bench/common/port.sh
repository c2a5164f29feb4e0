# SPDX-License-Identifier: MIT
# free_port: a free loopback TCP port, the kernel's choice (sourced by the
# bench scripts; bench/common/lib.sh sources it too).
free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
