/* SPDX-License-Identifier: MIT */
/*
 * postgres plugin: connects with libpq's non-blocking API and runs SELECT 1
 * (or a configured query, or the pool-saturation query) within the check's
 * deadline.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strdup, strcasecmp */
#endif

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#include <healthcheckd/plugin.h>

#include "../common/plugutil.h"

/* dbname (conninfo), host, port, user, password, dbname, sslmode,
 * fallback_application_name. */
#define PG_MAX_PARAMS 8
#define PG_DEFAULT_QUERY "SELECT 1"
/* Backends connected to any database, and the server's limit. */
#define PG_SATURATION_QUERY                                                                        \
	"SELECT sum(numbackends), "                                                                \
	"current_setting('max_connections') FROM pg_stat_database"
/* SQLSTATE query_canceled: what statement_timeout raises. */
#define PG_SQLSTATE_CANCELED "57014"

/* How a connection or a query ended. */
enum pg_outcome { PG_OK, PG_FAILED, PG_BROKEN, PG_TIMEOUT };

struct pg {
	const char *keywords[PG_MAX_PARAMS + 1];
	char *values[PG_MAX_PARAMS + 1];
	int n_params;
	int expand;        /* values[0] is a conninfo string or URI */
	char *query;       /* what check runs */
	const char *label; /* how messages name the query */
	char *secrets[2];  /* the password key, a password in conninfo */
	int persistent;
	int saturation;
	double warn_ratio;
	double fail_ratio;
	PGconn *conn; /* kept between runs when persistent */
};

/* What one run needs at hand. */
struct pg_run {
	struct pg *p;
	const struct hc_check_ctx *ctx;
	struct hc_check_ctx early; /* ctx with our own, earlier deadline */
	struct hc_result *r;
};

static const struct hc_key pg_keys[] = {
	{ "conninfo",
	  "libpq connection string or postgresql:// URI; the "
	  "keys below override its values",
	  0 },
	{ "host", "server address or name (default: libpq's)", 0 },
	{ "port", "TCP port, 1-65535 (default 5432)", 0 },
	{ "socket", "directory of the Unix socket, instead of host", 0 },
	{ "user", "role to log in as", 0 },
	{ "password", "password of user", HC_KEY_SECRET },
	{ "database", "database to connect to", 0 },
	{ "sslmode",
	  "disable, allow, prefer, require, verify-ca or "
	  "verify-full",
	  0 },
	{ "query", "SQL to run instead of SELECT 1", 0 },
	{ "persistent", "yes: keep one connection between runs (default no)", 0 },
	{ "saturation",
	  "yes: observe numbackends / max_connections instead "
	  "of latency (default no)",
	  0 },
	{ "warn_ratio", "with saturation: warn at this ratio (default 0.8)", 0 },
	{ "fail_ratio", "with saturation: fail at this ratio (default 0.95)", 0 },
	{ NULL, NULL, 0 }
};

static const char *const pg_sslmodes[] = { "disable",   "allow",       "prefer", "require",
	                                   "verify-ca", "verify-full", NULL };

/* Replace every secret in buf by "***", in place. libpq does not put a
 * password into its messages today; this makes sure none ever leaks, also
 * one written inline in conninfo, which the core does not know about. */
static void pg_scrub(const struct pg *p, char *buf)
{
	size_t i, sl;
	char *hit;

	for (i = 0; i < sizeof(p->secrets) / sizeof(p->secrets[0]); i++) {
		if (p->secrets[i] == NULL || p->secrets[i][0] == '\0')
			continue;
		sl = strlen(p->secrets[i]);
		while ((hit = strstr(buf, p->secrets[i])) != NULL) {
			memmove(hit + 3, hit + sl, strlen(hit + sl) + 1);
			memcpy(hit, "***", 3);
		}
	}
}

/* ---- init ---------------------------------------------------------------- */

static int pg_add_param(struct pg *p, const char *keyword, const char *value)
{
	p->values[p->n_params] = strdup(value);
	if (p->values[p->n_params] == NULL)
		return HC_ENOMEM;
	p->keywords[p->n_params++] = keyword;
	return HC_OK;
}

static int pg_check_sslmode(const struct hc_init_ctx *ctx, const char *v)
{
	size_t i;

	for (i = 0; pg_sslmodes[i] != NULL; i++)
		if (strcmp(v, pg_sslmodes[i]) == 0)
			return HC_OK;
	return hc_init_error(ctx,
	                     "sslmode: '%s' is not one of disable, allow, "
	                     "prefer, require, verify-ca, verify-full",
	                     v);
}

