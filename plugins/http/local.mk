# http plugin: one HTTP(S) request with libcurl, judged by status, body,
# latency and the downstream health document (healthdoc.c, with jansson).
# Built when configure finds libcurl.
if PLUGIN_HTTP
plugin_LTLIBRARIES += plugins/http.la
plugins_http_la_SOURCES = plugins/http/http.c plugins/http/healthdoc.c \
	plugins/http/healthdoc.h
plugins_http_la_CFLAGS = $(AM_CFLAGS) $(HTTP_CFLAGS)
plugins_http_la_LIBADD = plugins/common/libplugutil.la $(HTTP_LIBS)
plugins_http_la_LDFLAGS = $(PLUGIN_LDFLAGS)
endif
# The parser needs only jansson, which the core links too: its unit test
# runs even where libcurl is missing.
if HAVE_CMOCKA
UNIT_TESTS += tests/unit/test_healthdoc
tests_unit_test_healthdoc_SOURCES = tests/unit/test_healthdoc.c \
	plugins/http/healthdoc.c plugins/http/healthdoc.h
tests_unit_test_healthdoc_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_healthdoc_LDADD = $(UNIT_LDADD)
endif
EXTRA_DIST += plugins/http/README.md plugins/http/packages \
	tests/servers/django.sh tests/servers/fastapi.sh \
	tests/tools/httppeer.py tests/apps/probes.py tests/apps/fastapi/app.py \
	tests/apps/django/manage.py tests/apps/django/hcdemo/__init__.py \
	tests/apps/django/hcdemo/settings.py tests/apps/django/hcdemo/urls.py \
	tests/apps/django/hcdemo/views.py bench/http/run.sh bench/http/curldrive.c \
	bench/http/okserver.c
CLI_TESTS += tests/integration/http.sh tests/integration/http-apps.sh
