/* SPDX-License-Identifier: MIT */
/*
 * s3drive: times N S3 bucket checks done one way, for bench/s3/run.sh.
 *
 *   s3drive plugin N PLUGIN.so [KEY=VALUE]...   the plugin through its ABI
 *                                               (init once, N checks)
 *   s3drive raw N URL REGION KEY_ID SECRET      one libcurl easy handle,
 *                                               N x a SigV4-signed HEAD URL
 *
 * Both keep one connection across checks. Prints one line: "median_us
 * mean_us p95_us cpu_us failures", cpu_us being this process's CPU time
 * per check. Not a test: it asserts nothing about speed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "drive.h"

/* What the ways keep across checks. */
struct driver {
	struct bd_plugin plugin;
	CURL *easy;
	struct curl_slist *headers;
};

/* What the least a check can do costs: perform the prepared HEAD. */
static int raw_once(void *arg)
{
	struct driver *d = arg;
	long status = 0;
	CURLcode rc = curl_easy_perform(d->easy);

	curl_easy_getinfo(d->easy, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK || status != 200) {
		fprintf(stderr, "s3drive: %s, status %ld\n", curl_easy_strerror(rc), status);
		return 1;
	}
	return 0;
}

/* argv: URL REGION KEY_ID SECRET. The same request the plugin sends. */
static int raw_setup(struct driver *d, int argc, char **argv, struct bd_way *w)
{
	char sigv4[128];

	if (argc != 4 || (d->easy = curl_easy_init()) == NULL)
		return -1;
	snprintf(sigv4, sizeof(sigv4), "aws:amz:%s:s3", argv[1]);
	d->headers = curl_slist_append(NULL, "x-amz-content-sha256: "
	                                     "e3b0c44298fc1c149afbf4c8996fb924"
	                                     "27ae41e4649b934ca495991b7852b855");
	curl_easy_setopt(d->easy, CURLOPT_URL, argv[0]);
	curl_easy_setopt(d->easy, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(d->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(d->easy, CURLOPT_AWS_SIGV4, sigv4);
	curl_easy_setopt(d->easy, CURLOPT_USERNAME, argv[2]);
	curl_easy_setopt(d->easy, CURLOPT_PASSWORD, argv[3]);
	curl_easy_setopt(d->easy, CURLOPT_HTTPHEADER, d->headers);
	curl_easy_setopt(d->easy, CURLOPT_TIMEOUT_MS, (long)BD_TIMEOUT_MS);
	*w = (struct bd_way){ raw_once, d };
	return 0;
}

static int setup(void *arg, const char *mode, int argc, char **argv, struct bd_way *w)
{
	struct driver *d = arg;

	if (strcmp(mode, "plugin") == 0) {
		*w = bd_plugin_way(&d->plugin);
		return bd_plugin_open(&d->plugin, "s3drive", NULL, argc, argv);
	}
	return strcmp(mode, "raw") == 0 ? raw_setup(d, argc, argv, w) : -1;
}

static void drive_close(void *arg)
{
	struct driver *d = arg;

	bd_plugin_close(&d->plugin);
	if (d->easy != NULL)
		curl_easy_cleanup(d->easy);
	curl_slist_free_all(d->headers);
}

int main(int argc, char **argv)
{
	static const struct bd_driver drv = { "s3drive plugin|raw N ...", setup, drive_close };
	struct driver d = { 0 };

	/* The untimed first round: the connection, page faults, the dynamic
	 * linker. */
	return bd_main(&drv, &d, argc, argv);
}
