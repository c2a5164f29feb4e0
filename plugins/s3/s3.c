/* SPDX-License-Identifier: MIT */
/* s3 plugin: HEAD a bucket, signed with AWS Signature Version 4. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* explicit_bzero */
#endif
#include <stdlib.h>
#include <string.h>

#include <healthcheckd/plugin.h>

#include "../common/curlreq.h"
#include "../common/names.h"
#include "../common/plugutil.h"

/* Longest bucket name: 63 in every region now, 255 for legacy us-east-1
 * buckets (path style only). */
#define S3_BUCKET_MAX 255
#define S3_REGION_MAX 63
/* HEAD has no body; an error body from a proxy is not worth more. */
#define S3_BODY_MAX 4096
/* The SHA-256 of the empty payload. SigV4 for S3 wants the payload hash in
 * x-amz-content-sha256 and libcurl (7.88) does not send it. */
#define S3_EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
/* S3 refuses a request whose time is off by more than 15 minutes. */
#define S3_MAX_SKEW_S (15 * 60)

struct s3 {
	struct pucurl pc; /* first: its errbuf must not move */
	char bucket[S3_BUCKET_MAX + 1];
	char region[S3_REGION_MAX + 1];
	char where[PUCURL_WHERE_MAX];
	char *access_key_id;
	char *secret;               /* secret_access_key */
	struct curl_slist *headers; /* may hold the session token */
};

static const struct hc_key s3_keys[] = {
	{ "endpoint", "S3 endpoint URL (default https://s3.REGION.amazonaws.com)", 0 },
	{ "region",
	  "region the bucket is in, signed into the request "
	  "(required, e.g. eu-west-1)",
	  0 },
	{ "bucket", "bucket to HEAD (required)", 0 },
	{ "access_key_id", "access key ID (required)", 0 },
	{ "secret_access_key", "secret access key (required)", HC_KEY_SECRET },
	{ "session_token",
	  "session token of temporary credentials, sent as "
	  "x-amz-security-token",
	  HC_KEY_SECRET },
	{ "path_style",
	  "yes: ENDPOINT/BUCKET (MinIO and other S3-compatible "
	  "servers); no: BUCKET.ENDPOINT-HOST (default no)",
	  0 },
	PUCURL_KEYS,
	{ NULL, NULL, 0 }
};

/* Whether a bucket name can be the first label(s) of a host name. */
static int s3_dns_bucket(const char *b)
{
	return pu_name_ok(b, "abcdefghijklmnopqrstuvwxyz0123456789.-", 3, 63) &&
	       strstr(b, "..") == NULL && b[0] != '.' && b[0] != '-' && b[strlen(b) - 1] != '.' &&
	       b[strlen(b) - 1] != '-';
}

/* region and bucket, both required. */
static int s3_parse_names(const struct hc_init_ctx *ctx, struct s3 *s)
{
	const char *region = hc_kv_get(ctx, "region");
	const char *bucket = hc_kv_get(ctx, "bucket");

	if (region == NULL)
		return hc_init_error(ctx, "region: required (the region the "
		                          "bucket is in, e.g. us-east-1)");
	if (!pu_name_ok(region,
	                "abcdefghijklmnopqrstuvwxyz"
	                "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_",
	                1, S3_REGION_MAX))
		return hc_init_error(ctx, "region: '%s' is not a region name", region);
	if (bucket == NULL)
		return hc_init_error(ctx, "bucket: required");
	if (!pu_name_ok(bucket,
	                "abcdefghijklmnopqrstuvwxyz"
	                "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_",
	                3, S3_BUCKET_MAX))
		return hc_init_error(ctx,
		                     "bucket: '%s' is not a bucket name "
		                     "(3-63 letters, digits, dots and hyphens)",
		                     bucket);
	snprintf(s->region, sizeof(s->region), "%s", region);
	snprintf(s->bucket, sizeof(s->bucket), "%s", bucket);
	return HC_OK;
}

/* Address the bucket in u: its own host name, or a path under u's. */
static int s3_address_bucket(const struct hc_init_ctx *ctx, struct s3 *s, CURLU *u, int path_style)
{
	char *host = NULL, *vhost;
	int rc;

	if (path_style)
		return pucurl_append_path(u, s->bucket);
	if (!s3_dns_bucket(s->bucket))
		return hc_init_error(ctx,
		                     "bucket: '%s' cannot be part of a "
		                     "host name: set path_style = yes",
		                     s->bucket);
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		return HC_ENOMEM;
	rc = HC_ENOMEM;
	if (host[0] == '[' || pu_host_numeric(host))
		rc = hc_init_error(ctx,
		                   "endpoint: '%s' is an address, which "
		                   "cannot carry the bucket in its name: set "
		                   "path_style = yes",
		                   host);
	else if ((vhost = malloc(strlen(s->bucket) + strlen(host) + 2)) != NULL) {
		sprintf(vhost, "%s.%s", s->bucket, host);
		if (curl_url_set(u, CURLUPART_HOST, vhost, 0) == CURLUE_OK)
			rc = HC_OK;
		free(vhost);
	}
	curl_free(host);
	return rc;
}

