#!/bin/bash
# SPDX-License-Identifier: MIT
# disk plugin through `healthcheckd --once`: pass, warn and fail against the
# thresholds, a missing path, and init errors.
#
# Needs HEALTHCHECKD and HC_PLUGIN_DIR (holding disk.so).
# Exit 0 when every case passes, 1 otherwise, 99 when misconfigured.
set -euo pipefail

for var in HEALTHCHECKD HC_PLUGIN_DIR; do
	if [ -z "${!var:-}" ]; then
		echo "$0: $var is not set (run it through make check)" >&2
		exit 99
	fi
done
if [ ! -e "$HC_PLUGIN_DIR/disk.so" ]; then
	echo "$0: $HC_PLUGIN_DIR/disk.so does not exist" >&2
	exit 99
fi

tmp=$(mktemp -d)
failures=0
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# "79.9 GiB", "512 B"
size='[0-9]+(\.[0-9])? (B|[KMGTPE]iB)'
# What every message of a successful statvfs on / starts with.
usage="[0-9]+\.[0-9]% free \($size of $size\) on /"

# disk ARGS...: runs the disk plugin once; sets rc, leaves stdout and
# stderr in $tmp/out and $tmp/err.
disk() {
	rc=0
	"$HEALTHCHECKD" --plugin "$HC_PLUGIN_DIR/disk.so" "$@" --once \
		>"$tmp/out" 2>"$tmp/err" || rc=$?
}

# expect NAME RC STREAM REGEX: the last run exited RC and a line of STREAM
# (out or err) matches the extended REGEX.
expect() {
	if [ "$rc" -eq "$2" ] && grep -Eq -- "$4" "$tmp/$3"; then
		echo "PASS: $1"
		return 0
	fi
	echo "FAIL: $1"
	echo "  want: exit $2, std$3 matching: $4"
	echo "  got:  exit $rc"
	sed 's/^/  stdout: /' "$tmp/out"
	sed 's/^/  stderr: /' "$tmp/err"
	failures=$((failures + 1))
}

test_pass_when_above_both_thresholds() {
	disk --set path=/ --set warn_free=0% --set fail_free=0%
	expect "pass when free space is above both thresholds" 0 out \
		"^disk +pass +[0-9]+\.[0-9] ms +$usage\$"
}

test_path_defaults_to_root() {
	disk --set warn_free=0% --set fail_free=0%
	expect "path defaults to /" 0 out "^disk +pass .* on /\$"
}

test_fail_below_fail_free_percent() {
	disk --set path=/ --set warn_free=100% --set fail_free=100%
	expect "fail below fail_free as a percentage" 2 out \
		"^disk +fail +[0-9]+\.[0-9] ms +$usage, below fail_free 100%\$"
}

test_fail_below_fail_free_size() {
	# No test machine has a pebibyte free.
	disk --set path=/ --set warn_free=1024T --set fail_free=1024T
	expect "fail below fail_free as a size" 2 out \
		"^disk +fail .* ms +$usage, below fail_free 1024T\$"
}

test_warn_below_warn_free() {
	disk --set path=/ --set warn_free=100% --set fail_free=0%
	expect "warn below warn_free" 1 out \
		"^disk +warn +[0-9]+\.[0-9] ms +$usage, below warn_free 100%\$"
}

test_fail_when_path_is_missing() {
	local path="/nonexistent-healthcheckd-test-$$"

	disk --set path="$path"
	expect "fail with the statvfs error when the path is missing" 2 out \
		"^disk +fail .* ms +statvfs $path: No such file or directory\$"
}

test_init_error_for_threshold_without_unit() {
	disk --set warn_free=10
	expect "init error naming warn_free when it has no unit" 3 err \
		"warn_free: '10' is neither a percentage"
}

test_init_error_for_percent_above_100() {
	disk --set warn_free=100% --set fail_free=150%
	expect "init error naming fail_free when it is above 100%" 3 err \
		"fail_free: '150%' is more than 100%"
}

test_init_error_when_warn_free_below_fail_free() {
	disk --set warn_free=1G --set fail_free=2G
	expect "init error when warn_free is below fail_free" 3 err \
		"warn_free \(1G\) is below fail_free \(2G\)"
}

test_init_error_for_relative_path() {
	disk --set path=var/lib
	expect "init error naming path when it is relative" 3 err \
		"path: 'var/lib' is not absolute"
}

test_pass_when_above_both_thresholds
test_path_defaults_to_root
test_fail_below_fail_free_percent
test_fail_below_fail_free_size
test_warn_below_warn_free
test_fail_when_path_is_missing
test_init_error_for_threshold_without_unit
test_init_error_for_percent_above_100
test_init_error_when_warn_free_below_fail_free
test_init_error_for_relative_path

[ "$failures" -eq 0 ]
