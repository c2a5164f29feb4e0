# disk plugin: free space against thresholds. Needs no library.
plugin_LTLIBRARIES += plugins/disk.la
plugins_disk_la_SOURCES = plugins/disk/disk.c
plugins_disk_la_LIBADD = plugins/common/libplugutil.la
plugins_disk_la_LDFLAGS = $(PLUGIN_LDFLAGS)
EXTRA_DIST += plugins/disk/README.md plugins/disk/packages
CLI_TESTS += tests/cli/plugin-disk.sh
