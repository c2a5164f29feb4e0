/* SPDX-License-Identifier: MIT */
/* Unit tests of core/hostproto.c: the plugin-host protocol's size and version rules. */
#include "autoconfig.h"

#include "unit.h"

#include <sys/socket.h>

#include "hostproto.h"

static char err[256];

static void pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
}

static void a_result_round_trips(void **state)
{
	struct hc_msg_result res = { .rc = 0, .status = 1, .value = 42.5, .has_value = 1 };
	const char *s[3] = { "degraded", "%", "utilization" };
	struct hc_msg m;
	int sv[2];

	(void)state;
	pair(sv);
	assert_int_equal(hc_msg_send(sv[0], HC_MSG_RESULT, &res, sizeof(res), s, 0), 0);
	assert_int_equal(hc_msg_recv(sv[1], &m, err, sizeof(err)), 1);
	assert_int_equal(m.u.h.type, HC_MSG_RESULT);
	assert_int_equal(m.u.result.status, 1);
	assert_true(m.u.result.value == 42.5);
	assert_string_equal(m.str[0], "degraded");
	assert_string_equal(m.str[1], "%");
	assert_string_equal(m.str[2], "utilization");
	hc_msg_free(&m);
	close(sv[0]);
	assert_int_equal(hc_msg_recv(sv[1], &m, err, sizeof(err)), 0);
	close(sv[1]);
}

/* Send raw bytes as one datagram and expect them refused with want. */
static void refused(const void *buf, size_t len, const char *want)
{
	struct hc_msg m;
	int sv[2];

	pair(sv);
	assert_int_equal(send(sv[0], buf, len, 0), (ssize_t)len);
	assert_int_equal(hc_msg_recv(sv[1], &m, err, sizeof(err)), -1);
	assert_string_equal(err, want);
	assert_null(m.buf);
	close(sv[0]);
	close(sv[1]);
}

static struct hc_msg_hdr header(uint16_t major, uint32_t type, uint32_t size)
{
	return (struct hc_msg_hdr){ HC_PROTO_MAGIC, major, HC_PROTO_MINOR, type, size };
}

static void another_major_is_refused(void **state)
{
	struct hc_msg_hdr h = header(2, HC_MSG_TEARDOWN, sizeof(h));

	(void)state;
	refused(&h, sizeof(h), "protocol 2.0 (magic 0x48435048), this healthcheckd speaks 1.0");
}

static void a_fixed_part_shorter_than_1_0_is_refused(void **state)
{
	struct hc_msg_check mc = { .h = header(1, HC_MSG_CHECK, sizeof(mc) - 8) };

	(void)state;
	refused(&mc, sizeof(mc), "a message of type 4 and size 32 in 40 bytes");
}

static void a_missing_string_is_refused(void **state)
{
	struct {
		struct hc_msg_log ml;
		char text[4];
	} msg = { { .h = header(1, HC_MSG_LOG, sizeof(struct hc_msg_log)) }, { 'a', 'b', 'c', 'd' } };

	(void)state;
	refused(&msg, sizeof(msg), "a message of type 6 lacks string 1");
}

/* A newer minor appends members: they are skipped, the strings found after
 * them, what both know read. */
static void a_newer_minors_longer_part_is_read(void **state)
{
	struct {
		struct hc_msg_log ml;
		uint64_t appended;
		char text[6];
	} msg = { { .h = header(1, HC_MSG_LOG, sizeof(struct hc_msg_log) + 8), .level = 4 },
		  7,
		  "hello" };
	struct hc_msg m;
	int sv[2];

	(void)state;
	msg.ml.h.minor = HC_PROTO_MINOR + 1;
	pair(sv);
	assert_int_equal(send(sv[0], &msg, sizeof(msg), 0), (ssize_t)sizeof(msg));
	assert_int_equal(hc_msg_recv(sv[1], &m, err, sizeof(err)), 1);
	assert_int_equal(m.u.log.level, 4);
	assert_string_equal(m.str[0], "hello");
	hc_msg_free(&m);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_result_round_trips),
		cmocka_unit_test(another_major_is_refused),
		cmocka_unit_test(a_fixed_part_shorter_than_1_0_is_refused),
		cmocka_unit_test(a_missing_string_is_refused),
		cmocka_unit_test(a_newer_minors_longer_part_is_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
