/* SPDX-License-Identifier: MIT */
/* TLS on https:// listeners (GnuTLS under libmicrohttpd): the certificate, rotated on reload, and client certificates that authorize details. */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <gnutls/x509.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>

#include "fileio.h"
#include "log.h"
#include "tls.h"
#include "xalloc.h"

#define PEM_MAX (1024 * 1024) /* a certificate chain, a CA bundle */
#define KEY_MAX (64 * 1024)
#define PEER_CHAIN_MAX 16 /* of a client's chain, the certificates verified */

struct hc_tls_creds {
	atomic_int refs;
	gnutls_datum_t *chain; /* DER, the server's certificate first */
	unsigned n_chain;
	gnutls_x509_privkey_t key;
	gnutls_x509_trust_list_t ca; /* NULL: no client certificate is asked for */
};

struct hc_tls {
	pthread_mutex_t lock; /* guards current */
	struct hc_tls_creds *current;
};

/* The one being served: the certificate callback finds it here, since
 * GnuTLS passes it no pointer of ours and libmicrohttpd keeps the session's
 * own (gnutls_session_set_ptr) for itself. */
static struct hc_tls *serving;

void hc_tls_creds_unref(struct hc_tls_creds *c)
{
	if (c == NULL || atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) != 1)
		return;
	for (unsigned i = 0; i < c->n_chain; i++)
		gnutls_free(c->chain[i].data);
	free(c->chain);
	/* GnuTLS clears the key's numbers as it releases them. */
	if (c->key != NULL)
		gnutls_x509_privkey_deinit(c->key);
	if (c->ca != NULL)
		gnutls_x509_trust_list_deinit(c->ca, 1);
	free(c);
}

static gnutls_datum_t datum(char *text)
{
	return (gnutls_datum_t){ (unsigned char *)text, (unsigned)strlen(text) };
}

/* The chain of tls_cert_file, kept as DER: every handshake makes its own
 * copy from it, so nothing GnuTLS holds for a session is shared. */
static int load_chain(struct hc_tls_creds *c, const struct hc_server_conf *s, struct hc_errors *errs)
{
	char err[512];
	mode_t mode = 0;
	char *pem = hc_read_file(s->tls_cert_file, PEM_MAX, &mode, err, sizeof(err));
	gnutls_x509_crt_t *crts = NULL;
	gnutls_datum_t d;
	unsigned n = 0;
	int rc = -1;

	if (pem == NULL) {
		hc_errors_add(errs, s->tls_cert_file_at, "tls_cert_file: %s", err);
		return -1;
	}
	/* One PEM for certificate and key is a common layout: then the file
	 * is a secret, under tls_key_file's rule. */
	if ((mode & S_IROTH) && strstr(pem, "PRIVATE KEY-----") != NULL) {
		hc_errors_add(errs, s->tls_cert_file_at,
		              "tls_cert_file: %s holds a private key and is readable by everyone "
		              "(chmod o-r %s)",
		              s->tls_cert_file, s->tls_cert_file);
		hc_free_secret(pem);
		return -1;
	}
	d = datum(pem);
	rc = gnutls_x509_crt_list_import2(&crts, &n, &d, GNUTLS_X509_FMT_PEM,
	                                  GNUTLS_X509_CRT_LIST_FAIL_IF_UNSORTED);
	/* The file may hold the key too (one PEM for both, a common layout). */
	hc_free_secret(pem);
	if (rc < 0 || n == 0) {
		hc_errors_add(
		        errs, s->tls_cert_file_at,
		        "tls_cert_file: %s is not a PEM certificate chain, the server's certificate first (%s)",
		        s->tls_cert_file, rc < 0 ? gnutls_strerror(rc) : "no certificate");
		return -1;
	}
	c->chain = hc_xcalloc(n, sizeof(*c->chain));
	for (unsigned i = 0; i < n; i++) {
		if (rc >= 0 &&
		    (rc = gnutls_x509_crt_export2(crts[i], GNUTLS_X509_FMT_DER, &c->chain[i])) >= 0)
			c->n_chain++;
		gnutls_x509_crt_deinit(crts[i]);
	}
	gnutls_free(crts);
	if (rc < 0)
		hc_errors_add(errs, s->tls_cert_file_at, "tls_cert_file: %s: %s", s->tls_cert_file,
		              gnutls_strerror(rc));
	return rc < 0 ? -1 : 0;
}

/* The private key of tls_key_file: a secret, so its file must not be
 * readable by everyone, and its text is cleared once parsed. */
