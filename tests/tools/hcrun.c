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
 * 0 at end of input, 3 if the instance cannot be made.
 */
#include "autoconfig.h"

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
	struct hc_where at = { "hcrun", 0 };
	struct hc_registry reg;
	struct hc_check_conf *chk = NULL;
	struct hc_instance *in = NULL;
	struct hc_module *m;
	char msg[1024], line[256];
	bool stuck = false;

	if (argc < 2) {
		fprintf(stderr, "usage: hcrun PLUGIN.so [KEY=VALUE]...\n");
		return 3;
	}
	hc_log_init(0);
	hc_registry_init(&reg, ".");
	m = hc_module_open(argv[1], msg, sizeof(msg));
	if (m == NULL) {
		fprintf(stderr, "%s\n", msg);
		return 3;
	}
	hc_registry_add(&reg, m);
	chk = hc_config_add_check(cfg, m->name, at, &errs);
	hc_check_set(chk, "plugin", m->name, at, &errs);
	for (int i = 2; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (eq == NULL) {
			fprintf(stderr, "hcrun: '%s' is not KEY=VALUE\n", argv[i]);
			return 3;
		}
		*eq = '\0';
		hc_check_set(chk, argv[i], eq + 1, at, &errs);
	}
	if (errs.n == 0)
		hc_check_finish(chk, &errs);
	if (errs.n == 0)
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
		_exit(0);
	hc_instance_destroy(in);
	hc_registry_free(&reg);
	hc_errors_clear(&errs);
	hc_config_unref(cfg);
	return 0;
}
