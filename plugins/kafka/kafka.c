/* SPDX-License-Identifier: MIT */
/* kafka plugin: a cluster metadata request through librdkafka within the
 * deadline; brokers listed, and optionally one topic's partition leaders. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include <healthcheckd/plugin.h>

#include "../common/plugutil.h"

/* Kafka's own limit on a topic name. */
#define KAFKA_TOPIC_MAX 249

struct kafka {
	/* For librdkafka's log callback, which runs on its own threads: the
	 * core's host table and the handle of this instance, both valid for
	 * the instance's life. */
	const struct hc_host *host;
	struct hc_handle *handle;
	/* Validated by init, handed to rd_kafka_new by the first check that
	 * creates the client (NULL from then on). */
	rd_kafka_conf_t *conf;
	rd_kafka_t *rk;       /* NULL until the first check */
	char *bootstrap;      /* bootstrap_servers as written, for messages */
	char *topic;          /* NULL: no topic to look at */
	uint64_t min_brokers; /* 0: no minimum */
	uint64_t min_isr;     /* 0: no minimum */
	/* The last error librdkafka logged since the last answered request,
	 * for the message of a check that times out. */
	pthread_mutex_t lock;
	char last_error[160];
};

static const struct hc_key kafka_keys[] = {
	{ "bootstrap_servers",
	  "brokers to ask first, host:port[,host:port]... "
	  "(required)",
	  0 },
	{ "security_protocol",
	  "plaintext, ssl, sasl_plaintext or sasl_ssl "
	  "(default plaintext)",
	  0 },
	{ "sasl_mechanism",
	  "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (default "
	  "PLAIN; sasl_* protocols only)",
	  0 },
	{ "sasl_username", "SASL user name (sasl_* protocols only)", 0 },
	{ "sasl_password", "SASL password (sasl_* protocols only)", HC_KEY_SECRET },
	{ "ssl_ca_file",
	  "PEM file of the CAs that sign the brokers' "
	  "certificates (default: the system's)",
	  HC_KEY_PATH },
	{ "topic", "topic that must exist with a leader for every partition", 0 },
	{ "min_brokers", "warn when fewer brokers are listed", 0 },
	{ "min_isr",
	  "warn when a partition of topic has fewer in-sync "
	  "replicas (needs topic)",
	  0 },
	{ NULL, NULL, 0 }
};

enum { PROTO_PLAINTEXT, PROTO_SSL, PROTO_SASL_PLAINTEXT, PROTO_SASL_SSL };
static const char *const kafka_protocols[] = { "plaintext", "ssl", "sasl_plaintext", "sasl_ssl",
	                                       NULL };
static const char *const kafka_mechanisms[] = { "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", NULL };

/*
 * librdkafka logs from its own threads (and from rd_kafka_new on the
 * checking one). host->log is safe from any thread and scrubs the
 * instance's secrets. librdkafka's "[thrd:...]: " prefix only repeats the
 * broker the line names. An error is also kept for the message of a check
 * that gets no answer.
 */
static void kafka_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	struct kafka *k = rd_kafka_opaque(rk);
	const char *p;

	if (strncmp(buf, "[thrd:", 6) == 0 && (p = strstr(buf, "]: ")) != NULL)
		buf = p + 3;
	k->host->log(k->handle, level, "librdkafka %s: %s", fac, buf);
	if (level > HC_LOG_ERR)
		return;
	pthread_mutex_lock(&k->lock);
	snprintf(k->last_error, sizeof(k->last_error), "%s", buf);
	pthread_mutex_unlock(&k->lock);
}

/* Set one librdkafka property; an error names the plugin's key. Its own
 * message quotes the value: never shown for a secret. */
