/* SPDX-License-Identifier: MIT */
/* rabbitmq plugin: AMQP connect, login and a channel (optionally a queue's
 * depth) with librabbitmq, within the deadline. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <amqp.h>
#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <healthcheckd/plugin.h>

#include "../common/plugutil.h"

#define RMQ_DEFAULT_HOST "127.0.0.1"
#define RMQ_DEFAULT_PORT 5672
#define RMQ_DEFAULT_TLS_PORT 5671
#define RMQ_DEFAULT_ACCOUNT "guest" /* the broker's own default user */
#define RMQ_CHANNEL 1
/* AMQP short strings (vhost, queue and user names) are at most 255 bytes. */
#define RMQ_SHORTSTR_MAX 255
/* librabbitmq's default; the broker may lower it. */
#define RMQ_FRAME_MAX 131072
/* How long teardown waits for the broker's connection.close-ok. */
#define RMQ_TEARDOWN_MS 100

/* How one attempt ended. */
enum rmq_outcome {
	RMQ_PASSED,
	RMQ_FAILED,
	/* Failed, but the connection is sound: only the channel is gone
	 * (a channel error such as a missing queue). */
	RMQ_FAILED_CHANNEL,
	/* A kept connection the broker had closed (restart, forced close):
	 * worth one fresh connection in the same check. */
	RMQ_STALE,
};

struct rmq {
	char host[PU_HOST_MAX + 1];
	int port;
	char *user;
	char *password;
	char *vhost;
	char *queue;   /* NULL: no queue to check */
	char *ca_file; /* NULL: the system's CAs */
	int tls;
	int verify;
	uint64_t warn_messages; /* 0: never warn */
	int persistent;
	/* "127.0.0.1:5672" and "127.0.0.1:5672 vhost '/'", for messages. */
	char hostport[PU_HOST_MAX + 16];
	char where[PU_HOST_MAX + RMQ_SHORTSTR_MAX + 32];
	amqp_connection_state_t conn; /* kept between runs when persistent */
	int channel_open;             /* RMQ_CHANNEL is open on conn */
};

static const struct hc_key rmq_keys[] = {
	{ "host", "address or name of the broker (default 127.0.0.1)", 0 },
	{ "port", "TCP port, 1-65535 (default 5672, 5671 with tls)", 0 },
	{ "user", "user to log in as (default guest)", 0 },
	{ "password", "password of user (default guest with user unset)", HC_KEY_SECRET },
	{ "vhost", "virtual host to open (default /)", 0 },
	{ "queue", "queue that must exist; its message count is observed", 0 },
	{ "warn_messages", "with queue: warn at this many messages or more", 0 },
	{ "tls", "AMQP over TLS (amqps): yes or no (default no)", 0 },
	{ "ca_file",
	  "with tls: CA certificates (PEM) to verify the broker "
	  "with (default: the system's)",
	  HC_KEY_PATH },
	{ "verify",
	  "with tls: verify the broker's certificate and name: yes "
	  "or no (default yes)",
	  0 },
	{ "persistent",
	  "keep the connection between runs: yes or no "
	  "(default no)",
	  0 },
	{ NULL, NULL, 0 }
};

/* A name key (user, vhost, queue): 1-255 bytes, copied into *out. */
static int rmq_parse_name(const struct hc_init_ctx *ctx, const char *key, const char *dflt, char **out)
{
	const char *v = hc_kv_get(ctx, key);

	if (v == NULL)
		v = dflt;
	if (v == NULL)
		return HC_OK;
	if (v[0] == '\0' || strlen(v) > RMQ_SHORTSTR_MAX)
		return hc_init_error(ctx,
		                     "%s: '%s' is not a name of 1 to %d "
		                     "bytes",
		                     key, v, RMQ_SHORTSTR_MAX);
	*out = strdup(v);
	return *out != NULL ? HC_OK : HC_ENOMEM;
}

