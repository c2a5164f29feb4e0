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

/* One way of doing a check; returns 0 when it passed. */
struct driver {
	int (*once)(struct driver *d);
	struct bd_plugin plugin;
	const char *conninfo;
	PGconn *kept;
	char **argv;
};

static int plugin_once(struct driver *d)
{
	return bd_plugin_check(&d->plugin);
}

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

static int raw_once(struct driver *d)
{
	PGconn *conn = PQconnectdb(d->conninfo);
	int rc = 1;

	if (PQstatus(conn) == CONNECTION_OK)
		rc = select1(conn);
	else
		fprintf(stderr, "pgdrive: %s", PQerrorMessage(conn));
	PQfinish(conn);
	return rc;
}

static int raw_kept_once(struct driver *d)
{
	if (d->kept == NULL) {
		d->kept = PQconnectdb(d->conninfo);
		if (PQstatus(d->kept) != CONNECTION_OK) {
			fprintf(stderr, "pgdrive: %s", PQerrorMessage(d->kept));
			return 1;
		}
	}
	return select1(d->kept);
}

static int exec_once(struct driver *d)
{
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

static int setup(struct driver *d, const char *mode, int argc, char **argv)
{
	if (argc < 1)
		return -1;
	if (strcmp(mode, "plugin") == 0) {
		d->once = plugin_once;
		return bd_plugin_open(&d->plugin, "pgdrive", NULL, argc, argv);
	}
	d->conninfo = argv[0];
	d->argv = argv;
	if (strcmp(mode, "raw") == 0)
		d->once = raw_once;
	else if (strcmp(mode, "raw-kept") == 0)
		d->once = raw_kept_once;
	else if (strcmp(mode, "exec") == 0)
		d->once = exec_once;
	return d->once != NULL ? 0 : -1;
}

static int drive_once(void *arg)
{
	struct driver *d = arg;

	return d->once(d);
}

int main(int argc, char **argv)
{
	struct driver d = { 0 };
	struct bd_stats st;
	int n;

	if (argc < 4 || (n = bd_count(argv[2])) < 0 || setup(&d, argv[1], argc - 3, argv + 3) != 0) {
		fprintf(stderr, "usage: pgdrive plugin|raw|raw-kept|exec N ...\n");
		return 2;
	}
	/* The untimed first round: connection set-up of raw-kept and
	 * persistent, page faults, the dynamic linker. */
	if (bd_run(n, drive_once, &d, &st) != 0)
		return 1;
	bd_print(&st);
	bd_plugin_close(&d.plugin);
	PQfinish(d.kept);
	return st.fails != 0;
}
