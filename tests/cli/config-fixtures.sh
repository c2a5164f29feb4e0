#!/bin/bash
# SPDX-License-Identifier: MIT
# Golden files: `healthcheckd -t` on each tests/fixtures/NAME.ini prints
# exactly NAME.expected (stderr and exit 1, or "configuration OK" and exit 0).
set -euo pipefail
. "$HC_SRCDIR/tests/cli/lib.sh"

export HC_TEST_RELEASE=abc123
unset HC_TEST_UNSET_VARIABLE
cd "$HC_SRCDIR/tests/fixtures"
n=0
for ini in *.ini; do
	name=${ini%.ini}
	expected=$(sed "s|@FIXTURE_DIR@|$HC_FIXTURE_DIR|g" "$name.expected")
	t_run "$HEALTHCHECKD" -t -c "$ini" --plugin-dir "$HC_FIXTURE_DIR"
	if [ "$expected" = "configuration OK" ]; then
		t_expect_rc 0
		t_expect_out_exact "$expected"
		t_expect_err_exact ""
	else
		t_expect_rc 1
		t_expect_err_exact "$expected"
		t_expect_out_exact ""
	fi
	t_ok "$ini"
	n=$((n + 1))
done
[ "$n" -ge 20 ] || { echo "FAIL: only $n fixtures found" >&2; exit 1; }

# Cases whose files cannot live in git: built here.
mkdir "$T_TMP/conf.d" "$T_TMP/conf.d/dir.ini"
ln -s "$T_TMP/nowhere" "$T_TMP/conf.d/dangling.ini"
printf '[server]\ninclude = conf.d/*.ini\n' >"$T_TMP/main.ini"
t_run "$HEALTHCHECKD" -t -c "$T_TMP/main.ini" --plugin-dir "$HC_FIXTURE_DIR"
t_expect_rc 1
t_expect_err_exact "$T_TMP/main.ini:2: cannot read $T_TMP/conf.d/dangling.ini: No such file or directory
$T_TMP/main.ini:2: cannot read $T_TMP/conf.d/dir.ini: not a regular file"
t_ok "an include matching an unreadable file is an error"

printf '[server]\ninclude = loop.ini\n' >"$T_TMP/loop.ini"
t_run "$HEALTHCHECKD" -t -c "$T_TMP/loop.ini" --plugin-dir "$HC_FIXTURE_DIR"
t_expect_rc 1
t_expect_err_exact "$T_TMP/loop.ini:2: include loop: $T_TMP/loop.ini is already being read"
t_ok "an include loop is refused"

printf '[check:db]\nplugin = fake_good\npath = /x\0junk\n' >"$T_TMP/nul.ini"
t_run "$HEALTHCHECKD" -t -c "$T_TMP/nul.ini" --plugin-dir "$HC_FIXTURE_DIR"
t_expect_rc 1
t_expect_err_exact "$T_TMP/nul.ini:3: line holds a NUL byte"
t_ok "a NUL byte is an error, not the end of the line"

printf '[server]\ninclude = a.ini\n\rinclude = b.ini\n' >"$T_TMP/cr.ini"
t_run "$HEALTHCHECKD" -t -c "$T_TMP/cr.ini" --plugin-dir "$HC_FIXTURE_DIR"
t_expect_rc 1
t_expect_err "cr.ini:3: indented line would continue the previous value"
t_ok "a carriage return counts as indentation, as inih sees it"

mkfifo "$T_TMP/fifo.ini"
printf '[server]\ninclude = fifo.ini\n' >"$T_TMP/f.ini"
t_run timeout 10 "$HEALTHCHECKD" -t -c "$T_TMP/f.ini" --plugin-dir "$HC_FIXTURE_DIR"
t_expect_rc 1
t_expect_err_exact "$T_TMP/f.ini:2: cannot read $T_TMP/fifo.ini: not a regular file"
t_ok "an included FIFO is refused, not waited on"

printf 'tok\n' >"$T_TMP/token"
chmod 644 "$T_TMP/token"
printf '[server]\ntoken_file = token\n' >"$T_TMP/tok.ini"
t_run "$HEALTHCHECKD" -t -c "$T_TMP/tok.ini" --plugin-dir "$HC_FIXTURE_DIR"
t_expect_rc 1
t_expect_err_exact "$T_TMP/tok.ini:2: token_file: $T_TMP/token is readable by everyone (chmod o-r $T_TMP/token)"
chmod 600 "$T_TMP/token"
t_run "$HEALTHCHECKD" -t -c "$T_TMP/tok.ini" --plugin-dir "$HC_FIXTURE_DIR"
t_expect_rc 0
t_ok "-t refuses a world-readable token_file, relative to the config file"

t_run "$HEALTHCHECKD" -t -c "$T_TMP/absent.ini" --plugin-dir "$HC_FIXTURE_DIR"
t_expect_rc 1
t_expect_err_exact "cannot read $T_TMP/absent.ini: No such file or directory"
t_ok "a missing config file is named"

# The secret file's content is never echoed, even when init refuses.
printf 'hunter2-secret\n' >"$T_TMP/pw"
printf '[check:db]\nplugin = fake_good\npassword_file = %s\n' "$T_TMP/pw" >"$T_TMP/s.ini"
t_run "$HEALTHCHECKD" -t -c "$T_TMP/s.ini" --plugin-dir "$HC_FIXTURE_DIR"
t_expect_rc 1
t_expect_err_exact "$T_TMP/s.ini:2: plugin fake_good: path is required"
t_expect_no hunter2-secret
t_ok "init errors point at the plugin line when they name no key"
