# mysql plugin: log in and ping MariaDB/MySQL within the deadline.
if PLUGIN_MYSQL
plugin_LTLIBRARIES += plugins/mysql.la
plugins_mysql_la_SOURCES = plugins/mysql/mysql.c
plugins_mysql_la_CFLAGS = $(AM_CFLAGS) $(MYSQL_CFLAGS)
plugins_mysql_la_LIBADD = $(MYSQL_LIBS)
# -z nodelete: libmariadb's one-time global set-up (mysql_library_init)
# cannot be undone and redone safely, so the plugin and the library stay
# mapped when the core unloads plugins at exit; its memory stays reachable
# instead of turning into leaks that LeakSanitizer reports.
plugins_mysql_la_LDFLAGS = $(PLUGIN_LDFLAGS) -Wl,-z,nodelete
endif
EXTRA_DIST += plugins/mysql/README.md plugins/mysql/packages tests/servers/mysql.sh
CLI_TESTS += tests/integration/mysql.sh