/* Is piece (len bytes, not terminated) written in conninfo as a keyword,
 * followed by "="? */
static int pg_is_keyword(const char *conninfo, const char *piece, size_t len)
{
	const char *at, *after;

	for (at = conninfo; *at != '\0'; at++) {
		if (strncmp(at, piece, len) != 0)
			continue;
		after = at + len + strspn(at + len, " \t");
		if (*after == '=')
			return 1;
	}
	return 0;
}

/* libpq quotes pieces of the string in its parse errors, and a piece may be
 * a password (or a whole URI with one): keep a quoted piece only when it is
 * one character (a "=") or a keyword of conninfo, blank out the rest. */
static void pg_blank_quoted(const char *conninfo, const char *in, char *out, size_t size)
{
	const char *q, *keep;
	size_t o = 0, len, n;

	while (*in != '\0' && *in != '\n' && o + 1 < size) {
		q = *in == '"' ? strchr(in + 1, '"') : NULL;
		if (q == NULL) {
			out[o++] = *in++;
			continue;
		}
		len = (size_t)(q - in - 1);
		keep = in;
		n = len + 2;
		if (len > 1 && !pg_is_keyword(conninfo, in + 1, len)) {
			keep = "\"...\"";
			n = 5;
		}
		if (n > size - o - 1)
			n = size - o - 1;
		memcpy(out + o, keep, n);
		o += n;
		in = q + 1;
	}
	out[o] = '\0';
}

/* Validate conninfo now (no I/O: parsing only) and remember a password in
 * it, to scrub from every message. */
static int pg_init_conninfo(const struct hc_init_ctx *ctx, struct pg *p, const char *conninfo)
{
	PQconninfoOption *opts, *o;
	char *err = NULL, clean[200];
	int rc = HC_OK;

	opts = PQconninfoParse(conninfo, &err);
	if (opts == NULL) {
		if (err == NULL)
			return HC_ENOMEM;
		pg_blank_quoted(conninfo, err, clean, sizeof(clean));
		PQfreemem(err);
		return hc_init_error(ctx, "conninfo: %s", clean);
	}
	for (o = opts; o->keyword != NULL; o++) {
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL &&
		    (p->secrets[1] = strdup(o->val)) == NULL)
			rc = HC_ENOMEM;
	}
	PQconninfoFree(opts);
	if (rc == HC_OK) {
		p->expand = 1;
		rc = pg_add_param(p, "dbname", conninfo);
	}
	return rc;
}

/* The connection keys, in libpq's order of precedence: later ones override
 * what conninfo says. */
static int pg_init_params(const struct hc_init_ctx *ctx, struct pg *p)
{
	static const char *const map[][2] = {
		{ "host", "host" },       { "socket", "host" },       { "port", "port" },
		{ "user", "user" },       { "password", "password" }, { "database", "dbname" },
		{ "sslmode", "sslmode" },
	};
	const char *v;
	size_t i;
	int rc = HC_OK;

	v = hc_kv_get(ctx, "conninfo");
	if (v != NULL)
		rc = pg_init_conninfo(ctx, p, v);
	for (i = 0; rc == HC_OK && i < sizeof(map) / sizeof(map[0]); i++) {
		v = hc_kv_get(ctx, map[i][0]);
		if (v != NULL)
			rc = pg_add_param(p, map[i][1], v);
	}
	/* Shows in pg_stat_activity, unless conninfo names the application. */
	if (rc == HC_OK)
		rc = pg_add_param(p, "fallback_application_name", "healthcheckd");
	v = hc_kv_get(ctx, "password");
	if (rc == HC_OK && v != NULL && (p->secrets[0] = strdup(v)) == NULL)
		rc = HC_ENOMEM;
	return rc;
}

/* Values of the connection keys that libpq would take without complaint
 * but that are surely mistakes. */
