/* SPDX-License-Identifier: MIT */
/* The plugin-host protocol: sized, versioned messages between the daemon and a helper. */
#ifndef HC_HOSTPROTO_H
#define HC_HOSTPROTO_H

#include <stddef.h>
#include <stdint.h>

/*
 * One message is one SOCK_SEQPACKET datagram: a fixed part that starts with
 * struct hc_msg_hdr, then the strings its type carries, each NUL-terminated.
 * The rules are the plugin ABI's (docs/architecture.md §4): the major
 * version must be equal; a fixed part only grows by appending members and
 * carries its size, so the receiver reads what both sides know and zeroes
 * the rest; strings start after the sender's fixed part, whatever its size.
 * Both ends are normally the same executable (/proc/self/exe); the checks
 * matter when the helper is found by path and the package was upgraded.
 */
#define HC_PROTO_MAGIC 0x48435048u /* "HCPH" */
#define HC_PROTO_MAJOR 1
#define HC_PROTO_MINOR 0
/* The largest message: a 64 KiB secret (SECRET_FILE_MAX) and its key. */
#define HC_PROTO_MAX (80 * 1024)
/* The file descriptor of the socket in the helper. */
#define HC_HOST_FD 3

enum hc_msg_type {
	HC_MSG_INIT = 1,   /* daemon → helper: strings plugin path, check name */
	HC_MSG_KV,         /* daemon → helper, n_kv times after INIT: key, value */
	HC_MSG_INIT_REPLY, /* helper → daemon: init's code; string: its error */
	HC_MSG_CHECK,      /* daemon → helper: run check once */
	HC_MSG_RESULT,     /* helper → daemon: strings message, unit, measurement */
	HC_MSG_LOG,        /* helper → daemon, any time: string: the line */
	HC_MSG_TEARDOWN,   /* daemon → helper: call teardown and exit 0 */
	HC_MSG_COUNT
};

struct hc_msg_hdr {
	uint32_t magic;
	uint16_t major;
	uint16_t minor;
	uint32_t type;
	uint32_t struct_size; /* the fixed part, this header included */
};

struct hc_msg_init {
	struct hc_msg_hdr h;
	uint32_t timeout_ms;
	uint32_t n_kv;
};

struct hc_msg_init_reply {
	struct hc_msg_hdr h;
	int32_t rc;
	uint32_t reserved0;
};

struct hc_msg_check {
	struct hc_msg_hdr h;
	int64_t deadline_ns; /* CLOCK_MONOTONIC is system-wide: absolute */
	uint64_t run;
	uint32_t timeout_ms;
	uint32_t reserved0;
};

struct hc_msg_result {
	struct hc_msg_hdr h;
	int32_t rc;
	int32_t status;
	double value;
	int64_t latency_ns; /* measured in the helper, around check alone */
	int32_t has_value;
	uint32_t reserved0;
};

struct hc_msg_log {
	struct hc_msg_hdr h;
	int32_t level;
	uint32_t reserved0;
};

/* A received message. Owns buf, which is wiped when freed (it may hold a
 * secret); str[] point into it. */
struct hc_msg {
	union {
		struct hc_msg_hdr h;
		struct hc_msg_init init;
		struct hc_msg_init_reply reply;
		struct hc_msg_check check;
		struct hc_msg_result result;
		struct hc_msg_log log;
	} u;
	const char *str[3];
	char *buf;
	size_t len;
};

/* Send one message: fixed (of fixed_size bytes; its header is filled in
 * here) and the strings its type carries. The strings go straight from
 * the caller's memory to the kernel: no copy of a secret is left behind.
 * flags: MSG_DONTWAIT or 0. Returns 0, or -1 with errno set. */
int hc_msg_send(int fd, enum hc_msg_type type, void *fixed, size_t fixed_size,
                const char *const *strs, int flags);

/* Receive one message into m. Returns 1, 0 at end of file (the peer is
 * gone), or -1 with a message in err: a read error or a message that
 * breaks the rules above. */
int hc_msg_recv(int fd, struct hc_msg *m, char *err, size_t errsz);

/* Wipe and free m's buffer. */
void hc_msg_free(struct hc_msg *m);

#endif
