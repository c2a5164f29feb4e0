/* SPDX-License-Identifier: MIT */
/* isolate = process, the daemon's side: a plugin instance in a helper process, its death a result. */
#include "autoconfig.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compat.h"
#include "fileio.h"
#include "hostproto.h"
#include "instance.h"
#include "isolate.h"
#include "log.h"
#include "xalloc.h"

#define NS_PER_MS 1000000LL
/* A crashed or killed helper is restarted after 1 s, then 2, 4... 60 s;
 * a run that brings a result back resets it. */
#define BACKOFF_MIN_MS 1000u
#define BACKOFF_MAX_MS 60000u
/* How long teardown may take, and a helper that closed its socket may
 * take to exit (writing a core file), before it is killed. */
#define EXIT_WAIT_NS (1000 * NS_PER_MS)
/* How long to wait for a killed helper to be reapable (it may sit in
 * uninterruptible sleep) before leaving it to reap_pending(). */
#define KILL_WAIT_NS (250 * NS_PER_MS)
/* Without a pidfd (a seccomp filter older than pidfd_open), how often to
 * look whether the helper exited. */
#define NO_PIDFD_TICK_MS 20
/* A send to a helper that reads nothing is bounded too. */
#define SEND_TIMEOUT_S 5

#ifndef P_PIDFD
#define P_PIDFD 3 /* Linux 5.4; glibc's headers lack it */
#endif

extern char **environ;

/* This program by path, for when /proc/self/exe cannot be executed. */
static char *exe_fallback;

/* A helper's process: running (or a zombie), reaped by us, or reaped by
 * someone else in this process (a plugin's waitpid(-1), SIGCHLD ignored):
 * then its pid may already be another process's. */
enum life { H_ALIVE, H_REAPED, H_LOST };

struct hc_iso {
	char *path, *name;
	uint32_t timeout_ms;
	char **keys, **values; /* values are wiped when freed: they hold secrets */
	size_t n_kv;
	hc_iso_log_fn log;
	hc_iso_scrub_fn scrub;
	void *log_arg;
	pid_t pid; /* 0: no helper */
	int sock, pidfd;
	enum life state;
	bool killed;      /* by us: the deadline's or teardown's SIGKILL */
	int code, status; /* of a reaped helper: siginfo's si_code, si_status */
	uint32_t backoff_ms;
	int64_t restart_ns; /* no restart before */
	char down[256];     /* why the helper is down */
};

/* What waiting for the helper came to. */
enum wait { W_MSG, W_GONE, W_LATE, W_BAD };

/* Killed helpers not reapable in time, retried by reap_pending(). */
struct grave {
	pid_t pid;
	int pidfd;
};
static pthread_mutex_t graves_lock = PTHREAD_MUTEX_INITIALIZER;
static struct grave *graves;
static size_t n_graves;

void hc_iso_set_exe(const char *argv0)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	free(exe_fallback);
	exe_fallback = NULL;
	if (n > 0) {
		buf[n] = '\0';
		exe_fallback = hc_xstrdup(buf);
	} else if (argv0 != NULL && strchr(argv0, '/') != NULL) {
		exe_fallback = realpath(argv0, NULL);
	}
}

struct hc_iso *hc_iso_new(const char *path, const char *name, uint32_t timeout_ms,
                          const struct hc_kv *kv, size_t n_kv, hc_iso_log_fn log,
                          hc_iso_scrub_fn scrub, void *arg)
{
	struct hc_iso *iso = hc_xcalloc(1, sizeof(*iso));

	/* The helper may not share a relative plugin_dir's meaning. */
	iso->path = realpath(path, NULL);
	if (iso->path == NULL)
		iso->path = hc_xstrdup(path);
	iso->name = hc_xstrdup(name);
	iso->timeout_ms = timeout_ms;
	iso->keys = hc_xcalloc(n_kv + 1, sizeof(*iso->keys));
	iso->values = hc_xcalloc(n_kv + 1, sizeof(*iso->values));
	for (size_t i = 0; i < n_kv; i++) {
		iso->keys[i] = hc_xstrdup(kv[i].key);
		iso->values[i] = hc_xstrdup(kv[i].value);
	}
	iso->n_kv = n_kv;
	iso->log = log;
	iso->scrub = scrub;
	iso->log_arg = arg;
	iso->sock = iso->pidfd = -1;
	iso->backoff_ms = BACKOFF_MIN_MS;
	return iso;
}

