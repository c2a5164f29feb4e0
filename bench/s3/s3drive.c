/* SPDX-License-Identifier: MIT */
/*
 * s3drive: times N S3 bucket checks done one way, for bench/s3/run.sh.
 *
 *   s3drive plugin N PLUGIN.so [KEY=VALUE]...   the plugin through its ABI
 *                                               (init once, N checks)
 *   s3drive raw N URL REGION KEY_ID SECRET      one libcurl easy handle,
 *                                               N x a SigV4-signed HEAD URL
 *
 * Both keep one connection across checks. Prints one line: "median_us
 * mean_us p95_us cpu_us failures", cpu_us being this process's CPU time
 * per check. Not a test: it asserts nothing about speed.
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <curl/curl.h>

#include <healthcheckd/plugin.h>

#define S3DRIVE_TIMEOUT_MS 2000

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

/* One way of doing a check; once returns 0 when it passed. */
struct driver {
	int (*once)(struct driver *d);
	const struct hc_plugin *plugin;
	void *instance;
	CURL *easy;
	struct curl_slist *headers;
};

static int plugin_once(struct driver *d)
{
	struct hc_result r;
	struct hc_check_ctx ctx = { sizeof(ctx),
		                    S3DRIVE_TIMEOUT_MS,
		                    &host,
		                    NULL,
		                    now_ns() + S3DRIVE_TIMEOUT_MS * 1000000LL,
		                    1 };

	memset(&r, 0, sizeof(r));
	r.struct_size = sizeof(r);
	if (d->plugin->check(d->instance, &ctx, &r) != HC_OK || r.status != HC_PASS) {
		fprintf(stderr, "s3drive: %s\n", r.message);
		return 1;
	}
	return 0;
}

/* What the least a check can do costs: perform the prepared HEAD. */
static int raw_once(struct driver *d)
{
	long status = 0;
	CURLcode rc = curl_easy_perform(d->easy);

	curl_easy_getinfo(d->easy, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK || status != 200) {
		fprintf(stderr, "s3drive: %s, status %ld\n", curl_easy_strerror(rc), status);
		return 1;
	}
	return 0;
}

/* argv: URL REGION KEY_ID SECRET. The same request the plugin sends. */
static int raw_setup(struct driver *d, int argc, char **argv)
{
	char sigv4[128];

	if (argc != 4 || (d->easy = curl_easy_init()) == NULL)
		return -1;
	snprintf(sigv4, sizeof(sigv4), "aws:amz:%s:s3", argv[1]);
	d->headers = curl_slist_append(NULL, "x-amz-content-sha256: "
	                                     "e3b0c44298fc1c149afbf4c8996fb924"
	                                     "27ae41e4649b934ca495991b7852b855");
	curl_easy_setopt(d->easy, CURLOPT_URL, argv[0]);
	curl_easy_setopt(d->easy, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(d->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(d->easy, CURLOPT_AWS_SIGV4, sigv4);
	curl_easy_setopt(d->easy, CURLOPT_USERNAME, argv[2]);
	curl_easy_setopt(d->easy, CURLOPT_PASSWORD, argv[3]);
	curl_easy_setopt(d->easy, CURLOPT_HTTPHEADER, d->headers);
	curl_easy_setopt(d->easy, CURLOPT_TIMEOUT_MS, (long)S3DRIVE_TIMEOUT_MS);
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
	void *lib = argc > 0 ? dlopen(argv[0], RTLD_NOW | RTLD_LOCAL) : NULL;

	if (lib == NULL) {
		fprintf(stderr, "s3drive: %s\n", argc > 0 ? dlerror() : "");
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
		fprintf(stderr, "s3drive: init: %s\n", err);
		return -1;
	}
	d->once = plugin_once;
	return 0;
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
	int n, fails = 0, rc = -1;

	if (argc >= 4 && (n = atoi(argv[2])) >= 1 && n <= 1000000) {
		if (strcmp(argv[1], "plugin") == 0)
			rc = plugin_setup(&d, argc - 3, argv + 3);
		else if (strcmp(argv[1], "raw") == 0)
			rc = raw_setup(&d, argc - 3, argv + 3);
	}
	if (rc != 0) {
		fprintf(stderr, "usage: s3drive plugin|raw N ...\n");
		return 2;
	}
	t = calloc((size_t)n, sizeof(*t));
	if (t == NULL)
		return 1;
	/* One untimed round: the connection, page faults, the dynamic
	 * linker. */
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
	if (d.easy != NULL)
		curl_easy_cleanup(d.easy);
	curl_slist_free_all(d.headers);
	free(t);
	return fails != 0;
}