static int kafka_set(const struct hc_init_ctx *ctx, rd_kafka_conf_t *conf, const char *key,
                     const char *prop, const char *value, int secret)
{
	char err[256];

	if (rd_kafka_conf_set(conf, prop, value, err, sizeof(err)) == RD_KAFKA_CONF_OK)
		return HC_OK;
	if (secret)
		return hc_init_error(ctx, "%s: refused by librdkafka", key);
	return hc_init_error(ctx, "%s: %s", key, err);
}

/* host:port[,host:port]...: no blank, no empty entry. librdkafka parses
 * the rest when it connects. */
static int kafka_check_bootstrap(const struct hc_init_ctx *ctx, const char *v)
{
	size_t len = strlen(v);

	if (len == 0 || strpbrk(v, " \t") != NULL || v[0] == ',' || v[len - 1] == ',' ||
	    strstr(v, ",,") != NULL)
		return hc_init_error(ctx,
		                     "bootstrap_servers: '%s' is not a "
		                     "list host:port[,host:port]...",
		                     v);
	return HC_OK;
}

/* A Kafka topic name: 1-249 of [a-zA-Z0-9._-]. */
static int kafka_check_topic(const struct hc_init_ctx *ctx, const char *v)
{
	size_t len = strlen(v);

	if (len == 0 || len > KAFKA_TOPIC_MAX ||
	    strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	              "0123456789._-") != len)
		return hc_init_error(ctx,
		                     "topic: '%s' is not a topic name "
		                     "(1-249 of a-z A-Z 0-9 . _ -)",
		                     v);
	return HC_OK;
}

/* sasl_* keys go with a sasl_* protocol, ssl_ca_file with an ssl one. */
static int kafka_check_combination(const struct hc_init_ctx *ctx, int proto)
{
	static const char *const sasl[] = { "sasl_mechanism", "sasl_username", "sasl_password", NULL };
	int is_sasl = proto == PROTO_SASL_PLAINTEXT || proto == PROTO_SASL_SSL;
	size_t i;

	for (i = 0; !is_sasl && sasl[i] != NULL; i++)
		if (hc_kv_get(ctx, sasl[i]) != NULL)
			return hc_init_error(ctx,
			                     "%s: needs security_protocol "
			                     "sasl_plaintext or sasl_ssl",
			                     sasl[i]);
	if (is_sasl && hc_kv_get(ctx, "sasl_username") == NULL)
		return hc_init_error(ctx,
		                     "sasl_username: required with "
		                     "security_protocol %s",
		                     kafka_protocols[proto]);
	if (is_sasl && hc_kv_get(ctx, "sasl_password") == NULL)
		return hc_init_error(ctx,
		                     "sasl_password: required with "
		                     "security_protocol %s",
		                     kafka_protocols[proto]);
	if (hc_kv_get(ctx, "ssl_ca_file") != NULL && proto != PROTO_SSL && proto != PROTO_SASL_SSL)
		return hc_init_error(ctx, "ssl_ca_file: needs security_protocol "
		                          "ssl or sasl_ssl");
	return HC_OK;
}

/* The security keys into conf. */
static int kafka_security(const struct hc_init_ctx *ctx, rd_kafka_conf_t *conf)
{
	const char *ca = hc_kv_get(ctx, "ssl_ca_file");
	int proto = PROTO_PLAINTEXT, mech = 0, rc;

	if ((rc = pu_parse_word(ctx, "security_protocol", kafka_protocols, &proto)) != HC_OK ||
	    (rc = pu_parse_word(ctx, "sasl_mechanism", kafka_mechanisms, &mech)) != HC_OK ||
	    (rc = kafka_check_combination(ctx, proto)) != HC_OK ||
	    (ca != NULL && (rc = pu_check_readable(ctx, "ssl_ca_file", ca)) != HC_OK))
		return rc;
	rc = kafka_set(ctx, conf, "security_protocol", "security.protocol", kafka_protocols[proto],
	               0);
	if (rc == HC_OK && ca != NULL)
		rc = kafka_set(ctx, conf, "ssl_ca_file", "ssl.ca.location", ca, 0);
	if (rc != HC_OK || proto < PROTO_SASL_PLAINTEXT)
		return rc;
	rc = kafka_set(ctx, conf, "sasl_mechanism", "sasl.mechanism", kafka_mechanisms[mech], 0);
	if (rc == HC_OK)
		rc = kafka_set(ctx, conf, "sasl_username", "sasl.username",
		               hc_kv_get(ctx, "sasl_username"), 0);
	if (rc == HC_OK)
		rc = kafka_set(ctx, conf, "sasl_password", "sasl.password",
		               hc_kv_get(ctx, "sasl_password"), 1);
	return rc;
}