/*
 * Start the helper: this program again (/proc/self/exe: the same file
 * even after an upgrade replaced it on disk), with one end of a socketpair
 * as HC_HOST_FD and nothing else of ours. Every descriptor of the daemon
 * is close-on-exec; closefrom covers one a library opened without it. The
 * helper leads its own process group, so a deadline kills whatever it
 * started in it too.
 */
static int spawn(struct hc_iso *iso, char *err, size_t errsz)
{
	char *argv[] = { "healthcheckd", "--plugin-host", iso->name, NULL };
	struct timeval tv = { SEND_TIMEOUT_S, 0 };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none;
	int sv[2], rc;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		snprintf(err, errsz, "cannot start the plugin host: socketpair: %s", strerror(errno));
		return -1;
	}
	setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], HC_HOST_FD);
	posix_spawn_file_actions_addclosefrom_np(&fa, HC_HOST_FD + 1);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
	rc = posix_spawn(&pid, "/proc/self/exe", &fa, &at, argv, environ);
	if (rc != 0 && exe_fallback != NULL)
		rc = posix_spawn(&pid, exe_fallback, &fa, &at, argv, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	close(sv[1]);
	if (rc != 0) {
		close(sv[0]);
		snprintf(err, errsz, "cannot start the plugin host: %s", strerror(rc));
		return -1;
	}
	iso->pid = pid;
	iso->sock = sv[0];
	iso->pidfd = pidfd_open(pid, 0);
	iso->state = H_ALIVE;
	iso->killed = false;
	return 0;
}

/* Reap pid (by pidfd when there is one: a pid can be reused once someone
 * else reaped it) if it exited; options may add WNOWAIT to only look.
 * H_ALIVE (not yet), H_REAPED with si, or H_LOST. */
static enum life try_reap(pid_t pid, int pidfd, int options, siginfo_t *si)
{
	int rc;

	memset(si, 0, sizeof(*si));
	if (pidfd >= 0)
		rc = waitid(P_PIDFD, (id_t)pidfd, si, WEXITED | WNOHANG | options);
	else
		rc = waitid(P_PID, (id_t)pid, si, WEXITED | WNOHANG | options);
	if (rc != 0)
		return errno == ECHILD ? H_LOST : H_ALIVE;
	return si->si_pid == 0 ? H_ALIVE : H_REAPED;
}

/* Has the helper exited (or been lost)? Reaps it when it has. */
static bool exited(struct hc_iso *iso)
{
	siginfo_t si;

	if (iso->state == H_ALIVE) {
		iso->state = try_reap(iso->pid, iso->pidfd, 0, &si);
		iso->code = si.si_code;
		iso->status = si.si_status;
	}
	return iso->state != H_ALIVE;
}

/* Retry the killed helpers that were not reapable in time. */
static void reap_pending(void)
{
	siginfo_t si;

	pthread_mutex_lock(&graves_lock);
	for (size_t i = 0; i < n_graves;) {
		if (try_reap(graves[i].pid, graves[i].pidfd, 0, &si) == H_ALIVE) {
			i++;
			continue;
		}
		if (graves[i].pidfd >= 0)
			close(graves[i].pidfd);
		graves[i] = graves[--n_graves];
	}
	pthread_mutex_unlock(&graves_lock);
}

/* Leave the helper, killed, to reap_pending(); its pidfd goes with it. */
static void reap_later(struct hc_iso *iso)
{
	pthread_mutex_lock(&graves_lock);
	graves = hc_xreallocarray(graves, n_graves + 1, sizeof(*graves));
	graves[n_graves++] = (struct grave){ iso->pid, iso->pidfd };
	pthread_mutex_unlock(&graves_lock);
	iso->pidfd = -1;
	hc_log(HC_LOG_WARNING, "check %s: plugin host %d killed but not yet gone; reaped later",
	       iso->name, (int)iso->pid);
}

/* poll() until deadline_ns, on fds and, without a pidfd, in ticks so that
 * exited() is asked often enough. Returns poll's result (0: time's up or a
 * tick). */
static int poll_until(struct pollfd *p, nfds_t n, int64_t deadline_ns, bool tick)
{
	int64_t left = deadline_ns - hc_now_ns();
	int ms, rc;

	if (left <= 0)
		return 0;
	ms = left / NS_PER_MS + 1 > INT_MAX ? INT_MAX : (int)(left / NS_PER_MS + 1);
	if (tick && ms > NO_PIDFD_TICK_MS)
		ms = NO_PIDFD_TICK_MS;
	rc = poll(p, n, ms);
	return rc < 0 && errno == EINTR ? 0 : rc;
}

