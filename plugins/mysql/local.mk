# mysql plugin: log in and ping MariaDB/MySQL within the deadline.
if PLUGIN_MYSQL
plugin_LTLIBRARIES += plugins/mysql.la
plugins_mysql_la_SOURCES = plugins/mysql/mysql.c
plugins_mysql_la_CFLAGS = $(AM_CFLAGS) $(MYSQL_CFLAGS)
plugins_mysql_la_LIBADD = plugins/common/libplugutil.la $(MYSQL_LIBS)
plugins_mysql_la_LDFLAGS = $(PLUGIN_LDFLAGS)
endif
EXTRA_DIST += plugins/mysql/README.md plugins/mysql/packages tests/servers/mysql.sh
CLI_TESTS += tests/integration/mysql.sh
