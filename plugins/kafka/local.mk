# kafka plugin: a cluster metadata request through librdkafka within the
# deadline. Built when configure finds librdkafka (pkg-config rdkafka).
if PLUGIN_KAFKA
plugin_LTLIBRARIES += plugins/kafka.la
plugins_kafka_la_SOURCES = plugins/kafka/kafka.c
plugins_kafka_la_CFLAGS = $(AM_CFLAGS) $(KAFKA_CFLAGS)
plugins_kafka_la_LIBADD = plugins/common/libplugutil.la $(KAFKA_LIBS)
plugins_kafka_la_LDFLAGS = $(PLUGIN_LDFLAGS)
# Its test runs against tests/tools/kafka_mock, librdkafka's own mock
# cluster: Debian ships no Kafka server. As for mongo_double (see
# plugins/mongodb/local.mk), the mock is an EXTRA_PROGRAM that the test's
# log depends on: built by `make check`, before the test runs, and only
# when the plugin is.
kafka_test_log = tests/integration/kafka.sh.log
$(kafka_test_log): tests/tools/kafka_mock$(EXEEXT)
endif
EXTRA_PROGRAMS += tests/tools/kafka_mock
tests_tools_kafka_mock_SOURCES = tests/tools/kafka_mock.c
tests_tools_kafka_mock_CFLAGS = $(AM_CFLAGS) $(KAFKA_CFLAGS)
tests_tools_kafka_mock_LDADD = $(KAFKA_LIBS)
CLEANFILES += tests/tools/kafka_mock$(EXEEXT)
EXTRA_DIST += plugins/kafka/README.md plugins/kafka/packages \
	bench/kafka/run.sh bench/kafka/kdrive.c
CLI_TESTS += tests/integration/kafka.sh
