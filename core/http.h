/* SPDX-License-Identifier: MIT */
/* The HTTP endpoints (libmicrohttpd): routing, authorization, heartbeats; bodies come from the snapshot. */
#ifndef HC_HTTP_H
#define HC_HTTP_H

#include <stddef.h>

#include "config.h"
#include "scheduler.h"
#include "state.h"
#include "tls.h"

struct hc_http;

/* Bind and listen on one `listen` address, as the config parsed it; an
 * IPv6 socket is v6-only. Returns the fd, or -1 with err. */
int hc_http_listen(const struct hc_listen *l, char *err, size_t errsz);

/* Serve on the listening sockets fds (taken) with the limits of conf.
 * Requests read state; heartbeats go to sched. token (copied, may be NULL)
 * authorizes details. fds[i] speaks TLS when tls[i], with creds (taken, may
 * be NULL when no socket does). NULL with err on failure. */
struct hc_http *hc_http_start(const struct hc_server_conf *conf, const int *fds, const bool *tls,
                              size_t n_fds, struct hc_state *state, struct hc_sched *sched,
                              const char *token, struct hc_tls_creds *creds, char *err, size_t errsz);

/* After a reload: the details policy and token in force (token copied). */
void hc_http_set_auth(struct hc_http *h, enum hc_details details, const char *token);
/* After a reload: the TLS certificate, key and client CA (creds taken;
 * NULL keeps those in force). Established connections keep theirs. */
void hc_http_set_tls(struct hc_http *h, struct hc_tls_creds *creds);

/* Stop answering, close the sockets, wait for the server's threads. */
void hc_http_stop(struct hc_http *h);

/* For hc_state.prepare_body: build the response object of a body the
 * moment it is rendered (it takes the text), so every later request queues
 * it without allocating or copying. */
void hc_http_prepare_body(const struct hc_snapshot *s, int which, struct hc_body *b);
/* For hc_state.release_body: drop the snapshot's reference. */
void hc_http_release_body(struct hc_body *b);

#endif