static int load_key(struct hc_tls_creds *c, const struct hc_server_conf *s, struct hc_errors *errs)
{
	char err[512];
	char *pem = hc_read_secret_file(s->tls_key_file, KEY_MAX, err, sizeof(err));
	gnutls_datum_t d;
	int rc;

	if (pem == NULL) {
		hc_errors_add(errs, s->tls_key_file_at, "tls_key_file: %s", err);
		return -1;
	}
	d = datum(pem);
	rc = gnutls_x509_privkey_init(&c->key);
	if (rc >= 0)
		rc = gnutls_x509_privkey_import2(c->key, &d, GNUTLS_X509_FMT_PEM, NULL, 0);
	hc_free_secret(pem);
	if (rc >= 0)
		return 0;
	hc_errors_add(errs, s->tls_key_file_at,
	              "tls_key_file: %s is not an unencrypted PEM private key (%s)",
	              s->tls_key_file, gnutls_strerror(rc));
	return -1;
}

/* Does the key belong to the chain's first certificate? Compared by the
 * SHA-256 of the public key both hold. */
static bool key_matches(const struct hc_tls_creds *c)
{
	unsigned char a[64], b[64];
	size_t al = sizeof(a), bl = sizeof(b);
	gnutls_x509_crt_t crt;
	bool same = false;

	if (gnutls_x509_crt_init(&crt) < 0)
		return false;
	if (gnutls_x509_crt_import(crt, &c->chain[0], GNUTLS_X509_FMT_DER) >= 0 &&
	    gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA256, a, &al) >= 0 &&
	    gnutls_x509_privkey_get_key_id(c->key, GNUTLS_KEYID_USE_SHA256, b, &bl) >= 0)
		same = al == bl && memcmp(a, b, al) == 0;
	gnutls_x509_crt_deinit(crt);
	return same;
}

static int load_ca(struct hc_tls_creds *c, const struct hc_server_conf *s, struct hc_errors *errs)
{
	char err[512];
	char *pem = hc_read_file(s->tls_client_ca_file, PEM_MAX, NULL, err, sizeof(err));
	gnutls_datum_t d;
	int rc;

	if (pem == NULL) {
		hc_errors_add(errs, s->tls_client_ca_file_at, "tls_client_ca_file: %s", err);
		return -1;
	}
	d = datum(pem);
	rc = gnutls_x509_trust_list_init(&c->ca, 0);
	if (rc >= 0)
		rc = gnutls_x509_trust_list_add_trust_mem(c->ca, &d, NULL, GNUTLS_X509_FMT_PEM, 0, 0);
	/* Wiped like the chain's: nothing says a key is not in it. */
	hc_free_secret(pem);
	if (rc > 0)
		return 0;
	hc_errors_add(errs, s->tls_client_ca_file_at,
	              "tls_client_ca_file: %s holds no PEM certificate (%s)", s->tls_client_ca_file,
	              rc < 0 ? gnutls_strerror(rc) : "none found");
	return -1;
}

int hc_tls_load(const struct hc_server_conf *s, struct hc_tls_creds **out, struct hc_errors *errs)
{
	struct hc_tls_creds *c;
	size_t before = errs->n;
	bool chain_ok, key_ok;

	*out = NULL;
	/* Half a pair is the config's own error (core/config.c). */
	if (s->tls_cert_file == NULL || s->tls_key_file == NULL)
		return 0;
	c = hc_xcalloc(1, sizeof(*c));
	atomic_init(&c->refs, 1);
	/* Every file is looked at, so that one run names every mistake. */
	chain_ok = load_chain(c, s, errs) == 0;
	key_ok = load_key(c, s, errs) == 0;
	if (chain_ok && key_ok && !key_matches(c))
		hc_errors_add(errs, s->tls_key_file_at,
		              "tls_key_file: %s is not the key of the certificate in %s",
		              s->tls_key_file, s->tls_cert_file);
	if (s->tls_client_ca_file != NULL)
		load_ca(c, s, errs);
	if (errs->n != before) {
		hc_tls_creds_unref(c);
		return -1;
	}
	*out = c;
	return 0;
}

void hc_tls_check(const struct hc_server_conf *s, struct hc_errors *errs)
{
	struct hc_tls_creds *c;

	if (hc_tls_load(s, &c, errs) == 0)
		hc_tls_creds_unref(c);
}

struct hc_tls *hc_tls_new(struct hc_tls_creds *c)
{
	struct hc_tls *t = hc_xcalloc(1, sizeof(*t));

	pthread_mutex_init(&t->lock, NULL);
	t->current = c;
	serving = t;
	return t;
}

