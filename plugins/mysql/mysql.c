/* SPDX-License-Identifier: MIT */
/*
 * mysql plugin: passes when MariaDB/MySQL accepts a login and answers a
 * ping before the check's deadline, driven through Connector/C's
 * non-blocking API so that the deadline holds to the millisecond.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* explicit_bzero */
#endif

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include <healthcheckd/plugin.h>

#include "../common/plugutil.h"

/* "name:65535" or a Unix socket path (108 bytes with its NUL). */
#define MY_PEER_MAX (PU_HOST_MAX + 16)

struct my {
	char *host; /* NULL when socket is used */
	unsigned port;
	char *socket; /* NULL when host is used */
	char *user;
	char *password; /* "" when none: never let the library read MYSQL_PWD */
	char *database; /* NULL: none */
	int persistent;
	MYSQL *conn;            /* persistent: the open connection, or NULL */
	char peer[MY_PEER_MAX]; /* how messages name the server */
};

static const struct hc_key my_keys[] = {
	{ "host", "address or name of the server (default 127.0.0.1)", 0 },
	{ "port", "TCP port, 1-65535 (default 3306)", 0 },
	{ "socket", "Unix socket path, instead of host and port", 0 },
	{ "user", "user to log in as (required)", 0 },
	{ "password", "password of user (default: none)", HC_KEY_SECRET },
	{ "database", "database to open (default: none)", 0 },
	{ "persistent",
	  "yes: keep one connection open between runs "
	  "(default no)",
	  0 },
	{ NULL, NULL, 0 }
};

/* ---- init: validate and copy the keys --------------------------------- */

static int my_set_port(const struct hc_init_ctx *ctx, struct my *m, const char *v)
{
	int n = pu_parse_port(ctx, v);

	if (n < 0)
		return n;
	m->port = (unsigned)n;
	return HC_OK;
}

static int my_set_host(const struct hc_init_ctx *ctx, struct my *m, const char *v)
{
	size_t len;

	if (pu_host_span(ctx, v, &v, &len) != HC_OK)
		return HC_EINVAL;
	m->host = strndup(v, len);
	if (m->host == NULL)
		return HC_ENOMEM;
	pu_host_port(m->peer, sizeof(m->peer), m->host, m->port);
	return HC_OK;
}

static int my_set_socket(const struct hc_init_ctx *ctx, struct my *m, const char *v)
{
	if (pu_check_socket(ctx, v) != HC_OK)
		return HC_EINVAL;
	m->socket = strdup(v);
	if (m->socket == NULL)
		return HC_ENOMEM;
	snprintf(m->peer, sizeof(m->peer), "%s", v);
	return HC_OK;
}

/* Copy an optional string key; *dst stays NULL when the key is absent. */
static int my_copy(const struct hc_init_ctx *ctx, const char *key, char **dst)
{
	const char *v = hc_kv_get(ctx, key);

	if (v == NULL)
		return HC_OK;
	if (v[0] == '\0' && strcmp(key, "password") != 0)
		return hc_init_error(ctx, "%s: must not be empty", key);
	*dst = strdup(v);
	return *dst != NULL ? HC_OK : HC_ENOMEM;
}

static int my_configure(const struct hc_init_ctx *ctx, struct my *m)
{
	const char *host = hc_kv_get(ctx, "host");
	const char *port = hc_kv_get(ctx, "port");
	const char *sock = hc_kv_get(ctx, "socket");
	int rc;

	if (sock != NULL && (host != NULL || port != NULL))
		return hc_init_error(ctx,
		                     "socket: cannot be combined with "
		                     "%s (a Unix socket has no host or port)",
		                     host != NULL ? "host" : "port");
	if (hc_kv_get(ctx, "user") == NULL)
		return hc_init_error(ctx, "user: required (the account the "
		                          "check logs in as)");
	if (sock != NULL)
		rc = my_set_socket(ctx, m, sock);
	else if ((rc = my_set_port(ctx, m, port != NULL ? port : "3306")) == HC_OK)
		rc = my_set_host(ctx, m, host != NULL ? host : "127.0.0.1");
	if (rc == HC_OK)
		rc = pu_parse_bool(ctx, "persistent", &m->persistent);
	if (rc == HC_OK)
		rc = my_copy(ctx, "user", &m->user);
	if (rc == HC_OK)
		rc = my_copy(ctx, "database", &m->database);
	if (rc == HC_OK)
		rc = my_copy(ctx, "password", &m->password);
	if (rc == HC_OK && m->password == NULL)
		rc = (m->password = strdup("")) != NULL ? HC_OK : HC_ENOMEM;
	return rc;
}

static void my_teardown(void *instance)
{
	struct my *m = instance;

	if (m->conn != NULL)
		mysql_close(m->conn);
	if (m->password != NULL)
		explicit_bzero(m->password, strlen(m->password));
	free(m->host);
	free(m->socket);
	free(m->user);
	free(m->password);
	free(m->database);
	free(m);
}

