/* SPDX-License-Identifier: MIT */
/* drive: a plugin through its ABI and N timed runs, for the bench drivers. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "drive.h"

/* The most KEY=VALUE arguments bd_plugin_open takes. */
#define BD_MAX_KV 32

int64_t bd_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void bd_log_all(struct hc_handle *handle, int level, const char *fmt, ...) HC_PRINTF(3, 4);
static void bd_log_all(struct hc_handle *handle, int level, const char *fmt, ...)
{
	va_list ap;

	(void)handle;
	(void)level;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int bd_plugin_load(struct bd_plugin *p, const char *name, bd_log_fn log, const char *so)
{
	const struct hc_plugin *(*describe)(void);
	void *lib = dlopen(so, RTLD_NOW | RTLD_LOCAL);

	p->name = name;
	p->host = (struct hc_host){ sizeof(struct hc_host),
		                    HC_ABI_MAJOR,
		                    HC_ABI_MINOR,
		                    0,
		                    log != NULL ? log : bd_log_all,
		                    bd_now_ns,
		                    { 0, 0, 0, 0, 0, 0, 0, 0 } };
	if (lib == NULL) {
		fprintf(stderr, "%s: %s\n", name, dlerror());
		return -1;
	}
	*(void **)&describe = dlsym(lib, "hc_plugin_describe");
	if (describe == NULL) {
		fprintf(stderr, "%s: %s: no hc_plugin_describe\n", name, so);
		return -1;
	}
	p->plugin = describe();
	return 0;
}

int bd_plugin_init(struct bd_plugin *p, const struct hc_kv *kv, size_t n)
{
	char err[256] = "";
	struct hc_init_ctx ctx = { sizeof(ctx), 0, &p->host, NULL, "bench", kv, n, err, sizeof(err) };

	if (p->plugin->init(&ctx, &p->instance) != HC_OK) {
		p->instance = NULL;
		fprintf(stderr, "%s: init: %s\n", p->name, err);
		return -1;
	}
	return 0;
}

int bd_plugin_open(struct bd_plugin *p, const char *name, bd_log_fn log, int argc, char **argv)
{
	struct hc_kv kv[BD_MAX_KV];
	size_t n = 0;

	if (argc < 1 || argc - 1 > BD_MAX_KV || bd_plugin_load(p, name, log, argv[0]) != 0)
		return -1;
	for (int i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (eq == NULL)
			return -1;
		*eq = '\0';
		kv[n++] = (struct hc_kv){ argv[i], eq + 1 };
	}
	return bd_plugin_init(p, kv, n);
}

/* One check with a deadline BD_TIMEOUT_MS ahead: 0 when it passed, else 1
 * and its message on stderr. */
static int bd_plugin_check(void *arg)
{
	struct bd_plugin *p = arg;
	struct hc_result r;
	struct hc_check_ctx ctx = { sizeof(ctx),
		                    BD_TIMEOUT_MS,
		                    &p->host,
		                    NULL,
		                    bd_now_ns() + BD_TIMEOUT_MS * 1000000LL,
		                    1 };

	memset(&r, 0, sizeof(r));
	r.struct_size = sizeof(r);
	if (p->plugin->check(p->instance, &ctx, &r) != HC_OK || r.status != HC_PASS) {
		fprintf(stderr, "%s: %s\n", p->name, r.message);
		return 1;
	}
	return 0;
}

void bd_plugin_close(struct bd_plugin *p)
{
	if (p->instance != NULL)
		p->plugin->teardown(p->instance);
	p->instance = NULL;
}

struct bd_way bd_plugin_way(struct bd_plugin *p)
{
	return (struct bd_way){ bd_plugin_check, p };
}

/* What bd_run measured, per check. */
struct bd_stats {
	double median_us, mean_us, p95_us, cpu_us;
	int fails;
};

static int bd_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The children's share is the CPU of the programs an exec way spawned; it
 * stays zero for the drivers that spawn none. */
static double bd_cpu_us(void)
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

/* One untimed run of w, then n timed ones; -1 when out of memory. */
static int bd_run(int n, struct bd_way w, struct bd_stats *st)
{
	int64_t *t = calloc((size_t)n, sizeof(*t)), sum = 0;
	double cpu;

	if (t == NULL)
		return -1;
	st->fails = w.once(w.arg);
	cpu = bd_cpu_us();
	for (int i = 0; i < n; i++) {
		int64_t start = bd_now_ns();

		st->fails += w.once(w.arg);
		t[i] = bd_now_ns() - start;
		sum += t[i];
	}
	cpu = bd_cpu_us() - cpu;
	qsort(t, (size_t)n, sizeof(*t), bd_cmp_i64);
	st->median_us = (double)t[n / 2] / 1e3;
	st->mean_us = (double)sum / 1e3 / n;
	st->p95_us = (double)t[n * 95 / 100] / 1e3;
	st->cpu_us = cpu / n;
	free(t);
	return 0;
}

int bd_main(const struct bd_driver *drv, void *d, int argc, char **argv)
{
	struct bd_way w = { NULL, NULL };
	struct bd_stats st;
	int n = argc >= 4 ? atoi(argv[2]) : 0;

	if (n < 1 || n > 1000000 || drv->setup(d, argv[1], argc - 3, argv + 3, &w) != 0) {
		fprintf(stderr, "usage: %s\n", drv->usage);
		return 2;
	}
	if (bd_run(n, w, &st) != 0)
		return 1;
	printf("%.1f %.1f %.1f %.1f %d\n", st.median_us, st.mean_us, st.p95_us, st.cpu_us, st.fails);
	drv->close(d);
	return st.fails != 0;
}