/* The request URL from endpoint, bucket and path_style, set on the handle;
 * s->where names its server. */
static int s3_parse_url(const struct hc_init_ctx *ctx, struct s3 *s)
{
	const char *endpoint = hc_kv_get(ctx, "endpoint");
	char fallback[64 + S3_REGION_MAX];
	int path_style = 0, rc;
	CURLU *u = NULL;
	char *url = NULL;

	if (pu_parse_bool(ctx, "path_style", &path_style) != HC_OK)
		return HC_EINVAL;
	if (endpoint == NULL) {
		snprintf(fallback, sizeof(fallback), "https://s3.%s.amazonaws.com", s->region);
		endpoint = fallback;
	}
	rc = pucurl_parse_url(ctx, "endpoint", endpoint, &u);
	if (rc == HC_OK)
		rc = s3_address_bucket(ctx, s, u, path_style);
	if (rc == HC_OK && curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK)
		rc = HC_ENOMEM;
	if (rc == HC_OK) {
		pucurl_where(u, s->where, sizeof(s->where));
		if (curl_easy_setopt(s->pc.easy, CURLOPT_URL, url) != CURLE_OK)
			rc = HC_ENOMEM;
	}
	curl_free(url);
	curl_url_cleanup(u);
	return rc;
}

/* The credentials; the session token goes into the headers. */
static int s3_parse_credentials(const struct hc_init_ctx *ctx, struct s3 *s)
{
	const char *token = hc_kv_get(ctx, "session_token");
	struct curl_slist *l;
	char *line;

	if (pu_copy_key(ctx, "access_key_id", 1, &s->access_key_id) != HC_OK ||
	    pu_copy_key(ctx, "secret_access_key", 1, &s->secret) != HC_OK)
		return HC_EINVAL;
	/* AWS's are letters and digits; S3-compatible servers allow a few
	 * more. '/' would break the signature's credential scope. Not quoted:
	 * an ID pasted in the wrong key may be a secret. */
	if (!pu_name_ok(s->access_key_id,
	                "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                "abcdefghijklmnopqrstuvwxyz0123456789"
	                "-_.@+=",
	                1, 128))
		return hc_init_error(ctx, "access_key_id: not an access key ID "
		                          "(letters, digits and -_.@+=)");
	if (s->secret[0] == '\0' || strpbrk(s->secret, " \t\r\n") != NULL)
		return hc_init_error(ctx, "secret_access_key: empty or holds "
		                          "a blank");
	l = curl_slist_append(NULL, "x-amz-content-sha256: " S3_EMPTY_SHA256);
	if ((s->headers = l) == NULL)
		return HC_ENOMEM;
	if (token == NULL)
		return HC_OK;
	if (token[0] == '\0' || strpbrk(token, " \t\r\n") != NULL)
		return hc_init_error(ctx, "session_token: empty or holds a "
		                          "blank");
	if ((line = malloc(strlen(token) + 32)) == NULL)
		return HC_ENOMEM;
	sprintf(line, "x-amz-security-token: %s", token);
	l = curl_slist_append(s->headers, line);
	pu_free_secret(line);
	return l != NULL ? HC_OK : HC_ENOMEM;
}

/* The HTTP client: TLS, proxy, and the signed HEAD request. */
static int s3_open(const struct hc_init_ctx *ctx, struct s3 *s)
{
	struct pucurl_opts o = { S3_BODY_MAX, NULL, 1, NULL, "healthcheckd-s3/1.0" };
	char sigv4[32 + S3_REGION_MAX];
	CURL *e;
	int rc;

	if (pucurl_parse_opts(ctx, &o) != HC_OK)
		return HC_EINVAL;
	if ((rc = pucurl_open(ctx, &s->pc, &o)) != HC_OK)
		return rc;
	e = s->pc.easy;
	snprintf(sigv4, sizeof(sigv4), "aws:amz:%s:s3", s->region);
	if (curl_easy_setopt(e, CURLOPT_NOBODY, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_AWS_SIGV4, sigv4) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_USERNAME, s->access_key_id) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PASSWORD, s->secret) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_HTTPHEADER, s->headers) != CURLE_OK)
		return HC_ENOMEM;
	return HC_OK;
}