/* host, port and tls (the default port depends on it). */
static int rmq_parse_endpoint(const struct hc_init_ctx *ctx, struct rmq *q)
{
	const char *host = hc_kv_get(ctx, "host");
	const char *port = hc_kv_get(ctx, "port");

	q->verify = 1;
	if (pu_parse_bool(ctx, "tls", &q->tls) != HC_OK ||
	    pu_parse_bool(ctx, "verify", &q->verify) != HC_OK)
		return HC_EINVAL;
	q->port = q->tls ? RMQ_DEFAULT_TLS_PORT : RMQ_DEFAULT_PORT;
	if (port != NULL && (q->port = pu_parse_port(ctx, port)) < 0)
		return HC_EINVAL;
	if (pu_parse_host(ctx, host != NULL ? host : RMQ_DEFAULT_HOST, q->host) != HC_OK)
		return HC_EINVAL;
	if (!q->tls && (hc_kv_get(ctx, "ca_file") != NULL || hc_kv_get(ctx, "verify") != NULL))
		return hc_init_error(ctx, "%s: needs tls = yes",
		                     hc_kv_get(ctx, "ca_file") != NULL ? "ca_file" : "verify");
	if (hc_kv_get(ctx, "ca_file") != NULL &&
	    (pu_check_readable(ctx, "ca_file", hc_kv_get(ctx, "ca_file")) != HC_OK ||
	     pu_copy_key(ctx, "ca_file", 0, &q->ca_file) != HC_OK))
		return HC_EINVAL;
	return HC_OK;
}

/* user, password, vhost, queue, warn_messages and persistent. */
static int rmq_parse_session(const struct hc_init_ctx *ctx, struct rmq *q)
{
	int user_set = hc_kv_get(ctx, "user") != NULL;
	int rc;

	if (user_set && hc_kv_get(ctx, "password") == NULL)
		return hc_init_error(ctx, "user: needs a password (password "
		                          "or password_file)");
	if ((rc = rmq_parse_name(ctx, "user", RMQ_DEFAULT_ACCOUNT, &q->user)) != HC_OK ||
	    (rc = rmq_parse_name(ctx, "vhost", "/", &q->vhost)) != HC_OK ||
	    (rc = rmq_parse_name(ctx, "queue", NULL, &q->queue)) != HC_OK)
		return rc;
	if (pu_parse_uint(ctx, "warn_messages", 1, UINT32_MAX, &q->warn_messages) != HC_OK ||
	    pu_parse_bool(ctx, "persistent", &q->persistent) != HC_OK)
		return HC_EINVAL;
	if (q->queue == NULL && q->warn_messages != 0)
		return hc_init_error(ctx, "warn_messages: needs a queue");
	if (hc_kv_get(ctx, "password") == NULL)
		q->password = strdup(RMQ_DEFAULT_ACCOUNT);
	else if (pu_copy_key(ctx, "password", 0, &q->password) != HC_OK)
		return HC_ENOMEM;
	return q->password != NULL ? HC_OK : HC_ENOMEM;
}

/* Close the connection: politely (connection.close, waiting for its
 * close-ok at most wait_ms) when graceful, else by closing the socket. */
static void rmq_disconnect(struct rmq *q, int graceful, int64_t wait_ms)
{
	struct timeval tv;

	if (q->conn == NULL)
		return;
	if (graceful && wait_ms > 0) {
		tv.tv_sec = (time_t)(wait_ms / 1000);
		tv.tv_usec = (suseconds_t)(wait_ms % 1000) * 1000;
		amqp_set_rpc_timeout(q->conn, &tv);
		amqp_connection_close(q->conn, AMQP_REPLY_SUCCESS);
	}
	amqp_destroy_connection(q->conn);
	q->conn = NULL;
	q->channel_open = 0;
}

static void rmq_teardown(void *instance)
{
	struct rmq *q = instance;

	if (q == NULL)
		return;
	rmq_disconnect(q, 1, RMQ_TEARDOWN_MS);
	free(q->user);
	pu_free_secret(q->password);
	free(q->vhost);
	free(q->queue);
	free(q->ca_file);
	free(q);
}