static int my_init(const struct hc_init_ctx *ctx, void **instance)
{
	struct my *m;
	int rc;

	/* The library's one-time global set-up is not thread-safe: do it
	 * here, on the main thread, before any check runs on a worker. */
	if (mysql_library_init(0, NULL, NULL) != 0)
		return hc_init_error(ctx, "cannot initialise libmariadb");
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return HC_ENOMEM;
	rc = my_configure(ctx, m);
	if (rc != HC_OK) {
		my_teardown(m);
		return rc;
	}
	*instance = m;
	return HC_OK;
}

/* ---- check: drive the non-blocking calls within the deadline ---------- */

/* Resumes a suspended non-blocking call (mysql_*_cont behind one type). */
typedef int (*my_cont_fn)(MYSQL *conn, int events, void *ret);

static int my_connect_cont(MYSQL *conn, int events, void *ret)
{
	return mysql_real_connect_cont(ret, conn, events);
}

static int my_ping_cont(MYSQL *conn, int events, void *ret)
{
	return mysql_ping_cont(ret, conn, events);
}

/* Wait for what a suspended call asks for (status, MYSQL_WAIT_* bits),
 * at most until the deadline; returns the events that happened.
 * *ours is set when the deadline, not the library's own timeout, ran out. */
static int my_wait(const struct hc_check_ctx *ctx, MYSQL *conn, int status, int *ours)
{
	struct pollfd pfd = { mysql_get_socket(conn), 0, 0 };
	int64_t left;
	int n, ms, asked = status & (MYSQL_WAIT_READ | MYSQL_WAIT_WRITE);

	pfd.events = (short)((status & MYSQL_WAIT_READ ? POLLIN : 0) |
	                     (status & MYSQL_WAIT_WRITE ? POLLOUT : 0) |
	                     (status & MYSQL_WAIT_EXCEPT ? POLLPRI : 0));
	do {
		left = hc_remaining_ms(ctx);
		ms = left > INT_MAX ? INT_MAX : (int)left;
		*ours = 1;
		if (status & MYSQL_WAIT_TIMEOUT && mysql_get_timeout_value_ms(conn) < (unsigned)ms) {
			ms = (int)mysql_get_timeout_value_ms(conn);
			*ours = 0;
		}
		n = ms > 0 ? poll(&pfd, 1, ms) : 0;
	} while (n < 0 && errno == EINTR); /* recompute what is left */
	if (n <= 0)
		return MYSQL_WAIT_TIMEOUT;
	*ours = 0;
	/* An error or hang-up: let the pending read or write find out. */
	if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL))
		return asked;
	return (pfd.revents & POLLIN ? MYSQL_WAIT_READ : 0) |
	       (pfd.revents & POLLOUT ? MYSQL_WAIT_WRITE : 0) |
	       (pfd.revents & POLLPRI ? MYSQL_WAIT_EXCEPT : 0);
}

/* Run a suspended call (status from its _start) to its end. Once the
 * deadline has passed, every resume says MYSQL_WAIT_TIMEOUT, which makes
 * the library fail the call at once and leave the handle closable: a
 * coroutine is never abandoned mid-call. Returns 1 when the deadline cut
 * the call short, 0 when it ended on its own. */
static int my_drive(const struct hc_check_ctx *ctx, MYSQL *conn, int status, my_cont_fn cont,
                    void *ret)
{
	int events, ours, late = 0;

	while (status != 0) {
		events = MYSQL_WAIT_TIMEOUT;
		if (!late) {
			events = my_wait(ctx, conn, status, &ours);
			late = ours;
		}
		status = cont(conn, events, ret);
	}
	return late;
}

/* The numeric errno the library puts at the end of a connect error,
 * "Can't connect to server on 'h' (111)", or 0. */
static int my_connect_errno(const char *msg)
{
	const char *open = strrchr(msg, '(');
	int n = open != NULL ? atoi(open + 1) : 0;

	return n > 0 && msg[strlen(msg) - 1] == ')' ? n : 0;
}

/* "connect to PEER: Connection refused". "%m" prints strerror(errno)
 * without strerror()'s shared buffer: checks run in parallel. */
static void my_connect_error(struct hc_result *r, const char *peer, int sys)
{
	errno = sys;
	hc_result_set(r, HC_FAIL, "connect to %s: %m", peer);
}

/* A failed connect or ping: say what failed; never the password (the
 * library's messages hold none, and the core scrubs it too). */
