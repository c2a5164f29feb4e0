#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run every libFuzzer target of a build (configure --enable-fuzzing
# CC=clang) for a bounded time over a copy of its committed corpus:
#
#   tests/fuzz/run.sh BUILDDIR        (FUZZ_SECONDS=30 per target)
#
# Builds nothing. Prints one line per target, "PASS: fuzz NAME (RUNS runs,
# S s)" or "FAIL: fuzz NAME: ... FILE" with the input that crashed it
# (kept in BUILDDIR/tests/fuzz/crashes/), and exits 1 if any failed.
# A crash becomes a regression test: fix it, and add the file to
# tests/fuzz/corpus/NAME/.
set -uo pipefail

src=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: tests/fuzz/run.sh BUILDDIR}
build=$(cd "$build" && pwd)
seconds=${FUZZ_SECONDS:-30}
crashes=$build/tests/fuzz/crashes
work=$(mktemp -d "${TMPDIR:-/tmp}/hcfuzzrun.XXXXXX")
trap 'rm -rf "$work"' EXIT
failed=0

for corpus in "$src"/corpus/*/; do
	name=$(basename "$corpus")
	target=$build/tests/fuzz/fuzz_$name
	if [ ! -x "$target" ]; then
		echo "FAIL: fuzz $name: $target was not built"
		failed=1
		continue
	fi
	# libFuzzer adds what it finds to the corpus it is given: a copy,
	# so that the committed one stays as it is.
	mkdir -p "$work/$name/corpus"
	cp "$corpus"/* "$work/$name/corpus/"
	start=$(date +%s)
	# The target's own files go under $work too: libFuzzer may end it
	# without running its atexit cleanup.
	(cd "$work/$name" && TMPDIR=$work/$name "$target" -max_total_time="$seconds" -timeout=5 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/$name/" \
		corpus >log 2>&1)
	rc=$?
	took=$(($(date +%s) - start))
	runs=$(awk '/stat::number_of_executed_units:/ {print $2}' "$work/$name/log")
	if [ "$rc" -eq 0 ]; then
		echo "PASS: fuzz $name (${runs:-?} runs, $took s)"
		continue
	fi
	failed=1
	mkdir -p "$crashes"
	found=
	for f in "$work/$name"/crash-* "$work/$name"/leak-* "$work/$name"/timeout-* \
		"$work/$name"/oom-* "$work/$name"/slow-unit-*; do
		[ -f "$f" ] || continue
		cp "$f" "$crashes/$name-$(basename "$f")"
		found="$found $crashes/$name-$(basename "$f")"
	done
	grep -E -A 30 '^==[0-9]+==ERROR|runtime error|^SUMMARY' "$work/$name/log" | head -n 60 >&2
	echo "FAIL: fuzz $name (exit $rc after $took s):${found:- no crash file; log above}"
done
exit "$failed"
