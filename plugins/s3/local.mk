# s3 plugin: HEAD a bucket, SigV4-signed by libcurl.
if PLUGIN_S3
plugin_LTLIBRARIES += plugins/s3.la
plugins_s3_la_SOURCES = plugins/s3/s3.c
plugins_s3_la_CFLAGS = $(AM_CFLAGS) $(S3_CFLAGS)
plugins_s3_la_LIBADD = plugins/common/libpucurl.la plugins/common/libplugutil.la \
	$(S3_LIBS)
plugins_s3_la_LDFLAGS = $(PLUGIN_LDFLAGS)
endif
EXTRA_DIST += plugins/s3/README.md plugins/s3/packages tests/servers/s3rver.sh \
	tests/package.json tests/package-lock.json tests/tools/capture_peer.py \
	tests/tools/sigv4_verify.py
CLI_TESTS += tests/integration/s3.sh tests/integration/s3-capture.sh
