# rabbitmq plugin: AMQP login, channel and queue check with librabbitmq.
if PLUGIN_RABBITMQ
plugin_LTLIBRARIES += plugins/rabbitmq.la
plugins_rabbitmq_la_SOURCES = plugins/rabbitmq/rabbitmq.c
plugins_rabbitmq_la_CFLAGS = $(AM_CFLAGS) $(RABBITMQ_CFLAGS)
plugins_rabbitmq_la_LIBADD = plugins/common/libplugutil.la $(RABBITMQ_LIBS)
plugins_rabbitmq_la_LDFLAGS = $(PLUGIN_LDFLAGS)
endif
EXTRA_DIST += plugins/rabbitmq/README.md plugins/rabbitmq/packages \
	tests/servers/rabbitmq.sh
CLI_TESTS += tests/integration/rabbitmq.sh
