# azureblob plugin: Get Container Properties, SharedKey (OpenSSL's HMAC) or
# SAS, over libcurl.
if PLUGIN_AZUREBLOB
plugin_LTLIBRARIES += plugins/azureblob.la
plugins_azureblob_la_SOURCES = plugins/azureblob/azureblob.c
plugins_azureblob_la_CFLAGS = $(AM_CFLAGS) $(AZUREBLOB_CFLAGS)
plugins_azureblob_la_LIBADD = plugins/common/libpucurl.la \
	plugins/common/libplugutil.la $(AZUREBLOB_LIBS)
plugins_azureblob_la_LDFLAGS = $(PLUGIN_LDFLAGS)
endif
EXTRA_DIST += plugins/azureblob/README.md plugins/azureblob/packages \
	tests/servers/azurite.sh tests/tools/azblob.py
CLI_TESTS += tests/integration/azureblob.sh
