/* SPDX-License-Identifier: MIT */
/*
 * amqpdrive: times N RabbitMQ checks done one way, for
 * bench/rabbitmq/run.sh.
 *
 *   amqpdrive plugin N PLUGIN.so [KEY=VALUE]...  the plugin through its ABI
 *                                                 (init once, N checks)
 *   amqpdrive raw N PORT USER PASSWORD VHOST     N x (connect, login,
 *                             channel open and close, connection close)
 *   amqpdrive raw-kept N PORT USER PASSWORD VHOST   one connection, N x
 *                             (channel open, channel close)
 *   amqpdrive raw-queue N PORT USER PASSWORD VHOST QUEUE   one connection
 *                             and channel, N x passive queue.declare
 *
 * The raw ways use librabbitmq directly, to 127.0.0.1, with the same
 * timeouts the plugin sets (so the same clock reads and poll calls), and
 * nothing else. Prints one line: "median_us mean_us p95_us cpu_us
 * failures", where cpu_us is this process's CPU time per check. Not a
 * test: it asserts nothing about speed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>

#include <amqp.h>
#include <amqp_tcp_socket.h>

#include <healthcheckd/plugin.h>

#define AMQPDRIVE_TIMEOUT_MS 2000

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

/* One way of doing a check; returns 0 when it passed. */
struct driver {
	int (*once)(struct driver *d);
	const struct hc_plugin *plugin;
	void *instance;
	int port;
	const char *user, *password, *vhost, *queue;
	amqp_connection_state_t kept;
};

static int plugin_once(struct driver *d)
{
	struct hc_result r;
	struct hc_check_ctx ctx = { sizeof(ctx),
		                    AMQPDRIVE_TIMEOUT_MS,
		                    &host,
		                    NULL,
		                    now_ns() + AMQPDRIVE_TIMEOUT_MS * 1000000LL,
		                    1 };

	memset(&r, 0, sizeof(r));
	r.struct_size = sizeof(r);
	if (d->plugin->check(d->instance, &ctx, &r) != HC_OK || r.status != HC_PASS) {
		fprintf(stderr, "amqpdrive: %s\n", r.message);
		return 1;
	}
	return 0;
}

/* The time left to a 2 s deadline, as the plugin computes it per step. */
static struct timeval left(int64_t deadline)
{
	int64_t ms = (deadline - now_ns()) / 1000000;
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };

	return tv;
}

static int failed(const char *what, amqp_rpc_reply_t rep)
{
	if (rep.reply_type == AMQP_RESPONSE_NORMAL)
		return 0;
	fprintf(stderr, "amqpdrive: %s failed (reply type %d, %s)\n", what, (int)rep.reply_type,
	        rep.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION
	                ? amqp_error_string2(rep.library_error)
	                : "broker");
	return 1;
}

/* A logged-in connection, or NULL. */
static amqp_connection_state_t connect_login(struct driver *d, int64_t deadline)
{
	amqp_connection_state_t conn = amqp_new_connection();
	amqp_socket_t *sock = amqp_tcp_socket_new(conn);
	struct timeval tv = left(deadline);

	if (amqp_socket_open_noblock(sock, "127.0.0.1", d->port, &tv) != 0) {
		fprintf(stderr, "amqpdrive: connect failed\n");
		amqp_destroy_connection(conn);
		return NULL;
	}
	tv = left(deadline);
	amqp_set_handshake_timeout(conn, &tv);
	if (failed("login", amqp_login(conn, d->vhost, 0, 131072, 0, AMQP_SASL_METHOD_PLAIN,
	                               d->user, d->password))) {
		amqp_destroy_connection(conn);
		return NULL;
	}
	return conn;
}

static int channel_open_close(amqp_connection_state_t conn, int64_t deadline)
{
	struct timeval tv = left(deadline);

	amqp_set_rpc_timeout(conn, &tv);
	if (amqp_channel_open(conn, 1) == NULL)
		return failed("channel.open", amqp_get_rpc_reply(conn));
	tv = left(deadline);
	amqp_set_rpc_timeout(conn, &tv);
	return failed("channel.close", amqp_channel_close(conn, 1, AMQP_REPLY_SUCCESS));
}

static int raw_once(struct driver *d)
{
	int64_t deadline = now_ns() + AMQPDRIVE_TIMEOUT_MS * 1000000LL;
	amqp_connection_state_t conn = connect_login(d, deadline);
	struct timeval tv;
	int rc;

	if (conn == NULL)
		return 1;
	rc = channel_open_close(conn, deadline);
	tv = left(deadline);
	amqp_set_rpc_timeout(conn, &tv);
	amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
	amqp_destroy_connection(conn);
	return rc;
}

static int raw_kept_once(struct driver *d)
{
	int64_t deadline = now_ns() + AMQPDRIVE_TIMEOUT_MS * 1000000LL;

	if (d->kept == NULL && (d->kept = connect_login(d, deadline)) == NULL)
		return 1;
	return channel_open_close(d->kept, deadline);
}

static int raw_queue_once(struct driver *d)
{
	int64_t deadline = now_ns() + AMQPDRIVE_TIMEOUT_MS * 1000000LL;
	struct timeval tv;

	if (d->kept == NULL) {
		if ((d->kept = connect_login(d, deadline)) == NULL)
			return 1;
		tv = left(deadline);
		amqp_set_rpc_timeout(d->kept, &tv);
		if (amqp_channel_open(d->kept, 1) == NULL)
			return failed("channel.open", amqp_get_rpc_reply(d->kept));
	}
	tv = left(deadline);
	amqp_set_rpc_timeout(d->kept, &tv);
	if (amqp_queue_declare(d->kept, 1, amqp_cstring_bytes(d->queue), 1, 0, 0, 0,
	                       amqp_empty_table) == NULL)
		return failed("queue.declare", amqp_get_rpc_reply(d->kept));
	amqp_maybe_release_buffers(d->kept);
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
		fprintf(stderr, "amqpdrive: %s\n", dlerror());
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
		fprintf(stderr, "amqpdrive: init: %s\n", err);
		return -1;
	}
	d->once = plugin_once;
	return 0;
}

static int setup(struct driver *d, const char *mode, int argc, char **argv)
{
	if (strcmp(mode, "plugin") == 0)
		return argc >= 1 ? plugin_setup(d, argc, argv) : -1;
	if (argc < 4)
		return -1;
	d->port = atoi(argv[0]);
	d->user = argv[1];
	d->password = argv[2];
	d->vhost = argv[3];
	if (strcmp(mode, "raw") == 0)
		d->once = raw_once;
	else if (strcmp(mode, "raw-kept") == 0)
		d->once = raw_kept_once;
	else if (strcmp(mode, "raw-queue") == 0 && argc >= 5) {
		d->queue = argv[4];
		d->once = raw_queue_once;
	}
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
		fprintf(stderr, "usage: amqpdrive plugin|raw|raw-kept|raw-queue N ...\n");
		return 2;
	}
	t = calloc((size_t)n, sizeof(*t));
	if (t == NULL)
		return 1;
	/* One untimed round: connection set-up of the kept ways, page
	 * faults, the dynamic linker. */
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
		amqp_destroy_connection(d.kept);
	free(t);
	return fails != 0;
}
