/* SPDX-License-Identifier: MIT */
/*
 * execdrive: times N runs of one command done one way, for
 * bench/exec/run.sh.
 *
 *   execdrive plugin N EXEC.so COMMAND   the exec plugin through its ABI
 *                                        (init once with command=COMMAND,
 *                                        N checks)
 *   execdrive raw N PROGRAM [ARG]...     N x (posix_spawn with stdout and
 *                                        stderr into a pipe, read it to
 *                                        the end, waitpid)
 *
 * Both give the command the same environment (PATH and LANG). Prints one
 * line: "median_us mean_us p95_us cpu_us failures", where cpu_us is the CPU
 * time of this process and its children (getrusage RUSAGE_SELF +
 * RUSAGE_CHILDREN) per run. Not a test: it asserts nothing about speed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "drive.h"

/* What the ways keep across checks. */
struct driver {
	struct bd_plugin plugin;
	char **argv;
	char *envp[3];
};

/* The least an exec check can do: spawn with the output into a pipe, read
 * the pipe to its end, reap. */
static int raw_once(void *arg)
{
	struct driver *d = arg;
	posix_spawn_file_actions_t fa;
	char buf[4096];
	int p[2], status, rc;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return 1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_adddup2(&fa, p[1], 2);
	rc = posix_spawn(&pid, d->argv[0], &fa, NULL, d->argv, d->envp);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (rc != 0) {
		close(p[0]);
		return 1;
	}
	while (read(p[0], buf, sizeof(buf)) > 0)
		;
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static int plugin_setup(struct driver *d, const char *so, const char *command, struct bd_way *w)
{
	struct hc_kv kv = { "command", command };

	*w = bd_plugin_way(&d->plugin);
	if (bd_plugin_load(&d->plugin, "execdrive", NULL, so) != 0)
		return -1;
	return bd_plugin_init(&d->plugin, &kv, 1);
}

/* The environment the plugin gives a command: PATH and LANG. */
static void raw_env(struct driver *d)
{
	static char path[4096], lang[256];
	const char *v = getenv("PATH");
	int k = 0;

	snprintf(path, sizeof(path), "PATH=%s", v != NULL ? v : "/usr/bin:/bin");
	d->envp[k++] = path;
	if ((v = getenv("LANG")) != NULL) {
		snprintf(lang, sizeof(lang), "LANG=%s", v);
		d->envp[k++] = lang;
	}
	d->envp[k] = NULL;
}

static int setup(void *arg, const char *mode, int argc, char **argv, struct bd_way *w)
{
	struct driver *d = arg;

	if (strcmp(mode, "plugin") == 0 && argc == 2)
		return plugin_setup(d, argv[0], argv[1], w);
	if (strcmp(mode, "raw") != 0 || argc < 1)
		return -1;
	d->argv = argv;
	raw_env(d);
	*w = (struct bd_way){ raw_once, d };
	return 0;
}

static void drive_close(void *arg)
{
	struct driver *d = arg;

	bd_plugin_close(&d->plugin);
}

int main(int argc, char **argv)
{
	static const struct bd_driver drv = {
		"execdrive plugin N EXEC.so COMMAND | raw N PROGRAM [ARG]...", setup, drive_close
	};
	struct driver d = { 0 };

	/* The untimed first run: page faults, the first exec of the
	 * program. */
	return bd_main(&drv, &d, argc, argv);
}
