# tls plugin: days until a certificate expires, of a PEM file or of a TLS
# endpoint, with OpenSSL. Built when configure finds OpenSSL.
if PLUGIN_TLS
plugin_LTLIBRARIES += plugins/tls.la
plugins_tls_la_SOURCES = plugins/tls/tls.c
plugins_tls_la_CFLAGS = $(AM_CFLAGS) $(TLS_CFLAGS)
plugins_tls_la_LIBADD = plugins/common/libpux509.la \
	plugins/common/libplugutil.la $(TLS_LIBS)
plugins_tls_la_LDFLAGS = $(PLUGIN_LDFLAGS)
endif
EXTRA_DIST += plugins/tls/README.md plugins/tls/packages tests/tools/certs.sh \
	bench/tls/run.sh bench/tls/tlsdrive.c
CLI_TESTS += tests/integration/tls.sh
