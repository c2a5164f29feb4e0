#!/bin/bash
# SPDX-License-Identifier: MIT
# isolate = process: a plugin that segfaults, aborts, exits or blocks is a
# failed check and the daemon serves on; the helper is restarted, killed at
# its deadline, reaped, and goes when the daemon goes. isolate = none: a
# plugin's exit() is logged and the daemon exits non-zero.
set -euo pipefail
. "$HC_SRCDIR/tests/e2e/lib.sh"
# The fixtures crash on purpose: no core files in the build tree.
ulimit -c 0

# The sanitizers' own SEGV handler would turn a crash into exit 1, and
# ThreadSanitizer sleeps a second in exit(), past the deadline of 500 ms.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0
export TSAN_OPTIONS=${TSAN_OPTIONS:+$TSAN_OPTIONS:}handle_segv=0:atexit_sleep_ms=0
SECRET=s3cr3t-isolate-0123456789

# helpers: "PID CHECK" of every plugin host the daemon runs now.
helpers() {
	local p ppid
	for p in /proc/[0-9]*; do
		ppid=$(sed 's/.*) //' "$p/stat" 2>/dev/null | cut -d' ' -f2) || continue
		[ "$ppid" = "$E2E_PID" ] || continue
		tr '\0' ' ' <"$p/cmdline" 2>/dev/null |
			awk -v pid="${p#/proc/}" '$2 == "--plugin-host" { print pid, $3 }'
	done
}
helper_of() { helpers | awk -v c="$1" '$2 == c { print $1 }'; }
has_helper() { [ -n "$(helper_of "$1")" ]; }
# zombies: how many children of the daemon are zombies now.
zombies() {
	local p n=0
	for p in /proc/[0-9]*; do
		[ "$(sed 's/.*) //' "$p/stat" 2>/dev/null | cut -d' ' -f1,2)" = "Z $E2E_PID" ] && n=$((n + 1))
	done
	echo "$n"
}
no_zombies() { [ "$(zombies)" -eq 0 ]; }
verbose_is() { e2e_gives "$1" "$2" "/readyz/$3?verbose" "${AUTH[@]}"; }
log_says() { grep -qF -- "$1" "$E2E_LOG"; }
# gone PID: is that process reaped (no /proc entry left)?
gone() { [ ! -e "/proc/$1" ]; }
# runs_since FILE N: has the check counting into FILE run twice since it had N lines?
runs_since() { [ "$(wc -l <"$1")" -ge $(($2 + 2)) ]; }

for c in segv abort exit3 exit0 blocked; do e2e_say "$c" pass; done
e2e_start <<EOF
$(e2e_private)
isolate = process
$(e2e_check segv "password=$SECRET")
$(e2e_check abort)
$(e2e_check exit3)
$(e2e_check exit0)
$(e2e_check blocked)
$(e2e_check inproc isolate=none)
EOF
e2e_until 4 verbose_is 200 $'[+]segv ok\nreadyz check passed\n' segv
[ "$(helpers | awk '{ print $2 }' | sort | tr '\n' ' ')" = "abort blocked exit0 exit3 segv " ] ||
	t_fail "plugin hosts: $(helpers | tr '\n' ' ') (expected one per isolated check)"
t_ok "one plugin host per isolated check, none for the isolate = none one"

pid=$(helper_of segv)
! grep -qF "$SECRET" "/proc/$pid/cmdline" "/proc/$pid/environ" ||
	t_fail "the secret is in the plugin host's command line or environment"
t_ok "the secret is not in the plugin host's command line or environment"