static int rmq_init(const struct hc_init_ctx *ctx, void **instance)
{
	struct rmq *q = calloc(1, sizeof(*q));
	int rc;

	if (q == NULL)
		return HC_ENOMEM;
	rc = rmq_parse_endpoint(ctx, q);
	if (rc == HC_OK)
		rc = rmq_parse_session(ctx, q);
	if (rc != HC_OK) {
		rmq_teardown(q);
		return rc;
	}
	pu_host_port(q->hostport, sizeof(q->hostport), q->host, (unsigned)q->port);
	snprintf(q->where, sizeof(q->where), "%s vhost '%s'", q->hostport, q->vhost);
	*instance = q;
	return HC_OK;
}

/* The time left until the plugin's own deadline in *tv; 0 when spent. */
static int rmq_time_left(const struct hc_check_ctx *ctx, struct timeval *tv)
{
	int ms = pu_ms_until(ctx->host, pu_early_deadline(ctx));

	tv->tv_sec = (time_t)(ms / 1000);
	tv->tv_usec = (suseconds_t)(ms % 1000) * 1000;
	return ms > 0;
}

static void rmq_timed_out(const struct rmq *q, const struct hc_check_ctx *ctx, struct hc_result *r,
                          const char *what)
{
	hc_result_set(r, HC_FAIL, "timed out after %u ms %s %s", (unsigned)ctx->timeout_ms, what,
	              q->where);
}

/* TLS: CA and verification on the socket's SSL_CTX; NULL, or what could
 * not be set up. librabbitmq's own host name check knows DNS names only;
 * OpenSSL's, set here, also matches an IP address against the
 * certificate's IP entries. */
static const char *rmq_setup_tls(const struct rmq *q, amqp_socket_t *sock)
{
	SSL_CTX *ssl = amqp_ssl_socket_get_context(sock);
	X509_VERIFY_PARAM *param = SSL_CTX_get0_param(ssl);

	amqp_ssl_socket_set_verify_hostname(sock, 0);
	amqp_ssl_socket_set_verify_peer(sock, q->verify);
	if (!q->verify)
		return NULL;
	if (q->ca_file != NULL && amqp_ssl_socket_set_cacert(sock, q->ca_file) != AMQP_STATUS_OK)
		return "cannot load the CA certificates of ca_file";
	if (q->ca_file == NULL && SSL_CTX_set_default_verify_paths(ssl) != 1)
		return "cannot load the system's CA certificates";
	if ((pu_host_numeric(q->host) ? X509_VERIFY_PARAM_set1_ip_asc(param, q->host)
	                              : X509_VERIFY_PARAM_set1_host(param, q->host, 0)) != 1)
		return "cannot set the name to verify";
	return NULL;
}

/* A failed TCP connect. librabbitmq keeps the socket's SO_ERROR to itself:
 * errno tells the cause only when connect() failed at once, and is
 * EINPROGRESS when it failed later (a refusal, on loopback too). */
static void rmq_connect_error(const struct rmq *q, int err, struct hc_result *r)
{
	char buf[128];

	if (err != 0 && err != EINPROGRESS)
		hc_result_set(r, HC_FAIL, "connect to %s: %s", q->where,
		              pu_strerror(err, buf, sizeof(buf)));
	else
		hc_result_set(r, HC_FAIL,
		              "connect to %s: refused or "
		              "unreachable",
		              q->where);
}

/* A new connection and its socket, opened within the time left. */
static enum rmq_outcome rmq_open(struct rmq *q, const struct hc_check_ctx *ctx, struct hc_result *r)
{
	const char *fault = "out of memory";
	amqp_socket_t *sock = NULL;
	struct timeval tv;
	int rc;

