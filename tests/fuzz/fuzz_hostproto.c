/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the daemon's reading of a plugin host's messages
 * (hc_msg_recv, core/hostproto.c). A helper runs plugin code, so what it
 * sends may be anything: the input is sent as one datagram over a
 * SOCK_SEQPACKET socketpair, as a helper's would arrive, and a message
 * taken must keep its strings inside the datagram.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "hostproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int sv[2] = { -1, -1 };
	struct hc_msg m;
	char err[256];

	if (size > HC_PROTO_MAX + 16)
		return 0;
	if (sv[0] < 0 && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		abort();
	/* An empty datagram reads as the peer's end: not worth a socket. */
	if (size == 0 || send(sv[1], data, size, 0) != (ssize_t)size)
		return 0;
	if (hc_msg_recv(sv[0], &m, err, sizeof(err)) == 1) {
		for (size_t i = 0; i < sizeof(m.str) / sizeof(m.str[0]); i++)
			if (m.str[i] != NULL &&
			    (m.str[i] < m.buf || m.str[i] + strlen(m.str[i]) >= m.buf + m.len))
				abort();
		hc_msg_free(&m);
	} else if (err[0] == '\0') {
		abort(); /* a refusal says why */
	} else {
		/* A refused datagram too big to take stays queued: drop it. */
		char drop;

		(void)recv(sv[0], &drop, 1, MSG_DONTWAIT | MSG_TRUNC);
	}
	return 0;
}
