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

#include <dlfcn.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include <libpq-fe.h>

#include <healthcheckd/plugin.h>

#define PGDRIVE_TIMEOUT_MS 2000

extern char **environ;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void host_log(void *handle, int level, const char *fmt, ...) HC_PRINTF(3, 4);
static void host_log(void *handle, int level, const char *fmt, ...)
{
	va_list ap;

	(void)handle;
	(void)level;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const struct hc_host host = {
	sizeof(struct hc_host),     HC_ABI_MAJOR, HC_ABI_MINOR, 0, host_log, now_ns,
	{ 0, 0, 0, 0, 0, 0, 0, 0 },
};

/* One way of doing a check; returns 0 when it passed. */
struct driver {
	int (*once)(struct driver *d);
	const struct hc_plugin *plugin;
	void *instance;
	const char *conninfo;
	PGconn *kept;
	char **argv;
};

static int plugin_once(struct driver *d)
{
	struct hc_result r;
	struct hc_check_ctx ctx = { sizeof(ctx),
		                    PGDRIVE_TIMEOUT_MS,
		                    &host,
		                    NULL,
		                    now_ns() + PGDRIVE_TIMEOUT_MS * 1000000LL,
		                    1 };

	memset(&r, 0, sizeof(r));
	r.struct_size = sizeof(r);
	if (d->plugin->check(d->instance, &ctx, &r) != HC_OK || r.status != HC_PASS) {
		fprintf(stderr, "pgdrive: %s\n", r.message);
		return 1;
	}
	return 0;
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

/* dlopen the plugin and init one instance from KEY=VALUE arguments. */
static int plugin_setup(struct driver *d, int argc, char **argv)
{
	const struct hc_plugin *(*describe)(void);
	struct hc_kv kv[32];
	char err[256] = "";
	struct hc_init_ctx ctx = { sizeof(ctx), 0, &host, NULL, "bench", kv, 0, err, sizeof(err) };
	void *lib = dlopen(argv[0], RTLD_NOW | RTLD_LOCAL);

	if (lib == NULL) {
		fprintf(stderr, "pgdrive: %s\n", dlerror());
		return -1;
	}
	*(void **)&describe = dlsym(lib, "hc_plugin_describe");
	if (describe == NULL)
		return -1;
	d->plugin = describe();
	for (int i = 1; i < argc && ctx.n_kv < 32; i++) {
		char *eq = strchr(argv[i], '=');

		if (eq == NULL)
			return -1;
		*eq = '\0';
		kv[ctx.n_kv++] = (struct hc_kv){ argv[i], eq + 1 };
	}
	if (d->plugin->init(&ctx, &d->instance) != HC_OK) {
		fprintf(stderr, "pgdrive: init: %s\n", err);
		return -1;
	}
	d->once = plugin_once;
	return 0;
}

static int setup(struct driver *d, const char *mode, int argc, char **argv)
{
	if (argc < 1)
		return -1;
	if (strcmp(mode, "plugin") == 0)
		return plugin_setup(d, argc, argv);
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

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static double cpu_us(void)
{
	struct rusage self, kids;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	return (self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec +
	        kids.ru_stime.tv_sec) *
	               1e6 +
	       self.ru_utime.tv_usec + self.ru_stime.tv_usec + kids.ru_utime.tv_usec +
	       kids.ru_stime.tv_usec;
}

int main(int argc, char **argv)
{
	struct driver d = { 0 };
	int64_t *t, sum = 0;
	double cpu;
	int n, fails = 0;

	if (argc < 4 || (n = atoi(argv[2])) < 1 || n > 1000000 ||
	    setup(&d, argv[1], argc - 3, argv + 3) != 0) {
		fprintf(stderr, "usage: pgdrive plugin|raw|raw-kept|exec N ...\n");
		return 2;
	}
	t = calloc((size_t)n, sizeof(*t));
	if (t == NULL)
		return 1;
	/* One untimed round: connection set-up of raw-kept and persistent,
	 * page faults, the dynamic linker. */
	fails += d.once(&d);
	cpu = cpu_us();
	for (int i = 0; i < n; i++) {
		int64_t start = now_ns();

		fails += d.once(&d);
		t[i] = now_ns() - start;
		sum += t[i];
	}
	cpu = cpu_us() - cpu;
	qsort(t, (size_t)n, sizeof(*t), cmp_i64);
	printf("%.1f %.1f %.1f %.1f %d\n", t[n / 2] / 1e3, sum / 1e3 / n, t[n * 95 / 100] / 1e3,
	       cpu / n, fails);
	if (d.plugin != NULL)
		d.plugin->teardown(d.instance);
	PQfinish(d.kept);
	free(t);
	return fails != 0;
}
