# memcached plugin: `version` over a plain socket within the deadline.
# Needs no library (see plugins/memcached/README.md for why).
plugin_LTLIBRARIES += plugins/memcached.la
plugins_memcached_la_SOURCES = plugins/memcached/memcached.c
plugins_memcached_la_LIBADD = plugins/common/libplugutil.la
plugins_memcached_la_LDFLAGS = $(PLUGIN_LDFLAGS)
EXTRA_DIST += plugins/memcached/README.md plugins/memcached/packages \
	tests/servers/memcached.sh
CLI_TESTS += tests/integration/memcached.sh
