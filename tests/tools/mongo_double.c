/* SPDX-License-Identifier: MIT */
/*
 * mongo_double: a MongoDB wire-protocol test double for the mongodb plugin's
 * tests (Debian ships no MongoDB server). Not a database: it answers just
 * what libmongoc 1.23 sends for a `ping`.
 *
 *   mongo_double ok        answers the handshake (OP_QUERY isMaster with an
 *                          OP_REPLY, OP_MSG hello) and ping with {ok: 1}
 *   mongo_double autherr   same, but ping gets {ok: 0, code: 18,
 *                          errmsg: "Authentication failed."}
 *   mongo_double hang      accepts connections and never reads or answers
 *   mongo_double hangping  answers the handshake, never answers ping
 *
 * In every mode saslStart fails with code 18 (the double has no SCRAM), so a
 * client given credentials sees an authentication failure; other commands
 * get code 59 (CommandNotFound). It listens on 127.0.0.1 only, prints its
 * port on stdout once ready, logs each command it reads on stderr
 * ("OP_QUERY isMaster", "OP_MSG ping"), and exits after
 * MONGO_DOUBLE_LIFETIME seconds so a forgotten one does not linger.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* accept4, SOCK_CLOEXEC */
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bson/bson.h>

#define MONGO_DOUBLE_LIFETIME 120
#define MONGO_DOUBLE_MAX_CONN 64
/* Far above anything a handshake or ping needs. */
#define MONGO_DOUBLE_MAX_MSG (1024 * 1024)

#define OP_REPLY 1
#define OP_QUERY 2004
#define OP_MSG 2013

enum mode { MODE_OK, MODE_AUTHERR, MODE_HANG, MODE_HANGPING };

/* The 16-byte header every wire-protocol message starts with. */
struct header {
	int32_t length;
	int32_t request_id;
	int32_t response_to;
	int32_t opcode;
};

static int32_t next_request_id = 1;

