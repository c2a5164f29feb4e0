#!/bin/bash
# SPDX-License-Identifier: MIT
# The Debian packages, as a user meets them: build them from a copy of the
# tree (the suite already ran: nocheck), lint them (no error, no warning:
# a tag kept is overridden in debian/*.lintian-overrides with its reason),
# install them with apt, run the installed daemon on the shipped
# configuration, list every packaged plugin, build the installed plugin
# template against the installed -dev package and load it, then purge them
# all and check that nothing they installed is left.
# Run as root by tests/run; prints one "PASS: ..." or "FAIL: ..." line last.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
work=${HC_DEB_WORK:-$top/_build/deb}
log=$work/debian.log
tmp=$(mktemp -d)
installed=()

fail() {
	echo "FAIL: Debian packages: $*"
	exit 1
}
cleanup() {
	local rc=$?
	if [ "${#installed[@]}" -gt 0 ]; then
		apt-get purge -y -q -o DPkg::Lock::Timeout=900 "${installed[@]}" >>"$log" 2>&1 || true
	fi
	rm -rf "$tmp"
	exit $rc
}
trap cleanup EXIT
step() { echo "=== $*" >>"$log"; }
# run CMD...: run, output to the log; on failure show its end and fail.
run() {
	if ! "$@" >>"$log" 2>&1; then
		tail -n 40 "$log" >&2
		fail "$* failed (full log: $log)"
	fi
}

[ "$(id -u)" -eq 0 ] || { echo "SKIP: Debian packages: installing them needs root"; exit 77; }
rm -rf "$work"
mkdir -p "$work/src"
: >"$log"

# The working tree's own files, none of its build products (an in-tree
# build, _build/): what a clean clone holds, with uncommitted edits.
step "copy the tree"
if [ "$(git -C "$top" rev-parse --show-toplevel 2>/dev/null)" = "$top" ]; then
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -C "$work/src" -xf -
else
	tar -C "$top" --exclude=./_build --exclude=./.git -cf - . | tar -C "$work/src" -xf -
	(cd "$work/src" && { [ ! -f Makefile ] || make distclean >/dev/null 2>&1; } || true)
fi

step "dpkg-buildpackage"
(cd "$work/src" && DEB_BUILD_OPTIONS="nocheck noddebs parallel=$(nproc)" \
	run dpkg-buildpackage -us -uc -b)
changes=$(ls "$work"/healthcheckd_*.changes)
mapfile -t debs < <(ls "$work"/*.deb)
mapfile -t names < <(for d in "${debs[@]}"; do dpkg-deb -f "$d" Package; done)
expected=$(sed -n 's/^Package: //p' "$work/src/debian/control" | sort)
[ "$(printf '%s\n' "${names[@]}" | sort)" = "$expected" ] ||
	fail "built ${names[*]}, debian/control lists $(echo $expected)"

# The ABI names healthcheckd provides: one per minor it loads.
h=$top/include/healthcheckd/plugin.h
major=$(sed -n 's/^#define HC_ABI_MAJOR \([0-9]*\).*/\1/p' "$h")
minor=$(sed -n 's/^#define HC_ABI_MINOR \([0-9]*\).*/\1/p' "$h")
provides=$(dpkg-deb -f "$work"/healthcheckd_*.deb Provides)
for m in $(seq 0 "$minor"); do
	grep -Eq "(^|, )healthcheckd-abi-$major-$m(,|\$)" <<<"$provides" ||
		fail "healthcheckd provides '$provides', not healthcheckd-abi-$major-$m"
done

step "lintian"
if ! lintian --fail-on error,warning --display-level '>=warning' "$changes" >"$tmp/lintian" 2>&1 ||
	grep -Eq '^[EW]: ' "$tmp/lintian"; then
	cat "$tmp/lintian" >&2
	fail "lintian reports errors or warnings"
fi
cat "$tmp/lintian" >>"$log"

step "apt-get install"
export DEBIAN_FRONTEND=noninteractive
installed=("${names[@]}")
run apt-get install -y -q -o DPkg::Lock::Timeout=900 "${debs[@]}"

step "the installed daemon"
run healthcheckd -t
run healthcheckd -t -c /etc/healthcheckd/healthcheckd.ini
plugindir=$(pkg-config --variable=plugindir healthcheckd-plugin)
[ -d "$plugindir" ] || fail "pkg-config's plugin directory $plugindir does not exist"
healthcheckd --list-plugins >"$tmp/plugins" 2>>"$log" || fail "--list-plugins failed"
cat "$tmp/plugins" >>"$log"
for so in $(dpkg -L "${names[@]}" | grep -E '/healthcheckd/plugins/[^/]+\.so$'); do
	p=$(basename "$so" .so)
	grep -Eq "^$p( |$)" "$tmp/plugins" || fail "--list-plugins does not show the packaged plugin $p"
done
for pkg in "${names[@]}"; do
	case "$pkg" in healthcheckd-plugin-*)
		p=${pkg#healthcheckd-plugin-}
		grep -Eq "^$p( |$)" "$tmp/plugins" || fail "--list-plugins does not show $p from $pkg"
	esac
done
unit=/lib/systemd/system/healthcheckd.service
[ -f "$unit" ] || fail "no installed unit"
# The installed unit, as installed: verify silent, exposure at most 1.5.
systemd-analyze verify --man=no "$unit" >"$tmp/verify" 2>&1 && [ ! -s "$tmp/verify" ] ||
	fail "systemd-analyze verify $unit: $(cat "$tmp/verify")"
systemd-analyze security --offline=yes --threshold=15 --no-pager "$unit" >"$tmp/security" 2>&1 ||
	fail "systemd-analyze security $unit: $(tail -n 3 "$tmp/security")"
score=$(sed -n 's/.*Overall exposure level for healthcheckd.service: \([0-9.]*\).*/\1/p' "$tmp/security")
awk -v s="${score:-99}" 'BEGIN { exit !(s <= 1.5) }' || fail "the installed unit's exposure is ${score:-unknown}"
[ "$(stat -c %a /etc/healthcheckd/secrets)" = 700 ] || fail "/etc/healthcheckd/secrets is not 0700"

step "the plugin template against the installed SDK"
cp -r /usr/share/healthcheckd/plugin-template "$tmp/template"
run make -C "$tmp/template"
run make -C "$tmp/template" check
run install -m 644 "$tmp/template/example.so" "$tmp/example.so"
healthcheckd --plugin "$tmp/example.so" --set "path=/etc/healthcheckd/healthcheckd.ini" --once \
	>"$tmp/once" 2>&1 || { cat "$tmp/once" >&2; fail "the template plugin does not run"; }
grep -q '^example  pass' "$tmp/once" || fail "the template plugin did not pass: $(cat "$tmp/once")"

step "purge"
dpkg -L "${names[@]}" | sort -u >"$tmp/files"
run apt-get purge -y -q -o DPkg::Lock::Timeout=900 "${names[@]}"
installed=()
left=$(while read -r f; do
	[ -e "$f" ] && [ ! -d "$f" ] && echo "$f"
done <"$tmp/files" || true)
[ -z "$left" ] || fail "files left after purge: $left"
[ ! -e /etc/healthcheckd ] || fail "/etc/healthcheckd is left after purge: $(find /etc/healthcheckd)"
[ ! -e "$plugindir" ] || fail "$plugindir is left after purge"

echo "PASS: Debian packages: built ${#names[@]}, lintian clean, installed, exercised, purged"
