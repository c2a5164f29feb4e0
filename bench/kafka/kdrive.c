/* SPDX-License-Identifier: MIT */
/*
 * kdrive: times N Kafka checks done one way, for bench/kafka/run.sh.
 *
 *   kdrive plugin N PLUGIN.so [KEY=VALUE]...  the plugin through its ABI
 *                                              (init once, N checks)
 *   kdrive raw N BOOTSTRAP        one kept rd_kafka_t, N x all-topic metadata
 *   kdrive raw-fresh N BOOTSTRAP  N x (rd_kafka_new, all-topic metadata,
 *                                 rd_kafka_destroy)
 *
 * Prints one line: "median_us mean_us p95_us cpu_us failures", where cpu_us
 * is this process's CPU time per check (librdkafka's threads included). Not
 * a test: it asserts nothing about speed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "drive.h"

static void host_log(struct hc_handle *handle, int level, const char *fmt, ...) HC_PRINTF(3, 4);
static void host_log(struct hc_handle *handle, int level, const char *fmt, ...)
{
	va_list ap;

	(void)handle;
	if (level > HC_LOG_WARNING)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* What the ways keep across checks. */
struct driver {
	struct bd_plugin plugin;
	const char *bootstrap;
	rd_kafka_t *kept;
};

/* A producer handle on bootstrap with librdkafka's defaults. */
static rd_kafka_t *raw_client(const char *bootstrap)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char err[256];
	rd_kafka_t *rk;

	if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof(err)) !=
	    RD_KAFKA_CONF_OK) {
		fprintf(stderr, "kdrive: %s\n", err);
		rd_kafka_conf_destroy(conf);
		return NULL;
	}
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
	if (rk == NULL) {
		fprintf(stderr, "kdrive: %s\n", err);
		rd_kafka_conf_destroy(conf);
	}
	return rk;
}

static int metadata(rd_kafka_t *rk)
{
	const struct rd_kafka_metadata *md;
	rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, NULL, &md, BD_TIMEOUT_MS);

	if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
		fprintf(stderr, "kdrive: %s\n", rd_kafka_err2str(err));
		return 1;
	}
	rd_kafka_metadata_destroy(md);
	return 0;
}

static int raw_once(void *arg)
{
	struct driver *d = arg;

	if (d->kept == NULL && (d->kept = raw_client(d->bootstrap)) == NULL)
		return 1;
	return metadata(d->kept);
}

static int raw_fresh_once(void *arg)
{
	struct driver *d = arg;
	rd_kafka_t *rk = raw_client(d->bootstrap);
	int rc;

	if (rk == NULL)
		return 1;
	rc = metadata(rk);
	rd_kafka_destroy(rk);
	return rc;
}

static int setup(void *arg, const char *mode, int argc, char **argv, struct bd_way *w)
{
	struct driver *d = arg;

	if (argc < 1)
		return -1;
	if (strcmp(mode, "plugin") == 0) {
		*w = bd_plugin_way(&d->plugin);
		return bd_plugin_open(&d->plugin, "kdrive", host_log, argc, argv);
	}
	d->bootstrap = argv[0];
	if (strcmp(mode, "raw") == 0)
		*w = (struct bd_way){ raw_once, d };
	else if (strcmp(mode, "raw-fresh") == 0)
		*w = (struct bd_way){ raw_fresh_once, d };
	return w->once != NULL ? 0 : -1;
}

static void drive_close(void *arg)
{
	struct driver *d = arg;

	bd_plugin_close(&d->plugin);
	if (d->kept != NULL)
		rd_kafka_destroy(d->kept);
}

int main(int argc, char **argv)
{
	static const struct bd_driver drv = { "kdrive plugin|raw|raw-fresh N ...", setup,
		                              drive_close };
	struct driver d = { 0 };

	/* The untimed first round: the kept client's creation and
	 * first connection, page faults, the dynamic linker. */
	return bd_main(&drv, &d, argc, argv);
}
