# redis plugin: connect, AUTH, SELECT, PING with hiredis.
if PLUGIN_REDIS
plugin_LTLIBRARIES += plugins/redis.la
plugins_redis_la_SOURCES = plugins/redis/redis.c
plugins_redis_la_CFLAGS = $(AM_CFLAGS) $(REDIS_CFLAGS)
plugins_redis_la_LIBADD = plugins/common/libplugutil.la $(REDIS_LIBS)
plugins_redis_la_LDFLAGS = $(PLUGIN_LDFLAGS)
endif
EXTRA_DIST += plugins/redis/README.md plugins/redis/packages tests/servers/redis.sh
CLI_TESTS += tests/integration/redis.sh
