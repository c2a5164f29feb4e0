# postgres plugin: libpq's non-blocking connect and SELECT 1 within the
# deadline. Built when configure finds libpq.
if PLUGIN_POSTGRES
plugin_LTLIBRARIES += plugins/postgres.la
plugins_postgres_la_SOURCES = plugins/postgres/postgres.c
plugins_postgres_la_CFLAGS = $(AM_CFLAGS) $(POSTGRES_CFLAGS)
plugins_postgres_la_LIBADD = $(POSTGRES_LIBS)
# nodelete: libpq brings Kerberos and OpenSSL, which register thread-exit
# handlers. The core dlcloses plugins at exit, when a detached worker thread
# may still be ending: unmapping that code under it could crash, and it
# orphans their per-thread state (LeakSanitizer saw it). The core never
# reloads a library, so keeping this one mapped costs nothing.
plugins_postgres_la_LDFLAGS = $(PLUGIN_LDFLAGS) -Wl,-z,nodelete
endif
EXTRA_DIST += plugins/postgres/README.md plugins/postgres/packages \
	tests/servers/postgres.sh bench/postgres/run.sh bench/postgres/pgdrive.c
CLI_TESTS += tests/integration/postgres.sh
