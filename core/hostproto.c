/* SPDX-License-Identifier: MIT */
/* The plugin-host protocol: sized, versioned messages between the daemon and a helper. */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "hostproto.h"
#include "xalloc.h"

/* Per type: the fixed part as protocol 1.0 defined it (a sender may send
 * more, never less) and how many strings follow. */
static const struct {
	uint32_t min_size;
	unsigned n_str;
} msg_shape[HC_MSG_COUNT] = {
	[HC_MSG_INIT] = { sizeof(struct hc_msg_init), 2 },
	[HC_MSG_KV] = { sizeof(struct hc_msg_hdr), 2 },
	[HC_MSG_INIT_REPLY] = { sizeof(struct hc_msg_init_reply), 1 },
	[HC_MSG_CHECK] = { sizeof(struct hc_msg_check), 0 },
	[HC_MSG_RESULT] = { sizeof(struct hc_msg_result), 3 },
	[HC_MSG_LOG] = { sizeof(struct hc_msg_log), 1 },
	[HC_MSG_TEARDOWN] = { sizeof(struct hc_msg_hdr), 0 },
};

int hc_msg_send(int fd, enum hc_msg_type type, void *fixed, size_t fixed_size,
                const char *const *strs, int flags)
{
	struct hc_msg_hdr *h = fixed;
	struct iovec iov[4];
	struct msghdr mh = { 0 };
	unsigned n = msg_shape[type].n_str;

	*h = (struct hc_msg_hdr){ HC_PROTO_MAGIC, HC_PROTO_MAJOR, HC_PROTO_MINOR, (uint32_t)type,
		                  (uint32_t)fixed_size };
	iov[0] = (struct iovec){ fixed, fixed_size };
	for (unsigned i = 0; i < n; i++)
		iov[i + 1] = (struct iovec){ (void *)strs[i], strlen(strs[i]) + 1 };
	mh.msg_iov = iov;
	mh.msg_iovlen = n + 1;
	while (sendmsg(fd, &mh, flags | MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* Check the header and the strings of the len bytes in m->buf; copy the
 * fixed part both sides know into m->u. 0, or -1 with err. */
static int msg_parse(struct hc_msg *m, char *err, size_t errsz)
{
	struct hc_msg_hdr h;
	const char *p, *end = m->buf + m->len;

	if (m->len < sizeof(h)) {
		snprintf(err, errsz, "a message of %zu bytes, shorter than its header", m->len);
		return -1;
	}
	memcpy(&h, m->buf, sizeof(h));
	if (h.magic != HC_PROTO_MAGIC || h.major != HC_PROTO_MAJOR) {
		snprintf(err, errsz, "protocol %u.%u (magic %#x), this healthcheckd speaks %d.%d",
		         h.major, h.minor, h.magic, HC_PROTO_MAJOR, HC_PROTO_MINOR);
		return -1;
	}
	if (h.type == 0 || h.type >= HC_MSG_COUNT || h.struct_size < msg_shape[h.type].min_size ||
	    h.struct_size > m->len) {
		snprintf(err, errsz, "a message of type %u and size %u in %zu bytes", h.type,
		         h.struct_size, m->len);
		return -1;
	}
	memcpy(&m->u, m->buf, h.struct_size < sizeof(m->u) ? h.struct_size : sizeof(m->u));
	p = m->buf + h.struct_size;
	for (unsigned i = 0; i < msg_shape[h.type].n_str; i++) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));

		if (nul == NULL) {
			snprintf(err, errsz, "a message of type %u lacks string %u", h.type, i + 1);
			return -1;
		}
		m->str[i] = p;
		p = nul + 1;
	}
	return 0;
}

int hc_msg_recv(int fd, struct hc_msg *m, char *err, size_t errsz)
{
	ssize_t n;

	memset(m, 0, sizeof(*m));
	/* MSG_TRUNC with MSG_PEEK: the datagram's real length. */
	while ((n = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC)) < 0 && errno == EINTR)
		;
	if (n == 0)
		return 0;
	if (n < 0) {
		snprintf(err, errsz, "recv: %s", strerror(errno));
		return -1;
	}
	if (n > HC_PROTO_MAX) {
		snprintf(err, errsz, "a message of %zd bytes", n);
		return -1;
	}
	m->buf = hc_xcalloc(1, (size_t)n + 1);
	while ((n = recv(fd, m->buf, (size_t)n, 0)) < 0 && errno == EINTR)
		;
	m->len = n > 0 ? (size_t)n : 0;
	if (n <= 0 || msg_parse(m, err, errsz) != 0) {
		if (n <= 0)
			snprintf(err, errsz, "recv: %s", n < 0 ? strerror(errno) : "end of file");
		hc_msg_free(m);
		return -1;
	}
	return 1;
}

void hc_msg_free(struct hc_msg *m)
{
	if (m->buf != NULL) {
		explicit_bzero(m->buf, m->len);
		free(m->buf);
	}
	memset(m, 0, sizeof(*m));
}