/*
 * The client's fixed settings. A health check reconnects within a second
 * of a broker's return (librdkafka's backoff grows to 10 s by default),
 * and does not log every idle disconnect a broker makes.
 */
static int kafka_defaults(const struct hc_init_ctx *ctx, rd_kafka_conf_t *conf)
{
	static const char *const props[][2] = {
		{ "client.id", "healthcheckd" },
		{ "reconnect.backoff.ms", "100" },
		{ "reconnect.backoff.max.ms", "1000" },
		{ "log.connection.close", "false" },
	};
	size_t i;
	int rc = HC_OK;

	for (i = 0; rc == HC_OK && i < sizeof(props) / sizeof(props[0]); i++)
		rc = kafka_set(ctx, conf, props[i][0], props[i][0], props[i][1], 0);
	return rc;
}

/* Every key into the instance; conf holds what librdkafka needs. */
static int kafka_setup(const struct hc_init_ctx *ctx, struct kafka *k)
{
	const char *bootstrap = hc_kv_get(ctx, "bootstrap_servers");
	const char *topic = hc_kv_get(ctx, "topic");
	int rc;

	if (bootstrap == NULL)
		return hc_init_error(ctx, "bootstrap_servers: required");
	if ((rc = kafka_check_bootstrap(ctx, bootstrap)) != HC_OK ||
	    (topic != NULL && (rc = kafka_check_topic(ctx, topic)) != HC_OK) ||
	    (rc = pu_parse_uint(ctx, "min_brokers", 1, INT32_MAX, &k->min_brokers)) != HC_OK ||
	    (rc = pu_parse_uint(ctx, "min_isr", 1, INT32_MAX, &k->min_isr)) != HC_OK)
		return rc;
	if (k->min_isr > 0 && topic == NULL)
		return hc_init_error(ctx, "min_isr: needs topic");
	k->bootstrap = strdup(bootstrap);
	k->topic = topic != NULL ? strdup(topic) : NULL;
	k->conf = rd_kafka_conf_new();
	if (k->bootstrap == NULL || (topic != NULL && k->topic == NULL) || k->conf == NULL)
		return HC_ENOMEM;
	rd_kafka_conf_set_opaque(k->conf, k);
	rd_kafka_conf_set_log_cb(k->conf, kafka_log);
	rc = kafka_set(ctx, k->conf, "bootstrap_servers", "bootstrap.servers", bootstrap, 0);
	if (rc == HC_OK)
		rc = kafka_defaults(ctx, k->conf);
	if (rc == HC_OK)
		rc = kafka_security(ctx, k->conf);
	return rc;
}

/*
 * Join librdkafka's threads. A producer with nothing queued has nothing to
 * flush, and NO_CONSUMER_CLOSE keeps destroy from waiting on any broker:
 * it returns promptly even while every broker is down.
 */
