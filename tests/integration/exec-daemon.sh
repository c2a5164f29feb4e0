#!/bin/bash
# SPDX-License-Identifier: MIT
# exec under the serving daemon, which blocks SIGTERM, SIGINT and SIGHUP in
# every thread and ignores SIGPIPE: the command must start with an empty
# signal mask and no ignored signal, or it could not be stopped with
# SIGTERM nor die of a closed pipe. (--once and hcrun block nothing, so
# exec.sh cannot see this.)
set -euo pipefail
. "$HC_SRCDIR/tests/e2e/lib.sh"

t_need_plugin exec
# e2e_launch loads plugins from HC_FIXTURE_DIR: here, the real ones.
HC_FIXTURE_DIR=$HC_PLUGIN_DIR

e2e_start <<'EOF2'
details = always
[check:sig]
plugin = exec
interval = 1s
timeout = 900ms
command = sh -c 'grep -E "^Sig(Blk|Ign)" /proc/$$/status | tr "\n\t" "  "; exit 2'
EOF2
# The masks are hex, bit N-1 for signal N: signals 1-31 are the low 31
# bits. glibc's posix_spawn sets its internal signals (32, 33) to SIG_IGN
# in the child, as for any posix_spawn; the program's libc sets its own.
e2e_until 5 e2e_has '^\[-\]sig failed: SigBlk: 0000000000000000 SigIgn: [0-9a-f]{8}[08]0000000$' \
	'/readyz/sig?verbose'
t_ok "a command started by the daemon has no blocked signal and no ignored standard signal"
e2e_stop
