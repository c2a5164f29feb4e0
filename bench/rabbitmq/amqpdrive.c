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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <amqp.h>
#include <amqp_tcp_socket.h>

#include "drive.h"

/* What the ways keep across checks. */
struct driver {
	struct bd_plugin plugin;
	int port;
	const char *user, *password, *vhost, *queue;
	amqp_connection_state_t kept;
};

/* The time left to a 2 s deadline, as the plugin computes it per step. */
static struct timeval left(int64_t deadline)
{
	int64_t ms = (deadline - bd_now_ns()) / 1000000;
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

static int raw_once(void *arg)
{
	struct driver *d = arg;
	int64_t deadline = bd_now_ns() + BD_TIMEOUT_MS * 1000000LL;
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

static int raw_kept_once(void *arg)
{
	struct driver *d = arg;
	int64_t deadline = bd_now_ns() + BD_TIMEOUT_MS * 1000000LL;

	if (d->kept == NULL && (d->kept = connect_login(d, deadline)) == NULL)
		return 1;
	return channel_open_close(d->kept, deadline);
}

static int raw_queue_once(void *arg)
{
	struct driver *d = arg;
	int64_t deadline = bd_now_ns() + BD_TIMEOUT_MS * 1000000LL;
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

static int setup(void *arg, const char *mode, int argc, char **argv, struct bd_way *w)
{
	struct driver *d = arg;

	if (strcmp(mode, "plugin") == 0) {
		*w = bd_plugin_way(&d->plugin);
		return bd_plugin_open(&d->plugin, "amqpdrive", NULL, argc, argv);
	}
	if (argc < 4)
		return -1;
	d->port = atoi(argv[0]);
	d->user = argv[1];
	d->password = argv[2];
	d->vhost = argv[3];
	if (strcmp(mode, "raw") == 0)
		*w = (struct bd_way){ raw_once, d };
	else if (strcmp(mode, "raw-kept") == 0)
		*w = (struct bd_way){ raw_kept_once, d };
	else if (strcmp(mode, "raw-queue") == 0 && argc >= 5) {
		d->queue = argv[4];
		*w = (struct bd_way){ raw_queue_once, d };
	}
	return w->once != NULL ? 0 : -1;
}

static void drive_close(void *arg)
{
	struct driver *d = arg;

	bd_plugin_close(&d->plugin);
	if (d->kept != NULL)
		amqp_destroy_connection(d->kept);
}

int main(int argc, char **argv)
{
	static const struct bd_driver drv = { "amqpdrive plugin|raw|raw-kept|raw-queue N ...",
		                              setup, drive_close };
	struct driver d = { 0 };

	/* The untimed first round: connection set-up of the kept
	 * ways, page faults, the dynamic linker. */
	return bd_main(&drv, &d, argc, argv);
}
