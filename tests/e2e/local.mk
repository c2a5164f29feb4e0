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
	tests/e2e/isolate.sh
EXTRA_DIST += tests/e2e/lib.sh
CLI_TESTS += tests/e2e/systemd.sh
