/* SPDX-License-Identifier: MIT */
/* The process plugin's parsers of /proc text (plugins/process/procfs.c). */
#include <errno.h>

#include "unit.h"

#include "../../plugins/process/procfs.h"

static void test_stat_name_with_parentheses_and_blanks(void **state)
{
	struct pf_stat st;

	(void)state;
	assert_int_equal(pf_stat_parse("1234 (a) b) (c) S 1 1 1 0 -1 4194560 100 0 0 0 0 0 0 0 "
	                               "20 0 3 0 12345 1000000 250 18446744073709551615\n",
	                               &st),
	                 0);
	assert_string_equal(st.comm, "a) b) (c");
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.threads, 3);
	assert_int_equal(st.start, 12345);
	assert_int_equal(st.rss_pages, 250);
}

static void test_stat_long_name_is_cut(void **state)
{
	struct pf_stat st;

	(void)state;
	assert_int_equal(pf_stat_parse("9 (a-name-longer-than-sixteen) R 1 1 1 0 -1 0 0 0 0 0 0 "
	                               "0 0 0 20 0 1 0 7 0 2\n",
	                               &st),
	                 0);
	assert_string_equal(st.comm, "a-name-longer-t");
}

static void test_stat_malformed(void **state)
{
	struct pf_stat st;

	(void)state;
	assert_int_equal(pf_stat_parse("", &st), EIO);
	assert_int_equal(pf_stat_parse("1 )x( S 1", &st), EIO);
	assert_int_equal(pf_stat_parse("1 (x) S 1 1 1", &st), EIO); /* cut short */
}

static void test_stat_of_this_process(void **state)
{
	char buf[1024];
	struct pf_stat st;
	FILE *fp = fopen("/proc/self/stat", "r");
	size_t n;

	(void)state;
	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	assert_int_equal(pf_stat_parse(buf, &st), 0);
	assert_int_equal(st.state, 'R');
	assert_true(st.threads >= 1);
	assert_true(st.rss_pages > 0);
}

static void test_nofile(void **state)
{
	static const char head[] = "Limit                     Soft Limit           Hard Limit  "
	                           "         Units     \n";
	char text[512];
	double limit = -1;

	(void)state;
	snprintf(text, sizeof(text),
	         "%sMax open files            1024                 524288               files     \n",
	         head);
	assert_int_equal(pf_nofile_parse(text, &limit), 0);
	assert_float_equal(limit, 1024, 0);
	snprintf(text, sizeof(text),
	         "%sMax open files            unlimited            unlimited            files     \n",
	         head);
	assert_int_equal(pf_nofile_parse(text, &limit), 0);
	assert_float_equal(limit, 0, 0);
	snprintf(text, sizeof(text), "%sMax open files            lots\n", head);
	assert_int_equal(pf_nofile_parse(text, &limit), EIO);
	assert_int_equal(pf_nofile_parse(head, &limit), EIO);
}

static void test_mountinfo(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(pf_mountinfo_cgroup2("41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - "
	                                      "cgroup2 cgroup2 rw\n",
	                                      buf, sizeof(buf)),
	                 0);
	assert_string_equal(buf, "/sys/fs/cgroup/unified");
	assert_int_equal(pf_mountinfo_cgroup2("30 25 0:26 / /sys/fs/cgroup/pids rw - cgroup cgroup "
	                                      "rw,pids\n",
	                                      buf, sizeof(buf)),
	                 ENOENT);
	assert_int_equal(pf_mountinfo_cgroup2(
	                         "41 31 0:38 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", buf, 8),
	                 ENAMETOOLONG);
}

static void test_cgroup_v2_path(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(pf_cgroup_v2_path("0::/system.slice/a.service\n", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/system.slice/a.service");
	/* Hybrid: v1 lines first, the v2 line last, without a newline. */
	assert_int_equal(
	        pf_cgroup_v2_path("4:memory:/x\n1:name=systemd:/y\n0::/z", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/z");
	assert_int_equal(pf_cgroup_v2_path("4:memory:/x\n", buf, sizeof(buf)), ENOENT);
	assert_int_equal(pf_cgroup_v2_path("0::/a-long-path\n", buf, 4), ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stat_name_with_parentheses_and_blanks),
		cmocka_unit_test(test_stat_long_name_is_cut),
		cmocka_unit_test(test_stat_malformed),
		cmocka_unit_test(test_stat_of_this_process),
		cmocka_unit_test(test_nofile),
		cmocka_unit_test(test_mountinfo),
		cmocka_unit_test(test_cgroup_v2_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
