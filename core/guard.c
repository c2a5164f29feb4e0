/* SPDX-License-Identifier: MIT */
/* The HTTP server's guard against abusive clients: request deadlines, slots kept for trusted sources, rate-limited refusal logs. */
#include "autoconfig.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "guard.h"
#include "log.h"
#include "xalloc.h"

/* How often the deadlines are looked at: a connection is closed at most
 * this long after its request_timeout. */
#define SWEEP_NS (250 * 1000000LL)
/* At most one log line of each kind per this long, with a count. */
#define REPORT_NS (10 * 1000000000LL)
/* libmicrohttpd's own messages: at most this many per REPORT_NS. */
#define MHD_LINES 5
/* A query argument costs libmicrohttpd about 48 bytes of the connection's
 * memory, beside the request line and headers: allow one per 128 bytes. */
#define BYTES_PER_ARG 128

/* One open connection, from libmicrohttpd's start notice to its close. */
struct conn {
	struct conn *prev, *next;
	struct hc_guard_listener *l;
	int fd;
	bool trusted;
	bool reading;     /* a request is on its way: the deadline runs */
	bool shut;        /* shut down by the sweep; libmicrohttpd closes it */
	int64_t since_ns; /* the deadline of the request being read counts from here */
	enum hc_guard_verdict verdict;
};

struct hc_guard_listener {
	struct hc_guard *g;
	unsigned untrusted; /* connections from untrusted sources open now */
};

struct hc_guard {
	pthread_mutex_t lock; /* guards everything below */
	pthread_cond_t wake;
	pthread_t sweeper;
	bool stopping;
	struct conn conns; /* the head of a circular list */
	struct hc_cidr *trusted;
	size_t n_trusted;
	unsigned untrusted_max; /* per listener */
	unsigned max_connections;
	unsigned max_args;
	int64_t timeout_ns;
	struct hc_guard_listener *listeners;
	size_t n_listeners;
	unsigned long refused, timed_out; /* since the last line about them */
	int64_t refused_logged_ns, timed_out_logged_ns;
	unsigned mhd_lines;        /* libmicrohttpd's lines logged since mhd_since_ns */
	unsigned long mhd_dropped; /* and those dropped */
	int64_t mhd_since_ns;
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static struct conn *conn_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
	        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci != NULL ? ci->socket_context : NULL;
}

enum MHD_Result hc_guard_accept(void *cls, const struct sockaddr *addr, socklen_t len)
{
	struct hc_guard_listener *l = cls;
	struct hc_guard *g = l->g;
	bool ok;

	(void)len;
	if (hc_cidr_match(g->trusted, g->n_trusted, addr))
		return MHD_YES;
	pthread_mutex_lock(&g->lock);
	/* Counted when the connection starts, so two threads accepting at
	 * once may both pass: at most one over, never into the last slot
	 * of the reserve when it is larger than the thread count. */
	ok = l->untrusted < g->untrusted_max;
	if (!ok)
		g->refused++;
	pthread_mutex_unlock(&g->lock);
	return ok ? MHD_YES : MHD_NO;
}

static void conn_start(struct hc_guard_listener *l, struct MHD_Connection *conn, void **socket_context)
{
	struct hc_guard *g = l->g;
	const union MHD_ConnectionInfo *addr =
	        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const union MHD_ConnectionInfo *fd =
	        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct conn *c = hc_xcalloc(1, sizeof(*c));

	c->l = l;
	c->fd = fd != NULL ? fd->connect_fd : -1;
	c->trusted = addr != NULL && hc_cidr_match(g->trusted, g->n_trusted, addr->client_addr);
	c->reading = true;
	c->since_ns = now_ns();
	pthread_mutex_lock(&g->lock);
	c->next = &g->conns;
	c->prev = g->conns.prev;
	c->prev->next = c;
	g->conns.prev = c;
	if (!c->trusted)
		l->untrusted++;
	pthread_mutex_unlock(&g->lock);
	*socket_context = c;
}

