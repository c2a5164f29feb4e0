# exec plugin: runs a Nagios/monitoring-plugins command (exit code, first
# line, performance data). Needs no library.
plugin_LTLIBRARIES += plugins/exec.la
plugins_exec_la_SOURCES = plugins/exec/exec.c \
	plugins/exec/perfdata.c plugins/exec/perfdata.h \
	plugins/exec/spawn.c plugins/exec/spawn.h \
	plugins/exec/words.c plugins/exec/words.h
plugins_exec_la_LIBADD = plugins/common/libplugutil.la
plugins_exec_la_LDFLAGS = $(PLUGIN_LDFLAGS)
EXTRA_DIST += plugins/exec/README.md plugins/exec/packages \
	bench/exec/run.sh bench/exec/execdrive.c
CLI_TESTS += tests/integration/exec.sh tests/integration/exec-daemon.sh
# exec.sh also runs the plugin under tests/tools/nopidfd (pidfd_open fails,
# as under an old seccomp profile). check_PROGRAMS is first set after this
# file is included, so it is an EXTRA_PROGRAM that the test's log depends
# on (as mongo_double is).
exec_test_log = tests/integration/exec.sh.log
$(exec_test_log): tests/tools/nopidfd$(EXEEXT)
EXTRA_PROGRAMS += tests/tools/nopidfd
tests_tools_nopidfd_SOURCES = tests/tools/nopidfd.c
CLEANFILES += tests/tools/nopidfd$(EXEEXT)
# Unit tests of the perfdata parser and of the argv splitter.
if HAVE_CMOCKA
UNIT_TESTS += tests/unit/test_perfdata tests/unit/test_words
tests_unit_test_perfdata_SOURCES = tests/unit/test_perfdata.c \
	plugins/exec/perfdata.c
tests_unit_test_perfdata_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_perfdata_LDADD = $(CMOCKA_LIBS)
tests_unit_test_words_SOURCES = tests/unit/test_words.c plugins/exec/words.c
tests_unit_test_words_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_words_LDADD = $(CMOCKA_LIBS)
endif
