/* SPDX-License-Identifier: MIT */
/*
 * kdrive: times N Kafka checks done one way, for bench/kafka/run.sh.
 *
 *   kdrive plugin N PLUGIN.so [KEY=VALUE]...  the plugin through its ABI
 *                                              (init once, N checks)
 *   kdrive raw N BOOTSTRAP        one kept rd_kafka_t, N x all-topic metadata
 *   kdrive raw-fresh N BOOTSTRAP  N x (rd_kafka_new, all-topic metadata,
 *                                 rd_kafka_destroy)
 *
 * Prints one line: "median_us mean_us p95_us cpu_us failures", where cpu_us
 * is this process's CPU time per check (librdkafka's threads included). Not
 * a test: it asserts nothing about speed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#include <healthcheckd/plugin.h>

#define KDRIVE_TIMEOUT_MS 2000

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
	if (level > HC_LOG_WARNING)
		return;
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
	const char *bootstrap;
	rd_kafka_t *kept;
};

static int plugin_once(struct driver *d)
{
	struct hc_result r;
	struct hc_check_ctx ctx = { sizeof(ctx),
		                    KDRIVE_TIMEOUT_MS,
		                    &host,
		                    NULL,
		                    now_ns() + KDRIVE_TIMEOUT_MS * 1000000LL,
		                    1 };

	memset(&r, 0, sizeof(r));
	r.struct_size = sizeof(r);
	if (d->plugin->check(d->instance, &ctx, &r) != HC_OK || r.status != HC_PASS) {
		fprintf(stderr, "kdrive: %s\n", r.message);
		return 1;
	}
	return 0;
}

/* A producer handle on bootstrap with librdkafka's defaults. */
static rd_kafka_t *raw_client(const char *bootstrap)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char err[256];
	rd_kafka_t *rk;

	if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof(err)) !=
	    RD_KAFKA_CONF_OK) {
		fprintf(stderr, "kdrive: %s\n", err);
		rd_kafka_conf_destroy(conf);
		return NULL;
	}
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
	if (rk == NULL) {
		fprintf(stderr, "kdrive: %s\n", err);
		rd_kafka_conf_destroy(conf);
	}
	return rk;
}

static int metadata(rd_kafka_t *rk)
{
	const struct rd_kafka_metadata *md;
	rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, NULL, &md, KDRIVE_TIMEOUT_MS);

	if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
		fprintf(stderr, "kdrive: %s\n", rd_kafka_err2str(err));
		return 1;
	}
	rd_kafka_metadata_destroy(md);
	return 0;
}

static int raw_once(struct driver *d)
{
	if (d->kept == NULL && (d->kept = raw_client(d->bootstrap)) == NULL)
		return 1;
	return metadata(d->kept);
}

static int raw_fresh_once(struct driver *d)
{
	rd_kafka_t *rk = raw_client(d->bootstrap);
	int rc;

	if (rk == NULL)
		return 1;
	rc = metadata(rk);
	rd_kafka_destroy(rk);
	return rc;
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
		fprintf(stderr, "kdrive: %s\n", dlerror());
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
		fprintf(stderr, "kdrive: init: %s\n", err);
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
	d->bootstrap = argv[0];
	if (strcmp(mode, "raw") == 0)
		d->once = raw_once;
	else if (strcmp(mode, "raw-fresh") == 0)
		d->once = raw_fresh_once;
	return d->once != NULL ? 0 : -1;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static double cpu_us(void)
{
	struct rusage self;

	getrusage(RUSAGE_SELF, &self);
	return (self.ru_utime.tv_sec + self.ru_stime.tv_sec) * 1e6 + self.ru_utime.tv_usec +
	       self.ru_stime.tv_usec;
}

int main(int argc, char **argv)
{
	struct driver d = { 0 };
	int64_t *t, sum = 0;
	double cpu;
	int n, fails = 0;

	if (argc < 4 || (n = atoi(argv[2])) < 1 || n > 1000000 ||
	    setup(&d, argv[1], argc - 3, argv + 3) != 0) {
		fprintf(stderr, "usage: kdrive plugin|raw|raw-fresh N ...\n");
		return 2;
	}
	t = calloc((size_t)n, sizeof(*t));
	if (t == NULL)
		return 1;
	/* One untimed round: the kept client's creation and first
	 * connection, page faults, the dynamic linker. */
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
	if (d.kept != NULL)
		rd_kafka_destroy(d.kept);
	free(t);
	return fails != 0;
}
