# process plugin: open files, threads and memory of a process (or of this
# daemon's cgroup) against their limits, from /proc. Needs no library.
plugin_LTLIBRARIES += plugins/process.la
plugins_process_la_SOURCES = plugins/process/process.c \
	plugins/process/cgroup.c plugins/process/cgroup.h \
	plugins/process/procfs.c plugins/process/procfs.h
plugins_process_la_LIBADD = plugins/common/libplugutil.la
plugins_process_la_LDFLAGS = $(PLUGIN_LDFLAGS)
EXTRA_DIST += plugins/process/README.md plugins/process/packages
CLI_TESTS += tests/integration/process.sh
# Its test's helper: a process whose descriptors and threads the test sets.
# check_PROGRAMS is first set after this file is included, so it is an
# EXTRA_PROGRAM that the test's log depends on (as mongo_double is).
process_test_log = tests/integration/process.sh.log
$(process_test_log): tests/tools/fdhog$(EXEEXT)
EXTRA_PROGRAMS += tests/tools/fdhog
tests_tools_fdhog_SOURCES = tests/tools/fdhog.c
tests_tools_fdhog_LDADD = $(LIBS)
CLEANFILES += tests/tools/fdhog$(EXEEXT)
# Unit tests of the cgroup v2 readers on a fake tree, and of the /proc
# text parsers.
if HAVE_CMOCKA
UNIT_TESTS += tests/unit/test_cgroup
tests_unit_test_cgroup_SOURCES = tests/unit/test_cgroup.c \
	plugins/process/cgroup.c plugins/process/procfs.c
tests_unit_test_cgroup_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_cgroup_LDADD = $(CMOCKA_LIBS)
UNIT_TESTS += tests/unit/test_procfs
tests_unit_test_procfs_SOURCES = tests/unit/test_procfs.c plugins/process/procfs.c
tests_unit_test_procfs_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_procfs_LDADD = $(CMOCKA_LIBS)
endif
