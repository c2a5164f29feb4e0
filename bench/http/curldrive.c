/* SPDX-License-Identifier: MIT */
/*
 * curldrive: times N HTTP checks done one way, for bench/http/run.sh.
 *
 *   curldrive plugin N PLUGIN.so [KEY=VALUE]...  the http plugin through its
 *                                                ABI (init once, N checks)
 *   curldrive raw N URL     one kept libcurl easy handle, N x
 *                           curl_easy_perform + the status code
 *
 * With CURLDRIVE_THREAD=1 each check runs on a thread of its own, as the
 * core runs them. Prints one line: "median_us mean_us p95_us cpu_us
 * failures", where cpu_us is this process's CPU time per check. Not a test: it asserts nothing
 * about speed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <curl/curl.h>

#include <healthcheckd/plugin.h>

#define CURLDRIVE_TIMEOUT_MS 2000

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void host_log(struct hc_handle *handle, int level, const char *fmt, ...) HC_PRINTF(3, 4);
static void host_log(struct hc_handle *handle, int level, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	(void)handle;
	/* Formatted in any case, as the core does before its level filter;
	 * the plugin's per-run debug line is then dropped, as without -v. */
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (level < HC_LOG_DEBUG)
		fprintf(stderr, "%s\n", line);
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
	CURL *curl;
};

static int plugin_once(struct driver *d)
{
	struct hc_result r;
	struct hc_check_ctx ctx = { sizeof(ctx),
		                    CURLDRIVE_TIMEOUT_MS,
		                    &host,
		                    NULL,
		                    now_ns() + CURLDRIVE_TIMEOUT_MS * 1000000LL,
		                    1 };

	memset(&r, 0, sizeof(r));
	r.struct_size = sizeof(r);
	if (d->plugin->check(d->instance, &ctx, &r) != HC_OK || r.status != HC_PASS) {
		fprintf(stderr, "curldrive: %s\n", r.message);
		return 1;
	}
	return 0;
}

/* The body goes nowhere, as a minimal client would have it. */
static size_t discard(char *data, size_t size, size_t n, void *user)
{
	(void)data;
	(void)user;
	return size * n;
}

static int raw_once(struct driver *d)
{
	long code = 0;
	CURLcode e = curl_easy_perform(d->curl);

	curl_easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, &code);
	if (e != CURLE_OK || code != 200) {
		fprintf(stderr, "curldrive: %s, %ld\n", curl_easy_strerror(e), code);
		return 1;
	}
	return 0;
}

static int raw_setup(struct driver *d, const char *url)
{
	d->curl = curl_easy_init();
	if (d->curl == NULL)
		return -1;
	curl_easy_setopt(d->curl, CURLOPT_URL, url);
	curl_easy_setopt(d->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(d->curl, CURLOPT_TIMEOUT_MS, (long)CURLDRIVE_TIMEOUT_MS);
	curl_easy_setopt(d->curl, CURLOPT_WRITEFUNCTION, discard);
	d->once = raw_once;
	return 0;
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
		fprintf(stderr, "curldrive: %s\n", dlerror());
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
		fprintf(stderr, "curldrive: init: %s\n", err);
		return -1;
	}
	d->once = plugin_once;
	return 0;
}

static void *thread_once(void *arg)
{
	struct driver *d = arg;

	return (void *)(intptr_t)d->once(d);
}

/* One check, on a new thread when threaded. */
static int run_once(struct driver *d, int threaded)
{
	pthread_t t;
	void *rc;

	if (!threaded)
		return d->once(d);
	if (pthread_create(&t, NULL, thread_once, d) != 0)
		return 1;
	pthread_join(t, &rc);
	return (int)(intptr_t)rc;
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
	const char *threaded = getenv("CURLDRIVE_THREAD");
	int n, fails = 0, rc = -1, th = threaded != NULL && threaded[0] == '1';

	if (argc >= 4 && (n = atoi(argv[2])) >= 1 && n <= 1000000) {
		if (strcmp(argv[1], "plugin") == 0)
			rc = plugin_setup(&d, argc - 3, argv + 3);
		else if (strcmp(argv[1], "raw") == 0)
			rc = raw_setup(&d, argv[3]);
	}
	if (rc != 0) {
		fprintf(stderr, "usage: curldrive plugin|raw N ...\n");
		return 2;
	}
	t = calloc((size_t)n, sizeof(*t));
	if (t == NULL)
		return 1;
	/* One untimed round: the connection, page faults, the linker. */
	fails += run_once(&d, th);
	cpu = cpu_us();
	for (int i = 0; i < n; i++) {
		int64_t start = now_ns();

		fails += run_once(&d, th);
		t[i] = now_ns() - start;
		sum += t[i];
	}
	cpu = cpu_us() - cpu;
	qsort(t, (size_t)n, sizeof(*t), cmp_i64);
	printf("%.1f %.1f %.1f %.1f %d\n", t[n / 2] / 1e3, sum / 1e3 / n, t[n * 95 / 100] / 1e3,
	       cpu / n, fails);
	if (d.plugin != NULL)
		d.plugin->teardown(d.instance);
	if (d.curl != NULL)
		curl_easy_cleanup(d.curl);
	free(t);
	return fails != 0;
}