static int pg_check_keys(const struct hc_init_ctx *ctx)
{
	const char *host = hc_kv_get(ctx, "host");
	const char *sock = hc_kv_get(ctx, "socket");
	const char *v;

	if (host != NULL && sock != NULL)
		return hc_init_error(ctx, "socket: give either host or socket, "
		                          "not both");
	if (host != NULL && (host[0] == '\0' || strcspn(host, " \t") < strlen(host)))
		return hc_init_error(ctx,
		                     "host: '%s' is empty or contains a "
		                     "blank",
		                     host);
	if (sock != NULL && sock[0] != '/')
		return hc_init_error(ctx,
		                     "socket: '%s' is not an absolute path "
		                     "(the directory holding .s.PGSQL.PORT)",
		                     sock);
	v = hc_kv_get(ctx, "port");
	/* Digits only: libpq would take "5432 " and "+5432" as well. */
	if (v != NULL && pu_parse_port(ctx, v) < 0)
		return HC_EINVAL;
	v = hc_kv_get(ctx, "sslmode");
	if (v != NULL && pg_check_sslmode(ctx, v) != HC_OK)
		return HC_EINVAL;
	return HC_OK;
}

/* query, persistent, saturation and the ratios. */
static int pg_init_options(const struct hc_init_ctx *ctx, struct pg *p)
{
	const char *query = hc_kv_get(ctx, "query");

	p->warn_ratio = 0.8;
	p->fail_ratio = 0.95;
	if (pu_parse_bool(ctx, "persistent", &p->persistent) != HC_OK ||
	    pu_parse_bool(ctx, "saturation", &p->saturation) != HC_OK ||
	    pu_parse_double(ctx, "warn_ratio", 0, 1, &p->warn_ratio) != HC_OK ||
	    pu_parse_double(ctx, "fail_ratio", 0, 1, &p->fail_ratio) != HC_OK)
		return HC_EINVAL;
	if (!p->saturation &&
	    (hc_kv_get(ctx, "warn_ratio") != NULL || hc_kv_get(ctx, "fail_ratio") != NULL))
		return hc_init_error(ctx, "%s: only used with saturation = yes",
		                     hc_kv_get(ctx, "warn_ratio") != NULL ? "warn_ratio"
		                                                          : "fail_ratio");
	if (p->warn_ratio > p->fail_ratio)
		return hc_init_error(ctx, "warn_ratio: %g is above fail_ratio %g", p->warn_ratio,
		                     p->fail_ratio);
	if (query != NULL && p->saturation)
		return hc_init_error(ctx, "query: cannot be combined with "
		                          "saturation = yes, which runs its own query");
	if (query != NULL && query[strspn(query, " \t")] == '\0')
		return hc_init_error(ctx, "query: must not be empty");
	p->label = p->saturation ? "saturation query" : query != NULL ? "query" : PG_DEFAULT_QUERY;
	p->query = strdup(p->saturation   ? PG_SATURATION_QUERY
	                  : query != NULL ? query
	                                  : PG_DEFAULT_QUERY);
	return p->query != NULL ? HC_OK : HC_ENOMEM;
}

static void pg_teardown(void *instance)
{
	struct pg *p = instance;
	int i;

	if (p == NULL)
		return;
	if (p->conn != NULL)
		PQfinish(p->conn);
	for (i = 0; i < p->n_params; i++)
		free(p->values[i]);
	free(p->secrets[0]);
	free(p->secrets[1]);
	free(p->query);
	free(p);
}

static int pg_init(const struct hc_init_ctx *ctx, void **instance)
{
	struct pg *p = calloc(1, sizeof(*p));
	int rc;

	if (p == NULL)
		return HC_ENOMEM;
	rc = pg_check_keys(ctx);
	if (rc == HC_OK)
		rc = pg_init_options(ctx, p);
	if (rc == HC_OK)
		rc = pg_init_params(ctx, p);
	if (rc != HC_OK) {
		pg_teardown(p);
		return rc;
	}
	*instance = p;
	return HC_OK;
}

/* ---- messages ------------------------------------------------------------ */

/* How messages name the server: "127.0.0.1:5432", "[::1]:5432", or the
 * socket's path for a Unix socket. */
static void pg_endpoint(const PGconn *conn, char *buf, size_t size)
{
	const char *host = PQhost(conn), *port = PQport(conn);

	if (host == NULL || host[0] == '\0')
		host = "?";
	if (port == NULL || port[0] == '\0')
		port = "5432";
	if (host[0] == '/' || host[0] == '@')
		snprintf(buf, size, "%s/.s.PGSQL.%s", host, port);
	else if (strchr(host, ':') != NULL)
		snprintf(buf, size, "[%s]:%s", host, port);
	else
		snprintf(buf, size, "%s:%s", host, port);
}