void hc_tls_free(struct hc_tls *t)
{
	if (t == NULL)
		return;
	if (serving == t)
		serving = NULL;
	hc_tls_creds_unref(t->current);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

void hc_tls_swap(struct hc_tls *t, struct hc_tls_creds *c)
{
	struct hc_tls_creds *old;

	if (c == NULL)
		return;
	pthread_mutex_lock(&t->lock);
	old = t->current;
	t->current = c;
	pthread_mutex_unlock(&t->lock);
	/* A handshake copying from it holds its own reference. */
	hc_tls_creds_unref(old);
}

/* The current generation, with a reference; NULL when nothing is served. */
static struct hc_tls_creds *current(void)
{
	struct hc_tls *t = serving;
	struct hc_tls_creds *c;

	if (t == NULL)
		return NULL;
	pthread_mutex_lock(&t->lock);
	c = t->current;
	if (c != NULL)
		atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
	pthread_mutex_unlock(&t->lock);
	return c;
}

static in_port_t port_of(const struct sockaddr_storage *a)
{
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_port;
	return ((const struct sockaddr_in6 *)a)->sin6_port;
}

/* 0.0.0.0 or [::]: every address of the host. */
static bool is_wildcard(const struct sockaddr_storage *a)
{
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr == htonl(INADDR_ANY);
	return a->ss_family == AF_INET6 &&
	       IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)a)->sin6_addr);
}

static bool same_address(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in *a4 = (const struct sockaddr_in *)a;
	const struct sockaddr_in *b4 = (const struct sockaddr_in *)b;
	const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)a;
	const struct sockaddr_in6 *b6 = (const struct sockaddr_in6 *)b;

	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return a4->sin_port == b4->sin_port && a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	return a->ss_family == AF_INET6 && a6->sin6_port == b6->sin6_port &&
	       memcmp(&a6->sin6_addr, &b6->sin6_addr, sizeof(a6->sin6_addr)) == 0;
}

/* Is the line's address one the socket at sock receives on? The same
 * address, or a wildcard on either side with the same port: systemd's
 * ListenStream=8443 is [::]:8443 for both families, which an operator
 * writes https://0.0.0.0:8443 as readily as https://[::]:8443. */
static bool serves_line(const struct sockaddr_storage *sock, const struct sockaddr_storage *line)
{
	bool ip = sock->ss_family == AF_INET || sock->ss_family == AF_INET6;

	return same_address(sock, line) ||
	       (ip && port_of(sock) == port_of(line) && (is_wildcard(sock) || is_wildcard(line)));
}

/* "127.0.0.1:8443", "[::]:8443", or what else the socket is, for logs. */
static void address_text(const struct sockaddr_storage *a, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN];
	const void *in = a->ss_family == AF_INET
	                         ? (const void *)&((const struct sockaddr_in *)a)->sin_addr
	                         : (const void *)&((const struct sockaddr_in6 *)a)->sin6_addr;

	if ((a->ss_family != AF_INET && a->ss_family != AF_INET6) ||
	    inet_ntop(a->ss_family, in, host, sizeof(host)) == NULL)
		snprintf(buf, size, "a socket of family %d", a->ss_family);
	else
		snprintf(buf, size, a->ss_family == AF_INET ? "%s:%u" : "[%s]:%u", host,
		         (unsigned)ntohs(port_of(a)));
}

/* For each socket bound to bound[i], the first https:// line it serves
 * (NULL: none, plain HTTP); an https:// line no socket serves is an error
 * at its line. */
static void match_lines(const struct hc_server_conf *s, const struct sockaddr_storage *bound,
                        size_t n, const struct hc_listen **line_of, struct hc_errors *errs)
{
	for (size_t l = 0; l < s->n_listen; l++) {
		const struct hc_listen *line = &s->listen[l];
		bool served = false;

		for (size_t i = 0; line->tls && i < n; i++) {
			if (!serves_line(&bound[i], &line->addr))
				continue;
			served = true;
			if (line_of[i] == NULL)
				line_of[i] = line;
		}
		if (line->tls && !served)
			hc_errors_add(errs, line->at,
			              "listen %s: no socket systemd passed is on this address and "
			              "port; refusing to start rather than serve it in plain HTTP",
			              line->text);
	}
}

int hc_tls_match_passed(const struct hc_server_conf *s, const int *fds, size_t n, bool *tls,
                        struct hc_errors *errs)
{
	struct sockaddr_storage *bound = hc_xcalloc(n + 1, sizeof(*bound));
	const struct hc_listen **line_of = hc_xcalloc(n + 1, sizeof(*line_of));
	size_t before = errs->n;
	char text[INET6_ADDRSTRLEN + 32];

	for (size_t i = 0; i < n; i++) {
		socklen_t len = sizeof(bound[i]);

		/* Left AF_UNSPEC, it serves no line. */
		if (getsockname(fds[i], (struct sockaddr *)&bound[i], &len) != 0)
			memset(&bound[i], 0, sizeof(bound[i]));
	}
	match_lines(s, bound, n, line_of, errs);
	/* Every socket, also when a line failed: the log shows what was passed. */
	for (size_t i = 0; i < n; i++) {
		tls[i] = line_of[i] != NULL;
		address_text(&bound[i], text, sizeof(text));
		if (tls[i])
			hc_log(HC_LOG_INFO, "socket %d from systemd, on %s: TLS, for listen %s",
			       fds[i], text, line_of[i]->text);
		else
			hc_log(HC_LOG_INFO,
			       "socket %d from systemd, on %s: plain HTTP, no https:// line is on it",
			       fds[i], text);
	}
	free(line_of);
	free(bound);
	return errs->n == before ? 0 : -1;
}

