#!/bin/bash
# SPDX-License-Identifier: MIT
# process plugin against tests/tools/fdhog, a process with a lowered
# RLIMIT_NOFILE whose descriptors and threads the test sets: pass, warn and
# fail on fds, threads against max_threads, found by pidfile and by name,
# gone after a kill; cgroup = self; another user's process; init errors.
set -euo pipefail
. "$HC_SRCDIR/tests/cli/lib.sh"
. "$HC_SRCDIR/tests/servers/lib.sh"

plugin=$HC_PLUGIN_DIR/process.so
fdhog=$(dirname "$HANGPEER")/fdhog
t_need_plugin process
[ -x "$fdhog" ] || { echo "FAIL: $fdhog not built" >&2; exit 1; }

# pr ARGS...: the plugin once through healthcheckd --once.
pr() { t_run "$HEALTHCHECKD" --plugin "$plugin" "$@" --once; }
line() { echo "^process +$1 +[0-9]+\.[0-9] ms  $2\$"; }

name=hcfd$$
pidfile=$T_TMP/hog.pid
coproc HOG { exec "$fdhog" "$pidfile" 100 "$name"; }
hog_pid=$HOG_PID hog_in=${HOG[1]} hog_out=${HOG[0]}
trap 'kill "$hog_pid" 2>/dev/null || true; t_cleanup' EXIT
# hog CMD N: fdhog sets its fds or threads to N.
hog() {
	local reply
	echo "$1 $2" >&"$hog_in"
	read -r -t 10 reply <&"$hog_out" || t_fail "fdhog did not answer $1 $2"
	[ "$reply" = "ok $2" ] || t_fail "fdhog: $1 $2 -> $reply"
}
srv_wait 5 test -s "$pidfile" || t_fail "fdhog wrote no pidfile"
[ "$(cat "$pidfile")" = "$hog_pid" ] || t_fail "pidfile holds $(cat "$pidfile"), not $hog_pid"
who="$name pid $hog_pid"
kmax=$(cat /proc/sys/kernel/threads-max)

hog fds 50
pr --set "pidfile=$pidfile"
t_expect_rc 0
t_expect_out "$(line pass "$who: fds 50 of 100 \(50%\); threads 1 of threads-max $kmax \(0%\).*")"
pr --set "pidfile=$pidfile" --format json
python3 - "$T_TMP/out" <<'PY' || t_fail "no utilization ratio in the JSON"
import json, sys
c = json.load(open(sys.argv[1]))["checks"]["process:utilization"][0]
assert c["observedUnit"] == "ratio" and c["observedValue"] == 0.5, c
PY
t_ok "fds 50 of a soft limit of 100: pass, ratio 0.5 observed"

hog fds 85
pr --set "pidfile=$pidfile"
t_expect_rc 1
t_expect_out "$(line warn "$who: fds 85 of 100 \(85%\), at or above warn_ratio 0\.80; threads 1 of threads-max $kmax \(0%\).*")"
hog fds 97
pr --set "pidfile=$pidfile"
t_expect_rc 2
t_expect_out "$(line fail "$who: fds 97 of 100 \(97%\), at or above fail_ratio 0\.95; .*")"
hog fds 60
pr --set "pidfile=$pidfile" --set warn_ratio=0.5 --set fail_ratio=0.7
t_expect_rc 1
t_expect_out "$(line warn "$who: fds 60 of 100 \(60%\), at or above warn_ratio 0\.50; .*")"
t_ok "fds: warn at 85%, fail at 97%; warn_ratio and fail_ratio move the bounds"

