#!/bin/bash
# SPDX-License-Identifier: MIT
# exec plugin with Debian's monitoring-plugins: check_dummy's four exit
# codes, check_tcp against a loopback listener (perfdata -> observed value),
# check_disk, check_pgsql against the test PostgreSQL; then what exec does
# itself: the deadline kills a process group that ignores SIGTERM and
# leaves no zombie, a flood of output is capped, a missing command, shell =
# yes, env and the cleared environment, init errors.
set -euo pipefail
. "$HC_SRCDIR/tests/cli/lib.sh"
. "$HC_SRCDIR/tests/servers/lib.sh"

plugin=$HC_PLUGIN_DIR/exec.so
mp=/usr/lib/nagios/plugins
t_need_plugin exec
t_need_cmd procps pgrep ps
for p in check_dummy check_tcp check_disk check_pgsql; do
	if [ ! -x "$mp/$p" ]; then
		echo "SKIP: $mp/$p not found (install monitoring-plugins-basic and -standard)"
		exit 77
	fi
done

# ex ARGS...: the plugin once through healthcheckd --once.
ex() { t_run "$HEALTHCHECKD" --plugin "$plugin" "$@" --once; }
# A line of --once output: status and message.
line() { echo "^exec +$1 +[0-9]+\.[0-9] ms  $2\$"; }
# observed UNIT [VALUE]: the JSON document in $T_TMP/out has that
# observedUnit and a positive observedValue (equal to VALUE if given).
observed() {
	python3 - "$T_TMP/out" "$@" <<'PY' || t_fail "not observed: $*"
import json, sys
c = json.load(open(sys.argv[1]))["checks"]["exec:value"][0]
assert c["observedUnit"] == sys.argv[2] and c["observedValue"] > 0, c
assert len(sys.argv) < 4 or c["observedValue"] == float(sys.argv[3]), c
PY
}
# group_alive PGID: processes of that group, zombies left out (PID 1
# here reaps orphans late; a zombie is dead).
group_alive() { ps -e -o pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/' | wc -l; }

for code in 0 1 2 3; do
	ex --set "command=$mp/check_dummy $code 'text with  blanks'"
	t_expect_rc $(( code == 3 ? 2 : code ))
done
ex --set "command=$mp/check_dummy 0 'all good'"
t_expect_out "$(line pass "OK: all good")"
ex --set "command=$mp/check_dummy 1 'getting full'"
t_expect_out "$(line warn "WARNING: getting full")"
ex --set "command=$mp/check_dummy 2 'down'"
t_expect_out "$(line fail "CRITICAL: down")"
ex --set "command=$mp/check_dummy 3 'no idea'"
t_expect_out "$(line fail "UNKNOWN: no idea")"
ex --set "shell=yes" --set "command=echo 'cannot tell'; exit 3"
t_expect_out "$(line fail "unknown: cannot tell")"
t_ok "check_dummy 0-3: pass, warn, fail, fail (unknown), with the first line"

ex --set "shell=yes" --set "command=exit 1"
t_expect_out "$(line warn "the shell command exited with 1 \(warning\), no output")"
ex --set "shell=yes" --set "command=echo broken; exit 42"
t_expect_out "$(line fail "the shell command exited with 42: broken")"
ex --set "command=sh -c 'echo dying; kill -SEGV \$\$'"
t_expect_out "$(line fail "sh killed by SIGSEGV: dying")"
t_ok "another exit code or a signal fails, naming it"

t_hangpeer accept
ex --set "command=$mp/check_tcp -H 127.0.0.1 -p $T_PORT" --format json
t_expect_rc 0
observed s
ex --set "command=$mp/check_tcp -H 127.0.0.1 -p $T_PORT"
t_expect_out "$(line pass "TCP OK - [0-9.]+ second response time on 127\.0\.0\.1 port $T_PORT")"
port=$(srv_free_port)
ex --set "command=$mp/check_tcp -H 127.0.0.1 -p $port"
t_expect_rc 2
t_expect_out "$(line fail "connect to address 127\.0\.0\.1 and port $port: Connection refused")"
t_ok "check_tcp: pass against a listener (time in s observed), fail when refused"

ex --set "command=$mp/check_disk -w 10% -c 5% -p /" --format json
[ "$T_RC" -le 2 ] || t_fail "check_disk exit code"
observed B
ex --set "command=$mp/check_disk -w 10% -c 5% -p /"
t_expect_out "^exec +(pass|warn|fail) +[0-9]+\.[0-9] ms  DISK (OK|WARNING|CRITICAL) - free space: / "
ex --set "command=$mp/check_disk -w 0% -c 0% -p /" --set "perfdata_label=/" --format json
observed B
t_ok "check_disk -p /: its verdict, bytes used observed (also by perfdata_label)"

ex --set "shell=yes" --set "command=echo 'OK | a=1s'; echo long; echo 'more | b=2.5MB;;;0'; echo 'c=3%'" \
	--set perfdata_label=b --format json
t_expect_rc 0
observed MB 2.5
ex --set "shell=yes" --set "command=echo 'OK | a=1s'; echo 'x | c=3%'" --set perfdata_label=c --format json
observed % 3
t_ok "perfdata_label finds an item of the long output"

srv=$T_TMP/pg
trap '"$HC_SRCDIR/tests/servers/postgres.sh" stop "$srv" || true; t_cleanup' EXIT
if [ -x /usr/lib/postgresql/15/bin/pg_ctl ]; then
	"$HC_SRCDIR/tests/servers/postgres.sh" start "$srv" >/dev/null
	. "$srv/env"
	pgcmd="$mp/check_pgsql -H 127.0.0.1 -P $POSTGRES_PORT -l $POSTGRES_USER -d $POSTGRES_DB"
	ex --set "command=$pgcmd" --set "env=PGPASSWORD=$POSTGRES_PASSWORD" --format json
	t_expect_rc 0
	observed s
	ex --set "command=$pgcmd" --set "env=PGPASSWORD=$POSTGRES_PASSWORD"
	t_expect_out "$(line pass "OK - database $POSTGRES_DB \([0-9.]+ sec\.\)")"
	t_expect_no "$POSTGRES_PASSWORD"
	PGPASSWORD=$POSTGRES_PASSWORD ex --set "command=$pgcmd"
	t_expect_rc 2
	t_expect_out "$(line fail "CRITICAL - no connection to '$POSTGRES_DB' \(.*")"
	t_ok "check_pgsql: pass with PGPASSWORD from env; the daemon's own PGPASSWORD does not leak through"
	"$HC_SRCDIR/tests/servers/postgres.sh" stop "$srv"
else
	echo "SKIP (part): postgresql-15 is not installed: no check_pgsql case"
fi

# stubborn [WRAPPER...]: the deadline against a command whose children
# ignore SIGTERM and sleep on. It runs through hcrun (under WRAPPER), which
# stays alive, so that its children can be looked at.
stubborn() {
	local start took pgid left zombies kids
	mark=hc-exec-test-$$-$RANDOM
	cat >"$T_TMP/stubborn.sh" <<SH
echo \$\$ >"$T_TMP/pgid"
trap '' TERM
sh -c "trap '' TERM; sleep 300; : $mark" &
sh -c "trap '' TERM; sleep 300; : $mark" &
sleep 300
SH
	coproc HC { exec "$@" "$HCRUN" "$plugin" "command=sh $T_TMP/stubborn.sh" timeout=1s 2>&1; }
	hc_pid=$HC_PID hc_in=${HC[1]} hc_out=${HC[0]}
	start=$(t_now_ms)
	echo >&"$hc_in"
	read -r -t 20 T_OUT <&"$hc_out" || t_fail "hcrun gave no result"
	took=$(( $(t_now_ms) - start ))
	T_RC=0 T_ERR=
	t_expect_out "^fail timed out after 1000 ms: killed sh and its process group\$"
	[ "$took" -lt 4000 ] || t_fail "the check took $took ms with timeout 1s"
	pgid=$(cat "$T_TMP/pgid")
	srv_wait 5 test "$(group_alive "$pgid")" -eq 0 ||
		t_fail "group $pgid still has $(group_alive "$pgid") live processes"
	left=$(pgrep -f "$mark" || true)
	[ -z "$left" ] || t_fail "left running: $left"
	zombies=$(ps -o pid=,stat= --ppid "$hc_pid" | awk '$2 ~ /^Z/' || true)
	[ -z "$zombies" ] || t_fail "zombie children of hcrun: $zombies"
	kids=$(ps -o pid= --ppid "$hc_pid" || true)
	[ -z "$kids" ] || t_fail "hcrun still has children: $kids"
	eval "exec $hc_in>&-"
	wait "$hc_pid" || t_fail "hcrun exited with $?"
}
stubborn
t_ok "the deadline kills the whole group (SIGTERM ignored: SIGKILL), reaps the command, leaves no zombie"

# Without a pidfd (pidfd_open fails, as under an old seccomp profile) the
# exit is polled for: the same outcomes.
nopidfd=$(dirname "$HANGPEER")/nopidfd
[ -x "$nopidfd" ] || t_fail "$nopidfd not built"
stubborn "$nopidfd"
t_run "$nopidfd" "$HEALTHCHECKD" --plugin "$plugin" --set "command=$mp/check_dummy 1 'no pidfd'" --once
t_expect_rc 1
t_expect_out "$(line warn "WARNING: no pidfd")"
t_run "$nopidfd" "$HEALTHCHECKD" --plugin "$plugin" --set shell=yes \
	--set "command=exec >&-; sleep 0.3; exit 2" --once
t_expect_out "$(line fail "the shell command exited with 2 \(critical\), no output")"
t_ok "without a pidfd: the deadline case, a verdict, a command that closes its output before it exits"

# (In a file: hcrun's own command line must not hold the mark.)
mark=hc-exec-test-$$-$RANDOM
echo "echo 'OK left a child'; sh -c 'sleep 300; : $mark' &" >"$T_TMP/leave.sh"
coproc HC { exec "$HCRUN" "$plugin" "command=sh $T_TMP/leave.sh" 2>&1; }
hc_pid=$HC_PID hc_in=${HC[1]} hc_out=${HC[0]}
echo >&"$hc_in"
read -r -t 20 T_OUT <&"$hc_out" || t_fail "hcrun gave no result"
t_expect_out "^pass OK left a child\$"
srv_wait 5 test -z "$(pgrep -f "$mark" || true)" || t_fail "the background child lives on"
eval "exec $hc_in>&-"
wait "$hc_pid" || t_fail "hcrun exited with $?"
t_ok "a background child left behind by a finished command is killed"

start=$(t_now_ms)
ex --set shell=yes --set "command=echo 'OK big|size=1MB'; head -c 1048576 /dev/zero | tr '\\0' x" \
	--set timeout=5s
took=$(( $(t_now_ms) - start ))
t_expect_rc 0
t_expect_out "$(line pass "OK big")"
[ "$took" -lt 5000 ] || t_fail "1 MiB of output took $took ms"
ex --set shell=yes --set "command=head -c 300 /dev/zero | tr '\\0' y; echo ' | z=1'" \
	--set max_output=100 --format json
t_expect_rc 0
python3 - "$T_TMP/out" <<'PY' || t_fail "a perfdata item past max_output was read"
import json, sys
c = json.load(open(sys.argv[1]))["checks"]
assert "exec:value" not in c, c
PY
t_ok "1 MiB of output is capped and drained; nothing past max_output is parsed"

ex --set "command=/nonexistent/check_thing -H x"
t_expect_rc 2
t_expect_out "$(line fail "cannot run /nonexistent/check_thing: No such file or directory")"
ex --set "command=no-such-check-$$"
t_expect_out "$(line fail "cannot run no-such-check-$$: No such file or directory \(searched PATH\)")"
printf '#!/bin/sh\necho OK\n' >"$T_TMP/noexec"
chmod 644 "$T_TMP/noexec"
ex --set "command=$T_TMP/noexec"
t_expect_out "$(line fail "cannot run $T_TMP/noexec: Permission denied")"
mkdir "$T_TMP/gone"
coproc HC { exec "$HCRUN" "$plugin" command=pwd "dir=$T_TMP/gone" 2>&1; }
hc_pid=$HC_PID hc_in=${HC[1]} hc_out=${HC[0]}
echo >&"$hc_in"
read -r -t 20 T_OUT <&"$hc_out" || t_fail "hcrun gave no result"
t_expect_out "^pass $T_TMP/gone\$"
rmdir "$T_TMP/gone"
echo >&"$hc_in"
read -r -t 20 T_OUT <&"$hc_out" || t_fail "hcrun gave no result"
t_expect_out "^fail cannot run pwd in dir $T_TMP/gone: No such file or directory\$"
eval "exec $hc_in>&-"
wait "$hc_pid" || t_fail "hcrun exited with $?"
t_ok "a missing command fails with the errno text"

ex --set shell=yes --set 'command=echo "OK $((6 * 7)) via sh" | cat'
t_expect_out "$(line pass "OK 42 via sh")"
ex --set 'command=echo "OK $((6 * 7))"'
t_expect_out "$(line pass 'OK \$\(\(6 \* 7\)\)')"
t_ok "shell = yes runs /bin/sh -c; without it, quoted text is passed verbatim"

export HC_EXEC_TEST_SECRET=leak-$$
ex --set "command=printenv HC_EXEC_TEST_SECRET"
t_expect_out "$(line warn "printenv exited with 1 \(warning\), no output")"
ex --set "command=sh -c 'echo OK \$(env | cut -d= -f1 | LC_ALL=C sort)'" \
	--set "env=A=1 B='two words' _C=\"x y\""
want="OK A B PATH PWD _C"
[ -n "${LANG:-}" ] && want="OK A B LANG PATH PWD _C"
t_expect_out "$(line pass "$want")"
ex --set "command=sh -c 'echo \"OK \$B|\$_C\"'" --set "env=B='two words' _C=\"x y\""
t_expect_out "$(line pass "OK two words")"
ex --set "command=printenv PATH" --set "env=PATH=/opt/x:/usr/bin"
t_expect_out "$(line pass "/opt/x:/usr/bin")"
ex --set "command=pwd"
t_expect_out "$(line pass "/")"
ex --set "command=pwd" --set "dir=$T_TMP"
t_expect_out "$(line pass "$T_TMP")"
t_ok "the environment is PATH, LANG and env only; the working directory is dir (default /)"

cat >"$T_TMP/two.ini" <<INI
[check:ok]
plugin = exec
command = $mp/check_dummy 0 first
[check:bad]
plugin = exec
command = $mp/check_dummy 2 second
env = X=1 Y="a b"
[check:here]
plugin = exec
command = pwd
dir = .
INI
t_run "$HEALTHCHECKD" --once -c "$T_TMP/two.ini" --plugin-dir "$HC_PLUGIN_DIR"
t_expect_rc 2
t_expect_out "^ok +pass +[0-9]+\.[0-9] ms  OK: first\$"
t_expect_out "^bad +fail +[0-9]+\.[0-9] ms  CRITICAL: second\$"
t_expect_out "^here +pass +[0-9]+\.[0-9] ms  $T_TMP\$"
t_run "$HEALTHCHECKD" -t -c "$T_TMP/two.ini" --plugin-dir "$HC_PLUGIN_DIR"
t_expect_rc 0
t_ok "sections in a config file are instances of their own; a relative dir is the config file's; -t passes"

ex --set "command=check 'unbalanced"
t_expect_rc 3
t_expect_err "command: unbalanced single quote"
ex --set "command=check \"unbalanced"
t_expect_err "command: unbalanced double quote"
ex --set "command=check | grep x"
t_expect_err "command: a shell operator or expansion \(\| & ; < > \( \) \\$ \`\) outside quotes: quote it, or set shell = yes"
ex --set "command=  "
t_expect_err "command: empty"
ex --set "shell=yes" --set "command= "
t_expect_err "command: empty"
ex --set "shell=maybe" --set "command=true"
t_expect_err "shell: 'maybe' is neither yes nor no"
ex --set "command=true" --set "env=A=1 not-a-pair=2"
t_expect_err "env: word 2 is not NAME=value"
ex --set "command=true" --set "env=TOKEN=s3cr3t-value TOKEN=other"
t_expect_err "env: TOKEN is set twice"
t_expect_no s3cr3t-value
ex --set "command=true" --set "env=A='x"
t_expect_err "env: unbalanced single quote"
ex --set "command=true" --set 'env=A=$HOME'
t_expect_err "env: a shell operator or expansion .* outside quotes: quote it\$"
ex --set "command=true" --set "dir=/nonexistent-dir"
t_expect_err "dir: cannot use '/nonexistent-dir': No such file or directory"
ex --set "command=true" --set "dir=/etc/hostname"
t_expect_err "dir: '/etc/hostname' is not a directory"
ex --set "command=true" --set "max_output=10"
t_expect_err "max_output: '10' is not a whole number from 64 to 1048576"
ex --set "command=true" --set "perfdata_label="
t_expect_err "perfdata_label: must have 1 to 127 characters"
ex --set "max_output=100"
t_expect_err "command: required"
t_ok "init errors exit 3 and name the key"