e2e_say segv segv
e2e_say abort abort
e2e_say exit3 exit 3
e2e_say exit0 exit 0
# Each crashes at every run: the check shows the death itself, or, while
# its host waits out the backoff, the death and the restart time.
for c in "segv:plugin crashed \(SIGSEGV\)" "abort:plugin crashed \(SIGABRT\)" \
	"exit3:plugin exited with status 3" "exit0:plugin exited with status 0"; do
	e2e_until 8 e2e_has "^\[-\]${c%%:*} failed: ${c#*:}(; plugin host restarts in [0-9.]+ s)?\$" \
		"/readyz/${c%%:*}?verbose" "${AUTH[@]}"
	e2e_log_has "check ${c%%:*}: $(tr -d '\\' <<<"${c#*:}")"
done
e2e_req /livez
e2e_expect 200 $'ok\n'
t_ok "segfault, abort, exit(3), exit(0): the check fails saying so, logged by name; the daemon serves on"

# Crashing at every run, the host is restarted at 1, 2, 4 s: in between,
# the check fails saying so (never pending).
e2e_until 8 e2e_has '^\[-\]segv failed: plugin crashed \(SIGSEGV\); plugin host restarts in [0-9.]+ s$' \
	'/readyz/segv?verbose' "${AUTH[@]}"
e2e_say segv pass
e2e_until 20 verbose_is 200 $'[+]segv ok\nreadyz check passed\n' segv
e2e_log_has "check segv: plugin host restarted"
t_ok "while down the check fails with the crash and the restart time; it recovers once the plugin does"

e2e_until 3 no_zombies
t_ok "every dead plugin host is reaped: no zombie children"

e2e_say segv leak
e2e_until 4 e2e_has '^\[-\]segv failed: auth failed for password \*\*\*$' '/readyz/segv?verbose' "${AUTH[@]}"
e2e_log_has "check segv: password is ***"
! grep -qF "$SECRET" "$E2E_LOG" || t_fail "the secret is in the daemon's log"
e2e_say segv pass
t_ok "what the plugin logs in its host reaches the daemon's log, scrubbed, with the check's name"

old=$(helper_of blocked)
e2e_say blocked block
start=$(t_now_ms)
# Its next run starts within 1 s and is killed at 500 ms; 4 s is wide.
e2e_until 4 e2e_has '^\[-\]blocked failed: timed out after 500 ms$' '/readyz/blocked?verbose' "${AUTH[@]}"
[ $(( $(t_now_ms) - start )) -lt 4000 ] || t_fail "the blocked call was not failed in time"
# The status change is published at the deadline; the worker that kills
# and reaps the host logs its line a moment later.
e2e_until 4 log_says "check blocked: plugin killed at its deadline (500 ms)"
e2e_until 4 gone "$old"
t_ok "a plugin blocked in read() is killed at its deadline and reaped"

# none → process and back, by reload.
sed -i '/^\[check:inproc\]$/,$ s/^isolate = none$/isolate = process/' "$E2E_CONF"
kill -HUP "$E2E_PID"
e2e_until 5 has_helper inproc
e2e_until 4 verbose_is 200 $'[+]inproc ok\nreadyz check passed\n' inproc
sed -i '/^\[check:inproc\]$/,$ s/^isolate = process$/isolate = none/' "$E2E_CONF"
old=$(helper_of inproc)
kill -HUP "$E2E_PID"
e2e_until 5 eval "! has_helper inproc"
e2e_until 4 gone "$old"
e2e_until 4 verbose_is 200 $'[+]inproc ok\nreadyz check passed\n' inproc
e2e_until 3 no_zombies
t_ok "a reload moves a check from none to process and back, leaving no helper or zombie"

pids=$(helpers | awk '{ print $1 }')
e2e_stop
[ "$E2E_RC" -eq 0 ] || t_fail "exit code $E2E_RC"
for p in $pids; do [ ! -e "/proc/$p" ] || t_fail "plugin host $p outlived the daemon"; done
t_ok "a stop tears every plugin host down"

# The daemon killed while a plugin is blocked in its host: the host goes too.
e2e_say blocked block
rm -f "$T_TMP/blocked.count"
e2e_start <<EOF
isolate = process
$(e2e_check blocked timeout=5s interval=6s "count=$T_TMP/blocked.count")
EOF
pid=$(helper_of blocked)
[ -n "$pid" ] || t_fail "no plugin host"
# The call has begun (it counts itself first, then blocks): polled, not a
# fixed sleep that a slow first run could outlast.
e2e_until 5 test -s "$T_TMP/blocked.count"
kill -KILL "$E2E_PID"
wait "$E2E_PID" || true
E2E_PID=
# Dead, as a zombie too: orphaned, the host is reaped by PID 1, which in
# containers may do so late (seen here: 1.8 s after an orphan's exit).
e2e_until 5 eval "! srv_alive $pid"
t_ok "a daemon killed by SIGKILL takes its blocked plugin host with it"

# isolate = none: exit() in the daemon is logged and turned into status 70.
e2e_say x pass
e2e_start <<EOF
$(e2e_check x)
EOF
e2e_say x "exit 0"
e2e_until 5 e2e_exited
e2e_stop
[ "$E2E_RC" -eq 70 ] || t_fail "exit code $E2E_RC, expected 70"
e2e_log_has "check x: plugin called exit() inside the daemon; exiting with status 70"
t_ok "isolate = none: a plugin's exit(0) makes the daemon log it and exit 70"

# init crashing in its host: a configuration error on the plugin line.
printf '[check:c]\nplugin = fake_good\nisolate = process\npath = /crash-in-init\n' >"$T_TMP/initcrash.ini"
t_run "$HEALTHCHECKD" -t -c "$T_TMP/initcrash.ini" --plugin-dir "$HC_FIXTURE_DIR"
t_expect_rc 1
t_expect_err_exact "$T_TMP/initcrash.ini:2: plugin fake_good: plugin crashed (SIGABRT) during init"
t_ok "-t: init crashing in its plugin host is an error naming the file and line"

t_run "$HEALTHCHECKD" --plugin-host x
t_expect_rc 2
t_expect_err_exact "healthcheckd: --plugin-host is internal: the daemon starts it"
t_ok "--plugin-host run by hand refuses to serve"

# --once runs every check isolated.
e2e_say x segv
t_run "$HEALTHCHECKD" --plugin "$HC_FIXTURE_DIR/fake_good.so" --set "path=$T_TMP/x.state" --once
t_expect_rc 2
t_expect_out '^fake_good  fail +[0-9.]+ ms  plugin crashed \(SIGSEGV\)$'
t_ok "--once with a segfaulting plugin: fail, exit 2"

# A RESULT claiming an hour of latency: the daemon keeps it within what
# it measured itself.
e2e_say x forge
t_run "$HEALTHCHECKD" --plugin "$HC_FIXTURE_DIR/fake_good.so" --set "path=$T_TMP/x.state" --once
t_expect_rc 0
t_expect_out '^fake_good  pass +[0-9.]+ ms  forged$'
ms=$(awk '{ print int($3) }' <<<"$T_OUT")
[ "$ms" -lt 60000 ] || t_fail "the helper's latency of $ms ms was taken as it came"
t_ok "the latency a plugin host reports is clamped to what the daemon measured"
e2e_say x segv

# Without a pidfd (an old seccomp profile): the same verdicts, by waitpid.
nopidfd=$(dirname "$HANGPEER")/nopidfd
[ -x "$nopidfd" ] || t_fail "$nopidfd not built"
t_run "$nopidfd" "$HEALTHCHECKD" --plugin "$HC_FIXTURE_DIR/fake_good.so" --set "path=$T_TMP/x.state" --once
t_expect_rc 2
t_expect_out '^fake_good  fail +[0-9.]+ ms  plugin crashed \(SIGSEGV\)$'
e2e_say x block
start=$(t_now_ms)
t_run "$nopidfd" "$HEALTHCHECKD" --plugin "$HC_FIXTURE_DIR/fake_good.so" --set "path=$T_TMP/x.state" \
	--set timeout=500ms --once
t_expect_rc 2
t_expect_out '^fake_good  fail +500\.0 ms  timed out after 500 ms$'
[ $(( $(t_now_ms) - start )) -lt 3000 ] || t_fail "the blocked plugin held --once past 3 s"
t_ok "without a pidfd: a crash and a blocked call are reported the same way, in time"

# A daemon for what a failed restart, a deadline, a forked child and
# another reaper of the daemon's children do.
: >"$T_TMP/forker.count"
e2e_start <<EOF2
$(e2e_private)
isolate = process
$(e2e_check relogin "password=$SECRET")
$(e2e_check slow timeout=300ms)
$(e2e_check held timeout=2s interval=3s "count=$T_TMP/held.count")
$(e2e_check forker isolate=none "count=$T_TMP/forker.count")
EOF2

# Crashed, then refused by init at its restart: init's error is the
# plugin's own text, secret and newline included.
e2e_say relogin segv
e2e_until 4 e2e_has '^\[-\]relogin failed: plugin crashed \(SIGSEGV\)' '/readyz/relogin?verbose' "${AUTH[@]}"
e2e_say relogin refuse
e2e_until 8 e2e_has '^\[-\]relogin failed: (plugin host restart failed: )?login refused for password \*\*\* FAKE: forged line(; plugin host restarts in [0-9.]+ s)?$' \
	'/readyz/relogin?verbose' "${AUTH[@]}"
e2e_log_has "check relogin: login refused for password *** FAKE: forged line"
! grep -qF "$SECRET" "$E2E_LOG" || t_fail "the secret is in the daemon's log"
! grep -q '^FAKE:' "$E2E_LOG" || { T_ERR=$(cat "$E2E_LOG"); t_fail "init's error forged a log line"; }
t_ok "a restart refused by init: the error is logged scrubbed, on one line"

# Timing out is not crashing: no backoff, the next run restarts the host.
# Four deadlines in a row would have grown a backoff to 16 s.
e2e_say slow block
e2e_until 4 e2e_has '^\[-\]slow failed: timed out after 300 ms$' '/readyz/slow?verbose' "${AUTH[@]}"
kills() { grep -c 'check slow: plugin killed at its deadline (300 ms)' "$E2E_LOG" || true; }
e2e_until 15 eval '[ "$(kills)" -ge 4 ]'
e2e_say slow pass
e2e_until 5 verbose_is 200 $'[+]slow ok\nreadyz check passed\n' slow
t_ok "a check that times out is restarted at its next run, without backoff"

# isolate = none: a child a plugin forks may exit(0); the guard is the
# daemon's, not the child's.
e2e_say forker forkexit
e2e_until 4 e2e_has '^\[\+\]forker ok$' '/readyz/forker?verbose' "${AUTH[@]}"
! grep -qF 'plugin called exit()' "$E2E_LOG" || { T_ERR=$(cat "$E2E_LOG"); t_fail "a child's exit(0) was blamed on the plugin"; }
e2e_req /livez
e2e_expect 200 $'ok\n'
t_ok "isolate = none: a plugin's forked child exits 0, no false log line, the daemon serves on"

# A host killed at its deadline whose death is held (by a tracer, as
# uninterruptible sleep would): the worker does not wait for it.
holddeath=$(dirname "$HANGPEER")/holddeath
[ -x "$holddeath" ] || t_fail "$holddeath not built"
: >"$T_TMP/held.count"
e2e_say held block
e2e_until 5 test -s "$T_TMP/held.count"
sleep 0.2
pid=$(helper_of held)
"$holddeath" "$pid" >"$T_TMP/hold.out" &
hold=$!
e2e_until 3 grep -q '^held$' "$T_TMP/hold.out"
e2e_until 8 log_says 'check held: plugin killed at its deadline (2000 ms)'
e2e_say held pass
e2e_until 8 verbose_is 200 $'[+]held ok\nreadyz check passed\n' held
[ "$(sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f1)" = Z ] || t_fail "plugin host $pid is not a held zombie"
kill "$hold"
wait "$hold" || true
e2e_until 8 test ! -e "/proc/$pid"
t_ok "a killed host whose death is held does not hold its worker; it is reaped later"

# A host that hangs up without exiting, killed at the deadline: that is
# the timeout it is, not a crash.
e2e_say slow hangup
e2e_until 5 e2e_has '^\[-\]slow failed: timed out after 300 ms$' '/readyz/slow?verbose' "${AUTH[@]}"
e2e_say slow pass
e2e_until 5 verbose_is 200 $'[+]slow ok\nreadyz check passed\n' slow
! grep -qF 'check slow: plugin crashed (SIGKILL)' "$E2E_LOG" ||
	{ T_ERR=$(cat "$E2E_LOG"); t_fail "the daemon's own SIGKILL was reported as a crash"; }
t_ok "a host that hangs up and stays is killed at the deadline, reported as a timeout"

# A plugin in the daemon reaps children behind its back: the verdict is
# the host lost, never a made-up status.
n=$(wc -l <"$T_TMP/forker.count")
e2e_say forker ignchld
e2e_until 5 runs_since "$T_TMP/forker.count" "$n"
e2e_say held segv
e2e_until 8 e2e_has '^\[-\]held failed: plugin host lost' '/readyz/held?verbose' "${AUTH[@]}"
e2e_log_has "check held: plugin host lost"
t_ok "a host reaped by another part of the daemon is reported lost"
e2e_stop
