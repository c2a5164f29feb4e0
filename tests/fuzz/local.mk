# libFuzzer targets (configure --enable-fuzzing CC=clang): built by `make`,
# never run by `make check`; tests/fuzz/run.sh runs each for a bounded
# time over its corpus (tests/run does). Each target compiles the code it
# reaches itself, instrumented (HC_FUZZ_FLAGS); the core through an
# instrumented copy of libhccore.a.
FUZZ_CORPORA = tests/fuzz/corpus
EXTRA_DIST += tests/fuzz/README.md tests/fuzz/run.sh tests/fuzz/fuzz.h tests/fuzz/fuzz.c $(FUZZ_CORPORA) \
	tests/fuzz/fuzz_config.c tests/fuzz/fuzz_probe.c tests/fuzz/fuzz_perfdata.c \
	tests/fuzz/fuzz_words.c tests/fuzz/fuzz_healthdoc.c tests/fuzz/fuzz_credential.c \
	tests/fuzz/fuzz_x509.c tests/fuzz/fuzz_cgroup.c tests/fuzz/fuzz_procfs.c tests/fuzz/fuzz_plugutil.c \
	tests/fuzz/fuzz_http.c tests/fuzz/fuzz_html.c tests/fuzz/fuzz_hostproto.c
if ENABLE_FUZZING
FUZZ_CC_FLAGS = $(AM_CFLAGS) $(HC_FUZZ_FLAGS)
FUZZ_LD_FLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer,address,undefined
FUZZ_COMMON = tests/fuzz/fuzz.c tests/fuzz/fuzz.h
noinst_LIBRARIES += tests/fuzz/libfuzzcore.a
tests_fuzz_libfuzzcore_a_SOURCES = $(core_libhccore_a_SOURCES)
tests_fuzz_libfuzzcore_a_CFLAGS = $(core_libhccore_a_CFLAGS) $(HC_FUZZ_FLAGS)
core/tests_fuzz_libfuzzcore_a-status.$(OBJEXT): core/status_assets.inc
FUZZ_CORE_LIBS = tests/fuzz/libfuzzcore.a $(INIH_LIBS) $(JANSSON_LIBS) $(MHD_LIBS) \
	$(GNUTLS_LIBS) $(SYSTEMD_LIBS) -lm $(LIBS)
FUZZ_TARGETS = tests/fuzz/fuzz_config tests/fuzz/fuzz_probe tests/fuzz/fuzz_perfdata \
	tests/fuzz/fuzz_words tests/fuzz/fuzz_healthdoc tests/fuzz/fuzz_cgroup tests/fuzz/fuzz_procfs \
	tests/fuzz/fuzz_plugutil tests/fuzz/fuzz_http tests/fuzz/fuzz_html tests/fuzz/fuzz_hostproto

tests_fuzz_fuzz_config_SOURCES = tests/fuzz/fuzz_config.c $(FUZZ_COMMON)
tests_fuzz_fuzz_config_CFLAGS = $(FUZZ_CC_FLAGS) $(INIH_CFLAGS)
# The loader's glob() goes through the target's, which keeps it in its
# own directory.
tests_fuzz_fuzz_config_LDFLAGS = $(FUZZ_LD_FLAGS) -Wl,--wrap=glob
tests_fuzz_fuzz_config_LDADD = $(FUZZ_CORE_LIBS)

tests_fuzz_fuzz_probe_SOURCES = tests/fuzz/fuzz_probe.c $(FUZZ_COMMON)
tests_fuzz_fuzz_probe_CFLAGS = $(FUZZ_CC_FLAGS) $(JANSSON_CFLAGS)
tests_fuzz_fuzz_probe_LDFLAGS = $(FUZZ_LD_FLAGS)
tests_fuzz_fuzz_probe_LDADD = $(FUZZ_CORE_LIBS)

# The server in process, on a loopback port: routing, queries, heartbeats.
tests_fuzz_fuzz_http_SOURCES = tests/fuzz/fuzz_http.c $(FUZZ_COMMON)
tests_fuzz_fuzz_http_CFLAGS = $(FUZZ_CC_FLAGS) $(MHD_CFLAGS) $(JANSSON_CFLAGS)
tests_fuzz_fuzz_http_LDFLAGS = $(FUZZ_LD_FLAGS)
tests_fuzz_fuzz_http_LDADD = $(FUZZ_CORE_LIBS)

# The status page's HTML escaper.
tests_fuzz_fuzz_html_SOURCES = tests/fuzz/fuzz_html.c $(FUZZ_COMMON)
tests_fuzz_fuzz_html_CFLAGS = $(FUZZ_CC_FLAGS)
tests_fuzz_fuzz_html_LDFLAGS = $(FUZZ_LD_FLAGS)
tests_fuzz_fuzz_html_LDADD = $(FUZZ_CORE_LIBS)

