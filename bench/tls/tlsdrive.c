/* SPDX-License-Identifier: MIT */
/*
 * tlsdrive: times N expiry checks done one way, for bench/tls/run.sh.
 *
 *   tlsdrive plugin N PLUGIN.so [KEY=VALUE]...  a plugin through its ABI
 *                                               (init once, N checks)
 *   tlsdrive raw-endpoint N HOST PORT CA_FILE   N x (blocking connect,
 *                     SSL_connect, verify, notAfter of the peer's chain)
 *   tlsdrive raw-file N PEM_FILE    N x (read every certificate, notAfter)
 *   tlsdrive raw-jwt N FILE         N x (read, base64 decode, json_loadb,
 *                                   exp)
 *
 * The raw ways are the least OpenSSL/jansson code that learns the same
 * thing, with no deadline and no messages. Prints one line: "median_us
 * mean_us p95_us cpu_us failures" (cpu_us: this process's CPU time per
 * check). Not a test: it asserts nothing about speed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <healthcheckd/plugin.h>

#define TLSDRIVE_TIMEOUT_MS 2000

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
	SSL_CTX *ssl;
	struct sockaddr_in addr;
	const char *path;
};

static int plugin_once(struct driver *d)
{
	struct hc_result r;
	struct hc_check_ctx ctx = { sizeof(ctx),
		                    TLSDRIVE_TIMEOUT_MS,
		                    &host,
		                    NULL,
		                    now_ns() + TLSDRIVE_TIMEOUT_MS * 1000000LL,
		                    1 };

	memset(&r, 0, sizeof(r));
	r.struct_size = sizeof(r);
	if (d->plugin->check(d->instance, &ctx, &r) != HC_OK || r.status != HC_PASS) {
		fprintf(stderr, "tlsdrive: %s\n", r.message);
		return 1;
	}
	return 0;
}

/* Days until the earliest notAfter of certs (what every way computes). */
static double earliest_days(STACK_OF(X509) * certs)
{
	double best = 1e9;
	int i, day, sec;

	for (i = 0; i < sk_X509_num(certs); i++)
		if (ASN1_TIME_diff(&day, &sec, NULL, X509_get0_notAfter(sk_X509_value(certs, i))) &&
		    day + sec / 86400.0 < best)
			best = day + sec / 86400.0;
	return best;
}

static int raw_endpoint_once(struct driver *d)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), rc = 1;
	SSL *s = NULL;

	if (fd < 0 || connect(fd, (struct sockaddr *)&d->addr, sizeof(d->addr)) != 0)
		goto out;
	s = SSL_new(d->ssl);
	if (s == NULL || !SSL_set_fd(s, fd) ||
	    !X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(s), "127.0.0.1") || SSL_connect(s) != 1)
		goto out;
	if (SSL_get_verify_result(s) == X509_V_OK && earliest_days(SSL_get_peer_cert_chain(s)) > 30)
		rc = 0;
	SSL_shutdown(s);
out:
	SSL_free(s);
	if (fd >= 0)
		close(fd);
	return rc;
}

static int raw_file_once(struct driver *d)
{
	BIO *bio = BIO_new_file(d->path, "r");
	STACK_OF(X509) *certs = sk_X509_new_null();
	X509 *x;
	int rc;

	while (bio != NULL && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)))
		sk_X509_push(certs, x);
	ERR_clear_error();
	rc = !(sk_X509_num(certs) > 0 && earliest_days(certs) > 30);
	sk_X509_pop_free(certs, X509_free);
	BIO_free(bio);
	return rc;
}

static int raw_jwt_once(struct driver *d)
{
	char text[8192], b64[8192];
	unsigned char json[8192];
	FILE *fp = fopen(d->path, "r");
	size_t n = fp != NULL ? fread(text, 1, sizeof(text) - 1, fp) : 0;
	char *p, *q;
	json_t *root;
	int len, rc = 1;

	if (fp != NULL)
		fclose(fp);
	text[n] = '\0';
	p = strchr(text, '.');
	q = p != NULL ? strchr(p + 1, '.') : NULL;
	if (q == NULL)
		return 1;
	len = (int)(q - p - 1);
	memcpy(b64, p + 1, (size_t)len);
	for (int i = 0; i < len; i++)
		b64[i] = b64[i] == '-' ? '+' : b64[i] == '_' ? '/' : b64[i];
	while (len % 4 != 0)
		b64[len++] = '=';
	len = EVP_DecodeBlock(json, (unsigned char *)b64, len);
	if (len <= 0)
		return 1;
	/* EVP_DecodeBlock counts the padding as zero bytes. */
	while (len > 0 && json[len - 1] == '\0')
		len--;
	root = json_loadb((const char *)json, (size_t)len, 0, NULL);
	if (json_number_value(json_object_get(root, "exp")) > time(NULL))
		rc = 0;
	json_decref(root);
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
		fprintf(stderr, "tlsdrive: %s\n", dlerror());
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
		fprintf(stderr, "tlsdrive: init: %s\n", err);
		return -1;
	}
	d->once = plugin_once;
	return 0;
}

/* The raw endpoint way's context, made once as the plugin's init does. */
static int endpoint_setup(struct driver *d, int argc, char **argv)
{
	if (argc < 3)
		return -1;
	d->addr.sin_family = AF_INET;
	d->addr.sin_port = htons((uint16_t)atoi(argv[1]));
	if (inet_pton(AF_INET, argv[0], &d->addr.sin_addr) != 1)
		return -1;
	d->ssl = SSL_CTX_new(TLS_client_method());
	if (d->ssl == NULL || SSL_CTX_load_verify_locations(d->ssl, argv[2], NULL) != 1)
		return -1;
	d->once = raw_endpoint_once;
	return 0;
}

static int setup(struct driver *d, const char *mode, int argc, char **argv)
{
	if (argc < 1)
		return -1;
	d->path = argv[0];
	if (strcmp(mode, "plugin") == 0)
		return plugin_setup(d, argc, argv);
	if (strcmp(mode, "raw-endpoint") == 0)
		return endpoint_setup(d, argc, argv);
	if (strcmp(mode, "raw-file") == 0)
		d->once = raw_file_once;
	else if (strcmp(mode, "raw-jwt") == 0)
		d->once = raw_jwt_once;
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
		fprintf(stderr, "usage: tlsdrive plugin|raw-endpoint|raw-file|"
		                "raw-jwt N ...\n");
		return 2;
	}
	t = calloc((size_t)n, sizeof(*t));
	if (t == NULL)
		return 1;
	/* One untimed round: OpenSSL's lazy set-up, page faults. */
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
	SSL_CTX_free(d.ssl);
	free(t);
	return fails != 0;
}
