/* SPDX-License-Identifier: MIT */
/* azureblob plugin: Get Container Properties, by SharedKey or a SAS. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* explicit_bzero, gmtime_r */
#endif
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <healthcheckd/plugin.h>

#include "../common/curlreq.h"
#include "../common/names.h"
#include "../common/plugutil.h"

#define AZ_ACCOUNT_MAX 24
#define AZ_CONTAINER_MAX 63
/* The REST API version asked for: old enough for azurite 3.35 and every
 * Azure region, new enough for SharedKey's current string to sign. */
#define AZ_VERSION "2021-08-06"
/* A 200 has no body; an error's XML body is small. */
#define AZ_BODY_MAX 4096
/* Azure refuses SharedKey requests more than 15 minutes off. */
#define AZ_MAX_SKEW_S (15 * 60)
/* "Sun, 06 Nov 1994 08:49:37 GMT" and its NUL, with room for what the
 * compiler cannot rule out (a year of 11 digits). */
#define AZ_DATE_MAX 64

struct azblob {
	struct pucurl pc; /* first: its errbuf must not move */
	char account[AZ_ACCOUNT_MAX + 1];
	char container[AZ_CONTAINER_MAX + 1];
	char where[PUCURL_WHERE_MAX];
	unsigned char *key; /* the decoded account_key; NULL with a SAS */
	size_t key_len;
	char *url;      /* the request URL: holds the SAS token if any */
	char *resource; /* SharedKey's canonicalized resource */
};

static const struct hc_key az_keys[] = {
	{ "account", "storage account name (required)", 0 },
	{ "container", "container whose properties are read (required)", 0 },
	{ "endpoint",
	  "blob service URL (default "
	  "https://ACCOUNT.blob.core.windows.net)",
	  0 },
	{ "account_key", "account key (base64), to sign with SharedKey", HC_KEY_SECRET },
	{ "sas_token",
	  "shared access signature (the query string), instead "
	  "of account_key",
	  HC_KEY_SECRET },
	PUCURL_KEYS,
	{ NULL, NULL, 0 }
};

/* account and container, both required. */
static int az_parse_names(const struct hc_init_ctx *ctx, struct azblob *a)
{
	const char *account = hc_kv_get(ctx, "account");
	const char *container = hc_kv_get(ctx, "container");

	if (account == NULL)
		return hc_init_error(ctx, "account: required");
	if (!pu_name_ok(account, "abcdefghijklmnopqrstuvwxyz0123456789", 3, AZ_ACCOUNT_MAX))
		return hc_init_error(ctx,
		                     "account: '%s' is not a storage "
		                     "account name (3-24 lowercase letters and "
		                     "digits)",
		                     account);
	if (container == NULL)
		return hc_init_error(ctx, "container: required");
	if ((!pu_name_ok(container, "abcdefghijklmnopqrstuvwxyz0123456789-", 3, AZ_CONTAINER_MAX) ||
	     container[0] == '-' || strstr(container, "--") != NULL ||
	     container[strlen(container) - 1] == '-') &&
	    strcmp(container, "$root") != 0 && strcmp(container, "$web") != 0 &&
	    strcmp(container, "$logs") != 0)
		return hc_init_error(ctx,
		                     "container: '%s' is not a container "
		                     "name (3-63 lowercase letters, digits and "
		                     "single hyphens)",
		                     container);
	snprintf(a->account, sizeof(a->account), "%s", account);
	snprintf(a->container, sizeof(a->container), "%s", container);
	return HC_OK;
}

/* The account key, base64, decoded into a->key. Never quoted. */
static int az_parse_key(const struct hc_init_ctx *ctx, struct azblob *a, const char *b64)
{
	size_t len = strlen(b64);
	int n;

	if (len == 0 || len % 4 != 0 ||
	    !pu_name_ok(b64,
	                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                "0123456789+/=",
	                len, len))
		return hc_init_error(ctx, "account_key: not base64 (copy the "
		                          "key from the account's access keys)");
	if ((a->key = malloc(len / 4 * 3 + 1)) == NULL)
		return HC_ENOMEM;
	n = EVP_DecodeBlock(a->key, (const unsigned char *)b64, (int)len);
	if (n < 0)
		return hc_init_error(ctx, "account_key: not base64");
	/* EVP_DecodeBlock counts the zero bytes that padding stands for. */
	a->key_len = (size_t)n - (b64[len - 1] == '=') - (b64[len - 2] == '=');
	return HC_OK;
}

/* account_key or sas_token: exactly one. A SAS goes into *sas (a pointer
 * into the key's value, without a leading '?'). */
static int az_parse_auth(const struct hc_init_ctx *ctx, struct azblob *a, const char **sas)
{
	const char *key = hc_kv_get(ctx, "account_key");

	*sas = hc_kv_get(ctx, "sas_token");
	if ((key == NULL) == (*sas == NULL))
		return hc_init_error(ctx, "account_key or sas_token: exactly one "
		                          "is required");
	if (key != NULL)
		return az_parse_key(ctx, a, key);
	if (**sas == '?')
		(*sas)++;
	if (strstr(*sas, "sig=") == NULL || strpbrk(*sas, " \t\r\n#?") != NULL)
		return hc_init_error(ctx, "sas_token: not a shared access "
		                          "signature (a query string with sig=)");
	return HC_OK;
}