/* The helper's next message until deadline_ns: W_MSG with m, or why not. */
static enum wait wait_msg(struct hc_iso *iso, int64_t deadline_ns, struct hc_msg *m)
{
	char err[256];

	while (hc_now_ns() < deadline_ns) {
		struct pollfd p[2] = { { iso->sock, POLLIN, 0 }, { iso->pidfd, POLLIN, 0 } };
		int n = poll_until(p, iso->pidfd >= 0 ? 2 : 1, deadline_ns, iso->pidfd < 0);
		int rc;

		/* The socket first: a helper may send its result and die. */
		if (n > 0 && p[0].revents != 0) {
			rc = hc_msg_recv(iso->sock, m, err, sizeof(err));
			if (rc == 1)
				return W_MSG;
			if (rc == 0)
				return W_GONE;
			hc_log(HC_LOG_ERR, "check %s: plugin host: %s", iso->name, err);
			return W_BAD;
		}
		if (n < 0 || (iso->pidfd >= 0 && n > 0) || (iso->pidfd < 0 && exited(iso)))
			return W_GONE;
	}
	return W_LATE;
}

/* Wait until the helper is reaped or lost, or deadline_ns. */
static bool wait_exit(struct hc_iso *iso, int64_t deadline_ns)
{
	while (!exited(iso) && hc_now_ns() < deadline_ns) {
		struct pollfd p = { iso->pidfd, POLLIN, 0 };

		/* Readable but not reapable (a tracer holds it): tick. */
		if (poll_until(&p, iso->pidfd >= 0 ? 1 : 0, deadline_ns, iso->pidfd < 0) > 0)
			poll_until(NULL, 0, deadline_ns, true);
	}
	return iso->state != H_ALIVE;
}

/* SIGKILL the helper's group, and the helper in case a plugin moved it
 * out. Its pid (and so its group's id) is ours while it is unreaped: a
 * look without reaping first, and never by pid once it is lost. */
static void kill_helper(struct hc_iso *iso)
{
	siginfo_t si;

	if (try_reap(iso->pid, iso->pidfd, WNOWAIT, &si) == H_LOST) {
		iso->state = H_LOST;
		return;
	}
	kill(-iso->pid, SIGKILL);
	if (iso->pidfd < 0 || pidfd_send_signal(iso->pidfd, SIGKILL, NULL, 0) != 0)
		kill(iso->pid, SIGKILL);
	iso->killed = true;
}

/* Wait for the helper to exit until deadline_ns, then kill it and wait
 * KILL_WAIT_NS more; if it is still not reapable, leave it to
 * reap_pending() rather than hold a worker. Close ours. */
static void reap(struct hc_iso *iso, int64_t deadline_ns)
{
	if (!wait_exit(iso, deadline_ns)) {
		kill_helper(iso);
		if (!wait_exit(iso, hc_now_ns() + KILL_WAIT_NS))
			reap_later(iso);
	}
	close(iso->sock);
	if (iso->pidfd >= 0)
		close(iso->pidfd);
	iso->sock = iso->pidfd = -1;
	iso->pid = 0;
}

/* "plugin crashed (SIGSEGV)" or "plugin exited with status 3": what a
 * helper that was not killed by us came to. */
static void describe(const struct hc_iso *iso, char *buf, size_t size)
{
	bool signaled = iso->code == CLD_KILLED || iso->code == CLD_DUMPED;
	const char *abbrev = signaled ? sigabbrev_np(iso->status) : NULL;

	if (iso->state == H_LOST)
		snprintf(buf, size, "plugin host lost (reaped elsewhere in the daemon)");
	else if (signaled && abbrev != NULL)
		snprintf(buf, size, "plugin crashed (SIG%s)", abbrev);
	else if (signaled)
		snprintf(buf, size, "plugin crashed (signal %d)", iso->status);
	else
		snprintf(buf, size, "plugin exited with status %d", iso->status);
}

/* Did our SIGKILL end it (or is it, killed, not reaped yet)? */
static bool killed_by_us(const struct hc_iso *iso)
{
	return iso->killed &&
	       (iso->state == H_ALIVE ||
	        (iso->state == H_REAPED && iso->code == CLD_KILLED && iso->status == SIGKILL));
}

/* The helper is gone: log why at level, and keep it for the runs until
 * the restart. why may be init's error, the plugin's text: scrubbed. */
