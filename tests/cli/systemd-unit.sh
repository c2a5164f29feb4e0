#!/bin/bash
# SPDX-License-Identifier: MIT
# The installed unit passes systemd's own analyses: `systemd-analyze
# verify` without a word on stderr (it exits 0 on unknown keys and bad
# values, so any output is a failure) and `systemd-analyze security` at an
# exposure of 1.5 or less. The socket unit and the process drop-in verify
# too.
set -euo pipefail
. "$HC_SRCDIR/tests/cli/lib.sh"
t_need_cmd systemd systemd-analyze
: "${HC_BUILDDIR:?run through make check}"

unit=$HC_BUILDDIR/etc/healthcheckd.service
[ -f "$unit" ] || t_fail "no generated unit at $unit"
# The unit names the installed daemon, absent here: point it at this build's
# binary, the one thing changed.
sbin=$(sed -n 's|^ExecStart=\(/[^ ]*\)/healthcheckd .*|\1|p' "$unit")
[ -n "$sbin" ] || t_fail "no ExecStart= in $unit"
mkdir -p "$T_TMP/units"
sed "s|$sbin/healthcheckd|$HEALTHCHECKD|" "$unit" >"$T_TMP/units/healthcheckd.service"
cp "$HC_SRCDIR/etc/healthcheckd.socket" "$T_TMP/units/"

verify() {
	t_run systemd-analyze verify --man=no "$@"
	[ "$T_RC" -eq 0 ] && [ -z "$T_OUT$T_ERR" ] || t_fail "systemd-analyze verify $* is not silent"
}
verify "$T_TMP/units/healthcheckd.service"
t_ok "systemd-analyze verify: the unit is silent"
verify "$T_TMP/units/healthcheckd.socket" "$T_TMP/units/healthcheckd.service"
t_ok "systemd-analyze verify: the socket unit is silent"

# The process plugin's drop-in, merged into the unit as systemd would.
mkdir -p "$T_TMP/units/healthcheckd.service.d"
cp "$HC_SRCDIR/etc/systemd/process-plugin.conf" "$T_TMP/units/healthcheckd.service.d/"
verify "$T_TMP/units/healthcheckd.service"
t_ok "systemd-analyze verify: the unit with the process drop-in is silent"
rm -r "$T_TMP/units/healthcheckd.service.d"

t_run systemd-analyze security --offline=yes --threshold=15 --no-pager "$T_TMP/units/healthcheckd.service"
t_expect_rc 0
score=$(sed -n 's/.*Overall exposure level for healthcheckd.service: \([0-9.]*\).*/\1/p' <<<"$T_OUT")
[ -n "$score" ] || t_fail "no overall exposure in the output"
awk -v s="$score" 'BEGIN { exit !(s <= 1.5) }' || t_fail "exposure $score is above 1.5"
t_ok "systemd-analyze security --offline=yes: exposure $score (at most 1.5)"

# The configuration line the unit's comments give: the token as a systemd
# credential (a 0400 file in $CREDENTIALS_DIRECTORY, named secret_FILE).
mkdir -p "$T_TMP/creds"
echo credential-token >"$T_TMP/creds/secret_token"
chmod 400 "$T_TMP/creds/secret_token"
printf '[server]\ndetails = authorized\ntoken_file = ${CREDENTIALS_DIRECTORY}/secret_token\n' >"$T_TMP/creds.ini"
t_run env CREDENTIALS_DIRECTORY="$T_TMP/creds" "$HEALTHCHECKD" -t -c "$T_TMP/creds.ini"
t_expect_rc 0
t_expect_out '^configuration OK$'
t_run env -u CREDENTIALS_DIRECTORY "$HEALTHCHECKD" -t -c "$T_TMP/creds.ini"
t_expect_rc 1
t_expect_err 'environment variable CREDENTIALS_DIRECTORY is not set'
t_ok "token_file = \${CREDENTIALS_DIRECTORY}/secret_token reads the credential; outside the service it is named"
