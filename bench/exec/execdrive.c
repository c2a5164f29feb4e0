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

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <healthcheckd/plugin.h>

#define EXECDRIVE_TIMEOUT_MS 2000

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void host_log(struct hc_handle *handle, int level, const char *fmt, ...) HC_PRINTF(3, 4);
static void host_log(struct hc_handle *handle, int level, const char *fmt, ...)
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

struct driver {
	int (*once)(struct driver *d);
	const struct hc_plugin *plugin;
	void *instance;
	char **argv;
	char *envp[3];
};

static int plugin_once(struct driver *d)
{
	struct hc_result r;
	struct hc_check_ctx ctx = { sizeof(ctx),
		                    EXECDRIVE_TIMEOUT_MS,
		                    &host,
		                    NULL,
		                    now_ns() + EXECDRIVE_TIMEOUT_MS * 1000000LL,
		                    1 };

	memset(&r, 0, sizeof(r));
	r.struct_size = sizeof(r);
	if (d->plugin->check(d->instance, &ctx, &r) != HC_OK || r.status != HC_PASS) {
		fprintf(stderr, "execdrive: %s\n", r.message);
		return 1;
	}
	return 0;
}

/* The least an exec check can do: spawn with the output into a pipe, read
 * the pipe to its end, reap. */
static int raw_once(struct driver *d)
{
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

static int plugin_setup(struct driver *d, const char *so, const char *command)
{
	const struct hc_plugin *(*describe)(void);
	struct hc_kv kv[1] = { { "command", command } };
	char err[256] = "";
	struct hc_init_ctx ctx = { sizeof(ctx), 0, &host, NULL, "bench", kv, 1, err, sizeof(err) };
	void *lib = dlopen(so, RTLD_NOW | RTLD_LOCAL);

	if (lib == NULL) {
		fprintf(stderr, "execdrive: %s\n", dlerror());
		return -1;
	}
	*(void **)&describe = dlsym(lib, "hc_plugin_describe");
	if (describe == NULL)
		return -1;
	d->plugin = describe();
	if (d->plugin->init(&ctx, &d->instance) != HC_OK) {
		fprintf(stderr, "execdrive: init: %s\n", err);
		return -1;
	}
	d->once = plugin_once;
	return 0;
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

static int setup(struct driver *d, const char *mode, int argc, char **argv)
{
	if (strcmp(mode, "plugin") == 0 && argc == 2)
		return plugin_setup(d, argv[0], argv[1]);
	if (strcmp(mode, "raw") != 0 || argc < 1)
		return -1;
	d->argv = argv;
	raw_env(d);
	d->once = raw_once;
	return 0;
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
	return (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec +
	                kids.ru_stime.tv_sec) *
	               1e6 +
	       (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec + kids.ru_utime.tv_usec +
	                kids.ru_stime.tv_usec);
}

int main(int argc, char **argv)
{
	struct driver d = { 0 };
	int64_t *t, sum = 0;
	double cpu;
	int n, fails = 0;

	if (argc < 4 || (n = atoi(argv[2])) < 1 || n > 1000000 ||
	    setup(&d, argv[1], argc - 3, argv + 3) != 0) {
		fprintf(stderr, "usage: execdrive plugin N EXEC.so COMMAND | "
		                "raw N PROGRAM [ARG]...\n");
		return 2;
	}
	t = calloc((size_t)n, sizeof(*t));
	if (t == NULL)
		return 1;
	/* One untimed run: page faults, the first exec of the program. */
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
	printf("%.1f %.1f %.1f %.1f %d\n", (double)t[n / 2] / 1e3, (double)sum / 1e3 / n,
	       (double)t[n * 95 / 100] / 1e3, cpu / n, fails);
	if (d.plugin != NULL)
		d.plugin->teardown(d.instance);
	free(t);
	return fails != 0;
}