static void note_down(struct hc_iso *iso, const char *why, int level)
{
	snprintf(iso->down, sizeof(iso->down), "%s", why);
	iso->scrub(iso->log_arg, iso->down, sizeof(iso->down));
	hc_log(level, "check %s: %s", iso->name, iso->down);
}

/* The helper is gone by its own fault (a crash, a bad message, a failed
 * restart): note why, and back off before it comes back. */
static void went_down(struct hc_iso *iso, const char *why, int level)
{
	note_down(iso, why, level);
	iso->restart_ns = hc_now_ns() + iso->backoff_ms * NS_PER_MS;
	iso->backoff_ms = iso->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : iso->backoff_ms * 2;
}

/* After w (not W_MSG): make the helper gone, and say why in why. W_LATE
 * and W_BAD kill it at once; W_GONE gives it time to finish dying, up to
 * until. Returns w, or W_LATE when the helper that hung up was killed by
 * us at until, a deadline. Our own kill is never reported as a crash. */
static enum wait bury(struct hc_iso *iso, enum wait w, int64_t until, const char *when, char *why,
                      size_t size)
{
	int64_t exit_by = hc_now_ns() + EXIT_WAIT_NS;
	char how[96];

	reap(iso, w != W_GONE ? 0 : exit_by < until ? exit_by : until);
	if (w == W_GONE && killed_by_us(iso) && exit_by >= until)
		w = W_LATE;
	if (w == W_LATE)
		snprintf(how, sizeof(how), "plugin killed at its deadline (%u ms)", iso->timeout_ms);
	else if (w == W_BAD)
		snprintf(how, sizeof(how), "plugin host killed after a bad message");
	else if (killed_by_us(iso))
		snprintf(how, sizeof(how), "plugin host hung up but did not exit; killed");
	else
		describe(iso, how, sizeof(how));
	snprintf(why, size, "%s%s", how, when);
	return w;
}

/* Log a LOG message through the instance's logger and free it. */
static void deliver(struct hc_iso *iso, struct hc_msg *m)
{
	iso->log(iso->log_arg, m->u.log.level, m->str[0]);
	hc_msg_free(m);
}

/* The next message other than a log line (logs delivered on the way). */
static enum wait wait_reply(struct hc_iso *iso, int64_t deadline_ns, struct hc_msg *m)
{
	enum wait w;

	while ((w = wait_msg(iso, deadline_ns, m)) == W_MSG && m->u.h.type == HC_MSG_LOG)
		deliver(iso, m);
	return w;
}

/* The reply of type want (logs delivered on the way): W_MSG with m, or
 * why not; a message of another type is W_BAD. */
static enum wait wait_for(struct hc_iso *iso, int64_t deadline_ns, enum hc_msg_type want,
                          struct hc_msg *m)
{
	enum wait w = wait_reply(iso, deadline_ns, m);

	if (w == W_MSG && m->u.h.type != want) {
		hc_msg_free(m);
		w = W_BAD;
	}
	return w;
}

/* Send INIT and the keys. 0, or -1 when the helper is gone. */
static int send_init(struct hc_iso *iso)
{
	struct hc_msg_init mi = { .timeout_ms = iso->timeout_ms, .n_kv = (uint32_t)iso->n_kv };
	const char *s[2] = { iso->path, iso->name };

	if (hc_msg_send(iso->sock, HC_MSG_INIT, &mi, sizeof(mi), s, 0) != 0)
		return -1;
	for (size_t i = 0; i < iso->n_kv; i++) {
		struct hc_msg_hdr h;
		const char *kv[2] = { iso->keys[i], iso->values[i] };

		if (hc_msg_send(iso->sock, HC_MSG_KV, &h, sizeof(h), kv, 0) != 0)
			return -1;
	}
	return 0;
}

int hc_iso_start(struct hc_iso *iso, int64_t deadline_ns, char *err, size_t errsz)
{
	struct hc_msg m;
	enum wait w = W_GONE;
	int rc;

	if (spawn(iso, err, errsz) != 0)
		return HC_EIO;
	if (send_init(iso) == 0)
		w = wait_for(iso, deadline_ns, HC_MSG_INIT_REPLY, &m);
	if (w == W_MSG) {
		rc = m.u.reply.rc;
		snprintf(err, errsz, "%s", m.str[0]);
		hc_msg_free(&m);
		if (rc == HC_OK)
			return HC_OK;
		/* Refused: the helper leaves by itself. */
		reap(iso, hc_now_ns() + EXIT_WAIT_NS);
		return rc;
	}
	bury(iso, w, deadline_ns, " during init", err, errsz);
	return HC_EIO;
}

