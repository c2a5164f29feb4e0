# Shared helpers of the end-to-end tests (sourced, not run): start the daemon
# on a free loopback port from a generated config, ask it over HTTP with curl,
# stop it. Builds on tests/cli/lib.sh (T_TMP, t_fail, t_ok) and
# tests/servers/lib.sh (srv_free_port).
#
#   e2e_start <<EOF        write the config ([server] listen and shutdown_delay
#   details = always       come first; stdin adds [server] keys, then sections,
#   $(e2e_check a)         e.g. from e2e_check) and start the daemon; wait
#   EOF                    until it answers
#   e2e_req PATH [CURL ARGS]   E2E_CODE, body in T_OUT, headers in T_ERR
#   e2e_expect CODE BODY       the last answer, exactly
#   e2e_until SECONDS CMD...   poll CMD every 0.1 s until it succeeds
#   e2e_by DEADLINE_MS CMD...  the same, until a t_now_ms deadline
#   e2e_stop                   SIGTERM, wait for the exit code (E2E_RC)

. "$HC_SRCDIR/tests/cli/lib.sh"
. "$HC_SRCDIR/tests/servers/lib.sh"

command -v curl >/dev/null || { echo "SKIP: curl is not installed" >&2; exit 77; }

# e2e_pick_port: a free port for the daemon, in E2E_PORT and E2E_URL
# (srv_free_port keeps below the ephemeral range, so parallel tests' client
# connections cannot take it).
e2e_pick_port() {
	E2E_PORT=$(srv_free_port)
	E2E_URL=http://127.0.0.1:$E2E_PORT
}
e2e_pick_port
E2E_CONF=$T_TMP/healthcheckd.ini
E2E_LOG=$T_TMP/healthcheckd.log
E2E_PID=
# The bearer token of token_file = $E2E_TOKEN_FILE, and curl's header for it.
E2E_TOKEN=e2e-secret-token-0123456789
E2E_TOKEN_FILE=$T_TMP/token
AUTH=(-H "Authorization: Bearer $E2E_TOKEN")
printf '%s\nsecond line is ignored\n' "$E2E_TOKEN" >"$E2E_TOKEN_FILE"
chmod 600 "$E2E_TOKEN_FILE"

trap 'e2e_cleanup' EXIT

e2e_cleanup() {
	local rc=$?
	e2e_stop_quietly
	t_cleanup
	exit "$rc"
}

# e2e_config: write the config from stdin after the [server] lines every
# test needs. A short shutdown_delay keeps each stop quick; E2E_DELAY sets it.
e2e_config() {
	{
		printf '[server]\nlisten = 127.0.0.1:%s\nshutdown_delay = %s\n' \
			"$E2E_PORT" "${E2E_DELAY:-100ms}"
		cat
	} >"$E2E_CONF.new"
	mv "$E2E_CONF.new" "$E2E_CONF"
}

# e2e_private: the [server] lines for details behind the bearer token.
e2e_private() {
	printf 'details = authorized\ntoken_file = %s\n' "$E2E_TOKEN_FILE"
}

# e2e_check NAME [KEY=VALUE...]: a [check:NAME] section of fake_good reading
# the state file of NAME (see e2e_say; "pass" unless said otherwise), with an
# interval of 1 s and a timeout of 500 ms unless given.
e2e_check() {
	local name=$1 kv
	shift
	[ -e "$T_TMP/$name.state" ] || e2e_say "$name" pass
	printf '[check:%s]\nplugin = fake_good\npath = %s\n' "$name" "$T_TMP/$name.state"
	case " $* " in *" interval="*) ;; *) printf 'interval = 1s\n' ;; esac
	case " $* " in *" timeout="*) ;; *) printf 'timeout = 500ms\n' ;; esac
	for kv in "$@"; do printf '%s = %s\n' "${kv%%=*}" "${kv#*=}"; done
}