static void my_report(const struct hc_check_ctx *ctx, const struct my *m, MYSQL *conn, int late,
                      int pinging, struct hc_result *r)
{
	unsigned err = mysql_errno(conn);
	const char *msg = mysql_error(conn);
	int sys = my_connect_errno(msg);

	if (late)
		hc_result_set(r, HC_FAIL, "timed out after %u ms %s %s", (unsigned)ctx->timeout_ms,
		              pinging ? "waiting for the ping reply from" : "connecting to", m->peer);
	else if (err == ER_ACCESS_DENIED_ERROR || err == ER_ACCESS_DENIED_NO_PASSWORD_ERROR)
		hc_result_set(r, HC_FAIL, "auth failed on %s: %s", m->peer, msg);
	else if (err == ER_BAD_DB_ERROR && m->database != NULL)
		hc_result_set(r, HC_FAIL, "unknown database '%s' on %s", m->database, m->peer);
	else if (err == ER_DBACCESS_DENIED_ERROR && m->database != NULL)
		hc_result_set(r, HC_FAIL,
		              "database '%s' not accessible on "
		              "%s: %s",
		              m->database, m->peer, msg);
	else if ((err == CR_CONN_HOST_ERROR || err == CR_CONNECTION_ERROR) && sys != 0)
		my_connect_error(r, m->peer, sys);
	else
		hc_result_set(r, HC_FAIL, "%s %s: %s (error %u)", pinging ? "ping" : "connect to",
		              m->peer, msg, err);
}

/* A handle in non-blocking mode, set up for this instance. */
static MYSQL *my_handle(const struct my *m)
{
	unsigned proto = m->socket != NULL ? MYSQL_PROTOCOL_SOCKET : MYSQL_PROTOCOL_TCP;
	MYSQL *conn = mysql_init(NULL);

	if (conn == NULL)
		return NULL;
	/* The protocol is explicit: otherwise "localhost" means the
	 * default Unix socket, not TCP. */
	if (mysql_options(conn, MYSQL_OPT_PROTOCOL, &proto) != 0 ||
	    mysql_options(conn, MYSQL_OPT_NONBLOCK, NULL) != 0 ||
	    mysql_optionsv(conn, MYSQL_OPT_CONNECT_ATTR_ADD, "program_name", "healthcheckd") != 0) {
		mysql_close(conn);
		return NULL;
	}
	return conn;
}

/* Connect within the deadline: the handle, or NULL with r set. */
static MYSQL *my_connect(const struct my *m, const struct hc_check_ctx *ctx, struct hc_result *r)
{
	MYSQL *conn = my_handle(m), *ret = NULL;
	int status, late;

	if (conn == NULL) {
		hc_result_set(r, HC_FAIL, "out of memory");
		return NULL;
	}
	status = mysql_real_connect_start(&ret, conn, m->host, m->user, m->password, m->database,
	                                  m->port, m->socket, 0);
	late = my_drive(ctx, conn, status, my_connect_cont, &ret);
	if (ret == NULL) {
		my_report(ctx, m, conn, late, 0, r);
		mysql_close(conn);
		return NULL;
	}
	return conn;
}

/* Ping within the deadline: 0, or -1 with r set. */
static int my_ping(const struct my *m, const struct hc_check_ctx *ctx, MYSQL *conn,
                   struct hc_result *r)
{
	int ret = 1, status, late;

	status = mysql_ping_start(&ret, conn);
	late = my_drive(ctx, conn, status, my_ping_cont, &ret);
	if (ret == 0 && !late)
		return 0;
	my_report(ctx, m, conn, late, 1, r);
	return -1;
}

static int my_check(void *instance, const struct hc_check_ctx *ctx, struct hc_result *r)
{
	struct my *m = instance;
	int64_t start = ctx->host->now_ns();
	const char *again = "";
	MYSQL *conn = m->conn;

	m->conn = NULL;
	/* A kept connection that fails its ping (a restarted server, an
	 * idle timeout) is replaced within the same deadline, if any of it
	 * is left; a ping that used it all up is the answer. */
	if (conn != NULL && my_ping(m, ctx, conn, r) != 0) {
		mysql_close(conn);
		conn = NULL;
		if (hc_remaining_ms(ctx) == 0)
			goto out;
		again = " (reconnected)";
	}
	if (conn == NULL) {
		conn = my_connect(m, ctx, r);
		if (conn == NULL || my_ping(m, ctx, conn, r) != 0)
			goto out;
	}
	hc_result_set(r, HC_PASS, "ping ok: server %s on %s%s", mysql_get_server_info(conn),
	              m->peer, again);
	pu_observe_ms(r, pu_elapsed_ms(ctx->host, start));
	if (m->persistent) {
		m->conn = conn;
		conn = NULL;
	}
out:
	if (conn != NULL)
		mysql_close(conn);
	return HC_OK;
}

HC_PLUGIN_DEFINE("mysql", "1.0.0", "logs in to MariaDB/MySQL and pings it within the deadline",
                 my_keys, my_init, my_check, my_teardown);