/* The session's own copy of c's chain and key, in memory GnuTLS frees. */
static int copy_for_session(const struct hc_tls_creds *c, gnutls_pcert_st **certs, unsigned *n,
                            gnutls_privkey_t *key)
{
	gnutls_pcert_st *list = gnutls_calloc(c->n_chain, sizeof(*list));
	unsigned made = 0;
	int rc = list != NULL ? 0 : GNUTLS_E_MEMORY_ERROR;

	while (rc >= 0 && made < c->n_chain &&
	       (rc = gnutls_pcert_import_x509_raw(&list[made], &c->chain[made], GNUTLS_X509_FMT_DER,
	                                          0)) >= 0)
		made++;
	*key = NULL;
	if (rc >= 0 && (rc = gnutls_privkey_init(key)) >= 0)
		rc = gnutls_privkey_import_x509(*key, c->key, GNUTLS_PRIVKEY_IMPORT_COPY);
	if (rc >= 0) {
		*certs = list;
		*n = made;
		return 0;
	}
	while (made > 0)
		gnutls_pcert_deinit(&list[--made]);
	gnutls_free(list);
	if (*key != NULL)
		gnutls_privkey_deinit(*key);
	*key = NULL;
	return -1;
}

int hc_tls_cert_callback(gnutls_session_t session, const struct gnutls_cert_retr_st *info,
                         gnutls_pcert_st **certs, unsigned int *certs_length,
                         gnutls_ocsp_data_st **ocsp, unsigned int *ocsp_length,
                         gnutls_privkey_t *privkey, unsigned int *flags)
{
	/* One generation for the whole handshake: a reload swapping it
	 * meanwhile changes nothing this session holds. */
	struct hc_tls_creds *c = current();
	int rc;

	(void)info;
	*ocsp = NULL;
	*ocsp_length = 0;
	*flags = GNUTLS_CERT_RETR_DEINIT_ALL;
	if (c == NULL)
		return -1;
	rc = copy_for_session(c, certs, certs_length, privkey);
	/* Asked now, before the server's CertificateRequest is sent (TLS 1.2
	 * and 1.3 alike); a client without one is still served. */
	if (rc == 0 && c->ca != NULL)
		gnutls_certificate_server_set_request(session, GNUTLS_CERT_REQUEST);
	hc_tls_creds_unref(c);
	return rc;
}

/* Does the peer's chain verify against ca for TLS client use? */
static bool verify_peer(gnutls_session_t s, gnutls_x509_trust_list_t ca)
{
	gnutls_x509_crt_t chain[PEER_CHAIN_MAX];
	gnutls_typed_vdata_st purpose = { GNUTLS_DT_KEY_PURPOSE_OID,
		                          (unsigned char *)GNUTLS_KP_TLS_WWW_CLIENT, 0 };
	unsigned n = 0, made = 0, status = 1;
	const gnutls_datum_t *raw = gnutls_certificate_get_peers(s, &n);

	if (raw == NULL || n == 0)
		return false;
	if (n > PEER_CHAIN_MAX)
		n = PEER_CHAIN_MAX;
	for (; made < n; made++) {
		if (gnutls_x509_crt_init(&chain[made]) < 0)
			break;
		if (gnutls_x509_crt_import(chain[made], &raw[made], GNUTLS_X509_FMT_DER) < 0) {
			gnutls_x509_crt_deinit(chain[made]);
			break;
		}
	}
	if (made == n &&
	    gnutls_x509_trust_list_verify_crt2(ca, chain, n, &purpose, 1, 0, &status, NULL) < 0)
		status = 1;
	while (made > 0)
		gnutls_x509_crt_deinit(chain[--made]);
	return status == 0;
}

bool hc_tls_client_verified(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
	        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	gnutls_session_t s = ci != NULL ? (gnutls_session_t)ci->tls_session : NULL;
	struct hc_tls_creds *c;
	unsigned n = 0;
	bool ok;

	if (s == NULL || gnutls_certificate_get_peers(s, &n) == NULL || n == 0)
		return false;
	/* Against the CA in force now: a reload that drops a CA takes
	 * details from its clients at once, kept-alive connections too. */
	c = current();
	ok = c != NULL && c->ca != NULL && verify_peer(s, c->ca);
	hc_tls_creds_unref(c);
	return ok;
}