/* libpq's message without its decoration: the last attempt's reason
 * ("connection to server at ..., port N failed: " and "FATAL:  " cut; we
 * name the endpoint ourselves), first line only, secrets scrubbed. */
static void pg_reason(const struct pg *p, const char *msg, char *out, size_t size)
{
	static const char *const prefixes[] = { "FATAL:  ", "ERROR:  ", "fe_sendauth: ", NULL };
	const char *s = msg, *c;
	size_t i, len;

	while ((c = strstr(s, "connection to server ")) != NULL && strstr(c, "failed: ") != NULL)
		s = strstr(c, "failed: ") + strlen("failed: ");
	for (i = 0; prefixes[i] != NULL; i++)
		if (strncmp(s, prefixes[i], strlen(prefixes[i])) == 0)
			s += strlen(prefixes[i]);
	len = strcspn(s, "\n");
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\r'))
		len--;
	snprintf(out, size, "%.*s", (int)len, s);
	if (out[0] == '\0')
		snprintf(out, size, "unknown error");
	pg_scrub(p, out);
}

/* Sort a failed connection into what an operator acts on. */
static void pg_connect_error(const struct pg_run *run, const PGconn *conn)
{
	char ep[300], why[200];

	pg_endpoint(conn, ep, sizeof(ep));
	pg_reason(run->p, PQerrorMessage(conn), why, sizeof(why));
	if (strstr(why, "authentication failed") != NULL ||
	    strstr(why, "no password supplied") != NULL ||
	    strstr(why, "no pg_hba.conf entry") != NULL ||
	    (strncmp(why, "role \"", 6) == 0 && strstr(why, "\" does not exist") != NULL))
		hc_result_set(run->r, HC_FAIL, "auth failed on %s: %s", ep, why);
	else if (strncmp(why, "database \"", 10) == 0 && strstr(why, "\" does not exist") != NULL)
		hc_result_set(run->r, HC_FAIL, "unknown database on %s: %s", ep, why);
	else
		hc_result_set(run->r, HC_FAIL, "connect to %s: %s", ep, why);
}

/* connecting: 1 while the connection opens, 0 while the query runs. */
static void pg_timed_out(const struct pg_run *run, const PGconn *conn, int connecting)
{
	char ep[300];

	pg_endpoint(conn, ep, sizeof(ep));
	if (connecting)
		hc_result_set(run->r, HC_FAIL,
		              "timed out after %u ms "
		              "connecting to %s",
		              (unsigned)run->ctx->timeout_ms, ep);
	else
		hc_result_set(run->r, HC_FAIL,
		              "timed out after %u ms waiting "
		              "for %s on %s",
		              (unsigned)run->ctx->timeout_ms, run->p->label, ep);
}

/* ---- waiting ------------------------------------------------------------- */

/* Wait until the connection's socket is ready for events (or in error,
 * which libpq then reports); at our deadline or on a poll error, set the
 * message. connecting: say which phase timed out. */
static enum pg_outcome pg_wait(const struct pg_run *run, const PGconn *conn, short events,
                               int connecting)
{
	struct pollfd pfd = { PQsocket(conn), events, 0 };
	int n = pu_poll(run->ctx->host, &pfd, run->early.deadline_ns);

	if (n == 0) {
		pg_timed_out(run, conn, connecting);
		return PG_TIMEOUT;
	}
	if (n < 0) {
		/* %m: glibc's thread-safe strerror; checks run in parallel. */
		hc_result_set(run->r, HC_FAIL, "poll: %m");
		return PG_BROKEN;
	}
	return PG_OK;
}

/* ---- connecting ---------------------------------------------------------- */

/* Notices (a query's warnings) would go to stderr by default. */
static void pg_no_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* PQconnectPoll's loop, bounded by our deadline: libpq ignores
 * connect_timeout in this mode. */
static enum pg_outcome pg_connect(const struct pg_run *run, PGconn **out)
{
	const struct pg *p = run->p;
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	enum pg_outcome o;
	PGconn *conn;

	conn = PQconnectStartParams(p->keywords, (const char *const *)p->values, p->expand);
	*out = conn;
	if (conn == NULL) {
		hc_result_set(run->r, HC_FAIL, "out of memory");
		return PG_FAILED;
	}
	PQsetNoticeProcessor(conn, pg_no_notice, NULL);
	if (PQstatus(conn) == CONNECTION_BAD)
		st = PGRES_POLLING_FAILED;
	while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
		o = pg_wait(run, conn, st == PGRES_POLLING_READING ? POLLIN : POLLOUT, 1);
		if (o != PG_OK)
			return o;
		st = PQconnectPoll(conn);
	}
	if (st == PGRES_POLLING_FAILED || PQsetnonblocking(conn, 1) != 0) {
		pg_connect_error(run, conn);
		return PG_FAILED;
	}
	return PG_OK;
}

