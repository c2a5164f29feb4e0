# pucurl: the libcurl plumbing of the HTTP-speaking plugins (s3, azureblob,
# http), a convenience library like plugutil, built when libcurl is found.
if HAVE_CURL
noinst_LTLIBRARIES += plugins/common/libpucurl.la
plugins_common_libpucurl_la_SOURCES = plugins/common/curlreq.c \
	plugins/common/curlreq.h
plugins_common_libpucurl_la_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS)
plugins_common_libpucurl_la_LIBADD = $(CURL_LIBS)
endif
