# Shared helpers for the command-line tests (sourced, not run).
# Each test script: `. "$HC_SRCDIR/tests/cli/lib.sh"`, then `t_run ...` and
# the t_expect_* assertions; a failed assertion ends the script with exit 1.

: "${HEALTHCHECKD:?run through make check}"
T_TMP=$(mktemp -d)
trap 't_cleanup' EXIT
T_PIDS=()

t_cleanup() {
	local pid
	for pid in "${T_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	rm -rf "$T_TMP"
}

# t_run CMD...: run, keeping stdout, stderr and the exit code.
t_run() {
	set +e
	"$@" >"$T_TMP/out" 2>"$T_TMP/err"
	T_RC=$?
	set -e
	T_OUT=$(cat "$T_TMP/out")
	T_ERR=$(cat "$T_TMP/err")
}

t_fail() {
	echo "FAIL: $*" >&2
	echo "--- exit code: $T_RC" >&2
	echo "--- stdout:" >&2; printf '%s\n' "$T_OUT" >&2
	echo "--- stderr:" >&2; printf '%s\n' "$T_ERR" >&2
	exit 1
}

t_expect_rc() { [ "$T_RC" -eq "$1" ] || t_fail "expected exit code $1"; }
t_expect_out() { grep -Eq -- "$1" <<<"$T_OUT" || t_fail "stdout lacks /$1/"; }
t_expect_err() { grep -Eq -- "$1" <<<"$T_ERR" || t_fail "stderr lacks /$1/"; }
t_expect_out_exact() { [ "$T_OUT" = "$1" ] || t_fail "stdout is not exactly: $1"; }
t_expect_err_exact() { [ "$T_ERR" = "$1" ] || t_fail "stderr is not exactly: $1"; }
t_expect_no() { ! grep -Fq -- "$1" "$T_TMP/out" "$T_TMP/err" || t_fail "output contains '$1'"; }

# t_ok NAME: report a passed case (for the log).
t_ok() { echo "ok - $1"; }

# t_peer NAME CMD...: start CMD in the background (a test peer that prints
# its port on its first line of stdout, stderr to $T_TMP/NAME.log) and set
# T_PORT to that port and T_PEER to its pid.
t_peer() {
	local name=$1 i
	shift
	# Emptied here, not by the child's redirection: a second peer of the
	# same name must not be read the port of the first one.
	: >"$T_TMP/port.$name"
	"$@" >"$T_TMP/port.$name" 2>"$T_TMP/$name.log" &
	T_PEER=$!
	T_PIDS+=("$T_PEER")
	for i in $(seq 1 100); do
		T_PORT=$(head -n1 "$T_TMP/port.$name" 2>/dev/null || true)
		[ -n "$T_PORT" ] && return 0
		sleep 0.05
	done
	echo "$name did not start: $(cat "$T_TMP/$name.log")" >&2
	exit 1
}

# t_hangpeer MODE: a hangpeer (accept or backlog), port in T_PORT.
t_hangpeer() { t_peer "hangpeer-$1" "$HANGPEER" "$1"; }

# Milliseconds on the monotonic-enough wall clock, for deadline margins.
t_now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# t_need_plugin NAME: skip (exit 77, said) unless the plugin was built.
t_need_plugin() {
	[ -e "$HC_PLUGIN_DIR/$1.so" ] && return 0
	echo "SKIP: $1 plugin not built (its library is missing)"
	exit 77
}

# t_need_cmd PACKAGE CMD...: skip (exit 77, said) unless every CMD is on
# PATH; PACKAGE names the Debian package that has them.
t_need_cmd() {
	local pkg=$1 cmd
	shift
	for cmd in "$@"; do
		command -v "$cmd" >/dev/null && continue
		echo "SKIP: $cmd is not installed (Debian package $pkg)"
		exit 77
	done
}

# t_plugin_run PLUGIN MODE KEY=VALUE...: healthcheckd --plugin PLUGIN.so
# once (MODE --once) or its init only (MODE -t), with the keys of T_KEYS (an
# associative array: the test's defaults) that no argument overrides; a
# bare KEY drops that key. (--set refuses a key given twice.)
declare -A T_KEYS=()
t_plugin_run() {
	local plugin=$1 mode=$2 a args=()
	local -A kv=()
	shift 2
	for a in "${!T_KEYS[@]}"; do kv[$a]=${T_KEYS[$a]}; done
	for a in "$@"; do
		case "$a" in
		*=*) kv[${a%%=*}]=${a#*=} ;;
		*) unset "kv[$a]" ;;
		esac
	done
	for a in "${!kv[@]}"; do args+=(--set "$a=${kv[$a]}"); done
	t_run "$HEALTHCHECKD" --plugin "$HC_PLUGIN_DIR/$plugin.so" "${args[@]}" "$mode"
}

# t_hcrun_start OUT HCRUN-ARGS...: one kept instance under hcrun (the
# plugin, then KEY=VALUE...), fed through a fifo on fd 3; its result lines go
# to OUT. t_hcrun_once N: one more run, then wait (10 s) for its line N. Close fd 3
# (exec 3>&-) to end it.
t_hcrun_start() {
	T_HCRUN_OUT=$1
	shift
	mkfifo "$T_TMP/hcrun.in"
	"$HCRUN" "$@" <"$T_TMP/hcrun.in" >"$T_HCRUN_OUT" &
	T_PIDS+=($!)
	exec 3>"$T_TMP/hcrun.in"
}
t_hcrun_once() {
	local i
	echo >&3
	for i in $(seq 1 200); do
		[ "$(wc -l <"$T_HCRUN_OUT")" -ge "$1" ] && return 0
		sleep 0.05
	done
	t_fail "hcrun printed no line $1"
}
