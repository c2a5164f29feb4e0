/* SPDX-License-Identifier: MIT */
/*
 * kafka_mock: librdkafka's own mock Kafka cluster as a test peer for the
 * kafka plugin (Debian ships no Kafka server).
 *
 *   kafka_mock BROKERS [TOPIC:PARTITIONS]...
 *
 * Starts BROKERS mock brokers (ids 1 to BROKERS) listening on 127.0.0.1,
 * creates each TOPIC, and prints the bootstrap list
 * ("127.0.0.1:P1,127.0.0.1:P2,...") on its first line of stdout once ready.
 * Then it reads commands from stdin, one a line, and answers each with one
 * line on stdout, "ok" or "error: WHY", once done:
 *
 *   down N              broker N stops answering (it stays in metadata)
 *   up N                broker N answers again
 *   noleader TOPIC P    partition P of TOPIC has no leader
 *   leader TOPIC P N    broker N leads partition P of TOPIC
 *   quit                exit
 *
 * The 2.0 mock gives every partition min(3, BROKERS) replicas, whatever
 * a topic asks for, and reports them all in sync. A broker set down stops
 * listening but stays in the metadata. At the end of stdin it keeps
 * running. It exits on SIGTERM or SIGINT, on
 * quit, or after KAFKA_MOCK_LIFETIME seconds, so that a forgotten one does
 * not linger. librdkafka's log goes to stderr.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define KAFKA_MOCK_LIFETIME 300
#define KAFKA_MOCK_MAX_BROKERS 16

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void log_stderr(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	(void)rk;
	fprintf(stderr, "kafka_mock: %d %s: %s\n", level, fac, buf);
}

/* A whole number from min to max in s, or -2 (not -1: a valid broker id
 * for "no leader" elsewhere) when s is anything else. */
static long parse_num(const char *s, long min, long max)
{
	char *end;
	long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -2;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -2;
	return v;
}

/* "TOPIC:PARTITIONS": create the topic. */
static int create_topic(rd_kafka_mock_cluster_t *mc, const char *arg)
{
	char spec[256], *parts;
	long np;

	snprintf(spec, sizeof(spec), "%s", arg);
	parts = strchr(spec, ':');
	if (parts == NULL)
		return -1;
	*parts++ = '\0';
	np = parse_num(parts, 1, 1000);
	if (spec[0] == '\0' || np < 0)
		return -1;
	/* The replication factor is the mock's own (see above). */
	return rd_kafka_mock_topic_create(mc, spec, (int)np, 1) == RD_KAFKA_RESP_ERR_NO_ERROR ? 0
	                                                                                      : -1;
}

/* Run one command line; the answer goes to stdout. Returns 1 on quit. */
static int command(rd_kafka_mock_cluster_t *mc, char *line, int brokers)
{
	char *verb = strtok(line, " \t\r\n"), *a = strtok(NULL, " \t\r\n");
	char *b = strtok(NULL, " \t\r\n"), *c = strtok(NULL, " \t\r\n");
	rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__INVALID_ARG;
	long id = parse_num(a, 1, brokers), p = parse_num(b, 0, INT_MAX);

	if (verb == NULL)
		return 0;
	if (strcmp(verb, "quit") == 0)
		return 1;
	if (strcmp(verb, "down") == 0 && id > 0 && b == NULL)
		err = rd_kafka_mock_broker_set_down(mc, (int32_t)id);
	else if (strcmp(verb, "up") == 0 && id > 0 && b == NULL)
		err = rd_kafka_mock_broker_set_up(mc, (int32_t)id);
	else if (strcmp(verb, "noleader") == 0 && a != NULL && p >= 0 && c == NULL)
		err = rd_kafka_mock_partition_set_leader(mc, a, (int32_t)p, -1);
	else if (strcmp(verb, "leader") == 0 && a != NULL && p >= 0 && parse_num(c, 1, brokers) > 0)
		err = rd_kafka_mock_partition_set_leader(mc, a, (int32_t)p,
		                                         (int32_t)parse_num(c, 1, brokers));
	if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
		printf("ok\n");
	else
		printf("error: %s\n", err == RD_KAFKA_RESP_ERR__INVALID_ARG
		                              ? "usage: down N | up N | noleader TOPIC P | "
		                                "leader TOPIC P N | quit"
		                              : rd_kafka_err2str(err));
	fflush(stdout);
	return 0;
}

/* Commands from stdin until quit, a signal or the end of the lifetime. */
static void serve(rd_kafka_mock_cluster_t *mc, int brokers)
{
	time_t end = time(NULL) + KAFKA_MOCK_LIFETIME;
	struct pollfd pfd = { STDIN_FILENO, POLLIN, 0 };
	char line[512];

	while (!stop && time(NULL) < end) {
		if (poll(&pfd, pfd.fd >= 0 ? 1 : 0, 200) <= 0)
			continue;
		if (fgets(line, sizeof(line), stdin) == NULL)
			pfd.fd = -1; /* end of input: just keep running */
		else if (command(mc, line, brokers))
			return;
	}
}

int main(int argc, char **argv)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_mock_cluster_t *mc;
	rd_kafka_t *rk;
	char err[256];
	long brokers = argc >= 2 ? parse_num(argv[1], 1, KAFKA_MOCK_MAX_BROKERS) : -2;

	if (brokers < 0) {
		fprintf(stderr, "usage: kafka_mock BROKERS "
		                "[TOPIC:PARTITIONS]...\n");
		return 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	/* stdin is read line by line with poll: no stdio read-ahead. */
	setvbuf(stdin, NULL, _IONBF, 0);
	rd_kafka_conf_set_log_cb(conf, log_stderr);
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
	if (rk == NULL) {
		fprintf(stderr, "kafka_mock: %s\n", err);
		return 1;
	}
	mc = rd_kafka_mock_cluster_new(rk, (int)brokers);
	if (mc == NULL) {
		fprintf(stderr, "kafka_mock: cannot create the cluster\n");
		return 1;
	}
	for (int i = 2; i < argc; i++)
		if (create_topic(mc, argv[i]) != 0) {
			fprintf(stderr, "kafka_mock: bad topic '%s'\n", argv[i]);
			return 2;
		}
	printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
	fflush(stdout);
	serve(mc, (int)brokers);
	rd_kafka_mock_cluster_destroy(mc);
	rd_kafka_destroy(rk);
	return 0;
}