	/* The socket belongs to the connection: destroying it frees both. */
	if ((q->conn = amqp_new_connection()) != NULL)
		sock = q->tls ? amqp_ssl_socket_new(q->conn) : amqp_tcp_socket_new(q->conn);
	if (sock != NULL)
		fault = q->tls ? rmq_setup_tls(q, sock) : NULL;
	if (fault != NULL) {
		hc_result_set(r, HC_FAIL, "connect to %s: %s", q->where, fault);
		return RMQ_FAILED;
	}
	if (!rmq_time_left(ctx, &tv)) {
		rmq_timed_out(q, ctx, r, "before connecting to");
		return RMQ_FAILED;
	}
	errno = 0;
	rc = amqp_socket_open_noblock(sock, q->host, q->port, &tv);
	if (rc == AMQP_STATUS_OK)
		return RMQ_PASSED;
	if (rc == AMQP_STATUS_TIMEOUT)
		rmq_timed_out(q, ctx, r, "connecting to");
	else if (rc == AMQP_STATUS_SOCKET_ERROR)
		rmq_connect_error(q, errno, r);
	else
		hc_result_set(r, HC_FAIL, "connect to %s: %s", q->where, amqp_error_string2(rc));
	return RMQ_FAILED;
}

/* The broker closed the channel (a channel error): acknowledge it, so that
 * the channel number can be opened again on this connection. */
static enum rmq_outcome rmq_channel_closed(struct rmq *q)
{
	amqp_channel_close_ok_t ok = { 0 };

	q->channel_open = 0;
	if (amqp_send_method(q->conn, RMQ_CHANNEL, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok) !=
	    AMQP_STATUS_OK)
		return RMQ_FAILED;
	return RMQ_FAILED_CHANNEL;
}

/* A connection.close or channel.close from the broker, in r. */
static enum rmq_outcome rmq_server_error(struct rmq *q, struct hc_result *r, const amqp_method_t *m,
                                         const char *doing)
{
	const amqp_connection_close_t *cc = m->decoded;
	const amqp_channel_close_t *ch = m->decoded;

	if (m->id == AMQP_CONNECTION_CLOSE_METHOD) {
		int len = (int)cc->reply_text.len;
		const char *text = cc->reply_text.bytes;

		if (cc->reply_code == AMQP_ACCESS_REFUSED)
			hc_result_set(r, HC_FAIL,
			              "login refused (user %s) on "
			              "%s: %.*s",
			              q->user, q->where, len, text);
		else if (cc->reply_code == AMQP_NOT_ALLOWED)
			hc_result_set(r, HC_FAIL,
			              "vhost '%s' refused or missing "
			              "on %s: %.*s",
			              q->vhost, q->hostport, len, text);
		else
			hc_result_set(r, HC_FAIL,
			              "%s %s: the broker closed the "
			              "connection: %u %.*s",
			              doing, q->where, cc->reply_code, len, text);
		/* Any close of a kept connection (a restart says 320
		 * CONNECTION_FORCED) is worth a fresh one. */
		return RMQ_STALE;
	}
	if (m->id != AMQP_CHANNEL_CLOSE_METHOD) {
		hc_result_set(r, HC_FAIL, "%s %s: unexpected method 0x%08x", doing, q->where,
		              (unsigned)m->id);
		return RMQ_FAILED;
	}
	if (ch->reply_code == AMQP_NOT_FOUND && q->queue != NULL)
		hc_result_set(r, HC_FAIL, "queue '%s' does not exist on %s", q->queue, q->where);
	else
		hc_result_set(r, HC_FAIL,
		              "%s %s: the broker closed the channel: "
		              "%u %.*s",
		              doing, q->where, ch->reply_code, (int)ch->reply_text.len,
		              (const char *)ch->reply_text.bytes);
	return rmq_channel_closed(q);
}

/* A call that did not get its normal reply: the outcome, message in r.
 * doing names the step ("logging in to"). */
