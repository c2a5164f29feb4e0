/* SPDX-License-Identifier: MIT */
/* The HTTP endpoints (libmicrohttpd): routing, authorization, heartbeats; bodies come from the snapshot. */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "guard.h"
#include "http.h"
#include "log.h"
#include "render.h"
#include "status.h"
#include "tls.h"
#include "token.h"
#include "xalloc.h"

/* libmicrohttpd's version quirks, in one place: handlers return
 * enum MHD_Result from 0.9.71 on (configure requires it). */
typedef enum MHD_Result mhd_result;

#define HEARTBEAT_MAX 1024
/* /livez fails when the scheduler loop, which turns at least once a
 * second, has not turned for this long. */
#define STALL_NS (10 * 1000000000LL)
#define HTTP_THREADS 2

struct hc_http {
	struct MHD_Daemon **daemons;
	size_t n;
	struct hc_state *state;
	struct hc_sched *sched;
	struct hc_guard *guard;
	struct hc_tls *tls;   /* NULL: no https:// listener */
	pthread_mutex_t lock; /* guards details and token */
	enum hc_details details;
	char *token;
};

/* Per-request state: GETs use a marker, POSTs collect their body. */
struct upload {
	char body[HEARTBEAT_MAX + 1];
	size_t len;
	bool too_large;
};

static char get_marker;

