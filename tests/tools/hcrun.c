/* SPDX-License-Identifier: MIT */
/*
 * hcrun: keep one check instance alive across runs, for tests of plugins
 * that hold state between runs (persistent connections).
 *
 *   hcrun PLUGIN.so [KEY=VALUE]...
 *
 * Creates the instance as `healthcheckd --plugin` does (KEY=VALUE takes core
 * and plugin keys alike), then reads stdin: for every line it runs the check
 * once, bounded by its timeout, and prints "STATUS MESSAGE" (flushed). Exits
 * 0 at end of input, 2 after a call that never returned, 3 if the instance
 * cannot be made.
 */
#include "autoconfig.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "instance.h"
#include "loader.h"
#include "log.h"
#include "render.h"
#include "scheduler.h"

int main(int argc, char **argv)
{
	struct hc_config *cfg = hc_config_new();
	struct hc_errors errs = { 0 };
	struct hc_registry reg;
	struct hc_check_conf *chk = NULL;
	struct hc_instance *in = NULL;
	char line[256];
	bool stuck = false;

	if (argc < 2) {
		fprintf(stderr, "usage: hcrun PLUGIN.so [KEY=VALUE]...\n");
		return 3;
	}
	/* hiredis 0.14 writes without MSG_NOSIGNAL: a restarted server must
	 * not kill the test tool. */
	signal(SIGPIPE, SIG_IGN);
	hc_log_init(0);
	hc_registry_init(&reg, ".");
	chk = hc_plugin_check_conf(cfg, &reg, argv[1], argv + 2, (size_t)argc - 2, &errs);
	if (chk != NULL)
		hc_instance_create(chk, &reg, &in, &errs);
	if (errs.n > 0) {
		hc_errors_print(&errs, stderr);
		return 3;
	}
	while (!stuck && fgets(line, sizeof(line), stdin) != NULL) {
		struct hc_outcome out;

		hc_run_once(&in, 1, &out, &stuck);
		printf("%s %s\n", hc_status_name(out.status), out.message);
		fflush(stdout);
	}
	if (stuck)
		_exit(2); /* the call never returned: say so to the test */
	hc_instance_destroy(in);
	hc_registry_free(&reg);
	hc_errors_clear(&errs);
	hc_config_unref(cfg);
	return 0;
}
