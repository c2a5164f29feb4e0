# End-to-end tests of the daemon over HTTP on loopback.
CLI_TESTS += \
	tests/e2e/endpoints.sh \
	tests/e2e/auth.sh \
	tests/e2e/health-json.sh \
	tests/e2e/metrics.sh
EXTRA_DIST += tests/e2e/lib.sh