int hc_http_listen(const struct hc_listen *l, char *err, size_t errsz)
{
	int fd, one = 1;

	fd = socket(l->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* [::]:8080 means IPv6 only; 0.0.0.0:8080 is a line of its own. */
	if (l->addr.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&l->addr, l->addr_len) != 0 || listen(fd, 128) != 0)
		goto fail;
	return fd;
fail:
	snprintf(err, errsz, "listen %s: %s", l->text, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Content-Type, Cache-Control and nosniff on r; r, or NULL if r is. */
static struct MHD_Response *with_headers(struct MHD_Response *r, const char *type, const char *cache)
{
	if (r == NULL)
		return NULL;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	return r;
}

/* A response with a copy of text. */
static struct MHD_Response *response(const char *text, size_t len, const char *type, const char *cache)
{
	return with_headers(MHD_create_response_from_buffer(len, (void *)text, MHD_RESPMEM_MUST_COPY),
	                    type, cache);
}

void hc_http_release_body(struct hc_body *b)
{
	MHD_destroy_response(b->handle); /* frees text once no connection sends it */
	b->handle = NULL;
	b->text = NULL;
}

/* What a browser must hold the status page to: its own inline style and
 * script and requests to its own origin only, no framing, no referrer. */
static void page_headers(struct MHD_Response *r)
{
	if (r == NULL)
		return;
	MHD_add_response_header(r, "Content-Security-Policy", hc_status_csp());
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
}

void hc_http_prepare_body(const struct hc_snapshot *s, int which, struct hc_body *b)
{
	(void)s;
	/* /health's max-age counts down, so its response is made for each
	 * request (send_health); its text stays the snapshot's. */
	if (which >= HC_BODY_HEALTH && which < HC_BODY_METRICS)
		return;
	/* The response takes the text: no copy, freed with its last user. */
	b->handle = with_headers(
	        MHD_create_response_from_buffer_with_free_callback(b->len, b->text, free), b->type,
	        "no-store");
	if (which >= HC_BODY_STATUS)
		page_headers(b->handle);
}

/* Queue a response made for this request only. */
static mhd_result send_text(struct MHD_Connection *conn, int code, const char *type, const char *text)
{
	struct MHD_Response *r = response(text, strlen(text), type, "no-store");
	mhd_result ret;

	if (r == NULL)
		return MHD_NO;
	ret = MHD_queue_response(conn, (unsigned)code, r);
	MHD_destroy_response(r);
	return ret;
}

static mhd_result send_owned(struct MHD_Connection *conn, int code, const char *type, char *text)
{
	mhd_result ret = send_text(conn, code, type, text);

	free(text);
	return ret;
}

static mhd_result send_allow(struct MHD_Connection *conn, const char *allow)
{
	struct MHD_Response *r = response("method not allowed\n", 19, HC_TYPE_TEXT, "no-store");
	mhd_result ret;

	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(conn, MHD_HTTP_METHOD_NOT_ALLOWED, r);
	MHD_destroy_response(r);
	return ret;
}

static void drop_snapshot(void *cls)
{
	hc_snapshot_unref(cls);
}

/* /health, cacheable until the next result is due, counted from now: a
 * response of this request's own over the snapshot's text (no copy),
 * which holds a reference to the snapshot until it is sent. For the status
 * page's script (page), the same document with 200 whatever it says (a
 * browser logs every 5xx answer as an error in its console), never cached:
 * /status is also the page's URL. */
static mhd_result send_health(struct MHD_Connection *conn, struct hc_snapshot *s, int detail,
                              bool page)
{
	const struct hc_body *b = hc_snapshot_body(s, HC_BODY_HEALTH + detail);
	int64_t left = s->next_due_ns - hc_now_ns();
	struct MHD_Response *r;
	char cache[64];
	mhd_result ret;

	snprintf(cache, sizeof(cache), "max-age=%lld",
	         left > 0 ? (long long)(left / 1000000000) : 0LL);
	hc_snapshot_ref(s);
	r = MHD_create_response_from_buffer_with_free_callback_cls(b->len, b->text, drop_snapshot, s);
	if (r == NULL) {
		hc_snapshot_unref(s);
		return MHD_NO;
	}
	ret = MHD_queue_response(conn, page ? MHD_HTTP_OK : (unsigned)b->code,
	                         with_headers(r, b->type, page ? "no-store" : cache));
	MHD_destroy_response(r);
	return ret;
}

static mhd_result send_body(struct MHD_Connection *conn, const struct hc_body *b)
{
	if (b->handle == NULL)
		return send_text(conn, b->code, b->type, b->text);
	/* libmicrohttpd holds its own reference: the snapshot may go. */
	return MHD_queue_response(conn, (unsigned)b->code, b->handle);
}

/* Does the request carry the token? Decides whether details are shown. */
static bool authorized(struct hc_http *h, struct MHD_Connection *conn)
{
	const char *auth =
	        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	bool ok;

	pthread_mutex_lock(&h->lock);
	ok = h->token != NULL && hc_token_matches(auth, h->token);
	pthread_mutex_unlock(&h->lock);
	return ok;
}

/* The details policy in force, and whether this request may see details
 * under it: the token, or else a client certificate the client CA
 * verifies, is looked at only where it decides something. */
static enum hc_details details_for(struct hc_http *h, struct MHD_Connection *conn, bool *detailed)
{
	enum hc_details d;

	pthread_mutex_lock(&h->lock);
	d = h->details;
	pthread_mutex_unlock(&h->lock);
	*detailed = d == HC_DETAILS_ALWAYS ||
	            (d == HC_DETAILS_AUTHORIZED &&
	             (authorized(h, conn) || (h->tls != NULL && hc_tls_client_verified(conn))));
	return d;
}

static bool wants_json(struct MHD_Connection *conn)
{
	const char *accept =
	        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);

	return accept != NULL && (strstr(accept, "application/json") != NULL ||
	                          strstr(accept, "application/health+json") != NULL);
}

struct query_args {
	bool verbose;
	const char *exclude[32];
	size_t n_exclude;
};

static mhd_result query_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct query_args *a = cls;

	(void)kind;
	if (strcmp(key, "verbose") == 0)
		a->verbose = true;
	else if (strcmp(key, "exclude") == 0 && value != NULL &&
	         a->n_exclude < sizeof(a->exclude) / sizeof(a->exclude[0]))
		a->exclude[a->n_exclude++] = value;
	return MHD_YES;
}

static int group_of(const char *path, const char **rest)
{
	static const char *const names[HC_N_GROUPS] = { "/livez", "/readyz", "/startupz" };

	for (int g = 0; g < HC_N_GROUPS; g++) {
		size_t n = strlen(names[g]);

		if (strncmp(path, names[g], n) == 0 && (path[n] == '\0' || path[n] == '/')) {
			*rest = path[n] == '/' ? path + n + 1 : NULL;
			return g;
		}
	}
	return -1;
}

