/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the HTTP layer end to end, in process: routing, query
 * arguments, authorization and the heartbeat body parser (core/http.c,
 * whose functions are static), through libmicrohttpd on a loopback port.
 *
 * Started once: two heartbeat checks (hb in readiness, live in liveness
 * and startup), the scheduler, and the server with a token. Each input is
 * one request:
 *
 *   byte 0: bit 0 GET (else POST), bit 1 the server's token, bit 2 the
 *           heartbeat token, bit 3 Accept: application/json
 *   then up to the first newline: the path and query, as sent (bytes the
 *           request line cannot hold become '_')
 *   the rest: the body.
 *
 * The answer must be an HTTP status line: an empty reply is a failure.
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "errors.h"
#include "fuzz.h"
#include "http.h"
#include "instance.h"
#include "loader.h"
#include "log.h"
#include "scheduler.h"
#include "state.h"

#define TOKEN "fuzz-server-token"
#define HB_TOKEN "fuzz-heartbeat-token"

/* No per-address limit: every request comes from 127.0.0.1, faster than
 * the server's threads let go of the closed ones, and a refused connection
 * must not pass for an empty reply. */
static const char config_text[] = "[server]\n"
                                  "details = authorized\n"
                                  "max_connections = 4096\n"
                                  "max_connections_per_ip = 0\n"
                                  "[check:hb]\n"
                                  "plugin = heartbeat\n"
                                  "groups = readiness\n"
                                  "ttl = 10m\n"
                                  "token_file = hbtoken\n"
                                  "[check:live]\n"
                                  "plugin = heartbeat\n"
                                  "groups = liveness, startup\n"
                                  "ttl = 10m\n"
                                  "token_file = hbtoken\n";

static struct sockaddr_in server_addr;

static void die(const char *what, const char *why)
{
	fprintf(stderr, "fuzz_http: %s: %s\n", what, why);
	abort();
}

static struct hc_config *load(void)
{
	char path[PATH_MAX];
	struct hc_errors errs = { 0 };
	struct hc_config *cfg = hc_config_new();

	fuzz_write("hbtoken", HB_TOKEN "\n", sizeof(HB_TOKEN));
	snprintf(path, sizeof(path), "%s/hbtoken", fuzz_dir());
	chmod(path, 0600);
	fuzz_write("main.ini", config_text, sizeof(config_text) - 1);
	snprintf(path, sizeof(path), "%s/main.ini", fuzz_dir());
	if (hc_config_load(cfg, path, &errs) != 0)
		die("config", errs.msgs[0]);
	return cfg;
}

/* A listening socket on 127.0.0.1 and a free port. */
static int listen_loopback(void)
{
	struct hc_listen l;
	socklen_t len = sizeof(server_addr);
	char err[256];
	int fd;

	if (hc_listen_parse("127.0.0.1:1", &l) != 0)
		die("listen", "127.0.0.1:1 refused");
	((struct sockaddr_in *)&l.addr)->sin_port = 0;
	fd = hc_http_listen(&l, err, sizeof(err));
	free(l.text);
	if (fd < 0)
		die("listen", err);
	getsockname(fd, (struct sockaddr *)&server_addr, &len);
	return fd;
}

static void start(void)
{
	static struct hc_registry reg;
	static struct hc_state state;
	struct hc_config *cfg = load();
	struct hc_check **checks = calloc(cfg->n_checks, sizeof(*checks));
	struct hc_errors errs = { 0 };
	struct hc_sched *sched;
	char err[256];
	int fd = listen_loopback();
	bool plain = false;

	hc_log_init(0);
	hc_registry_init(&reg, fuzz_dir()); /* heartbeat is built in */
	for (size_t i = 0; i < cfg->n_checks; i++) {
		struct hc_instance *in;

		if (hc_instance_create(cfg->checks[i], &reg, &in, &errs) != 0)
			die("check", errs.msgs[0]);
		checks[i] = calloc(1, sizeof(**checks));
		hc_check_reset(checks[i], cfg->checks[i], in);
	}
	hc_state_init(&state);
	state.prepare_body = hc_http_prepare_body;
	state.release_body = hc_http_release_body;
	sched = hc_sched_start(cfg, checks, cfg->n_checks, 2, &state, NULL, NULL);
	if (hc_http_start(&cfg->server, &fd, &plain, 1, &state, sched, TOKEN, NULL, err,
	                  sizeof(err)) == NULL)
		die("http", err);
	/* Runs until the process ends: the server is the fixture. */
}

