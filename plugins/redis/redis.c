/* SPDX-License-Identifier: MIT */
/* redis plugin: connect, AUTH, SELECT and PING within the deadline. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis.h>

#include <healthcheckd/plugin.h>

#include "../common/plugutil.h"

/* sun_path is 108 bytes on Linux, with its NUL. */
#define REDIS_DEFAULT_HOST "127.0.0.1"
#define REDIS_DEFAULT_PORT 6379

/* How one attempt ended. */
enum redis_outcome {
	REDIS_PASSED,
	REDIS_FAILED,
	/* A kept connection the server had closed (restart, idle timeout):
	 * worth one fresh connection in the same check. */
	REDIS_STALE,
};

struct redis {
	char host[PU_HOST_MAX + 1];
	int port;
	char socket[PU_SOCKET_MAX + 1]; /* "" = TCP */
	char *user;                     /* NULL = AUTH with the password only */
	char *password;                 /* NULL = no AUTH */
	long db;
	int persistent;
	/* "127.0.0.1:6379", "[::1]:6379" or the socket path, for messages. */
	char where[PU_HOST_MAX + 16];
	redisContext *c; /* kept between runs when persistent */
};

static const struct hc_key redis_keys[] = {
	{ "host", "address or name of the server (default 127.0.0.1)", 0 },
	{ "port", "TCP port, 1-65535 (default 6379)", 0 },
	{ "socket", "Unix socket path, instead of host and port", 0 },
	{ "user", "ACL user for AUTH (Redis 6+; needs password)", 0 },
	{ "password", "password for AUTH", HC_KEY_SECRET },
	{ "db", "database index to SELECT (default 0)", 0 },
	{ "persistent", "keep the connection between runs: yes or no (default no)", 0 },
	{ NULL, NULL, 0 }
};

/* Where to connect: socket, or host and port (with defaults). */
static int redis_parse_endpoint(const struct hc_init_ctx *ctx, struct redis *rd)
{
	const char *host = hc_kv_get(ctx, "host");
	const char *port = hc_kv_get(ctx, "port");
	const char *sock = hc_kv_get(ctx, "socket");

	if (sock != NULL) {
		if (host != NULL || port != NULL)
			return hc_init_error(ctx, "socket: cannot be combined "
			                          "with host or port");
		if (pu_check_socket(ctx, sock) != HC_OK)
			return HC_EINVAL;
		snprintf(rd->socket, sizeof(rd->socket), "%s", sock);
		snprintf(rd->where, sizeof(rd->where), "%s", sock);
		return HC_OK;
	}
	rd->port = REDIS_DEFAULT_PORT;
	if (port != NULL && (rd->port = pu_parse_port(ctx, port)) < 0)
		return HC_EINVAL;
	if (pu_parse_host(ctx, host != NULL ? host : REDIS_DEFAULT_HOST, rd->host) != HC_OK)
		return HC_EINVAL;
	pu_host_port(rd->where, sizeof(rd->where), rd->host, (unsigned)rd->port);
	return HC_OK;
}

/* password, user, db and persistent. */
static int redis_parse_session(const struct hc_init_ctx *ctx, struct redis *rd)
{
	const char *user = hc_kv_get(ctx, "user");
	const char *password = hc_kv_get(ctx, "password");
	uint64_t db = 0;

	if (user != NULL && password == NULL)
		return hc_init_error(ctx, "user: needs a password (password "
		                          "or password_file)");
	if (user != NULL && (user[0] == '\0' || strcspn(user, " \t") < strlen(user)))
		return hc_init_error(ctx, "user: '%s' is not a user name", user);
	if (pu_parse_uint(ctx, "db", 0, INT32_MAX, &db) != HC_OK ||
	    pu_parse_bool(ctx, "persistent", &rd->persistent) != HC_OK)
		return HC_EINVAL;
	rd->db = (long)db;
	if (user != NULL && (rd->user = strdup(user)) == NULL)
		return HC_ENOMEM;
	if (password != NULL && (rd->password = strdup(password)) == NULL)
		return HC_ENOMEM;
	return HC_OK;
}

static void redis_teardown(void *instance)
{
	struct redis *rd = instance;

	if (rd == NULL)
		return;
	if (rd->c != NULL)
		redisFree(rd->c);
	free(rd->user);
	/* Do not leave the secret in freed memory (a memset before free is a
	 * dead store the compiler may drop; explicit_bzero is not). */
	pu_free_secret(rd->password);
	free(rd);
}

static int redis_init(const struct hc_init_ctx *ctx, void **instance)
{
	struct redis *rd = calloc(1, sizeof(*rd));
	int rc;

	if (rd == NULL)
		return HC_ENOMEM;
	rc = redis_parse_endpoint(ctx, rd);
	if (rc == HC_OK)
		rc = redis_parse_session(ctx, rd);
	if (rc != HC_OK) {
		redis_teardown(rd);
		return rc;
	}
	*instance = rd;
	return HC_OK;
}

