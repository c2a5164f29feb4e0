#!/bin/bash
# SPDX-License-Identifier: MIT
# The command line itself: help, version, usage errors, --list-plugins.
set -euo pipefail
. "$HC_SRCDIR/tests/cli/lib.sh"

t_run "$HEALTHCHECKD" --help
t_expect_rc 0
t_expect_out '--once'
t_expect_out '--plugin PATH'
t_ok "--help prints the usage and exits 0"

t_run "$HEALTHCHECKD" --version
t_expect_rc 0
t_expect_out '^healthcheckd [0-9]+\.[0-9]+\.[0-9]+$'
t_expect_out '^plugin ABI 1\.0$'
t_expect_out '^plugins: .*\btcp\b'
t_expect_out '^plugins: .*\bdisk\b'
t_ok "--version names the version, the ABI and the plugins"

t_run "$HEALTHCHECKD" --bogus
t_expect_rc 3
t_expect_err "unrecognized option '--bogus'"
t_ok "an unknown option is a usage error (3)"

t_run "$HEALTHCHECKD" --once --format xml
t_expect_rc 3
t_expect_err_exact "healthcheckd: --format: 'xml' is not text or json"
t_ok "a bad --format is a usage error"

t_run "$HEALTHCHECKD" --once --set a=b
t_expect_rc 3
t_expect_err_exact "healthcheckd: --set needs --plugin"
t_ok "--set without --plugin is a usage error"

t_run "$HEALTHCHECKD" --plugin "$HC_PLUGIN_DIR/tcp.so" --set noequals --once
t_expect_rc 3
t_expect_err_exact "healthcheckd: --set: 'noequals' is not KEY=VALUE"
t_ok "--set without = is a usage error"

t_run "$HEALTHCHECKD" --plugin "$HC_PLUGIN_DIR/tcp.so" -c /dev/null --once
t_expect_rc 3
t_expect_err "drop -c"
t_ok "--plugin with -c is a usage error"

t_run "$HEALTHCHECKD" -c "$T_TMP/absent.ini"
t_expect_rc 1
t_expect_err_exact "healthcheckd: error: configuration: cannot read $T_TMP/absent.ini: No such file or directory
healthcheckd: error: cannot start"
t_ok "serving on a config that cannot be read exits 1 and says why"

t_run "$HEALTHCHECKD" --list-plugins --plugin-dir "$HC_PLUGIN_DIR"
t_expect_rc 0
t_expect_out '^tcp [^ ]+ \(ABI 1\.0\): '
t_expect_out '^    host +'
t_expect_out '^    port +'
t_expect_out '^disk [^ ]+ \(ABI 1\.0\): '
t_expect_out '^    path +'
t_ok "--list-plugins lists every plugin with its keys"
[ "$(head -n1 <<<"$T_OUT" | cut -d' ' -f1)" = heartbeat ] ||
	t_fail "--list-plugins does not list the built-in heartbeat first"
t_expect_out '^    ttl +'
t_ok "--list-plugins lists the built-in heartbeat first, as healthcheckd(8) says"

HEALTHCHECKD_PLUGIN_DIR=$HC_PLUGIN_DIR t_run "$HEALTHCHECKD" --list-plugins
t_expect_rc 0
t_expect_out '^tcp '
t_ok "HEALTHCHECKD_PLUGIN_DIR sets the plugin directory"

printf '[server]\nplugin_dir = %s\n' "$HC_PLUGIN_DIR" >"$T_TMP/dir.ini"
t_run "$HEALTHCHECKD" --list-plugins -c "$T_TMP/dir.ini"
t_expect_rc 0
t_expect_out '^disk '
t_ok "--list-plugins -c takes plugin_dir from the config"

t_run "$HEALTHCHECKD" --list-plugins --plugin-dir "$HC_FIXTURE_DIR"
t_expect_rc 1
t_expect_out '^fake_good 1\.0\.0 \(ABI 1\.0\): test plugin driven by a file$'
t_expect_out '^    password_file +file holding password \(secret\)$'
t_expect_err "fake_major\.so: built for ABI 2\.0, this healthcheckd provides 1\.0"
t_expect_err "fake_nosym\.so: not a healthcheckd plugin"
t_ok "--list-plugins names each refused file and still lists the good ones"

t_run "$HEALTHCHECKD" --plugin "$HC_FIXTURE_DIR/fake_minor.so" --once
t_expect_rc 3
t_expect_err_exact "$HC_FIXTURE_DIR/fake_minor.so: built for ABI 1.5, this healthcheckd provides 1.0: upgrade healthcheckd or rebuild the plugin against ABI 1.0"
t_ok "--plugin refuses a plugin for a newer ABI, naming both versions"

t_run "$HEALTHCHECKD" --plugin "$HC_FIXTURE_DIR/fake_newer.so" --once
t_expect_rc 0
t_expect_out '^fake_newer  pass .*older core: newer member absent$'
t_ok "a plugin built with a newer header that targets this minor loads and sees HC_HAS_MEMBER false"

t_run "$HEALTHCHECKD" -t --bogus
t_expect_rc 1
t_run "$HEALTHCHECKD" --once --exit-codes docker --format xml
t_expect_rc 1
t_ok "usage errors exit 1 under -t and --exit-codes docker"

t_run bash -c "cd '$HC_FIXTURE_DIR' && '$HEALTHCHECKD' --plugin fake_reject.so --once"
t_expect_rc 0
t_expect_out '^fake_reject  pass '
t_ok "--plugin takes a bare file name in the current directory"