hog fds 10
hog threads 5
pr --set "pidfile=$pidfile" --set max_threads=10
t_expect_rc 0
t_expect_out "$(line pass "$who: threads 5 of max_threads 10 \(50%\); fds 10 of 100 \(10%\).*")"
hog threads 9
pr --set "pidfile=$pidfile" --set max_threads=10
t_expect_rc 1
t_expect_out "$(line warn "$who: threads 9 of max_threads 10 \(90%\), at or above warn_ratio 0\.80; fds 10 of 100 \(10%\).*")"
pr --set "pidfile=$pidfile"
t_expect_rc 0
t_expect_out "$(line pass "$who: fds 10 of 100 \(10%\); threads 9 of threads-max $kmax \(0%\).*")"
t_ok "threads against max_threads, else the kernel's threads-max"

pr --set "name=$name"
t_expect_rc 0
t_expect_out "$(line pass "$who: fds 10 of 100 \(10%\); .*")"
t_ok "name finds the process by its comm"

pr --set cgroup=self
t_expect_rc 0
t_expect_out "$(line pass "cgroup /[^ ]*, [0-9]+ processes: .*")"
t_ok "cgroup = self measures the processes of healthcheckd's cgroup"

if [ "$(id -u)" -ne 0 ]; then
	echo 1 >"$T_TMP/init.pid"
	pr --set "pidfile=$T_TMP/init.pid"
	t_expect_rc 2
	t_expect_out "$(line fail "cannot read /proc/1/fd: Permission denied: it is another user's process; run healthcheckd as its user or with CAP_SYS_PTRACE")"
	t_ok "another user's process: fail saying why"
elif runuser -u nobody -- test -x "$HEALTHCHECKD" -a -r "$plugin" 2>/dev/null; then
	shared=$(mktemp -d /tmp/hc-process.XXXXXX)
	chmod 755 "$shared"
	echo "$hog_pid" >"$shared/hog.pid"
	t_run runuser -u nobody -- "$HEALTHCHECKD" --plugin "$plugin" --set "pidfile=$shared/hog.pid" --once
	rm -rf "$shared"
	t_expect_rc 2
	t_expect_out "$(line fail "cannot read /proc/$hog_pid/fd: Permission denied: it is another user's process; run healthcheckd as its user or with CAP_SYS_PTRACE")"
	t_ok "another user's process (root's, read as nobody): fail saying why"
else
	echo "SKIP (part): the build tree is not reachable as nobody: no permission case"
fi

echo garbage >"$T_TMP/bad.pid"
pr --set "pidfile=$T_TMP/bad.pid"
t_expect_out "$(line fail "pidfile $T_TMP/bad.pid does not hold a pid")"
pr --set "pidfile=$T_TMP/none.pid"
t_expect_out "$(line fail "pidfile $T_TMP/none.pid: No such file or directory")"
kill "$hog_pid"
wait "$hog_pid" 2>/dev/null || true
pr --set "pidfile=$pidfile"
t_expect_rc 2
t_expect_out "$(line fail "pid $hog_pid from pidfile $pidfile is gone")"
pr --set "name=$name"
t_expect_rc 2
t_expect_out "$(line fail "no process named '$name'")"
t_ok "a vanished process fails naming the pidfile or the name"

pr
t_expect_rc 3
t_expect_err "pidfile: required, or name, or cgroup: which process to watch"
pr --set "pidfile=$pidfile" --set name=x
t_expect_err "pidfile: cannot be combined with name \(give one of pidfile, name and cgroup\)"
pr --set name=x --set cgroup=self
t_expect_err "name: cannot be combined with cgroup"
pr --set cgroup=parent
t_expect_err "cgroup: 'parent' is not one of self"
pr --set name=a-name-of-16-chr
t_expect_err "name: 'a-name-of-16-chr' is not 1 to 15 characters, as a process name \(comm\) is"
pr --set name=x --set max_threads=0
t_expect_err "max_threads: '0' is not a whole number from 1 to 4194304"
pr --set name=x --set fail_ratio=1.5
t_expect_err "fail_ratio: '1\.5' is not a number from 0 to 1"
pr --set name=x --set warn_ratio=0.9 --set fail_ratio=0.5
t_expect_err "warn_ratio: 0\.9 is above fail_ratio 0\.5"
t_ok "init errors exit 3 and name the key"