void hc_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                     enum MHD_ConnectionNotificationCode code)
{
	struct hc_guard_listener *l = cls;
	struct conn *c = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		conn_start(l, conn, socket_context);
		return;
	}
	if (c == NULL)
		return;
	/* libmicrohttpd closes the socket after this returns: once the
	 * connection is off the list the sweep cannot touch a reused fd. */
	pthread_mutex_lock(&l->g->lock);
	c->prev->next = c->next;
	c->next->prev = c->prev;
	if (!c->trusted)
		l->untrusted--;
	pthread_mutex_unlock(&l->g->lock);
	free(c);
	*socket_context = NULL;
}

/* How many arguments a query holds, as libmicrohttpd splits it. */
static size_t count_args(const char *query)
{
	size_t n = 1;

	for (const char *p = query; *p != '\0'; p++)
		n += *p == '&';
	return n;
}

void *hc_guard_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct hc_guard *g = cls;
	struct conn *c = conn_of(conn);
	const char *query = strchr(uri, '?');
	enum hc_guard_verdict v = HC_GUARD_OK;

	/* Unescaped, %00 cuts the name the handler sees: /heartbeat/hb%00x
	 * would push to hb. No name or argument here holds a NUL. */
	if (strstr(uri, "%00") != NULL)
		v = HC_GUARD_NUL;
	if (query != NULL && query[1] != '\0' && count_args(query + 1) > g->max_args) {
		/* libmicrohttpd parses the query into the connection's memory
		 * after this returns; when it runs out it cannot even send its
		 * own 431 and closes the connection without a word. Empty the
		 * query so that it parses none, and answer 431 ourselves.
		 * uri points into libmicrohttpd's own read buffer, which it
		 * cuts up itself next (0.9.75; tests/e2e/abuse.sh sees to
		 * it that a version that parses before this call fails). */
		((char *)query)[1] = '\0';
		v = HC_GUARD_TOO_MANY_ARGS;
	}
	if (c != NULL) {
		pthread_mutex_lock(&g->lock);
		c->verdict = v;
		pthread_mutex_unlock(&g->lock);
	}
	return NULL;
}

enum hc_guard_verdict hc_guard_request_read(struct MHD_Connection *conn)
{
	struct conn *c = conn_of(conn);
	enum hc_guard_verdict v;

	if (c == NULL)
		return HC_GUARD_OK;
	pthread_mutex_lock(&c->l->g->lock);
	c->reading = false;
	v = c->verdict;
	pthread_mutex_unlock(&c->l->g->lock);
	return v;
}

void hc_guard_request_done(struct MHD_Connection *conn)
{
	struct conn *c = conn_of(conn);

	if (c == NULL)
		return;
	pthread_mutex_lock(&c->l->g->lock);
	c->reading = true;
	c->since_ns = now_ns();
	c->verdict = HC_GUARD_OK;
	pthread_mutex_unlock(&c->l->g->lock);
}

bool hc_guard_may_log(struct hc_guard *g, const char *message)
{
	bool ok = false;

	pthread_mutex_lock(&g->lock);
	if (strstr(message, "reached connection limit") != NULL)
		g->refused++;
	else if (g->mhd_lines < MHD_LINES) {
		g->mhd_lines++;
		ok = true;
	} else {
		g->mhd_dropped++;
	}
	pthread_mutex_unlock(&g->lock);
	return ok;
}

/* Shut down the connections whose request is late: libmicrohttpd reads
 * the end of the stream and closes them itself. Holds the lock. */
static void sweep(struct hc_guard *g, int64_t now)
{
	for (struct conn *c = g->conns.next; c != &g->conns; c = c->next) {
		if (!c->reading || c->shut || c->fd < 0 || now - c->since_ns <= g->timeout_ns)
			continue;
		shutdown(c->fd, SHUT_RDWR);
		c->shut = true;
		g->timed_out++;
	}
}

/* The summaries that stand for one line per refused or late connection.
 * Holds the lock. */