# e2e_say NAME WORD...: what check NAME's next runs report (pass, warn, fail,
# leak, observe, sleep MS, hang). Replaced whole, never read half-written.
e2e_say() {
	local name=$1
	shift
	echo "$*" >"$T_TMP/$name.state.new"
	mv "$T_TMP/$name.state.new" "$T_TMP/$name.state"
}

# e2e_start [DAEMON ARGS]: write the config from stdin, start the daemon on
# it and wait until it answers (e2e_launch: the same on the config as it is).
# The daemon's stdout and stderr go to $E2E_LOG.
e2e_start() {
	e2e_config
	e2e_launch "$@"
}

e2e_launch() {
	local try i old
	for try in 1 2 3 4 5; do
		: >"$E2E_LOG"
		"$HEALTHCHECKD" -c "$E2E_CONF" --plugin-dir "$HC_FIXTURE_DIR" "$@" \
			</dev/null >>"$E2E_LOG" 2>&1 &
		E2E_PID=$!
		for i in $(seq 1 100); do
			# Its own "serving" line first: the port might answer for
			# another process while this daemon failed to bind it.
			if grep -q '^healthcheckd: healthcheckd .* serving ' "$E2E_LOG" &&
			   curl -s -o /dev/null --max-time 2 "$E2E_URL/livez"; then
				return 0
			fi
			kill -0 "$E2E_PID" 2>/dev/null || break
			sleep 0.05
		done
		e2e_stop_quietly
		# Another process took the port after all: move to another one.
		grep -q 'Address already in use' "$E2E_LOG" || break
		old=$E2E_PORT
		e2e_pick_port
		sed -i "s/^\(listen = .*:\)$old\$/\1$E2E_PORT/" "$E2E_CONF"
	done
	T_RC=-1 T_OUT=$(cat "$E2E_CONF") T_ERR=$(cat "$E2E_LOG")
	t_fail "the daemon did not answer on $E2E_URL (stdout: config, stderr: its log)"
}

# e2e_stop: SIGTERM the daemon and wait for it; E2E_RC is its exit code.
e2e_stop() {
	[ -n "$E2E_PID" ] || return 0
	kill -TERM "$E2E_PID" 2>/dev/null || true
	set +e
	wait "$E2E_PID"
	E2E_RC=$?
	set -e
	E2E_PID=
}

# e2e_exited: has the daemon exited? (It stays a zombie until waited for,
# and kill -0 succeeds on a zombie.)
e2e_exited() {
	local state
	state=$(sed 's/.*) //' "/proc/$E2E_PID/stat" 2>/dev/null | cut -d' ' -f1)
	[ -z "$state" ] || [ "$state" = Z ]
}

# On the way out: a daemon that does not stop in 10 s is killed.
e2e_stop_quietly() {
	local i
	[ -n "$E2E_PID" ] || return 0
	kill -TERM "$E2E_PID" 2>/dev/null || true
	for i in $(seq 1 100); do
		kill -0 "$E2E_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$E2E_PID" 2>/dev/null || true
	wait "$E2E_PID" 2>/dev/null || true
	E2E_PID=
}

# e2e_req PATH [CURL ARGS]: one request. E2E_CODE is the status code, T_OUT
# the body (its exact bytes stay in $T_TMP/body), T_ERR the response headers
# with CRs removed. Every request is bounded: a daemon that stops answering
# fails the test rather than hanging it.
e2e_req() {
	local path=$1
	shift
	set +e
	E2E_CODE=$(curl -s -o "$T_TMP/body" -D "$T_TMP/headers" -w '%{http_code}' \
		--max-time 5 "$@" "$E2E_URL$path")
	T_RC=$?
	set -e
	T_OUT=$(cat "$T_TMP/body" 2>/dev/null || true)
	T_ERR=$(tr -d '\r' <"$T_TMP/headers" 2>/dev/null || true)
	if [ "$T_RC" -ne 0 ]; then
		T_ERR=$(cat "$E2E_LOG" 2>/dev/null || true)
		t_fail "curl $path failed (exit $T_RC); stderr: the daemon's log"
	fi
}