/* SharedKey's canonicalized resource: "/" ACCOUNT and the URL's path, as
 * sent (at a path-style endpoint such as azurite's
 * http://127.0.0.1:10000/devstoreaccount1 the path holds the account too),
 * then the query parameters. */
static int az_resource(struct azblob *a, CURLU *u)
{
	char *path = NULL;
	int rc = HC_ENOMEM;

	if (curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK)
		return HC_ENOMEM;
	a->resource = malloc(strlen(a->account) + strlen(path) + 32);
	if (a->resource != NULL) {
		sprintf(a->resource, "/%s%s\nrestype:container", a->account, path);
		rc = HC_OK;
	}
	curl_free(path);
	return rc;
}

/* u's query: restype=container, then the SAS if any; the whole URL into
 * a->url. The buffers that held the SAS on the way are cleared. */
static int az_set_query(struct azblob *a, CURLU *u, const char *sas)
{
	size_t size = 32 + (sas != NULL ? strlen(sas) : 0);
	char *query = malloc(size), *url = NULL;
	int rc = HC_ENOMEM;

	if (query == NULL)
		return HC_ENOMEM;
	snprintf(query, size, "restype=container%s%s", sas != NULL ? "&" : "",
	         sas != NULL ? sas : "");
	if (curl_url_set(u, CURLUPART_QUERY, query, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &url, 0) == CURLUE_OK && (a->url = strdup(url)) != NULL)
		rc = HC_OK;
	pu_free_secret(query);
	if (url != NULL) {
		explicit_bzero(url, strlen(url));
		curl_free(url);
	}
	return rc;
}

/* The request URL: ENDPOINT/CONTAINER?restype=container[&SAS]. */
static int az_parse_url(const struct hc_init_ctx *ctx, struct azblob *a, const char *sas)
{
	const char *endpoint = hc_kv_get(ctx, "endpoint");
	char fallback[64 + AZ_ACCOUNT_MAX];
	CURLU *u = NULL;
	int rc;

	if (endpoint == NULL) {
		snprintf(fallback, sizeof(fallback), "https://%s.blob.core.windows.net", a->account);
		endpoint = fallback;
	}
	rc = pucurl_parse_url(ctx, "endpoint", endpoint, &u);
	if (rc == HC_OK)
		rc = pucurl_append_path(u, a->container);
	if (rc == HC_OK && sas == NULL)
		rc = az_resource(a, u);
	if (rc == HC_OK)
		rc = az_set_query(a, u, sas);
	if (rc == HC_OK)
		pucurl_where(u, a->where, sizeof(a->where));
	curl_url_cleanup(u);
	return rc;
}

static void az_teardown(void *instance)
{
	struct azblob *a = instance;

	if (a == NULL)
		return;
	pucurl_close(&a->pc);
	if (a->key != NULL)
		explicit_bzero(a->key, a->key_len);
	free(a->key);
	pu_free_secret(a->url);
	free(a->resource);
	free(a);
}

/* The HTTP client with TLS and proxy options, aimed at a->url. */
static int az_open(const struct hc_init_ctx *ctx, struct azblob *a)
{
	struct pucurl_opts o = { AZ_BODY_MAX, NULL, 1, NULL, "healthcheckd-azureblob/1.0" };
	int rc;

	if (pucurl_parse_opts(ctx, &o) != HC_OK)
		return HC_EINVAL;
	if ((rc = pucurl_open(ctx, &a->pc, &o)) != HC_OK)
		return rc;
	if (curl_easy_setopt(a->pc.easy, CURLOPT_URL, a->url) != CURLE_OK)
		return HC_ENOMEM;
	return HC_OK;
}

static int az_init(const struct hc_init_ctx *ctx, void **instance)
{
	struct azblob *a = calloc(1, sizeof(*a));
	const char *sas = NULL;
	int rc;

	if (a == NULL)
		return HC_ENOMEM;
	rc = az_parse_names(ctx, a);
	if (rc == HC_OK)
		rc = az_parse_auth(ctx, a, &sas);
	if (rc == HC_OK)
		rc = az_parse_url(ctx, a, sas);
	if (rc == HC_OK)
		rc = az_open(ctx, a);
	if (rc != HC_OK) {
		az_teardown(a);
		return rc;
	}
	*instance = a;
	return HC_OK;
}

