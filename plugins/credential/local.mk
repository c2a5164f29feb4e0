# credential plugin: expiry of a JWT, OAuth token JSON or PEM certificate
# file, with jansson and the shared x509 code (OpenSSL). Built when
# configure finds both.
if PLUGIN_CREDENTIAL
plugin_LTLIBRARIES += plugins/credential.la
plugins_credential_la_SOURCES = plugins/credential/credential.c \
	plugins/credential/expiry.c plugins/credential/expiry.h
plugins_credential_la_CFLAGS = $(AM_CFLAGS) $(CREDENTIAL_CFLAGS)
plugins_credential_la_LIBADD = plugins/common/libpux509.la \
	plugins/common/libplugutil.la $(CREDENTIAL_LIBS)
plugins_credential_la_LDFLAGS = $(PLUGIN_LDFLAGS)
if HAVE_CMOCKA
# The token parsers, fed text directly.
UNIT_TESTS += tests/unit/test_credential
tests_unit_test_credential_SOURCES = tests/unit/test_credential.c \
	plugins/credential/expiry.c plugins/credential/expiry.h
tests_unit_test_credential_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) \
	$(CREDENTIAL_CFLAGS)
tests_unit_test_credential_LDADD = $(CMOCKA_LIBS) $(CREDENTIAL_LIBS)
endif
endif
EXTRA_DIST += plugins/credential/README.md plugins/credential/packages
CLI_TESTS += tests/integration/credential.sh