static mhd_result serve_probe(struct hc_http *h, struct MHD_Connection *conn, struct hc_snapshot *s,
                              int g, const char *only, bool detailed)
{
	struct query_args a = { 0 };
	struct hc_probe_query q = { .group = (enum hc_group)g,
		                    .detailed = detailed,
		                    .json = wants_json(conn),
		                    .only = only };
	int64_t stalled = g == HC_LIVENESS ? hc_now_ns() - hc_sched_tick_ns(h->sched) : 0;
	const char *type;
	char *text;
	int code;

	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, query_arg, &a);
	if (stalled > STALL_NS) {
		text = hc_xasprintf("[-]scheduler failed: stalled for %lld s\nlivez check failed\n",
		                    (long long)(stalled / 1000000000));
		return send_owned(conn, 503, HC_TYPE_TEXT, text);
	}
	q.verbose = a.verbose;
	if (only == NULL && a.n_exclude == 0)
		return send_body(conn, hc_snapshot_body(s, hc_body_probe((enum hc_group)g,
		                                                         q.json      ? HC_JSON
		                                                         : a.verbose ? HC_VERBOSE
		                                                                     : HC_PLAIN,
		                                                         detailed)));
	q.exclude = a.exclude;
	q.n_exclude = a.n_exclude;
	text = hc_render_probe(s, &q, &code, &type);
	return send_owned(conn, code, type, text);
}

/* How much of /health a request gets: each check's history only when
 * asked for (?history), as the status page's script does. */
static int health_detail(struct MHD_Connection *conn, bool detailed)
{
	if (!detailed)
		return HC_JSON_PUBLIC;
	/* ?history has no value: only its presence tells. */
	return MHD_lookup_connection_value_n(conn, MHD_GET_ARGUMENT_KIND, "history", 7, NULL,
	                                     NULL) == MHD_YES
	               ? HC_JSON_HISTORY
	               : HC_JSON_DETAILED;
}

/* The page, or for its script (Accept: application/health+json) the
 * /health document it draws from, with history. */
static mhd_result serve_status(struct MHD_Connection *conn, struct hc_snapshot *s, bool detailed)
{
	if (wants_json(conn))
		return send_health(conn, s, detailed ? HC_JSON_HISTORY : HC_JSON_PUBLIC, true);
	return send_body(conn, hc_snapshot_body(s, HC_BODY_STATUS + detailed));
}

/* 401 on /metrics, saying what would authorize it. */
static mhd_result refuse_metrics(struct MHD_Connection *conn, const struct hc_server_conf *srv)
{
	const char *means = hc_server_auth_means(srv);
	char text[128];

	if (means == NULL)
		means = "authorization, and neither token_file nor tls_client_ca_file is configured";
	snprintf(text, sizeof(text), "metrics need %s\n", means);
	return send_text(conn, 401, HC_TYPE_TEXT, text);
}

static mhd_result serve_get(struct hc_http *h, struct MHD_Connection *conn, const char *url)
{
	bool detailed;
	enum hc_details policy = details_for(h, conn, &detailed);
	struct hc_snapshot *s = hc_state_get(h->state);
	const char *rest;
	mhd_result ret;
	int g;

	if (s == NULL)
		return send_text(conn, 503, HC_TYPE_TEXT, "starting\n");
	if ((g = group_of(url, &rest)) >= 0)
		ret = serve_probe(h, conn, s, g, rest, detailed);
	else if (strcmp(url, "/health") == 0)
		ret = send_health(conn, s, health_detail(conn, detailed), false);
	else if (strcmp(url, "/status") == 0)
		ret = serve_status(conn, s, detailed);
	else if (strcmp(url, "/metrics") == 0) {
		if (policy == HC_DETAILS_NEVER)
			ret = send_text(conn, 404, HC_TYPE_TEXT,
			                "metrics are off (details = never)\n");
		else if (!detailed)
			ret = refuse_metrics(conn, &s->cfg->server);
		else
			ret = send_body(conn, hc_snapshot_body(s, HC_BODY_METRICS));
	} else {
		ret = send_text(conn, 404, HC_TYPE_TEXT, "not found\n");
	}
	hc_snapshot_unref(s);
	return ret;
}

/* {"status": "pass|warn|fail", "output": "..."}, both optional. */
static int parse_push(const struct upload *u, int *status, char **output)
{
	json_t *j, *st, *out;
	const char *word;

	*status = HC_PASS;
	*output = NULL;
	if (u->len == 0)
		return 0;
	j = json_loadb(u->body, u->len, 0, NULL);
	if (j == NULL || !json_is_object(j))
		goto bad;
	st = json_object_get(j, "status");
	out = json_object_get(j, "output");
	if ((st != NULL && !json_is_string(st)) || (out != NULL && !json_is_string(out)))
		goto bad;
	word = st != NULL ? json_string_value(st) : "pass";
	if (strcmp(word, "pass") == 0)
		*status = HC_PASS;
	else if (strcmp(word, "warn") == 0)
		*status = HC_WARN;
	else if (strcmp(word, "fail") == 0)
		*status = HC_FAIL;
	else
		goto bad;
	if (out != NULL)
		*output = hc_xstrdup(json_string_value(out));
	json_decref(j);
	return 0;
bad:
	json_decref(j);
	return -1;
}