static void s3_teardown(void *instance)
{
	struct s3 *s = instance;
	struct curl_slist *l;

	if (s == NULL)
		return;
	pucurl_close(&s->pc);
	for (l = s->headers; l != NULL; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(s->headers);
	free(s->access_key_id);
	pu_free_secret(s->secret);
	free(s);
}

static int s3_init(const struct hc_init_ctx *ctx, void **instance)
{
	struct s3 *s = calloc(1, sizeof(*s));
	int rc;

	if (s == NULL)
		return HC_ENOMEM;
	rc = s3_parse_names(ctx, s);
	if (rc == HC_OK)
		rc = s3_parse_credentials(ctx, s);
	if (rc == HC_OK)
		rc = s3_open(ctx, s);
	if (rc == HC_OK)
		rc = s3_parse_url(ctx, s);
	if (rc != HC_OK) {
		s3_teardown(s);
		return rc;
	}
	*instance = s;
	return HC_OK;
}

/* A redirect or a 400 that names the bucket's region: the region key (or
 * the endpoint) is wrong. Returns 0 when the server named no region. */
static int s3_wrong_region(const struct s3 *s, long status, struct hc_result *r)
{
	const char *region = pucurl_header(&s->pc, "x-amz-bucket-region");

	if (region == NULL || region[0] == '\0')
		return 0;
	hc_result_set(r, HC_FAIL,
	              "wrong region: bucket %s is in %.63s "
	              "(x-amz-bucket-region), not %s (%ld from %s)",
	              s->bucket, region, s->region, status, s->where);
	return 1;
}

/* 403: a refused signature, unknown key, missing permission or a clock
 * too far off. A HEAD answer has no body to tell which, but the clock can
 * be checked against the server's Date. */
static void s3_forbidden(const struct s3 *s, struct hc_result *r)
{
	long skew = pucurl_clock_skew(&s->pc);

	if (skew > S3_MAX_SKEW_S || skew < -S3_MAX_SKEW_S)
		hc_result_set(r, HC_FAIL,
		              "access denied to bucket %s (403 from "
		              "%s): this machine's clock is %ld s %s the "
		              "server's, more than S3 allows",
		              s->bucket, s->where, skew > 0 ? skew : -skew,
		              skew > 0 ? "behind" : "ahead of");
	else
		hc_result_set(r, HC_FAIL,
		              "access denied to bucket %s (403 from "
		              "%s): bad credentials (access_key_id, "
		              "secret_access_key, session_token) or no "
		              "s3:ListBucket permission",
		              s->bucket, s->where);
}

/* The verdict on an HTTP answer. */
static void s3_status(const struct s3 *s, long status, struct hc_result *r)
{
	if (status >= 200 && status < 300)
		hc_result_set(r, HC_PASS, "HEAD bucket %s on %s: %ld", s->bucket, s->where, status);
	else if (status == 403)
		s3_forbidden(s, r);
	else if (status == 404)
		hc_result_set(r, HC_FAIL, "no such bucket %s (404 from %s)", s->bucket, s->where);
	else if ((status == 301 || status == 307 || status == 400) && s3_wrong_region(s, status, r))
		return;
	else if (status == 301 || status == 307)
		hc_result_set(r, HC_FAIL,
		              "bucket %s is not served at %s (%ld "
		              "redirect): wrong region %s or endpoint",
		              s->bucket, s->where, status, s->region);
	else
		hc_result_set(r, HC_FAIL,
		              "HEAD bucket %s on %s: unexpected "
		              "status %ld",
		              s->bucket, s->where, status);
}

static int s3_check(void *instance, const struct hc_check_ctx *ctx, struct hc_result *r)
{
	struct s3 *s = instance;
	int64_t start = ctx->host->now_ns();
	long status;
	CURLcode rc;

	rc = pucurl_perform(&s->pc, ctx, &status);
	if (rc != CURLE_OK) {
		pucurl_fail(&s->pc, rc, ctx, s->where, r);
		return HC_OK;
	}
	s3_status(s, status, r);
	if (r->status == HC_PASS) {
		pu_observe_ms(r, pu_elapsed_ms(ctx->host, start));
	}
	return HC_OK;
}

HC_PLUGIN_DEFINE("s3", "1.0.0",
                 "HEADs an S3 bucket with a SigV4-signed "
                 "request within the deadline",
                 s3_keys, s3_init, s3_check, s3_teardown);
