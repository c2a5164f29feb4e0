/* SPDX-License-Identifier: MIT */
/* TLS on https:// listeners (GnuTLS under libmicrohttpd): the certificate, rotated on reload, and client certificates that authorize details. */
#ifndef HC_TLS_H
#define HC_TLS_H

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <stdbool.h>

#include "config.h"
#include "errors.h"

/* One generation of what [server] names: the certificate chain, its key,
 * and the client CA (optional). Read whole, never changed afterwards;
 * reference-counted, so a reload can replace it while a handshake or a
 * request still uses the old one. */
struct hc_tls_creds;
/* The server's TLS state: the generation handshakes and requests use now. */
struct hc_tls;

/* Read and check the TLS files of s: readable, the key not readable by
 * everyone, each parses, the key belongs to the certificate. *out is NULL
 * when s names none. 0, or -1 with "FILE:LINE: tls_...: reason" in errs
 * (never key material). */
int hc_tls_load(const struct hc_server_conf *s, struct hc_tls_creds **out, struct hc_errors *errs);
/* hc_tls_load for -t: the same checks, nothing kept. */
void hc_tls_check(const struct hc_server_conf *s, struct hc_errors *errs);
/* Drop a reference; the last one frees everything (GnuTLS clears the key). */
void hc_tls_creds_unref(struct hc_tls_creds *c);

/* The state serving c (taken). One at a time in a process: GnuTLS's
 * certificate callback carries no pointer of ours. Freed after every
 * libmicrohttpd daemon using it has stopped. */
struct hc_tls *hc_tls_new(struct hc_tls_creds *c);
void hc_tls_free(struct hc_tls *t);
/* A reload: handshakes from now on get c (taken); an established
 * connection keeps the certificate it was served. NULL keeps the current. */
void hc_tls_swap(struct hc_tls *t, struct hc_tls_creds *c);

/* Which of the n listening sockets systemd passed serve TLS (tls[i]): those
 * bound to an https:// line's address and port, a wildcard (0.0.0.0, [::])
 * on either side matching any address of the same port. Each socket's
 * choice is logged. 0, or -1 with "FILE:LINE: listen ..." in errs for each
 * https:// line no socket serves: refused, never served plain. */
int hc_tls_match_passed(const struct hc_server_conf *s, const int *fds, size_t n, bool *tls,
                        struct hc_errors *errs);

/* For MHD_OPTION_HTTPS_CERT_CALLBACK2: a copy of the current generation's
 * chain and key for this session (GnuTLS frees it with the session), and a
 * request for the client's certificate when there is a client CA. */
int hc_tls_cert_callback(gnutls_session_t session, const struct gnutls_cert_retr_st *info,
                         gnutls_pcert_st **certs, unsigned int *certs_length,
                         gnutls_ocsp_data_st **ocsp, unsigned int *ocsp_length,
                         gnutls_privkey_t *privkey, unsigned int *flags);
/* Did the client on conn present a certificate that verifies, for TLS
 * client authentication, against the current client CA? False on a plain
 * connection or without a client CA. */
bool hc_tls_client_verified(struct MHD_Connection *conn);

#endif
