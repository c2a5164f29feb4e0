# mongodb plugin: the ping command with libmongoc.
if PLUGIN_MONGODB
plugin_LTLIBRARIES += plugins/mongodb.la
plugins_mongodb_la_SOURCES = plugins/mongodb/mongodb.c
plugins_mongodb_la_CFLAGS = $(AM_CFLAGS) $(MONGODB_CFLAGS)
plugins_mongodb_la_LIBADD = plugins/common/libplugutil.la $(MONGODB_LIBS)
plugins_mongodb_la_LDFLAGS = $(PLUGIN_LDFLAGS)
# Its test runs against tests/tools/mongo_double, a wire-protocol double
# built with libbson (in MONGODB_CFLAGS/LIBS): Debian ships no MongoDB
# server. check_PROGRAMS is first set after this file is included, so the
# double is an EXTRA_PROGRAM that the test's log depends on: built by
# `make check`, before the test runs, and only when the plugin is. (The
# target is spelled through a variable so that automake keeps its own rule
# for the log instead of taking this line as an override.)
mongodb_test_log = tests/integration/mongodb.sh.log
$(mongodb_test_log): tests/tools/mongo_double$(EXEEXT)
endif
EXTRA_PROGRAMS = tests/tools/mongo_double
tests_tools_mongo_double_SOURCES = tests/tools/mongo_double.c
tests_tools_mongo_double_CFLAGS = $(AM_CFLAGS) $(MONGODB_CFLAGS)
tests_tools_mongo_double_LDADD = $(MONGODB_LIBS)
CLEANFILES += tests/tools/mongo_double$(EXEEXT)
EXTRA_DIST += plugins/mongodb/README.md plugins/mongodb/packages
CLI_TESTS += tests/integration/mongodb.sh
