#!/bin/bash
# SPDX-License-Identifier: MIT
# The unit tests leave nothing behind: the temporary directories they make
# (tests/unit/unit.h) are removed when they exit.
set -euo pipefail
. "$HC_SRCDIR/tests/cli/lib.sh"

ran=0
for t in test_token test_config test_cgroup; do
	bin=$HC_BUILDDIR/tests/unit/$t
	[ -x "$bin" ] || continue
	mkdir "$T_TMP/tmp"
	TMPDIR=$T_TMP/tmp t_run "$bin"
	t_expect_rc 0
	left=$(ls -A "$T_TMP/tmp")
	[ -z "$left" ] || t_fail "tests/unit/$t left in TMPDIR: $left"
	rmdir "$T_TMP/tmp"
	ran=$((ran + 1))
done
[ "$ran" -gt 0 ] || { echo "SKIP: built without cmocka (no unit tests)" >&2; exit 77; }
t_ok "unit tests remove their temporary directories at exit ($ran run)"
