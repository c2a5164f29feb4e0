/* SPDX-License-Identifier: MIT */
/* The HTTP server's guard against abusive clients: request deadlines, slots kept for trusted sources, rate-limited refusal logs. */
#ifndef HC_GUARD_H
#define HC_GUARD_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct hc_guard;
/* One listening socket's share of the guard (its untrusted count). */
struct hc_guard_listener;

/* What the guard found wrong with a request before the handler saw it. */
enum hc_guard_verdict {
	HC_GUARD_OK,
	HC_GUARD_NUL,          /* %00 in the path or query: 400 */
	HC_GUARD_TOO_MANY_ARGS /* more query arguments than fit: 431 */
};

/* The guard of a server with conf's limits and n_listeners sockets; starts
 * the thread that closes connections past request_timeout and writes the
 * refusal counts to the log. NULL if that thread cannot start. */
struct hc_guard *hc_guard_start(const struct hc_server_conf *conf, size_t n_listeners);
/* After every libmicrohttpd daemon using it has stopped. */
void hc_guard_stop(struct hc_guard *g);
struct hc_guard_listener *hc_guard_listener(struct hc_guard *g, size_t i);

/* libmicrohttpd callbacks: MHD_OPTION_ACCEPT_POLICY (cls: a listener),
 * MHD_OPTION_NOTIFY_CONNECTION (cls: the same listener),
 * MHD_OPTION_URI_LOG_CALLBACK (cls: the guard). */
enum MHD_Result hc_guard_accept(void *cls, const struct sockaddr *addr, socklen_t len);
void hc_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                     enum MHD_ConnectionNotificationCode code);
void *hc_guard_uri(void *cls, const char *uri, struct MHD_Connection *conn);

/* The request on conn is read in full (the deadline no longer applies);
 * returns what the guard found wrong with it. */
enum hc_guard_verdict hc_guard_request_read(struct MHD_Connection *conn);
/* The request on conn is over: the next one's deadline starts now. */
void hc_guard_request_done(struct MHD_Connection *conn);
/* A message of libmicrohttpd's: may it be logged now? A connection it
 * refused at its limit is counted for the guard's summary instead, and the
 * rest are rate-limited: a client can make it say something for every
 * connection it drops. */
bool hc_guard_may_log(struct hc_guard *g, const char *message);

#endif