static void kafka_teardown(void *instance)
{
	struct kafka *k = instance;

	if (k == NULL)
		return;
	if (k->rk != NULL)
		rd_kafka_destroy_flags(k->rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
	if (k->conf != NULL)
		rd_kafka_conf_destroy(k->conf);
	pthread_mutex_destroy(&k->lock);
	free(k->bootstrap);
	free(k->topic);
	free(k);
}

/* Validate and allocate only: no rd_kafka_t, so no thread and no network
 * I/O until the first check. */
static int kafka_init(const struct hc_init_ctx *ctx, void **instance)
{
	struct kafka *k = calloc(1, sizeof(*k));
	int rc;

	if (k == NULL)
		return HC_ENOMEM;
	if (pthread_mutex_init(&k->lock, NULL) != 0) {
		free(k);
		return HC_ENOMEM;
	}
	k->host = ctx->host;
	k->handle = ctx->handle;
	rc = kafka_setup(ctx, k);
	if (rc != HC_OK) {
		kafka_teardown(k);
		return rc;
	}
	*instance = k;
	return HC_OK;
}

/* "3 brokers listed by B", and ", fewer than min_brokers N" under it.
 * Returns HC_WARN when below the minimum, else HC_PASS. */
static int kafka_brokers_text(const struct kafka *k, int n, char *buf, size_t size)
{
	int low = k->min_brokers > 0 && (uint64_t)n < k->min_brokers;

	snprintf(buf, size, "%d broker%s listed by %s", n, n == 1 ? "" : "s", k->bootstrap);
	if (low)
		snprintf(buf + strlen(buf), size - strlen(buf), ", fewer than min_brokers %llu",
		         (unsigned long long)k->min_brokers);
	return low ? HC_WARN : HC_PASS;
}

/* The topic's partitions: the first without a leader fails the check,
 * else the first with fewer than min_isr in-sync replicas warns. */
static void kafka_partitions(const struct kafka *k, const rd_kafka_metadata_topic_t *t,
                             const char *brokers, int status, struct hc_result *r)
{
	int i, no_leader = 0, low_isr = 0, first_nl = -1, first_low = -1;

	for (i = 0; i < t->partition_cnt; i++) {
		const rd_kafka_metadata_partition_t *p = &t->partitions[i];

		if (p->leader < 0 && no_leader++ == 0)
			first_nl = i;
		if (k->min_isr > 0 && (uint64_t)p->isr_cnt < k->min_isr && low_isr++ == 0)
			first_low = i;
	}
	if (no_leader > 0)
		hc_result_set(r, HC_FAIL,
		              "topic %s partition %d has no leader "
		              "(%d of %d partitions; %s)",
		              t->topic, (int)t->partitions[first_nl].id, no_leader,
		              t->partition_cnt, brokers);
	else if (low_isr > 0)
		hc_result_set(r, HC_WARN,
		              "topic %s partition %d has %d in-sync "
		              "replica%s, fewer than min_isr %llu (%d of %d "
		              "partitions; %s)",
		              t->topic, (int)t->partitions[first_low].id,
		              t->partitions[first_low].isr_cnt,
		              t->partitions[first_low].isr_cnt == 1 ? "" : "s",
		              (unsigned long long)k->min_isr, low_isr, t->partition_cnt, brokers);
	else
		hc_result_set(r, status,
		              "%s; topic %s: %d partition%s, each "
		              "with a leader",
		              brokers, t->topic, t->partition_cnt, t->partition_cnt == 1 ? "" : "s");
}

/* Judge an answered metadata request. */
static void kafka_judge(const struct kafka *k, const rd_kafka_metadata_t *md, struct hc_result *r)
{
	char brokers[sizeof(r->message)];
	int status = kafka_brokers_text(k, md->broker_cnt, brokers, sizeof(brokers));
	int i;

	hc_result_observe(r, md->broker_cnt, "brokers");
	snprintf(r->measurement, sizeof(r->measurement), "brokers");
	if (k->topic == NULL) {
		hc_result_set(r, status, "%s", brokers);
		return;
	}
	for (i = 0; i < md->topic_cnt; i++)
		if (strcmp(md->topics[i].topic, k->topic) == 0)
			break;
	if (i == md->topic_cnt)
		hc_result_set(r, HC_FAIL, "topic %s does not exist (%s)", k->topic, brokers);
	/* Without a leader for some partition the broker says so for the
	 * topic too: the partitions tell which. A topic being created may
	 * have none listed yet. */
	else if (md->topics[i].err != RD_KAFKA_RESP_ERR_NO_ERROR &&
	         (md->topics[i].err != RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE ||
	          md->topics[i].partition_cnt == 0))
		hc_result_set(r, HC_FAIL, "topic %s: %s (%s)", k->topic,
		              rd_kafka_err2str(md->topics[i].err), brokers);
	else
		kafka_partitions(k, &md->topics[i], brokers, status, r);
}

/* The client, created on the first check and kept: its threads and broker
 * connections are what a check reuses. */
static int kafka_client(struct kafka *k, struct hc_result *r)
{
	char err[256];
	rd_kafka_t *rk;

	if (k->rk != NULL)
		return 0;
	/* rd_kafka_new owns conf once it succeeds, and only then. */
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, k->conf, err, sizeof(err));
	if (rk == NULL) {
		hc_result_set(r, HC_FAIL, "cannot create a client for %s: %s", k->bootstrap, err);
		return -1;
	}
	k->rk = rk;
	k->conf = NULL;
	return 0;
}