/* The time left as a timeval; at least 1 ms, because a zero SO_SNDTIMEO
 * means "wait forever" (callers check for a spent deadline first). */
static struct timeval redis_timeval(int64_t ms)
{
	struct timeval tv;

	if (ms < 1)
		ms = 1;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	return tv;
}

/* hiredis reports both its connect timeout (ETIMEDOUT) and an expired
 * SO_SNDTIMEO (EAGAIN) only as errstr text. */
static int redis_timed_out(const redisContext *c)
{
	char buf[128];

	if (c->err != REDIS_ERR_IO)
		return 0;
	return strcmp(c->errstr, pu_strerror(EAGAIN, buf, sizeof(buf))) == 0 ||
	       strcmp(c->errstr, pu_strerror(ETIMEDOUT, buf, sizeof(buf))) == 0;
}

static enum redis_outcome redis_connect(struct redis *rd, const struct hc_check_ctx *ctx,
                                        struct hc_result *r)
{
	struct timeval tv = redis_timeval(hc_remaining_ms(ctx));

	if (hc_remaining_ms(ctx) == 0) {
		hc_result_set(r, HC_FAIL,
		              "timed out after %u ms before "
		              "connecting to %s",
		              (unsigned)ctx->timeout_ms, rd->where);
		return REDIS_FAILED;
	}
	/* Blocking: hiredis waits for the connection with poll() itself. */
	rd->c = rd->socket[0] != '\0' ? redisConnectUnixWithTimeout(rd->socket, tv)
	                              : redisConnectWithTimeout(rd->host, rd->port, tv);
	if (rd->c == NULL) {
		hc_result_set(r, HC_FAIL, "connect to %s: out of memory", rd->where);
		return REDIS_FAILED;
	}
	if (rd->c->err == 0) {
		if (rd->persistent)
			redisEnableKeepAlive(rd->c);
		return REDIS_PASSED;
	}
	if (redis_timed_out(rd->c))
		hc_result_set(r, HC_FAIL,
		              "timed out after %u ms connecting to "
		              "%s",
		              (unsigned)ctx->timeout_ms, rd->where);
	else
		hc_result_set(r, HC_FAIL, "connect to %s: %s", rd->where, rd->c->errstr);
	return REDIS_FAILED;
}

/* Send one command and wait for its reply until the deadline; NULL when
 * none came, with *timed_out or c->err set. The wait is a poll(), not
 * SO_RCVTIMEO: the kernel lets a socket timeout overrun by its tick (10-25
 * ms measured here), past the core's grace, and the core's bare "timed
 * out" would then replace the message that names the step that hung. */
static redisReply *redis_roundtrip(redisContext *c, const struct hc_check_ctx *ctx, int argc,
                                   const char **argv, int *timed_out)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN, .revents = 0 };
	void *reply = NULL;
	int done = 0, n;

	*timed_out = 0;
	/* SO_SNDTIMEO bounds the write, in case the send buffer is full. */
	if (redisSetTimeout(c, redis_timeval(hc_remaining_ms(ctx))) != REDIS_OK ||
	    redisAppendCommandArgv(c, argc, argv, NULL) != REDIS_OK)
		return NULL;
	while (!done)
		if (redisBufferWrite(c, &done) != REDIS_OK)
			return NULL;
	while (redisGetReplyFromReader(c, &reply) == REDIS_OK && reply == NULL) {
		n = pu_poll(ctx->host, &pfd, ctx->deadline_ns);
		if (n == 0)
			*timed_out = 1;
		if (n <= 0 || redisBufferRead(c) != REDIS_OK)
			return NULL;
	}
	return reply;
}

/* One command within the time left; NULL with r set when no reply came
 * (the context is then unusable). what names the command. */
static redisReply *redis_command(struct redis *rd, const struct hc_check_ctx *ctx,
                                 struct hc_result *r, const char *what, int argc, const char **argv,
                                 enum redis_outcome *outcome)
{
	redisReply *reply = NULL;
	int timed_out = 1;

	*outcome = REDIS_FAILED;
	if (hc_remaining_ms(ctx) > 0)
		reply = redis_roundtrip(rd->c, ctx, argc, argv, &timed_out);
	if (reply != NULL)
		return reply;
	if (timed_out || redis_timed_out(rd->c)) {
		hc_result_set(r, HC_FAIL,
		              "timed out after %u ms waiting for "
		              "%s reply from %s",
		              (unsigned)ctx->timeout_ms, what, rd->where);
		return NULL;
	}
	if (rd->c->err == REDIS_ERR_EOF || rd->c->err == REDIS_ERR_IO)
		*outcome = REDIS_STALE;
	hc_result_set(r, HC_FAIL, "%s to %s: %s", what, rd->where,
	              rd->c->err != 0 ? rd->c->errstr : "poll failed");
	return NULL;
}