static enum rmq_outcome rmq_reply_error(struct rmq *q, const struct hc_check_ctx *ctx,
                                        struct hc_result *r, const amqp_rpc_reply_t *rep,
                                        const char *doing)
{
	switch (rep->reply_type) {
	case AMQP_RESPONSE_SERVER_EXCEPTION:
		return rmq_server_error(q, r, &rep->reply, doing);
	case AMQP_RESPONSE_LIBRARY_EXCEPTION:
		if (rep->library_error == AMQP_STATUS_TIMEOUT) {
			rmq_timed_out(q, ctx, r, doing);
			return RMQ_FAILED;
		}
		hc_result_set(r, HC_FAIL, "%s %s: %s", doing, q->where,
		              amqp_error_string2(rep->library_error));
		/* The socket is closed or broken. */
		return RMQ_STALE;
	default:
		hc_result_set(r, HC_FAIL, "%s %s: no reply", doing, q->where);
		return RMQ_FAILED;
	}
}

/* AMQP handshake and login, within the time left. */
static enum rmq_outcome rmq_login(struct rmq *q, const struct hc_check_ctx *ctx, struct hc_result *r)
{
	amqp_rpc_reply_t rep;
	struct timeval tv;

	if (!rmq_time_left(ctx, &tv)) {
		rmq_timed_out(q, ctx, r, "before logging in to");
		return RMQ_FAILED;
	}
	amqp_set_handshake_timeout(q->conn, &tv);
	/* Heartbeat 0: a check's connection is idle between runs by design;
	 * the next run finds out whether it still works. */
	rep = amqp_login(q->conn, q->vhost, 0, RMQ_FRAME_MAX, 0, AMQP_SASL_METHOD_PLAIN, q->user,
	                 q->password);
	if (rep.reply_type == AMQP_RESPONSE_NORMAL)
		return RMQ_PASSED;
	return rmq_reply_error(q, ctx, r, &rep, "logging in to");
}

/* Bound the next RPC by the time left; 0 (with r set) when none is. */
static int rmq_rpc_ready(struct rmq *q, const struct hc_check_ctx *ctx, struct hc_result *r,
                         const char *doing)
{
	char before[64];
	struct timeval tv;

	if (rmq_time_left(ctx, &tv)) {
		amqp_set_rpc_timeout(q->conn, &tv);
		return 1;
	}
	snprintf(before, sizeof(before), "before %s", doing);
	rmq_timed_out(q, ctx, r, before);
	return 0;
}

static enum rmq_outcome rmq_channel_open(struct rmq *q, const struct hc_check_ctx *ctx,
                                         struct hc_result *r)
{
	const char *doing = "opening a channel on";
	amqp_rpc_reply_t rep;

	if (!rmq_rpc_ready(q, ctx, r, doing))
		return RMQ_FAILED;
	if (amqp_channel_open(q->conn, RMQ_CHANNEL) == NULL) {
		rep = amqp_get_rpc_reply(q->conn);
		return rmq_reply_error(q, ctx, r, &rep, doing);
	}
	q->channel_open = 1;
	return RMQ_PASSED;
}

static enum rmq_outcome rmq_channel_close(struct rmq *q, const struct hc_check_ctx *ctx,
                                          struct hc_result *r)
{
	const char *doing = "closing the channel on";
	amqp_rpc_reply_t rep;

	if (!rmq_rpc_ready(q, ctx, r, doing))
		return RMQ_FAILED;
	q->channel_open = 0;
	rep = amqp_channel_close(q->conn, RMQ_CHANNEL, AMQP_REPLY_SUCCESS);
	if (rep.reply_type == AMQP_RESPONSE_NORMAL)
		return RMQ_PASSED;
	return rmq_reply_error(q, ctx, r, &rep, doing);
}

/* A passive queue.declare: the queue exists; its message count in *count. */
static enum rmq_outcome rmq_declare(struct rmq *q, const struct hc_check_ctx *ctx,
                                    struct hc_result *r, uint32_t *count)
{
	const char *doing = "declaring the queue on";
	amqp_queue_declare_ok_t *ok;
	amqp_rpc_reply_t rep;