/*
 * A request that got no answer: say why, with librdkafka's last error.
 * With no broker reachable rd_kafka_metadata waits for one until its
 * timeout and then says "transport failure": that is the deadline too.
 */
static void kafka_no_answer(struct kafka *k, const struct hc_check_ctx *ctx, int64_t give_up,
                            rd_kafka_resp_err_t err, struct hc_result *r)
{
	char last[sizeof(k->last_error)];
	const char *sep;

	pthread_mutex_lock(&k->lock);
	memcpy(last, k->last_error, sizeof(last));
	pthread_mutex_unlock(&k->lock);
	sep = last[0] != '\0' ? ": " : "";
	if (err == RD_KAFKA_RESP_ERR__TIMED_OUT || ctx->host->now_ns() >= give_up - 1000000)
		hc_result_set(r, HC_FAIL,
		              "timed out after %u ms waiting for "
		              "metadata from %s%s%s",
		              (unsigned)ctx->timeout_ms, k->bootstrap, sep, last);
	else
		hc_result_set(r, HC_FAIL, "metadata request to %s failed: %s%s%s", k->bootstrap,
		              rd_kafka_err2str(err), sep, last);
}

/*
 * One metadata request for all topics: a request naming the topic would
 * have some clusters (and the mock) create it. It ends at the early
 * deadline, so that the plugin's message, not the core's, reports it.
 */
static int kafka_check(void *instance, const struct hc_check_ctx *ctx, struct hc_result *r)
{
	struct kafka *k = instance;
	const struct rd_kafka_metadata *md = NULL;
	int64_t give_up = pu_early_deadline(ctx);
	rd_kafka_resp_err_t err;
	int ms;

	if (kafka_client(k, r) != 0)
		return HC_OK;
	/* Serve what librdkafka queued for the application (errors, which
	 * then reach the log): nothing else would, and the queue would grow
	 * while a broker is down. */
	rd_kafka_poll(k->rk, 0);
	ms = pu_ms_until(ctx->host, give_up);
	err = ms > 0 ? rd_kafka_metadata(k->rk, 1, NULL, &md, ms) : RD_KAFKA_RESP_ERR__TIMED_OUT;
	if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
		kafka_no_answer(k, ctx, give_up, err, r);
		return HC_OK;
	}
	pthread_mutex_lock(&k->lock);
	k->last_error[0] = '\0';
	pthread_mutex_unlock(&k->lock);
	kafka_judge(k, md, r);
	rd_kafka_metadata_destroy(md);
	return HC_OK;
}

HC_PLUGIN_DEFINE("kafka", "1.0.0",
                 "asks a Kafka cluster for its metadata "
                 "within the deadline: brokers, and a topic's leaders",
                 kafka_keys, kafka_init, kafka_check, kafka_teardown);