static void report(struct hc_guard *g, int64_t now)
{
	if (g->refused > 0 && now - g->refused_logged_ns >= REPORT_NS) {
		hc_log(HC_LOG_WARNING,
		       "http: connection limit reached: refused %lu connections since the last report "
		       "(max_connections %u, of which untrusted sources may hold %u)",
		       g->refused, g->max_connections, g->untrusted_max);
		g->refused = 0;
		g->refused_logged_ns = now;
	}
	if (g->timed_out > 0 && now - g->timed_out_logged_ns >= REPORT_NS) {
		hc_log(HC_LOG_WARNING,
		       "http: closed %lu connections whose request took longer than request_timeout (%lld ms)",
		       g->timed_out, (long long)(g->timeout_ns / 1000000));
		g->timed_out = 0;
		g->timed_out_logged_ns = now;
	}
	if (now - g->mhd_since_ns >= REPORT_NS) {
		if (g->mhd_dropped > 0)
			hc_log(HC_LOG_WARNING, "http: %lu more messages of libmicrohttpd not logged",
			       g->mhd_dropped);
		g->mhd_lines = 0;
		g->mhd_dropped = 0;
		g->mhd_since_ns = now;
	}
}

static void *sweeper_main(void *arg)
{
	struct hc_guard *g = arg;

	pthread_mutex_lock(&g->lock);
	while (!g->stopping) {
		int64_t now = now_ns(), next = now + SWEEP_NS;
		struct timespec ts = { .tv_sec = next / 1000000000LL, .tv_nsec = next % 1000000000LL };

		sweep(g, now);
		report(g, now);
		pthread_cond_timedwait(&g->wake, &g->lock, &ts);
	}
	report(g, now_ns() + REPORT_NS);
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

struct hc_guard *hc_guard_start(const struct hc_server_conf *conf, size_t n_listeners)
{
	struct hc_guard *g = hc_xcalloc(1, sizeof(*g));
	pthread_condattr_t ca;

	pthread_mutex_init(&g->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->wake, &ca);
	pthread_condattr_destroy(&ca);
	g->conns.next = g->conns.prev = &g->conns;
	g->n_trusted = conf->n_trusted;
	g->trusted = hc_xcalloc(conf->n_trusted + 1, sizeof(*g->trusted));
	if (conf->n_trusted > 0)
		memcpy(g->trusted, conf->trusted, conf->n_trusted * sizeof(*g->trusted));
	g->max_connections = conf->max_connections;
	g->untrusted_max = conf->max_connections > conf->reserved_connections
	                           ? conf->max_connections - conf->reserved_connections
	                           : 0;
	g->max_args = conf->connection_memory_limit / BYTES_PER_ARG;
	g->timeout_ns = (int64_t)conf->request_timeout_ms * 1000000LL;
	g->refused_logged_ns = g->timed_out_logged_ns = now_ns() - REPORT_NS;
	g->n_listeners = n_listeners;
	g->listeners = hc_xcalloc(n_listeners + 1, sizeof(*g->listeners));
	for (size_t i = 0; i < n_listeners; i++)
		g->listeners[i].g = g;
	if (pthread_create(&g->sweeper, NULL, sweeper_main, g) != 0) {
		pthread_cond_destroy(&g->wake);
		pthread_mutex_destroy(&g->lock);
		free(g->listeners);
		free(g->trusted);
		free(g);
		return NULL;
	}
	return g;
}

struct hc_guard_listener *hc_guard_listener(struct hc_guard *g, size_t i)
{
	return &g->listeners[i];
}

void hc_guard_stop(struct hc_guard *g)
{
	if (g == NULL)
		return;
	pthread_mutex_lock(&g->lock);
	g->stopping = true;
	pthread_cond_signal(&g->wake);
	pthread_mutex_unlock(&g->lock);
	pthread_join(g->sweeper, NULL);
	pthread_cond_destroy(&g->wake);
	pthread_mutex_destroy(&g->lock);
	free(g->listeners);
	free(g->trusted);
	free(g);
}
