# postgres plugin: libpq's non-blocking connect and SELECT 1 within the
# deadline. Built when configure finds libpq.
if PLUGIN_POSTGRES
plugin_LTLIBRARIES += plugins/postgres.la
plugins_postgres_la_SOURCES = plugins/postgres/postgres.c
plugins_postgres_la_CFLAGS = $(AM_CFLAGS) $(POSTGRES_CFLAGS)
plugins_postgres_la_LIBADD = plugins/common/libplugutil.la $(POSTGRES_LIBS)
plugins_postgres_la_LDFLAGS = $(PLUGIN_LDFLAGS)
endif
EXTRA_DIST += plugins/postgres/README.md plugins/postgres/packages \
	tests/servers/postgres.sh bench/postgres/run.sh bench/postgres/pgdrive.c
CLI_TESTS += tests/integration/postgres.sh