/* Now as an HTTP date (RFC 7231), in English whatever the locale. */
static void az_date(char *buf, size_t size)
{
	static const char days[][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
		                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	snprintf(buf, size, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
	         months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* "Authorization: SharedKey ACCOUNT:SIGNATURE" into line (size bytes):
 * the HMAC-SHA256 of the string to sign of a GET with no body and the
 * x-ms-* headers below. */
static int az_authorization(const struct azblob *a, const char *date, char *line, size_t size)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
	unsigned int mac_len = 0;
	char *sts;
	int n;

	sts = malloc(strlen(a->resource) + 128);
	if (sts == NULL)
		return -1;
	/* VERB, eleven empty standard headers, the x-ms-* headers sorted. */
	n = sprintf(sts,
	            "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:%s\n"
	            "x-ms-version:" AZ_VERSION "\n%s",
	            date, a->resource);
	if (HMAC(EVP_sha256(), a->key, (int)a->key_len, (unsigned char *)sts, (size_t)n, mac,
	         &mac_len) == NULL)
		mac_len = 0;
	free(sts);
	if (mac_len == 0)
		return -1;
	EVP_EncodeBlock(b64, mac, (int)mac_len);
	explicit_bzero(mac, sizeof(mac));
	snprintf(line, size, "Authorization: SharedKey %s:%s", a->account, (char *)b64);
	return 0;
}

/* This run's headers: the date, the version, and the SharedKey
 * signature when signing; NULL when out of memory. */
static struct curl_slist *az_headers(const struct azblob *a)
{
	char date[AZ_DATE_MAX], line[64 + AZ_ACCOUNT_MAX + EVP_MAX_MD_SIZE * 2];
	struct curl_slist *l;

	az_date(date, sizeof(date));
	snprintf(line, sizeof(line), "x-ms-date: %s", date);
	if ((l = curl_slist_append(NULL, line)) == NULL)
		return NULL;
	if (curl_slist_append(l, "x-ms-version: " AZ_VERSION) == NULL)
		goto fail;
	if (a->key == NULL)
		return l;
	if (az_authorization(a, date, line, sizeof(line)) != 0 || curl_slist_append(l, line) == NULL)
		goto fail;
	return l;
fail:
	curl_slist_free_all(l);
	return NULL;
}

/* 403: a wrong key or a clock too far off (SharedKey), or a SAS refused. */
static void az_forbidden(const struct azblob *a, const char *code, struct hc_result *r)
{
	long skew = pucurl_clock_skew(&a->pc);

	if (a->key == NULL)
		hc_result_set(r, HC_FAIL,
		              "access denied to container %s (403 "
		              "%s from %s): sas_token refused: expired, not yet "
		              "valid, or not an account SAS that may read "
		              "containers (ss=b srt=c sp=r)",
		              a->container, code, a->where);
	else if (skew > AZ_MAX_SKEW_S || skew < -AZ_MAX_SKEW_S)
		hc_result_set(r, HC_FAIL,
		              "access denied to container %s (403 "
		              "%s from %s): this machine's clock is %ld s %s "
		              "the server's",
		              a->container, code, a->where, skew > 0 ? skew : -skew,
		              skew > 0 ? "behind" : "ahead of");
	else
		hc_result_set(r, HC_FAIL,
		              "access denied to container %s (403 "
		              "%s from %s): wrong account_key for account %s",
		              a->container, code, a->where, a->account);
}

/* The verdict on an HTTP answer; x-ms-error-code says why it failed. */
static void az_status(const struct azblob *a, long status, struct hc_result *r)
{
	const char *code = pucurl_header(&a->pc, "x-ms-error-code");
	char why[64];

	snprintf(why, sizeof(why), "%.48s", code != NULL ? code : "no error code");
	if (status >= 200 && status < 300)
		hc_result_set(r, HC_PASS, "container %s on %s: %ld", a->container, a->where, status);
	else if (status == 403)
		az_forbidden(a, why, r);
	else if (status == 404)
		hc_result_set(r, HC_FAIL,
		              "no such container %s in account %s "
		              "(404 %s from %s)",
		              a->container, a->account, why, a->where);
	else
		hc_result_set(r, HC_FAIL,
		              "container %s on %s: unexpected "
		              "status %ld (%s)",
		              a->container, a->where, status, why);
}

static int az_check(void *instance, const struct hc_check_ctx *ctx, struct hc_result *r)
{
	struct azblob *a = instance;
	int64_t start = ctx->host->now_ns();
	struct curl_slist *headers = az_headers(a);
	long status;
	CURLcode rc;

	if (headers == NULL) {
		hc_result_set(r, HC_FAIL, "out of memory signing the request");
		return HC_ENOMEM;
	}
	rc = curl_easy_setopt(a->pc.easy, CURLOPT_HTTPHEADER, headers);
	if (rc == CURLE_OK)
		rc = pucurl_perform(&a->pc, ctx, &status);
	if (rc != CURLE_OK)
		pucurl_fail(&a->pc, rc, ctx, a->where, r);
	else
		az_status(a, status, r);
	/* The handle must not point at the list once it is freed. */
	curl_easy_setopt(a->pc.easy, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(headers);
	if (r->status == HC_PASS) {
		pu_observe_ms(r, pu_elapsed_ms(ctx->host, start));
	}
	return HC_OK;
}

HC_PLUGIN_DEFINE("azureblob", "1.0.0",
                 "reads an Azure Blob container's "
                 "properties (SharedKey or SAS) within the deadline",
                 az_keys, az_init, az_check, az_teardown);
