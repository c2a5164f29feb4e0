# End-to-end tests of the daemon over HTTP on loopback.
CLI_TESTS += \
	tests/e2e/endpoints.sh \
	tests/e2e/auth.sh \
	tests/e2e/health-json.sh \
	tests/e2e/metrics.sh \
	tests/e2e/hung.sh \
	tests/e2e/probe-rate.sh \
	tests/e2e/heartbeat.sh \
	tests/e2e/shutdown.sh \
	tests/e2e/reload.sh \
	tests/e2e/listen.sh \
	tests/e2e/abuse.sh \
	tests/e2e/tls.sh \
	tests/e2e/isolate.sh
EXTRA_DIST += tests/e2e/lib.sh
CLI_TESTS += tests/e2e/systemd.sh
# isolate.sh also runs --once under tests/tools/nopidfd (exec's local.mk
# builds it): the plugin host watched without a pidfd.
# (Through a variable, as exec's: automake would take the rule for its own.)
isolate_test_log = tests/e2e/isolate.sh.log
$(isolate_test_log): tests/tools/nopidfd$(EXEEXT)
# and holds a plugin host's death with tests/tools/holddeath (a tracer).
$(isolate_test_log): tests/tools/holddeath$(EXEEXT)
EXTRA_PROGRAMS += tests/tools/holddeath
tests_tools_holddeath_SOURCES = tests/tools/holddeath.c
CLEANFILES += tests/tools/holddeath$(EXEEXT)
# The status page in a real browser (chromium, playwright-core).
CLI_TESTS += tests/e2e/status-page.sh
EXTRA_DIST += tests/e2e/status-page.mjs
CLEANFILES += tests/e2e/status-page.png tests/e2e/status-page-320.png \
	tests/e2e/status-page-dark.png tests/e2e/status-page-nojs.png