static mhd_result serve_heartbeat(struct hc_http *h, struct MHD_Connection *conn, const char *name,
                                  const struct upload *u)
{
	const char *auth =
	        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	bool found, ok;
	char *token = hc_sched_heartbeat_token(h->sched, name, &found);
	char *output;
	int status;

	/* Which names exist is for those with the server's token to know. */
	if (!found)
		return authorized(h, conn) ? send_text(conn, 404, HC_TYPE_TEXT,
		                                       "no heartbeat check of that name\n")
		                           : send_text(conn, 401, HC_TYPE_TEXT,
		                                       "a heartbeat needs the bearer token\n");
	if (token != NULL) {
		ok = hc_token_matches(auth, token);
		hc_token_free(token);
	} else {
		ok = authorized(h, conn);
	}
	if (!ok)
		return send_text(conn, 401, HC_TYPE_TEXT, "a heartbeat needs the bearer token\n");
	if (u->too_large)
		return send_text(conn, 413, HC_TYPE_TEXT, "a heartbeat body is at most 1024 bytes\n");
	if (parse_push(u, &status, &output) != 0)
		return send_text(conn, 400, HC_TYPE_TEXT,
		                 "expected {\"status\": \"pass|warn|fail\", \"output\": \"...\"}\n");
	hc_sched_heartbeat(h->sched, name, status, output);
	free(output);
	return send_text(conn, 204, HC_TYPE_TEXT, "");
}

