# plugutil: helpers shared by the in-tree plugins. A convenience library,
# linked into each plugin that lists it in its _LIBADD: plugins may call
# nothing of the core, so shared code must be compiled into every plugin.
# Its objects are PIC (-fPIC): libtool builds them for the shared plugins.
noinst_LTLIBRARIES = plugins/common/libplugutil.la
plugins_common_libplugutil_la_SOURCES = plugins/common/plugutil.c \
	plugins/common/parse.c \
	plugins/common/plugutil.h \
	plugins/common/names.c plugins/common/names.h

# libpux509: certificate expiry, shared by the tls and credential plugins
# (x509.h). Built when either is, that is when OpenSSL is found.
if PLUGIN_TLS
noinst_LTLIBRARIES += plugins/common/libpux509.la
else
if PLUGIN_CREDENTIAL
noinst_LTLIBRARIES += plugins/common/libpux509.la
endif
endif
plugins_common_libpux509_la_SOURCES = plugins/common/x509.c \
	plugins/common/x509.h
plugins_common_libpux509_la_CFLAGS = $(AM_CFLAGS) $(TLS_CFLAGS) \
	$(CREDENTIAL_CFLAGS)
# floor(): gcc expands it inline, clang calls libm (and -z defs needs it named).
plugins_common_libpux509_la_LIBADD = -lm
