#!/bin/bash
# SPDX-License-Identifier: MIT
# The installed product agrees with itself: `make install DESTDIR=...` puts
# the daemon, its configuration, plugins (no libtool .la), the unit, the .pc
# file and the manuals where --help, pkg-config and the manuals say they
# are, and `make uninstall` takes every file back out.
set -euo pipefail
. "$HC_SRCDIR/tests/cli/lib.sh"
: "${HC_BUILDDIR:?run through make check}"

dest=$T_TMP/root
# Not the jobserver of the make running the tests: this is a make of its own.
make_() { env -u MAKEFLAGS -u MFLAGS ${MAKE:-make} -s --no-print-directory -C "$HC_BUILDDIR" "$@"; }
# print-VAR: the build's value of a make variable, as installed.
var() { make_ -f Makefile -f - hc-print-var V="$1" <<<'hc-print-var: ; @echo $($(V))'; }

t_run make_ install DESTDIR="$dest"
t_expect_rc 0
sbindir=$(var sbindir) mandir=$(var mandir) libdir=$(var libdir)
bin=$dest$sbindir/healthcheckd
[ -x "$bin" ] || t_fail "no daemon at $bin"
t_ok "make install DESTDIR puts the daemon in sbindir"

# The paths the installed binary was built with.
help=$("$bin" --help)
config=$(sed -n 's/^ *-c, --config FILE *configuration (default \(.*\))$/\1/p' <<<"$help")
plugindir=$(tr '\n' ' ' <<<"$help" | sed -n 's/.*HEALTHCHECKD_PLUGIN_DIR; *default \([^)]*\)).*/\1/p')
[ -n "$config" ] && [ -n "$plugindir" ] || t_fail "--help names no config or plugin dir: $help"
[ -f "$dest$config" ] || t_fail "--help's configuration $config is not installed"
[ -d "$dest${config%/*}/conf.d" ] || t_fail "no conf.d beside $config"
[ -e "$dest$plugindir/tcp.so" ] || t_fail "--help's plugin directory $plugindir has no tcp.so"
t_ok "--help names the installed configuration ($config) and plugin directory ($plugindir)"

las=$(find "$dest" -name '*.la')
[ -z "$las" ] || t_fail "libtool files installed: $las"
t_ok "no .la files are installed"

pc=$(PKG_CONFIG_PATH="$dest$libdir/pkgconfig" PKG_CONFIG_LIBDIR= pkg-config --variable=plugindir healthcheckd-plugin)
[ "$pc" = "$plugindir" ] || t_fail "pkg-config says plugindir=$pc, --help says $plugindir"
t_ok "pkg-config --variable=plugindir healthcheckd-plugin agrees"

man8=$dest$mandir/man8/healthcheckd.8
man5=$dest$mandir/man5/healthcheckd.ini.5
for m in "$man8" "$man5" "$dest$mandir/man7/healthcheckd-plugin.7"; do
	[ -f "$m" ] || t_fail "manual $m not installed"
	! grep -q '@[a-zA-Z_]*@' "$m" || t_fail "$m has an unsubstituted @VAR@: $(grep '@[a-zA-Z_]*@' "$m")"
done
grep -Fq "$plugindir" "$man8" || t_fail "healthcheckd(8) does not name $plugindir"
grep -Fq "$config" "$man8" || t_fail "healthcheckd(8) does not name $config"
grep -Fq "$config" "$man5" || t_fail "healthcheckd.ini(5) does not name $config"
for m in "$man8" "$man5"; do
	others=$(grep -oE '/usr(/local)?/lib/[^ ]*healthcheckd/plugins' "$m" | grep -Fxv "$plugindir" || true)
	[ -z "$others" ] || t_fail "$m names another plugin directory: $others"
done
t_ok "the manuals name the same configuration and plugin directory"

unitdir=$(var systemdsystemunitdir)
if [ -n "$unitdir" ]; then
	unit=$dest$unitdir/healthcheckd.service
	[ -f "$unit" ] || t_fail "no unit at $unit"
	grep -Fqx "ExecStart=$sbindir/healthcheckd -c $config" "$unit" ||
		t_fail "the unit does not start $sbindir/healthcheckd -c $config: $(grep ^Exec "$unit")"
	t_ok "the unit is installed in $unitdir and runs the installed daemon"
else
	echo "the build installs no unit (configured --without-systemdsystemunitdir)"
fi

# The plugin template, copied out of the installed tree and built with its
# own Makefile against the installed SDK alone (the sysroot maps the .pc
# file's paths into DESTDIR), then loaded by the installed daemon.
template=$dest$(var pkgdatadir)/plugin-template
[ -f "$template/Makefile" ] || t_fail "no plugin template at $template"
cp -r "$template" "$T_TMP/template"
export PKG_CONFIG_PATH=$dest$libdir/pkgconfig PKG_CONFIG_LIBDIR= PKG_CONFIG_SYSROOT_DIR=$dest
t_run env -u MAKEFLAGS -u MFLAGS ${MAKE:-make} -C "$T_TMP/template" CFLAGS="-O2 -Werror" \
	HEALTHCHECKD="$bin" check
t_expect_rc 0
t_expect_out '^example  pass +[0-9.]+ ms  Makefile has [0-9]+ bytes$'
t_ok "the installed plugin template builds against the installed SDK and loads with --plugin"
t_run env -u MAKEFLAGS -u MFLAGS ${MAKE:-make} -C "$T_TMP/template" install
t_expect_rc 0
[ -f "$dest$plugindir/example.so" ] || t_fail "its make install did not reach $plugindir"
t_run "$bin" --plugin-dir "$dest$plugindir" --list-plugins
t_expect_out '^example '
rm "$dest$plugindir/example.so"
t_ok "its make install puts it in the plugin directory, where --list-plugins finds it"
unset PKG_CONFIG_PATH PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR

t_run make_ uninstall DESTDIR="$dest"
t_expect_rc 0
left=$(find "$dest" ! -type d)
[ -z "$left" ] || t_fail "make uninstall left files behind: $left"
t_ok "make uninstall removes every installed file"