	if (!rmq_rpc_ready(q, ctx, r, doing))
		return RMQ_FAILED;
	ok = amqp_queue_declare(q->conn, RMQ_CHANNEL, amqp_cstring_bytes(q->queue), 1, 0, 0, 0,
	                        amqp_empty_table);
	if (ok == NULL) {
		rep = amqp_get_rpc_reply(q->conn);
		return rmq_reply_error(q, ctx, r, &rep, doing);
	}
	*count = ok->message_count;
	return RMQ_PASSED;
}

/* One try on the kept connection, or a new one. The channel stays open
 * between runs only when it serves a queue check: without a queue, opening
 * and closing it is the check. */
static enum rmq_outcome rmq_attempt(struct rmq *q, const struct hc_check_ctx *ctx,
                                    struct hc_result *r, uint32_t *count)
{
	enum rmq_outcome outcome = RMQ_PASSED;
	int fresh = q->conn == NULL;

	if (fresh) {
		outcome = rmq_open(q, ctx, r);
		if (outcome == RMQ_PASSED)
			outcome = rmq_login(q, ctx, r);
	}
	if (outcome == RMQ_PASSED && !q->channel_open)
		outcome = rmq_channel_open(q, ctx, r);
	if (outcome == RMQ_PASSED && q->queue != NULL)
		outcome = rmq_declare(q, ctx, r, count);
	if (outcome == RMQ_PASSED && (q->queue == NULL || !q->persistent))
		outcome = rmq_channel_close(q, ctx, r);
	/* A new connection that breaks is the broker's answer, not a
	 * leftover: trying again would not change it. */
	if (fresh && outcome == RMQ_STALE)
		outcome = RMQ_FAILED;
	return outcome;
}

/* The pass or warn result of a check that worked. */
static void rmq_passed(const struct rmq *q, struct hc_result *r, int64_t took_ns, uint32_t count)
{
	if (q->queue == NULL) {
		hc_result_set(r, HC_PASS, "channel opened on %s", q->where);
		pu_observe_ms(r, (double)took_ns / 1e6);
		return;
	}
	if (q->warn_messages != 0 && count >= q->warn_messages)
		hc_result_set(r, HC_WARN,
		              "queue '%s' holds %u messages "
		              "(warn_messages %llu) on %s",
		              q->queue, (unsigned)count, (unsigned long long)q->warn_messages,
		              q->where);
	else
		hc_result_set(r, HC_PASS, "queue '%s' holds %u messages on %s", q->queue,
		              (unsigned)count, q->where);
	hc_result_observe(r, (double)count, "messages");
	snprintf(r->measurement, sizeof(r->measurement), "queueDepth");
}

static int rmq_check(void *instance, const struct hc_check_ctx *ctx, struct hc_result *r)
{
	struct rmq *q = instance;
	int64_t start = ctx->host->now_ns(), end;
	enum rmq_outcome outcome;
	uint32_t count = 0;

	outcome = rmq_attempt(q, ctx, r, &count);
	if (outcome == RMQ_STALE) {
		rmq_disconnect(q, 0, 0);
		start = ctx->host->now_ns();
		outcome = rmq_attempt(q, ctx, r, &count);
	}
	/* The connection's close is not part of the response time. */
	end = ctx->host->now_ns();
	/* After an error the connection may hold a late reply: never reuse
	 * it, and do not wait for it to say goodbye. A channel error leaves
	 * it sound. */
	if (outcome == RMQ_FAILED || outcome == RMQ_STALE)
		rmq_disconnect(q, 0, 0);
	else if (!q->persistent)
		rmq_disconnect(q, 1, pu_ms_until(ctx->host, pu_early_deadline(ctx)));
	else
		amqp_maybe_release_buffers(q->conn);
	if (outcome == RMQ_PASSED)
		rmq_passed(q, r, end - start, count);
	return HC_OK;
}

HC_PLUGIN_DEFINE("rabbitmq", "1.0.0",
                 "logs in to a RabbitMQ broker, opens a "
                 "channel and optionally checks a queue, within the deadline",
                 rmq_keys, rmq_init, rmq_check, rmq_teardown);