/* A kept connection still looks usable: idle, and no close from the server
 * waiting in the socket (a restart sends one to every backend). */
static int pg_alive(PGconn *conn)
{
	return PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) == PQTRANS_IDLE &&
	       PQconsumeInput(conn) == 1 && PQstatus(conn) == CONNECTION_OK;
}

/* ---- querying ------------------------------------------------------------ */

/* A connection-level failure: say what broke, with libpq's reason. */
static enum pg_outcome pg_broken(const struct pg_run *run, PGconn *conn)
{
	char ep[300], why[200];

	pg_endpoint(conn, ep, sizeof(ep));
	pg_reason(run->p, PQerrorMessage(conn), why, sizeof(why));
	hc_result_set(run->r, HC_FAIL, "%s on %s: connection lost: %s", run->p->label, ep, why);
	return PQstatus(conn) == CONNECTION_BAD ? PG_BROKEN : PG_FAILED;
}

/* Send the query. statement_timeout makes the server itself cancel it at
 * our deadline: libpq 15's PQcancel blocks in connect() and recv() with no
 * timeout, so calling it would break the deadline against a hung server.
 * SET LOCAL lasts only for this implicit transaction: nothing leaks into a
 * kept or pooled (pgbouncer) session. */
static enum pg_outcome pg_send(const struct pg_run *run, PGconn *conn)
{
	enum pg_outcome o = PG_OK;
	char *sql;
	int f;
	int64_t ms = hc_remaining_ms(&run->early);
	size_t len = strlen(run->p->query) + 64;

	sql = malloc(len);
	if (sql == NULL) {
		hc_result_set(run->r, HC_FAIL, "out of memory");
		return PG_FAILED;
	}
	snprintf(sql, len, "SET LOCAL statement_timeout = %lld; %s", ms > 0 ? (long long)ms : 1LL,
	         run->p->query);
	if (!PQsendQuery(conn, sql))
		o = pg_broken(run, conn);
	free(sql);
	/* Non-blocking: what the socket did not take waits in libpq. */
	while (o == PG_OK && (f = PQflush(conn)) != 0) {
		if (f < 0)
			o = pg_broken(run, conn);
		else if ((o = pg_wait(run, conn, POLLIN | POLLOUT, 0)) == PG_OK &&
		         !PQconsumeInput(conn))
			o = pg_broken(run, conn);
	}
	return o;
}

/* Read input until the next result is complete. */
static enum pg_outcome pg_await(const struct pg_run *run, PGconn *conn)
{
	enum pg_outcome o = PG_OK;

	while (o == PG_OK && PQisBusy(conn)) {
		o = pg_wait(run, conn, POLLIN, 0);
		if (o == PG_OK && !PQconsumeInput(conn))
			o = pg_broken(run, conn);
	}
	return o;
}

/* An error result of the query: the server's own timeout is a timeout. */
static enum pg_outcome pg_query_error(const struct pg_run *run, PGconn *conn, const PGresult *res)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	char ep[300], why[200];

	if (state != NULL && strcmp(state, PG_SQLSTATE_CANCELED) == 0) {
		pg_timed_out(run, conn, 0);
		return PG_TIMEOUT;
	}
	if (PQstatus(conn) == CONNECTION_BAD)
		return pg_broken(run, conn);
	pg_endpoint(conn, ep, sizeof(ep));
	pg_reason(run->p, PQresultErrorMessage(res), why, sizeof(why));
	hc_result_set(run->r, HC_FAIL, "%s failed on %s: %s", run->p->label, ep, why);
	return PG_FAILED;
}

/* Run the query; on PG_OK *last holds the result of its last statement
 * (the caller clears it). Every result is read, also after an error, so
 * that a kept connection is idle again afterwards. */
static enum pg_outcome pg_query(const struct pg_run *run, PGconn *conn, PGresult **last)
{
	enum pg_outcome o = pg_send(run, conn), err = PG_OK;
	PGresult *res;