static mhd_result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                             const char *method, const char *version, const char *upload_data,
                             size_t *upload_size, void **con_cls)
{
	struct hc_http *h = cls;
	bool get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
	           strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
	bool heartbeat = strncmp(url, "/heartbeat/", 11) == 0;

	(void)version;
	/* Answer on the second call: queuing a response before the request
	 * is read makes libmicrohttpd close the connection (docs/architecture.md §6). */
	if (*con_cls == NULL) {
		*con_cls = heartbeat && strcmp(method, MHD_HTTP_METHOD_POST) == 0
		                   ? (void *)hc_xcalloc(1, sizeof(struct upload))
		                   : (void *)&get_marker;
		return MHD_YES;
	}
	if (*con_cls != &get_marker && *upload_size > 0) {
		struct upload *u = *con_cls;

		if (u->len + *upload_size > HEARTBEAT_MAX)
			u->too_large = true;
		else {
			memcpy(u->body + u->len, upload_data, *upload_size);
			u->len += *upload_size;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	/* A body on a GET (or on a method refused below) is read and
	 * dropped: answering while it is pending would close the connection. */
	if (*upload_size > 0) {
		*upload_size = 0;
		return MHD_YES;
	}
	switch (hc_guard_request_read(conn)) {
	case HC_GUARD_NUL:
		return send_text(conn, 400, HC_TYPE_TEXT, "%00 (NUL) in a path or query\n");
	case HC_GUARD_TOO_MANY_ARGS:
		return send_text(conn, 431, HC_TYPE_TEXT, "too many query arguments\n");
	case HC_GUARD_OK:
		break;
	}
	if (*con_cls != &get_marker)
		return serve_heartbeat(h, conn, url + 11, *con_cls);
	if (heartbeat)
		return send_allow(conn, "POST");
	if (!get)
		return send_allow(conn, "GET, HEAD");
	return serve_get(h, conn, url);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)toe;
	if (*con_cls != NULL && *con_cls != &get_marker)
		free(*con_cls);
	*con_cls = NULL;
	hc_guard_request_done(conn);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct hc_http *h = cls;
	char line[512];
	size_t n;

	vsnprintf(line, sizeof(line), fmt, ap);
	if (!hc_guard_may_log(h->guard, line))
		return;
	n = strlen(line);
	if (n > 0 && line[n - 1] == '\n')
		line[n - 1] = '\0';
	hc_log(HC_LOG_WARNING, "http: %s", line);
}

/* One libmicrohttpd server on the listening socket fd, the i-th; the guard
 * screens its connections. With tls, it speaks TLS with the certificate of
 * core/tls.c. */
static struct MHD_Daemon *start_daemon(struct hc_http *h, const struct hc_server_conf *conf, int fd,
                                       size_t i, bool tls)
{
	struct hc_guard_listener *l = hc_guard_listener(h->guard, i);
	unsigned timeout_s = (conf->connection_timeout_ms + 999) / 1000;

	/* The certificate callback is the last option: a plain server's list
	 * ends just before it. */
	return MHD_start_daemon(
	        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
	                (tls ? MHD_USE_TLS : 0),
	        0, hc_guard_accept, l, on_request, h, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, h,
	        MHD_OPTION_NOTIFY_CONNECTION, hc_guard_notify, l, MHD_OPTION_URI_LOG_CALLBACK,
	        hc_guard_uri, h->guard, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_THREAD_POOL_SIZE,
	        (unsigned)HTTP_THREADS, MHD_OPTION_CONNECTION_LIMIT, conf->max_connections,
	        MHD_OPTION_PER_IP_CONNECTION_LIMIT, conf->max_connections_per_ip,
	        MHD_OPTION_CONNECTION_TIMEOUT, timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	        conf->connection_memory_limit, MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
	        tls ? MHD_OPTION_HTTPS_CERT_CALLBACK2 : MHD_OPTION_END, hc_tls_cert_callback,
	        MHD_OPTION_END);
}

/* The state that serves the sockets marked tls (creds taken). -1 with err
 * when one would and there is no certificate. */
static int start_tls(struct hc_http *h, const bool *tls, size_t n_fds, struct hc_tls_creds *creds,
                     char *err, size_t errsz)
{
	bool any = false;

	for (size_t i = 0; i < n_fds; i++)
		any |= tls[i];
	if (any && creds == NULL) {
		snprintf(err, errsz, "an https:// listener has no certificate");
		return -1;
	}
	if (any)
		h->tls = hc_tls_new(creds);
	else
		hc_tls_creds_unref(creds);
	return 0;
}

struct hc_http *hc_http_start(const struct hc_server_conf *conf, const int *fds, const bool *tls,
                              size_t n_fds, struct hc_state *state, struct hc_sched *sched,
                              const char *token, struct hc_tls_creds *creds, char *err, size_t errsz)
{
	struct hc_http *h = hc_xcalloc(1, sizeof(*h));
	size_t i = 0;

	pthread_mutex_init(&h->lock, NULL);
	h->state = state;
	h->sched = sched;
	h->details = conf->details;
	h->token = token != NULL ? hc_xstrdup(token) : NULL;
	h->daemons = hc_xcalloc(n_fds + 1, sizeof(*h->daemons));
	h->guard = hc_guard_start(conf, n_fds);
	snprintf(err, errsz, "cannot start the HTTP server");
	if (start_tls(h, tls, n_fds, creds, err, errsz) != 0 || h->guard == NULL)
		goto fail;
	for (; i < n_fds; i++) {
		struct MHD_Daemon *d = start_daemon(h, conf, fds[i], i, tls[i]);

		if (d == NULL) {
			snprintf(err, errsz, "cannot start the HTTP%s server on socket %d",
			         tls[i] ? "S" : "", fds[i]);
			goto fail;
		}
		h->daemons[h->n++] = d;
	}
	return h;
fail:
	for (; i < n_fds; i++)
		close(fds[i]);
	hc_http_stop(h);
	return NULL;
}

void hc_http_set_tls(struct hc_http *h, struct hc_tls_creds *creds)
{
	if (h->tls != NULL)
		hc_tls_swap(h->tls, creds);
	else
		hc_tls_creds_unref(creds);
}

void hc_http_set_auth(struct hc_http *h, enum hc_details details, const char *token)
{
	pthread_mutex_lock(&h->lock);
	h->details = details;
	hc_token_free(h->token);
	h->token = token != NULL ? hc_xstrdup(token) : NULL;
	pthread_mutex_unlock(&h->lock);
}

void hc_http_stop(struct hc_http *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->n; i++) {
		int fd = MHD_quiesce_daemon(h->daemons[i]);

		MHD_stop_daemon(h->daemons[i]);
		if (fd >= 0)
			close(fd);
	}
	hc_guard_stop(h->guard);
	hc_tls_free(h->tls);
	free(h->daemons);
	hc_token_free(h->token);
	pthread_mutex_destroy(&h->lock);
	free(h);
}
