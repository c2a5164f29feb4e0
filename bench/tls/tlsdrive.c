/* SPDX-License-Identifier: MIT */
/*
 * tlsdrive: times N expiry checks done one way, for bench/tls/run.sh.
 *
 *   tlsdrive plugin N PLUGIN.so [KEY=VALUE]...  a plugin through its ABI
 *                                               (init once, N checks)
 *   tlsdrive raw-endpoint N HOST PORT CA_FILE   N x (blocking connect,
 *                     SSL_connect, verify, notAfter of the peer's chain)
 *   tlsdrive raw-file N PEM_FILE    N x (read every certificate, notAfter)
 *   tlsdrive raw-jwt N FILE         N x (read, base64 decode, json_loadb,
 *                                   exp)
 *
 * The raw ways are the least OpenSSL/jansson code that learns the same
 * thing, with no deadline and no messages. Prints one line: "median_us
 * mean_us p95_us cpu_us failures" (cpu_us: this process's CPU time per
 * check). Not a test: it asserts nothing about speed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "drive.h"

/* What the ways keep across checks. */
struct driver {
	struct bd_plugin plugin;
	SSL_CTX *ssl;
	struct sockaddr_in addr;
	const char *path;
};

/* Days until the earliest notAfter of certs (what every way computes). */
static double earliest_days(STACK_OF(X509) * certs)
{
	double best = 1e9;
	int i, day, sec;

	for (i = 0; i < sk_X509_num(certs); i++)
		if (ASN1_TIME_diff(&day, &sec, NULL, X509_get0_notAfter(sk_X509_value(certs, i))) &&
		    day + sec / 86400.0 < best)
			best = day + sec / 86400.0;
	return best;
}

static int raw_endpoint_once(void *arg)
{
	struct driver *d = arg;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), rc = 1;
	SSL *s = NULL;

	if (fd < 0 || connect(fd, (struct sockaddr *)&d->addr, sizeof(d->addr)) != 0)
		goto out;
	s = SSL_new(d->ssl);
	if (s == NULL || !SSL_set_fd(s, fd) ||
	    !X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(s), "127.0.0.1") || SSL_connect(s) != 1)
		goto out;
	if (SSL_get_verify_result(s) == X509_V_OK && earliest_days(SSL_get_peer_cert_chain(s)) > 30)
		rc = 0;
	SSL_shutdown(s);
out:
	SSL_free(s);
	if (fd >= 0)
		close(fd);
	return rc;
}

static int raw_file_once(void *arg)
{
	struct driver *d = arg;
	BIO *bio = BIO_new_file(d->path, "r");
	STACK_OF(X509) *certs = sk_X509_new_null();
	X509 *x;
	int rc;

	while (bio != NULL && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)))
		sk_X509_push(certs, x);
	ERR_clear_error();
	rc = !(sk_X509_num(certs) > 0 && earliest_days(certs) > 30);
	sk_X509_pop_free(certs, X509_free);
	BIO_free(bio);
	return rc;
}

static int raw_jwt_once(void *arg)
{
	struct driver *d = arg;
	char text[8192], b64[8192];
	unsigned char json[8192];
	FILE *fp = fopen(d->path, "r");
	size_t n = fp != NULL ? fread(text, 1, sizeof(text) - 1, fp) : 0;
	char *p, *q;
	json_t *root;
	int len, rc = 1;

	if (fp != NULL)
		fclose(fp);
	text[n] = '\0';
	p = strchr(text, '.');
	q = p != NULL ? strchr(p + 1, '.') : NULL;
	if (q == NULL)
		return 1;
	len = (int)(q - p - 1);
	memcpy(b64, p + 1, (size_t)len);
	for (int i = 0; i < len; i++)
		b64[i] = b64[i] == '-' ? '+' : b64[i] == '_' ? '/' : b64[i];
	while (len % 4 != 0)
		b64[len++] = '=';
	len = EVP_DecodeBlock(json, (unsigned char *)b64, len);
	if (len <= 0)
		return 1;
	/* EVP_DecodeBlock counts the padding as zero bytes. */
	while (len > 0 && json[len - 1] == '\0')
		len--;
	root = json_loadb((const char *)json, (size_t)len, 0, NULL);
	if (json_number_value(json_object_get(root, "exp")) > time(NULL))
		rc = 0;
	json_decref(root);
	return rc;
}

/* The raw endpoint way's context, made once as the plugin's init does. */
static int endpoint_setup(struct driver *d, int argc, char **argv, struct bd_way *w)
{
	if (argc < 3)
		return -1;
	d->addr.sin_family = AF_INET;
	d->addr.sin_port = htons((uint16_t)atoi(argv[1]));
	if (inet_pton(AF_INET, argv[0], &d->addr.sin_addr) != 1)
		return -1;
	d->ssl = SSL_CTX_new(TLS_client_method());
	if (d->ssl == NULL || SSL_CTX_load_verify_locations(d->ssl, argv[2], NULL) != 1)
		return -1;
	*w = (struct bd_way){ raw_endpoint_once, d };
	return 0;
}

static int setup(void *arg, const char *mode, int argc, char **argv, struct bd_way *w)
{
	struct driver *d = arg;

	if (argc < 1)
		return -1;
	d->path = argv[0];
	if (strcmp(mode, "plugin") == 0) {
		*w = bd_plugin_way(&d->plugin);
		return bd_plugin_open(&d->plugin, "tlsdrive", NULL, argc, argv);
	}
	if (strcmp(mode, "raw-endpoint") == 0)
		return endpoint_setup(d, argc, argv, w);
	if (strcmp(mode, "raw-file") == 0)
		*w = (struct bd_way){ raw_file_once, d };
	else if (strcmp(mode, "raw-jwt") == 0)
		*w = (struct bd_way){ raw_jwt_once, d };
	return w->once != NULL ? 0 : -1;
}

static void drive_close(void *arg)
{
	struct driver *d = arg;

	bd_plugin_close(&d->plugin);
	SSL_CTX_free(d->ssl);
}

int main(int argc, char **argv)
{
	static const struct bd_driver drv = { "tlsdrive plugin|raw-endpoint|raw-file|raw-jwt N ...",
		                              setup, drive_close };
	struct driver d = { 0 };

	/* The untimed first round: OpenSSL's lazy set-up, page faults. */
	return bd_main(&drv, &d, argc, argv);
}
