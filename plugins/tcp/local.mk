# tcp plugin: a TCP connect within the deadline. Needs no library.
plugin_LTLIBRARIES += plugins/tcp.la
plugins_tcp_la_SOURCES = plugins/tcp/tcp.c
plugins_tcp_la_LIBADD = plugins/common/libplugutil.la
plugins_tcp_la_LDFLAGS = $(PLUGIN_LDFLAGS)
EXTRA_DIST += plugins/tcp/README.md plugins/tcp/packages
CLI_TESTS += tests/cli/plugin-tcp.sh