/* Bring a helper that is down back, if its backoff has passed. 0, or -1
 * with the failure in r. */
static int restart(struct hc_iso *iso, int64_t deadline_ns, struct hc_result *r)
{
	int64_t wait_ns = iso->restart_ns - hc_now_ns();
	char err[256];
	int rc;

	if (wait_ns > 0) {
		hc_result_set(r, HC_FAIL, "%s; plugin host restarts in %.1f s", iso->down,
		              (double)wait_ns / 1e9);
		return -1;
	}
	rc = hc_iso_start(iso, deadline_ns, err, sizeof(err));
	if (rc == HC_OK) {
		hc_log(HC_LOG_INFO, "check %s: plugin host restarted (pid %d)", iso->name,
		       (int)iso->pid);
		return 0;
	}
	went_down(iso, err, HC_LOG_ERR);
	hc_result_set(r, HC_FAIL, "plugin host restart failed: %s", iso->down);
	return -1;
}

/* Copy a RESULT into r and free it. The latency the helper reports is
 * kept within what the daemon measured around the exchange, elapsed_ns. */
static void take_result(struct hc_msg *m, int64_t elapsed_ns, struct hc_result *r, int *rc,
                        int64_t *latency_ns)
{
	int64_t l = m->u.result.latency_ns;

	*rc = m->u.result.rc;
	*latency_ns = l < 0 ? 0 : l > elapsed_ns ? elapsed_ns : l;
	r->status = m->u.result.status;
	r->has_value = m->u.result.has_value;
	r->value = m->u.result.value;
	snprintf(r->message, sizeof(r->message), "%s", m->str[0]);
	snprintf(r->unit, sizeof(r->unit), "%s", m->str[1]);
	snprintf(r->measurement, sizeof(r->measurement), "%s", m->str[2]);
	hc_msg_free(m);
}

enum hc_iso_run hc_iso_check(struct hc_iso *iso, uint64_t run, int64_t deadline_ns,
                             struct hc_result *r, int *rc, int64_t *latency_ns)
{
	struct hc_msg_check mc = { .deadline_ns = deadline_ns,
		                   .run = run,
		                   .timeout_ms = iso->timeout_ms };
	/* Half the grace: the scheduler's own expiry (at the full grace)
	 * normally finds this run already over. */
	int64_t until = deadline_ns + HC_DEADLINE_GRACE_MS * NS_PER_MS / 2;
	enum wait w = W_GONE;
	struct hc_msg m;
	int64_t start;

	reap_pending();
	if (iso->pid == 0 && restart(iso, deadline_ns, r) != 0)
		return HC_ISO_FAILED;
	start = hc_now_ns();
	if (hc_msg_send(iso->sock, HC_MSG_CHECK, &mc, sizeof(mc), NULL, 0) == 0)
		w = wait_for(iso, until, HC_MSG_RESULT, &m);
	if (w == W_MSG) {
		take_result(&m, hc_now_ns() - start, r, rc, latency_ns);
		iso->backoff_ms = BACKOFF_MIN_MS;
		return HC_ISO_RESULT;
	}
	w = bury(iso, w, until, "", r->message, sizeof(r->message));
	r->status = HC_FAIL;
	if (w == W_LATE) {
		/* A deadline is the plugin's slowness, not a crash: the next
		 * run starts a helper again, without backoff. */
		note_down(iso, r->message, HC_LOG_WARNING);
		iso->restart_ns = 0;
		return HC_ISO_TIMEOUT;
	}
	went_down(iso, r->message, HC_LOG_ERR);
	return HC_ISO_FAILED;
}

void hc_iso_free(struct hc_iso *iso)
{
	if (iso == NULL)
		return;
	if (iso->pid != 0) {
		int64_t until = hc_now_ns() + EXIT_WAIT_NS;
		struct hc_msg_hdr h;
		struct hc_msg m;

		/* Its log lines up to the end; then it exits by itself. */
		if (hc_msg_send(iso->sock, HC_MSG_TEARDOWN, &h, sizeof(h), NULL, MSG_DONTWAIT) == 0)
			while (wait_reply(iso, until, &m) == W_MSG)
				hc_msg_free(&m);
		reap(iso, until);
	}
	reap_pending();
	for (size_t i = 0; i < iso->n_kv; i++) {
		hc_free_secret(iso->values[i]);
		free(iso->keys[i]);
	}
	free(iso->values);
	free(iso->keys);
	free(iso->name);
	free(iso->path);
	free(iso);
}
