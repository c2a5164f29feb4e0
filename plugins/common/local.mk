# plugutil: helpers shared by the in-tree plugins. A convenience library,
# linked into each plugin that lists it in its _LIBADD: plugins may call
# nothing of the core, so shared code must be compiled into every plugin.
# Its objects are PIC (-fPIC): libtool builds them for the shared plugins.
noinst_LTLIBRARIES = plugins/common/libplugutil.la
plugins_common_libplugutil_la_SOURCES = plugins/common/plugutil.c \
	plugins/common/parse.c \
	plugins/common/plugutil.h
