/* SPDX-License-Identifier: MIT */
/*
 * pgdrive: times N PostgreSQL checks done one way, for bench/postgres/run.sh.
 *
 *   pgdrive plugin N PLUGIN.so [KEY=VALUE]...  the plugin through its ABI
 *                                               (init once, N checks)
 *   pgdrive raw N CONNINFO        N x (PQconnectdb, SELECT 1, PQfinish)
 *   pgdrive raw-kept N CONNINFO   one connection, N x SELECT 1
 *   pgdrive exec N PROGRAM [ARG]...  N x posix_spawn + waitpid
 *
 * Prints one line: "median_us mean_us p95_us cpu_us failures", where cpu_us
 * is this process's CPU time (plus its children's) per check. Not a test:
 * it asserts nothing about speed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <libpq-fe.h>

#include "drive.h"

extern char **environ;

/* What the ways keep across checks. */
struct driver {
	struct bd_plugin plugin;
	const char *conninfo;
	PGconn *kept;
	char **argv;
};

static int select1(PGconn *conn)
{
	const char *sql = getenv("PGDRIVE_SQL");
	PGresult *res = PQexec(conn, sql != NULL ? sql : "SELECT 1");
	int ok = PQresultStatus(res) == PGRES_TUPLES_OK;

	if (!ok)
		fprintf(stderr, "pgdrive: %s", PQerrorMessage(conn));
	PQclear(res);
	return !ok;
}

static int raw_once(void *arg)
{
	struct driver *d = arg;
	PGconn *conn = PQconnectdb(d->conninfo);
	int rc = 1;

	if (PQstatus(conn) == CONNECTION_OK)
		rc = select1(conn);
	else
		fprintf(stderr, "pgdrive: %s", PQerrorMessage(conn));
	PQfinish(conn);
	return rc;
}

static int raw_kept_once(void *arg)
{
	struct driver *d = arg;

	if (d->kept == NULL) {
		d->kept = PQconnectdb(d->conninfo);
		if (PQstatus(d->kept) != CONNECTION_OK) {
			fprintf(stderr, "pgdrive: %s", PQerrorMessage(d->kept));
			return 1;
		}
	}
	return select1(d->kept);
}

static int exec_once(void *arg)
{
	struct driver *d = arg;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status, rc;

	/* Its one line of output would mix with ours. */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	rc = posix_spawn(&pid, d->argv[0], &fa, NULL, d->argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return 1;
	if (waitpid(pid, &status, 0) < 0)
		return 1;
	return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static int setup(void *arg, const char *mode, int argc, char **argv, struct bd_way *w)
{
	struct driver *d = arg;

	if (argc < 1)
		return -1;
	if (strcmp(mode, "plugin") == 0) {
		*w = bd_plugin_way(&d->plugin);
		return bd_plugin_open(&d->plugin, "pgdrive", NULL, argc, argv);
	}
	d->conninfo = argv[0];
	d->argv = argv;
	if (strcmp(mode, "raw") == 0)
		*w = (struct bd_way){ raw_once, d };
	else if (strcmp(mode, "raw-kept") == 0)
		*w = (struct bd_way){ raw_kept_once, d };
	else if (strcmp(mode, "exec") == 0)
		*w = (struct bd_way){ exec_once, d };
	return w->once != NULL ? 0 : -1;
}

static void drive_close(void *arg)
{
	struct driver *d = arg;

	bd_plugin_close(&d->plugin);
	PQfinish(d->kept);
}

int main(int argc, char **argv)
{
	static const struct bd_driver drv = { "pgdrive plugin|raw|raw-kept|exec N ...", setup,
		                              drive_close };
	struct driver d = { 0 };

	/* The untimed first round: connection set-up of raw-kept and
	 * persistent, page faults, the dynamic linker. */
	return bd_main(&drv, &d, argc, argv);
}