/* The request of an input into req (malloc'd); returns its length. */
static size_t request(const uint8_t *data, size_t size, char **req)
{
	const uint8_t *nl = memchr(data + 1, '\n', size - 1);
	size_t url_len = nl != NULL ? (size_t)(nl - data - 1) : size - 1;
	const uint8_t *body = nl != NULL ? nl + 1 : data + size;
	size_t body_len = (size_t)(data + size - body);
	char *url = fuzz_str(data + 1, url_len);
	size_t head_max = url_len + 512, len;

	for (size_t i = 0; i < url_len; i++)
		if ((unsigned char)url[i] <= ' ' || (unsigned char)url[i] >= 0x7f)
			url[i] = '_';
	*req = malloc(head_max + body_len);
	len = (size_t)snprintf(*req, head_max,
	                       "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%s%s"
	                       "Content-Length: %zu\r\nConnection: close\r\n\r\n",
	                       (data[0] & 1) ? "GET" : "POST", url[0] == '/' ? url : "/",
	                       (data[0] & 2) ? "Authorization: Bearer " TOKEN "\r\n" : "",
	                       (data[0] & 4) ? "Authorization: Bearer " HB_TOKEN "\r\n" : "",
	                       (data[0] & 8) ? "Accept: application/json\r\n" : "",
	                       (data[0] & 1) ? (size_t)0 : body_len);
	if (!(data[0] & 1)) {
		memcpy(*req + len, body, body_len);
		len += body_len;
	}
	free(url);
	return len;
}

/* connect(), finished in the background after an EINTR. */
static int connect_loopback(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int err = 0;

	if (connect(fd, (struct sockaddr *)&server_addr, sizeof(server_addr)) == 0)
		return 0;
	if (errno != EINTR)
		return -1;
	while (poll(&p, 1, -1) < 0)
		if (errno != EINTR)
			return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
		errno = err;
		return -1;
	}
	return 0;
}

/* Send req, read the whole answer; it must start with a status line. */
static void exchange(const char *req, size_t len)
{
	char reply[16] = "";
	size_t got = 0;
	ssize_t n;
	char sink[4096];
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	/* libFuzzer's SIGALRM (its -timeout clock) interrupts calls: EINTR
	 * is not the server's doing. */
	if (fd < 0 || connect_loopback(fd) != 0)
		die("connect", strerror(errno));
	for (size_t sent = 0; sent < len; sent += (size_t)n) {
		while ((n = send(fd, req + sent, len - sent, MSG_NOSIGNAL)) < 0 && errno == EINTR)
			;
		if (n < 0)
			die("send", strerror(errno));
	}
	shutdown(fd, SHUT_WR);
	while ((n = recv(fd, sink, sizeof(sink), 0)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (got < sizeof(reply) - 1) {
			size_t take = (size_t)n < sizeof(reply) - 1 - got ? (size_t)n
			                                                  : sizeof(reply) - 1 - got;
			memcpy(reply + got, sink, take);
			got += take;
		}
	}
	/* A reset after the answer is fine (a body the server did not read). */
	if (strncmp(reply, "HTTP/1.1 ", 9) != 0)
		die("reply", n < 0 ? strerror(errno) : got == 0 ? "empty" : reply);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool started;
	char *req;
	size_t len;

	if (size < 1)
		return 0;
	if (!started) {
		start();
		started = true;
	}
	len = request(data, size, &req);
	exchange(req, len);
	free(req);
	return 0;
}