	*last = NULL;
	while (o == PG_OK && (o = pg_await(run, conn)) == PG_OK && (res = PQgetResult(conn)) != NULL) {
		ExecStatusType st = PQresultStatus(res);

		if (err == PG_OK && st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK &&
		    st != PGRES_EMPTY_QUERY)
			err = pg_query_error(run, conn, res);
		PQclear(*last);
		*last = res;
	}
	if (o == PG_OK)
		o = err;
	if (o != PG_OK) {
		PQclear(*last);
		*last = NULL;
	}
	return o;
}

/* ---- results ------------------------------------------------------------- */

static void pg_saturation(const struct pg_run *run, const PGconn *conn, const PGresult *res,
                          const char *ep)
{
	const struct pg *p = run->p;
	double used, max, ratio;
	int status = HC_PASS;
	char why[64] = "";

	if (PQntuples(res) != 1 || PQnfields(res) != 2 ||
	    (max = strtod(PQgetvalue(res, 0, 1), NULL)) <= 0) {
		hc_result_set(run->r, HC_FAIL,
		              "saturation query on %s: "
		              "unexpected answer",
		              ep);
		return;
	}
	used = strtod(PQgetvalue(res, 0, 0), NULL);
	ratio = used / max;
	if (ratio >= p->fail_ratio) {
		status = HC_FAIL;
		snprintf(why, sizeof(why), ", fail_ratio %.2f", p->fail_ratio);
	} else if (ratio >= p->warn_ratio) {
		status = HC_WARN;
		snprintf(why, sizeof(why), ", warn_ratio %.2f", p->warn_ratio);
	}
	hc_result_set(run->r, status,
	              "%.0f of %.0f connections in use (ratio "
	              "%.2f%s) on %s, database %s",
	              used, max, ratio, why, ep, PQdb(conn));
	hc_result_observe(run->r, ratio, "ratio");
	snprintf(run->r->measurement, sizeof(run->r->measurement), "utilization");
}

static void pg_pass(const struct pg_run *run, const PGconn *conn, const PGresult *res, int64_t start)
{
	int v = PQserverVersion(conn);
	char ep[300];

	pg_endpoint(conn, ep, sizeof(ep));
	if (run->p->saturation) {
		pg_saturation(run, conn, res, ep);
		return;
	}
	hc_result_set(run->r, HC_PASS,
	              "%s ok on %s, database %s "
	              "(PostgreSQL %d.%d)",
	              run->p->label, ep, PQdb(conn), v / 10000, v % 10000);
	pu_observe_ms(run->r, pu_elapsed_ms(run->ctx->host, start));
}

/* Connect (unless a kept connection is usable) and query. A kept
 * connection that turns out broken is replaced once, within the same
 * deadline: a server restart between two runs is not a failure. */
static enum pg_outcome pg_run_once(const struct pg_run *run, PGconn **conn, PGresult **res)
{
	enum pg_outcome o;
	int reused = *conn != NULL && pg_alive(*conn);

	if (!reused) {
		PQfinish(*conn);
		if ((o = pg_connect(run, conn)) != PG_OK)
			return o;
	}
	o = pg_query(run, *conn, res);
	if (o == PG_BROKEN && reused) {
		memset(run->r->message, 0, sizeof(run->r->message));
		PQfinish(*conn);
		if ((o = pg_connect(run, conn)) == PG_OK)
			o = pg_query(run, *conn, res);
	}
	return o;
}

static int pg_check(void *instance, const struct hc_check_ctx *ctx, struct hc_result *r)
{
	struct pg *p = instance;
	struct pg_run run = { p, ctx, *ctx, r };
	int64_t start = ctx->host->now_ns();
	PGconn *conn = p->persistent ? p->conn : NULL;
	PGresult *res = NULL;

	run.early.deadline_ns = pu_early_deadline(ctx);
	p->conn = NULL;
	if (pg_run_once(&run, &conn, &res) == PG_OK)
		pg_pass(&run, conn, res, start);
	PQclear(res);
	/* Keep only a connection that is idle and sound. */
	if (p->persistent && conn != NULL && PQstatus(conn) == CONNECTION_OK &&
	    PQtransactionStatus(conn) == PQTRANS_IDLE)
		p->conn = conn;
	else
		PQfinish(conn);
	pg_scrub(p, r->message);
	return HC_OK;
}

HC_PLUGIN_DEFINE("postgres", "1.0.0",
                 "connects to PostgreSQL and runs "
                 "SELECT 1 within the deadline",
                 pg_keys, pg_init, pg_check, pg_teardown);