tests_fuzz_fuzz_hostproto_SOURCES = tests/fuzz/fuzz_hostproto.c $(FUZZ_COMMON)
tests_fuzz_fuzz_hostproto_CFLAGS = $(FUZZ_CC_FLAGS)
tests_fuzz_fuzz_hostproto_LDFLAGS = $(FUZZ_LD_FLAGS)
tests_fuzz_fuzz_hostproto_LDADD = $(FUZZ_CORE_LIBS)

tests_fuzz_fuzz_perfdata_SOURCES = tests/fuzz/fuzz_perfdata.c $(FUZZ_COMMON) \
	plugins/exec/perfdata.c
tests_fuzz_fuzz_perfdata_CFLAGS = $(FUZZ_CC_FLAGS)
tests_fuzz_fuzz_perfdata_LDFLAGS = $(FUZZ_LD_FLAGS)

tests_fuzz_fuzz_words_SOURCES = tests/fuzz/fuzz_words.c $(FUZZ_COMMON) plugins/exec/words.c
tests_fuzz_fuzz_words_CFLAGS = $(FUZZ_CC_FLAGS)
tests_fuzz_fuzz_words_LDFLAGS = $(FUZZ_LD_FLAGS)

tests_fuzz_fuzz_healthdoc_SOURCES = tests/fuzz/fuzz_healthdoc.c $(FUZZ_COMMON) \
	plugins/http/healthdoc.c
tests_fuzz_fuzz_healthdoc_CFLAGS = $(FUZZ_CC_FLAGS) $(JANSSON_CFLAGS)
tests_fuzz_fuzz_healthdoc_LDFLAGS = $(FUZZ_LD_FLAGS)
tests_fuzz_fuzz_healthdoc_LDADD = $(JANSSON_LIBS)

tests_fuzz_fuzz_cgroup_SOURCES = tests/fuzz/fuzz_cgroup.c $(FUZZ_COMMON) \
	plugins/process/cgroup.c plugins/process/procfs.c
tests_fuzz_fuzz_cgroup_CFLAGS = $(FUZZ_CC_FLAGS)
tests_fuzz_fuzz_cgroup_LDFLAGS = $(FUZZ_LD_FLAGS)

tests_fuzz_fuzz_procfs_SOURCES = tests/fuzz/fuzz_procfs.c $(FUZZ_COMMON) \
	plugins/process/procfs.c
tests_fuzz_fuzz_procfs_CFLAGS = $(FUZZ_CC_FLAGS)
tests_fuzz_fuzz_procfs_LDFLAGS = $(FUZZ_LD_FLAGS)

tests_fuzz_fuzz_plugutil_SOURCES = tests/fuzz/fuzz_plugutil.c $(FUZZ_COMMON) \
	plugins/common/plugutil.c plugins/common/parse.c
tests_fuzz_fuzz_plugutil_CFLAGS = $(FUZZ_CC_FLAGS) -I$(top_srcdir)/plugins/common
tests_fuzz_fuzz_plugutil_LDFLAGS = $(FUZZ_LD_FLAGS)
tests_fuzz_fuzz_plugutil_LDADD = -lm

# The JWT/OAuth parsers and the PEM loader need jansson and libcrypto,
# found for the credential plugin.
if PLUGIN_CREDENTIAL
FUZZ_TARGETS += tests/fuzz/fuzz_credential tests/fuzz/fuzz_x509
tests_fuzz_fuzz_credential_SOURCES = tests/fuzz/fuzz_credential.c $(FUZZ_COMMON) \
	plugins/credential/expiry.c
tests_fuzz_fuzz_credential_CFLAGS = $(FUZZ_CC_FLAGS) $(CREDENTIAL_CFLAGS)
tests_fuzz_fuzz_credential_LDFLAGS = $(FUZZ_LD_FLAGS)
tests_fuzz_fuzz_credential_LDADD = $(CREDENTIAL_LIBS)

tests_fuzz_fuzz_x509_SOURCES = tests/fuzz/fuzz_x509.c $(FUZZ_COMMON) \
	plugins/common/x509.c plugins/common/plugutil.c plugins/common/parse.c
tests_fuzz_fuzz_x509_CFLAGS = $(FUZZ_CC_FLAGS) $(CREDENTIAL_CFLAGS) \
	-I$(top_srcdir)/plugins/common
tests_fuzz_fuzz_x509_LDFLAGS = $(FUZZ_LD_FLAGS)
tests_fuzz_fuzz_x509_LDADD = $(CREDENTIAL_LIBS) -lm
endif
noinst_PROGRAMS = $(FUZZ_TARGETS)
endif
