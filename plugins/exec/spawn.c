/* SPDX-License-Identifier: MIT */
/* spawn: a command in its own process group, bounded by the deadline. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pipe2, posix_spawn_file_actions_add*_np */
#endif

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/plugutil.h"
#include "compat.h"
#include "spawn.h"

/* The longest wait between SIGTERM and SIGKILL at the deadline; a tenth
 * of a shorter timeout. */
#define SP_GRACE_MAX_NS (200 * 1000000LL)
/* Without a pidfd (a kernel before 5.3, a seccomp filter): how often to
 * look whether the command exited; more often once its output has ended,
 * which it does as it exits. */
#define SP_TICK_MS 10
#define SP_TICK_EOF_MS 1
/* Reads per wake-up: a command that writes without pause must not keep
 * the loop from looking at the clock. */
#define SP_READS 16

/* One run in progress. */
struct sp_run {
	const struct hc_check_ctx *ctx;
	struct sp_out *out;
	pid_t pid;
	int pidfd; /* -1 when the kernel gave none */
	int rfd;   /* the read end of the pipe, non-blocking */
};

static int sp_attrs(posix_spawnattr_t *at)
{
	sigset_t none, all;
	int rc = posix_spawnattr_init(at);

	if (rc != 0)
		return rc;
	sigemptyset(&none);
	sigfillset(&all);
	/* A new group, so that the deadline reaches what the command starts.
	 * An empty mask and default dispositions: the core blocks SIGTERM,
	 * SIGINT and SIGHUP in every thread and ignores SIGPIPE, and a child
	 * inherits both, so it could neither be stopped with SIGTERM nor die
	 * of a closed pipe as commands expect. */
	rc = posix_spawnattr_setflags(at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
	                                          POSIX_SPAWN_SETSIGDEF);
	if (rc == 0)
		rc = posix_spawnattr_setpgroup(at, 0);
	if (rc == 0)
		rc = posix_spawnattr_setsigmask(at, &none);
	if (rc == 0)
		rc = posix_spawnattr_setsigdefault(at, &all);
	if (rc != 0)
		posix_spawnattr_destroy(at);
	return rc;
}

static int sp_files(posix_spawn_file_actions_t *fa, int wfd, const char *dir)
{
	int rc = posix_spawn_file_actions_init(fa);

	if (rc != 0)
		return rc;
	rc = posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY, 0);
	if (rc == 0)
		rc = posix_spawn_file_actions_adddup2(fa, wfd, 1);
	if (rc == 0)
		rc = posix_spawn_file_actions_adddup2(fa, wfd, 2);
	/* Nothing else of the daemon's reaches the command, whether or not it
	 * was opened with O_CLOEXEC (a client library's socket may not be). */
	if (rc == 0)
		rc = posix_spawn_file_actions_addclosefrom_np(fa, 3);
	if (rc == 0)
		rc = posix_spawn_file_actions_addchdir_np(fa, dir);
	if (rc != 0)
		posix_spawn_file_actions_destroy(fa);
	return rc;
}

/* posix_spawn, which is safe from a worker thread: glibc's clone(VFORK)
 * runs nothing but the file actions and exec in the child, and reports
 * an exec failure as its return value. */
static int sp_spawn(const struct sp_cmd *cmd, int wfd, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	int rc = sp_attrs(&at);

	if (rc != 0)
		return rc;
	rc = sp_files(&fa, wfd, cmd->dir);
	if (rc == 0) {
		rc = posix_spawn(pid, cmd->path, &fa, &at, cmd->argv, cmd->envp);
		posix_spawn_file_actions_destroy(&fa);
	}
	posix_spawnattr_destroy(&at);
	return rc;
}

/* What sp_read found. */
enum sp_read_end {
	SP_EMPTY, /* nothing more for now */
	SP_EOF,   /* end of file, or a read error, which ends it as well */
	SP_MORE,  /* SP_READS reads done, there may be more */
};