# e2e_head PATH: a HEAD request on a raw connection (curl would not read a
# body that should not be there). Sets E2E_CODE, T_ERR (the headers) and
# T_OUT (whatever came after them: nothing, for HEAD).
e2e_head() {
	local raw=$T_TMP/raw
	(
		exec 3<>"/dev/tcp/127.0.0.1/$E2E_PORT"
		printf 'HEAD %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$1" >&3
		timeout 5 cat <&3
	) >"$raw" || t_fail "HEAD $1: no complete answer"
	T_ERR=$(sed '/^\r$/q' "$raw" | tr -d '\r')
	sed '1,/^\r$/d' "$raw" >"$T_TMP/body"
	T_OUT=$(cat "$T_TMP/body")
	E2E_CODE=$(head -n1 <<<"$T_ERR" | cut -d' ' -f2)
}

e2e_expect_code() {
	[ "$E2E_CODE" = "$1" ] || t_fail "expected HTTP $1, got $E2E_CODE"
}

# e2e_expect CODE BODY: status code and body byte for byte (a trailing
# newline included: write BODY as $'...\n').
e2e_expect() {
	e2e_expect_code "$1"
	[ "$(cat "$T_TMP/body"; echo .)" = "$2." ] ||
		t_fail "body is not exactly: $(printf '%q' "$2")"
}

# e2e_expect_header 'Name: value': that header line, exactly (name in any case).
e2e_expect_header() {
	grep -qixF -- "$1" <<<"$T_ERR" || t_fail "headers lack '$1'"
}

# e2e_is CODE PATH [CURL ARGS]: does PATH answer CODE now?
e2e_is() {
	local code=$1
	shift
	e2e_req "$@"
	[ "$E2E_CODE" = "$code" ]
}

# e2e_gives CODE BODY PATH [CURL ARGS]: does PATH answer exactly that now?
e2e_gives() {
	local code=$1 body=$2
	shift 2
	e2e_req "$@"
	[ "$E2E_CODE" = "$code" ] && [ "$(cat "$T_TMP/body"; echo .)" = "$body." ]
}

# e2e_has REGEX PATH [CURL ARGS]: does PATH's body match REGEX now?
e2e_has() {
	local re=$1
	shift
	e2e_req "$@"
	grep -Eq -- "$re" <<<"$T_OUT"
}

# e2e_until SECONDS CMD...: run CMD every 0.1 s until it succeeds; fail the
# test (showing the last answer and the daemon's log) when it never does.
e2e_until() {
	local seconds=$1
	shift
	e2e_by $(( $(t_now_ms) + seconds * 1000 )) "$@"
}

# e2e_by DEADLINE CMD...: the same, until DEADLINE (from t_now_ms).
e2e_by() {
	local deadline=$1
	shift
	until "$@"; do
		if [ "$(t_now_ms)" -ge "$deadline" ]; then
			[ ! -s "${E2E_LOG:-}" ] ||
				T_ERR="$T_ERR"$'\n'"--- the daemon's log ($E2E_LOG):"$'\n'"$(tail -n 60 "$E2E_LOG")"
			t_fail "still not true after the deadline: $*"
		fi
		sleep 0.1
	done
}

# e2e_metric SERIES: the value of one series of /metrics (with the token),
# e.g. e2e_metric 'healthcheckd_check_runs_total{check="a"}'.
e2e_metric() {
	e2e_req /metrics "${AUTH[@]}"
	e2e_expect_code 200
	awk -v s="$1" '$1 == s { print $2; found = 1 } END { exit !found }' "$T_TMP/body" ||
		t_fail "/metrics has no series $1"
}

# e2e_log_has TEXT: the daemon's log holds TEXT.
e2e_log_has() { grep -qF -- "$1" "$E2E_LOG" || { T_ERR=$(cat "$E2E_LOG"); t_fail "the log lacks '$1'"; }; }