static void die(const char *what)
{
	fprintf(stderr, "mongo_double: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int32_t get_i32(const uint8_t *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	                 (uint32_t)p[3] << 24);
}

static void put_i32(uint8_t *p, int32_t v)
{
	uint32_t u = (uint32_t)v;

	p[0] = (uint8_t)u;
	p[1] = (uint8_t)(u >> 8);
	p[2] = (uint8_t)(u >> 16);
	p[3] = (uint8_t)(u >> 24);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int listen_loopback(unsigned short *port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		die("bind 127.0.0.1:0");
	if (listen(fd, 16) < 0)
		die("listen");
	if (getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
		die("getsockname");
	*port = ntohs(sin.sin_port);
	return fd;
}

/* The reply document for one command in this mode; NULL: do not answer. */
static bson_t *answer(enum mode mode, const char *cmd)
{
	if (strcmp(cmd, "isMaster") == 0 || strcmp(cmd, "ismaster") == 0 || strcmp(cmd, "hello") == 0)
		return BCON_NEW("helloOk", BCON_BOOL(true), "ismaster", BCON_BOOL(true),
		                "isWritablePrimary", BCON_BOOL(true), "maxBsonObjectSize",
		                BCON_INT32(16777216), "maxMessageSizeBytes", BCON_INT32(48000000),
		                "maxWriteBatchSize", BCON_INT32(100000), "localTime",
		                BCON_DATE_TIME((int64_t)time(NULL) * 1000), "connectionId",
		                BCON_INT32(1), "minWireVersion", BCON_INT32(0), "maxWireVersion",
		                BCON_INT32(13), "readOnly", BCON_BOOL(false), "ok", BCON_DOUBLE(1.0));
	if (strcmp(cmd, "ping") == 0 && mode == MODE_HANGPING)
		return NULL;
	if (strcmp(cmd, "ping") == 0 && mode == MODE_OK)
		return BCON_NEW("ok", BCON_DOUBLE(1.0));
	if (strcmp(cmd, "ping") == 0 || strcmp(cmd, "saslStart") == 0)
		return BCON_NEW("ok", BCON_DOUBLE(0.0), "errmsg",
		                BCON_UTF8("Authentication failed."), "code", BCON_INT32(18),
		                "codeName", BCON_UTF8("AuthenticationFailed"));
	return BCON_NEW("ok", BCON_DOUBLE(0.0), "errmsg", BCON_UTF8("no such command"), "code",
	                BCON_INT32(59), "codeName", BCON_UTF8("CommandNotFound"));
}

/* The name of a command document: its first key ("" if none). */
static const char *command_name(const uint8_t *p, size_t left, bson_t *doc)
{
	bson_iter_t it;

	if (left < 5 || (size_t)get_i32(p) > left || get_i32(p) < 5 ||
	    !bson_init_static(doc, p, (size_t)get_i32(p)) || !bson_iter_init(&it, doc) ||
	    !bson_iter_next(&it))
		return "";
	return bson_iter_key(&it);
}

/* The command of an OP_QUERY body: flags, cstring collection, skip,
 * limit, then the query document. */
static const char *query_command(const uint8_t *body, size_t len, bson_t *doc)
{
	const uint8_t *nul;

	if (len < 4)
		return "";
	nul = memchr(body + 4, '\0', len - 4);
	if (nul == NULL || (size_t)(nul + 1 + 8 - body) > len)
		return "";
	return command_name(nul + 1 + 8, len - (size_t)(nul + 1 + 8 - body), doc);
}

/* The command of an OP_MSG body: flags, then a kind 0 section (one byte of
 * kind, then the document); libmongoc puts it first. */
static const char *msg_command(const uint8_t *body, size_t len, bson_t *doc)
{
	if (len < 5 || body[4] != 0)
		return "";
	return command_name(body + 5, len - 5, doc);
}

static int send_all(int fd, const uint8_t *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Send doc as an OP_REPLY (to an OP_QUERY) or an OP_MSG. */
static int send_reply(int fd, const struct header *req, const bson_t *doc)
{
	size_t prefix = req->opcode == OP_QUERY ? 16 + 20 : 16 + 5;
	size_t len = prefix + doc->len;
	uint8_t *buf = calloc(1, len);
	int rc;

	if (buf == NULL)
		return -1;
	put_i32(buf, (int32_t)len);
	put_i32(buf + 4, next_request_id++);
	put_i32(buf + 8, req->request_id);
	if (req->opcode == OP_QUERY) {
		put_i32(buf + 12, OP_REPLY);
		/* responseFlags 0, cursorID 0, startingFrom 0 */
		put_i32(buf + 32, 1); /* numberReturned */
	} else {
		put_i32(buf + 12, OP_MSG);
		/* flagBits 0, then section kind 0 at buf[20] */
	}
	memcpy(buf + prefix, bson_get_data(doc), doc->len);
	rc = send_all(fd, buf, len);
	free(buf);
	return rc;
}

static int recv_all(int fd, uint8_t *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = recv(fd, p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read one message from fd and answer it; -1 when the connection is done. */
static int serve_one(int fd, enum mode mode)
{
	uint8_t raw[16], *body;
	struct header h;
	const char *cmd = "";
	bson_t doc, *reply;
	size_t len;
	int rc = 0;

	if (recv_all(fd, raw, sizeof(raw)) < 0)
		return -1;
	h.length = get_i32(raw);
	h.request_id = get_i32(raw + 4);
	h.response_to = get_i32(raw + 8);
	h.opcode = get_i32(raw + 12);
	if (h.length < 16 || h.length > MONGO_DOUBLE_MAX_MSG)
		return -1;
	len = (size_t)h.length - 16;
	body = malloc(len + 1);
	if (body == NULL || recv_all(fd, body, len) < 0) {
		free(body);
		return -1;
	}
	if (h.opcode == OP_QUERY)
		cmd = query_command(body, len, &doc);
	else if (h.opcode == OP_MSG)
		cmd = msg_command(body, len, &doc);
	fprintf(stderr, "%s %s\n",
	        h.opcode == OP_QUERY ? "OP_QUERY"
	        : h.opcode == OP_MSG ? "OP_MSG"
	                             : "opcode?",
	        cmd);
	if (cmd[0] == '\0') {
		free(body);
		return -1;
	}
	reply = answer(mode, cmd);
	if (reply != NULL) {
		rc = send_reply(fd, &h, reply);
		bson_destroy(reply);
	}
	free(body);
	return rc;
}

static enum mode parse_mode(int argc, char **argv)
{
	static const char *const names[] = { "ok", "autherr", "hang", "hangping" };
	int i;

	for (i = 0; argc == 2 && i < 4; i++)
		if (strcmp(argv[1], names[i]) == 0)
			return (enum mode)i;
	fprintf(stderr, "usage: mongo_double ok|autherr|hang|hangping\n");
	exit(2);
}

int main(int argc, char **argv)
{
	enum mode mode = parse_mode(argc, argv);
	long long end = now_ms() + MONGO_DOUBLE_LIFETIME * 1000LL;
	struct pollfd pfd[1 + MONGO_DOUBLE_MAX_CONN];
	unsigned short port;
	nfds_t n = 1, i;
	int fd;

	pfd[0].fd = listen_loopback(&port);
	pfd[0].events = POLLIN;
	printf("%u\n", port);
	if (fflush(stdout) != 0)
		die("stdout");
	while (now_ms() < end) {
		if (poll(pfd, n, (int)(end - now_ms())) <= 0)
			continue;
		for (i = 1; i < n; i++) {
			if (pfd[i].revents == 0 || serve_one(pfd[i].fd, mode) == 0)
				continue;
			close(pfd[i].fd);
			pfd[i--] = pfd[--n];
		}
		if (!(pfd[0].revents & POLLIN))
			continue;
		fd = accept4(pfd[0].fd, NULL, NULL, SOCK_CLOEXEC);
		/* hang: hold the connection, never read it. */
		if (fd < 0 || mode == MODE_HANG)
			continue;
		if (n == 1 + MONGO_DOUBLE_MAX_CONN) {
			close(fd);
			continue;
		}
		pfd[n].fd = fd;
		pfd[n].events = POLLIN;
		pfd[n++].revents = 0;
	}
	return 0;
}
