# End-to-end tests of the daemon over HTTP on loopback.
CLI_TESTS += \
	tests/e2e/endpoints.sh
EXTRA_DIST += tests/e2e/lib.sh
