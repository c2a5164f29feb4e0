/* SPDX-License-Identifier: MIT */
/*
 * spawn: run one command to completion or to the check's deadline, in its
 * own process group, collecting its output.
 */
#ifndef HC_EXEC_SPAWN_H
#define HC_EXEC_SPAWN_H

#include <stddef.h>

#include <healthcheckd/plugin.h>

/* What to run (all owned by the caller). */
struct sp_cmd {
	const char *path; /* the file to execute */
	char *const *argv;
	char *const *envp;
	const char *dir; /* working directory */
};

/* How it went. */
struct sp_out {
	char *buf;      /* the caller's buffer for stdout + stderr */
	size_t cap;     /* its size; output beyond it is read and dropped */
	size_t got;     /* bytes kept in buf (not NUL-terminated) */
	size_t dropped; /* bytes read and thrown away */
	int timed_out;  /* 1: killed at the deadline */
	int status;     /* from waitpid */
};

/*
 * Run cmd: posix_spawn into a new process group with stdin on /dev/null,
 * stdout and stderr into one pipe, no other descriptor, an empty signal
 * mask and default signal dispositions. Read the pipe until the command
 * exits or the deadline nears; then SIGTERM the group, and SIGKILL it a
 * short grace later. Whatever is left of the group when the command has
 * exited (a background child) gets SIGKILL too, and the command is always
 * reaped before this returns. Returns 0 with *out filled, or the errno of
 * what kept the command from starting.
 */
int sp_run(const struct hc_check_ctx *ctx, const struct sp_cmd *cmd, struct sp_out *out);

#endif /* HC_EXEC_SPAWN_H */