/* Read what the pipe holds, keeping what fits. */
static enum sp_read_end sp_read(struct sp_run *run)
{
	struct sp_out *o = run->out;
	char sink[4096];
	ssize_t n;
	int i;

	for (i = 0; i < SP_READS; i++) {
		if (o->got < o->cap)
			n = read(run->rfd, o->buf + o->got, o->cap - o->got);
		else
			n = read(run->rfd, sink, sizeof(sink));
		if (n > 0 && o->got < o->cap)
			o->got += (size_t)n;
		else if (n > 0)
			o->dropped += (size_t)n;
		else if (n == 0 || (errno != EINTR && errno != EAGAIN))
			return SP_EOF;
		else if (errno == EAGAIN)
			return SP_EMPTY;
	}
	return SP_MORE;
}

/* Whether the command has exited (it stays a zombie, not reaped: its pid
 * is then still the group's id, which no new process can take). */
static int sp_exited(const struct sp_run *run, short revents)
{
	siginfo_t si;

	if (run->pidfd >= 0)
		return (revents & POLLIN) != 0;
	si.si_pid = 0;
	return waitid(P_PID, (id_t)run->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid != 0;
}

/* Read output until the command exits or the deadline: SIGTERM to the
 * group a grace before it, the caller's SIGKILL at it. */
static void sp_collect(struct sp_run *run)
{
	const struct hc_check_ctx *ctx = run->ctx;
	int64_t end = pu_early_deadline(ctx);
	int64_t grace = (int64_t)ctx->timeout_ms * 1000000 / 10;
	int64_t until = end - (grace < SP_GRACE_MAX_NS ? grace : SP_GRACE_MAX_NS);
	struct pollfd pfd[2] = { { run->rfd, POLLIN, 0 }, { run->pidfd, POLLIN, 0 } };

	for (;;) {
		int ms = pu_ms_until(ctx->host, until);
		int tick = pfd[0].fd < 0 ? SP_TICK_EOF_MS : SP_TICK_MS;

		if (run->pidfd < 0 && ms > tick)
			ms = tick;
		if (poll(pfd, 2, ms) < 0 && errno != EINTR)
			return;
		if (pfd[0].revents != 0 && sp_read(run) == SP_EOF)
			pfd[0].fd = -1; /* poll ignores it from now on */
		if (sp_exited(run, pfd[1].revents))
			return;
		if (ctx->host->now_ns() < until)
			continue;
		if (run->out->timed_out)
			return;
		kill(-run->pid, SIGTERM);
		run->out->timed_out = 1;
		until = end;
	}
}

/* Kill what is left of the group, reap the command, take the rest of the
 * output. The zombie keeps the group's id reserved until waitpid, so the
 * SIGKILL cannot reach a stranger's group. */
static void sp_finish(struct sp_run *run)
{
	int i;

	kill(-run->pid, SIGKILL);
	while (waitpid(run->pid, &run->out->status, 0) < 0 && errno == EINTR)
		;
	/* The writers are dead, so this ends; bounded all the same, for a
	 * grandchild that left the group and keeps writing. */
	for (i = 0; i < 64 && sp_read(run) == SP_MORE; i++)
		;
}

/* See documentation in header file. */
int sp_run(const struct hc_check_ctx *ctx, const struct sp_cmd *cmd, struct sp_out *out)
{
	struct sp_run run = { ctx, out, 0, -1, -1 };
	int p[2], rc;

	/* The write end must stay blocking: the command's stdout is it. */
	if (pipe2(p, O_CLOEXEC) < 0)
		return errno;
	rc = sp_spawn(cmd, p[1], &run.pid);
	close(p[1]);
	if (rc != 0) {
		close(p[0]);
		return rc;
	}
	run.rfd = p[0];
	fcntl(run.rfd, F_SETFL, O_NONBLOCK);
	run.pidfd = pidfd_open(run.pid, 0);
	sp_collect(&run);
	sp_finish(&run);
	if (run.pidfd >= 0)
		close(run.pidfd);
	close(run.rfd);
	return 0;
}
