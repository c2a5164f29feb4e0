/* SPDX-License-Identifier: MIT */
/*
 * The process plugin's cgroup v2 readers, on a directory tree that looks
 * like a cgroup2 mount (the test machines may have no cgroup v2
 * controllers to try them on).
 */
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

#include "../../plugins/process/cgroup.h"

static char root[256];

/* Write text to root/rel, making the directories on the way. */
static void put(const char *rel, const char *text)
{
	char path[512], *slash;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (slash = strchr(path + strlen(root) + 1, '/'); slash != NULL;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static int make_root(void **state)
{
	(void)state;
	unit_mkdtemp(root, sizeof(root), "hc-cgroup");
	return 0;
}

static void test_no_limit_files(void **state)
{
	struct cg_limits l;

	(void)state;
	put("plain/x/cgroup.procs", "1\n");
	cg_limits(root, "/plain/x", &l);
	assert_float_equal(l.memory_max, 0, 0);
	assert_float_equal(l.pids_max, 0, 0);
}

static void test_max_means_no_limit(void **state)
{
	struct cg_limits l;

	(void)state;
	put("open/memory.max", "max\n");
	put("open/pids.max", "max\n");
	put("open/pids.current", "7\n");
	cg_limits(root, "/open", &l);
	assert_float_equal(l.memory_max, 0, 0);
	assert_float_equal(l.pids_max, 0, 0);
}

static void test_own_limits(void **state)
{
	struct cg_limits l;

	(void)state;
	put("svc/memory.max", "536870912\n");
	put("svc/pids.max", "100\n");
	put("svc/pids.current", "40\n");
	cg_limits(root, "/svc", &l);
	assert_float_equal(l.memory_max, 536870912, 0);
	assert_float_equal(l.pids_max, 100, 0);
	assert_float_equal(l.pids_current, 40, 0);
}

static void test_an_ancestor_limit_holds(void **state)
{
	struct cg_limits l;

	(void)state;
	/* A Kubernetes pod: the limit on the pod, the container unlimited. */
	put("pod/memory.max", "1073741824\n");
	put("pod/pids.max", "50\n");
	put("pod/pids.current", "45\n");
	put("pod/ctr/memory.max", "max\n");
	put("pod/ctr/pids.max", "1000\n");
	put("pod/ctr/pids.current", "40\n");
	cg_limits(root, "/pod/ctr", &l);
	assert_float_equal(l.memory_max, 1073741824, 0);
	/* 45 of 50 on the pod is worse than 40 of 1000 in the container. */
	assert_float_equal(l.pids_max, 50, 0);
	assert_float_equal(l.pids_current, 45, 0);
}

static void test_the_smallest_memory_max_wins(void **state)
{
	struct cg_limits l;

	(void)state;
	put("big/memory.max", "2000000\n");
	put("big/small/memory.max", "1000000\n");
	cg_limits(root, "/big/small", &l);
	assert_float_equal(l.memory_max, 1000000, 0);
}

static void test_nothing_above_the_mount_is_read(void **state)
{
	char mount[512];
	struct cg_limits l;

	(void)state;
	/* A limit beside the mount point's directory is not the cgroup's. */
	put("outside/memory.max", "4096\n");
	put("outside/mnt/cg/cgroup.procs", "1\n");
	snprintf(mount, sizeof(mount), "%s/outside/mnt", root);
	cg_limits(mount, "/cg", &l);
	assert_float_equal(l.memory_max, 0, 0);
}

static void test_this_process_has_a_cgroup_line(void **state)
{
	char path[4096];

	(void)state;
	/* Every Linux since 4.5 has the "0::" line, even when v1 is mounted
	 * too; the path starts with '/'. */
	assert_int_equal(cg_of(0, path, sizeof(path)), 0);
	assert_int_equal(path[0], '/');
	assert_int_equal(cg_of(getpid(), path, sizeof(path)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_limit_files),
		cmocka_unit_test(test_max_means_no_limit),
		cmocka_unit_test(test_own_limits),
		cmocka_unit_test(test_an_ancestor_limit_holds),
		cmocka_unit_test(test_the_smallest_memory_max_wins),
		cmocka_unit_test(test_nothing_above_the_mount_is_read),
		cmocka_unit_test(test_this_process_has_a_cgroup_line),
	};

	return cmocka_run_group_tests(tests, make_root, NULL);
}
