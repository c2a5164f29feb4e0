/* SPDX-License-Identifier: MIT */
/*
 * curldrive: times N HTTP checks done one way, for bench/http/run.sh.
 *
 *   curldrive plugin N PLUGIN.so [KEY=VALUE]...  the http plugin through its
 *                                                ABI (init once, N checks)
 *   curldrive raw N URL     one kept libcurl easy handle, N x
 *                           curl_easy_perform + the status code
 *
 * With CURLDRIVE_THREAD=1 each check runs on a thread of its own, as the
 * core runs them. Prints one line: "median_us mean_us p95_us cpu_us
 * failures", where cpu_us is this process's CPU time per check. Not a test: it asserts nothing
 * about speed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "drive.h"

static void host_log(struct hc_handle *handle, int level, const char *fmt, ...) HC_PRINTF(3, 4);
static void host_log(struct hc_handle *handle, int level, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	(void)handle;
	/* Formatted in any case, as the core does before its level filter;
	 * the plugin's per-run debug line is then dropped, as without -v. */
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (level < HC_LOG_DEBUG)
		fprintf(stderr, "%s\n", line);
}

/* What the ways keep across checks. */
struct driver {
	struct bd_plugin plugin;
	CURL *curl;
	struct bd_way way; /* with a new thread per check: the way run on it */
};

/* The body goes nowhere, as a minimal client would have it. */
static size_t discard(char *data, size_t size, size_t n, void *user)
{
	(void)data;
	(void)user;
	return size * n;
}

static int raw_once(void *arg)
{
	struct driver *d = arg;
	long code = 0;
	CURLcode e = curl_easy_perform(d->curl);

	curl_easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, &code);
	if (e != CURLE_OK || code != 200) {
		fprintf(stderr, "curldrive: %s, %ld\n", curl_easy_strerror(e), code);
		return 1;
	}
	return 0;
}

static int raw_setup(struct driver *d, const char *url, struct bd_way *w)
{
	d->curl = curl_easy_init();
	if (d->curl == NULL)
		return -1;
	curl_easy_setopt(d->curl, CURLOPT_URL, url);
	curl_easy_setopt(d->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(d->curl, CURLOPT_TIMEOUT_MS, (long)BD_TIMEOUT_MS);
	curl_easy_setopt(d->curl, CURLOPT_WRITEFUNCTION, discard);
	*w = (struct bd_way){ raw_once, d };
	return 0;
}

static void *thread_once(void *arg)
{
	struct driver *d = arg;

	return (void *)(intptr_t)d->way.once(d->way.arg);
}

/* One check of d->way, on a new thread, as the core runs checks. */
static int threaded_once(void *arg)
{
	pthread_t t;
	void *rc;

	if (pthread_create(&t, NULL, thread_once, arg) != 0)
		return 1;
	pthread_join(t, &rc);
	return (int)(intptr_t)rc;
}

/* With CURLDRIVE_THREAD=1, the way runs each check on a new thread. */
static int setup(void *arg, const char *mode, int argc, char **argv, struct bd_way *w)
{
	struct driver *d = arg;
	const char *threaded = getenv("CURLDRIVE_THREAD");
	int rc = -1;

	if (strcmp(mode, "plugin") == 0) {
		*w = bd_plugin_way(&d->plugin);
		rc = bd_plugin_open(&d->plugin, "curldrive", host_log, argc, argv);
	} else if (strcmp(mode, "raw") == 0) {
		rc = raw_setup(d, argv[0], w);
	}
	if (rc == 0 && threaded != NULL && threaded[0] == '1') {
		d->way = *w;
		*w = (struct bd_way){ threaded_once, d };
	}
	return rc;
}

static void drive_close(void *arg)
{
	struct driver *d = arg;

	bd_plugin_close(&d->plugin);
	if (d->curl != NULL)
		curl_easy_cleanup(d->curl);
}

int main(int argc, char **argv)
{
	static const struct bd_driver drv = { "curldrive plugin|raw N ...", setup, drive_close };
	struct driver d = { 0 };

	/* The untimed first round: the connection, page faults, the linker. */
	return bd_main(&drv, &d, argc, argv);
}
