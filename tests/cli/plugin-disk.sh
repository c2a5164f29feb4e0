#!/bin/bash
# SPDX-License-Identifier: MIT
# disk plugin through `healthcheckd --once`: pass, warn and fail against the
# thresholds, a missing path, and init errors.
set -euo pipefail
. "$HC_SRCDIR/tests/cli/lib.sh"

so=$HC_PLUGIN_DIR/disk.so
if [ ! -e "$so" ]; then
	echo "$0: $so does not exist (the disk plugin is always built)" >&2
	exit 99
fi

# "79.9 GiB", "512 B"
size='[0-9]+(\.[0-9])? (B|[KMGTPE]iB)'
# What every message of a successful statvfs on / starts with.
usage="[0-9]+\.[0-9]% free \($size of $size\) on /"

disk() { t_run "$HEALTHCHECKD" --plugin "$so" "$@" --once; }

disk --set path=/ --set warn_free=0% --set fail_free=0%
t_expect_rc 0
t_expect_out "^disk +pass +[0-9]+\.[0-9] ms +$usage\$"
t_ok "pass when free space is above both thresholds"

disk --set warn_free=0% --set fail_free=0%
t_expect_rc 0
t_expect_out "^disk +pass .* on /\$"
t_ok "path defaults to /"

disk --set path=/ --set warn_free=100% --set fail_free=100%
t_expect_rc 2
t_expect_out "^disk +fail +[0-9]+\.[0-9] ms +$usage, below fail_free 100%\$"
t_ok "fail below fail_free as a percentage"

# No test machine has a pebibyte free.
disk --set path=/ --set warn_free=1024T --set fail_free=1024T
t_expect_rc 2
t_expect_out "^disk +fail .* ms +$usage, below fail_free 1024T\$"
t_ok "fail below fail_free as a size"

disk --set path=/ --set warn_free=100% --set fail_free=0%
t_expect_rc 1
t_expect_out "^disk +warn +[0-9]+\.[0-9] ms +$usage, below warn_free 100%\$"
t_ok "warn below warn_free"

path="/nonexistent-healthcheckd-test-$$"
disk --set path="$path"
t_expect_rc 2
t_expect_out "^disk +fail .* ms +statvfs $path: No such file or directory\$"
t_ok "fail with the statvfs error when the path is missing"

disk --set warn_free=10
t_expect_rc 3
t_expect_err "warn_free: '10' is neither a percentage"
t_ok "init error naming warn_free when it has no unit"

disk --set warn_free=100% --set fail_free=150%
t_expect_rc 3
t_expect_err "fail_free: '150%' is more than 100%"
t_ok "init error naming fail_free when it is above 100%"

disk --set warn_free=1G --set fail_free=2G
t_expect_rc 3
t_expect_err "warn_free \(1G\) is below fail_free \(2G\)"
t_ok "init error when warn_free is below fail_free"

disk --set path=var/lib
t_expect_rc 3
t_expect_err "path: 'var/lib' is not absolute"
t_ok "init error naming path when it is relative"