/* An error reply: auth failures are named as such whichever command met
 * them (NOAUTH on SELECT or PING means no or no valid password). */
static void redis_reply_error(const struct redis *rd, const char *what, const redisReply *reply,
                              struct hc_result *r)
{
	const char *s = reply->str;

	if (strncmp(s, "NOAUTH", 6) == 0 || strncmp(s, "WRONGPASS", 9) == 0 ||
	    strcmp(what, "AUTH") == 0)
		hc_result_set(r, HC_FAIL, "auth failed on %s: %s", rd->where, s);
	else if (strcmp(what, "SELECT") == 0 && strstr(s, "out of range") != NULL)
		hc_result_set(r, HC_FAIL, "unknown db index %ld on %s: %s", rd->db, rd->where, s);
	else
		hc_result_set(r, HC_FAIL, "%s on %s: %s", what, rd->where, s);
}

/* Run one command and expect a status reply (want: its text, or NULL for
 * any). */
static enum redis_outcome redis_expect(struct redis *rd, const struct hc_check_ctx *ctx,
                                       struct hc_result *r, int argc, const char **argv,
                                       const char *want)
{
	enum redis_outcome outcome;
	redisReply *reply;

	reply = redis_command(rd, ctx, r, argv[0], argc, argv, &outcome);
	if (reply == NULL)
		return outcome;
	outcome = REDIS_FAILED;
	if (reply->type == REDIS_REPLY_ERROR)
		redis_reply_error(rd, argv[0], reply, r);
	else if (reply->type != REDIS_REPLY_STATUS || (want != NULL && strcmp(reply->str, want) != 0))
		hc_result_set(r, HC_FAIL, "unexpected %s reply from %s", argv[0], rd->where);
	else
		outcome = REDIS_PASSED;
	freeReplyObject(reply);
	return outcome;
}

/* AUTH and SELECT, once per connection. */
static enum redis_outcome redis_session(struct redis *rd, const struct hc_check_ctx *ctx,
                                        struct hc_result *r)
{
	const char *argv[3];
	char db[24];
	enum redis_outcome outcome = REDIS_PASSED;

	if (rd->password != NULL) {
		argv[0] = "AUTH";
		argv[1] = rd->user != NULL ? rd->user : rd->password;
		argv[2] = rd->password;
		outcome = redis_expect(rd, ctx, r, rd->user != NULL ? 3 : 2, argv, NULL);
	}
	if (outcome == REDIS_PASSED && rd->db != 0) {
		snprintf(db, sizeof(db), "%ld", rd->db);
		argv[0] = "SELECT";
		argv[1] = db;
		outcome = redis_expect(rd, ctx, r, 2, argv, NULL);
	}
	return outcome;
}

static enum redis_outcome redis_attempt(struct redis *rd, const struct hc_check_ctx *ctx,
                                        struct hc_result *r)
{
	const char *ping[] = { "PING" };
	enum redis_outcome outcome = REDIS_PASSED;
	int fresh = rd->c == NULL;

	if (fresh) {
		outcome = redis_connect(rd, ctx, r);
		if (outcome == REDIS_PASSED)
			outcome = redis_session(rd, ctx, r);
	}
	if (outcome == REDIS_PASSED)
		outcome = redis_expect(rd, ctx, r, 1, ping, "PONG");
	/* A new connection that breaks is the server's answer, not a
	 * leftover: trying again would not change it. */
	if (fresh && outcome == REDIS_STALE)
		outcome = REDIS_FAILED;
	return outcome;
}

static void redis_drop(struct redis *rd)
{
	if (rd->c != NULL)
		redisFree(rd->c);
	rd->c = NULL;
}

static int redis_check(void *instance, const struct hc_check_ctx *ctx, struct hc_result *r)
{
	struct redis *rd = instance;
	int64_t start = ctx->host->now_ns();
	enum redis_outcome outcome;

	outcome = redis_attempt(rd, ctx, r);
	if (outcome == REDIS_STALE) {
		redis_drop(rd);
		start = ctx->host->now_ns();
		outcome = redis_attempt(rd, ctx, r);
	}
	/* After an error the connection may hold a late reply: never reuse
	 * it. */
	if (outcome != REDIS_PASSED || !rd->persistent)
		redis_drop(rd);
	if (outcome != REDIS_PASSED)
		return HC_OK;
	if (rd->db != 0)
		hc_result_set(r, HC_PASS, "PONG from %s db %ld", rd->where, rd->db);
	else
		hc_result_set(r, HC_PASS, "PONG from %s", rd->where);
	pu_observe_ms(r, pu_elapsed_ms(ctx->host, start));
	return HC_OK;
}

HC_PLUGIN_DEFINE("redis", "1.0.0",
                 "connects, authenticates and PINGs a Redis "
                 "server within the deadline",
                 redis_keys, redis_init, redis_check, redis_teardown);
