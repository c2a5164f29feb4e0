/* SPDX-License-Identifier: MIT */
/* The healthcheckd command line: -t, --once, --plugin, --list-plugins. */
#include "autoconfig.h"

#include <dirent.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "heartbeat.h"
#include "instance.h"
#include "isolate.h"
#include "loader.h"
#include "log.h"
#include "pluginhost.h"
#include "render.h"
#include "scheduler.h"
#include "tls.h"
#include "token.h"
#include "xalloc.h"

#define DEFAULT_CONFIG HC_SYSCONFDIR "/healthcheckd/healthcheckd.ini"

/* --once exit codes, the monitoring-plugins convention. */
enum { EXIT_PASS = 0, EXIT_WARN = 1, EXIT_FAIL = 2, EXIT_CONFIG = 3 };

enum mode { MODE_SERVE, MODE_TEST, MODE_ONCE, MODE_LIST, MODE_VERSION, MODE_HELP };

struct options {
	enum mode mode;
	const char *config;
	const char *plugin; /* --plugin PATH */
	const char *plugin_dir;
	char **sets; /* --set KEY=VALUE */
	size_t n_sets;
	char **only; /* --check NAME */
	size_t n_only;
	bool json;
	bool docker;
	int verbose;
};

static void usage(FILE *fp)
{
	fprintf(fp,
	        "Usage: healthcheckd [-c FILE] [-v]          serve the health endpoints\n"
	        "       healthcheckd -t [-c FILE]             check the configuration\n"
	        "       healthcheckd --once [-c FILE] [--check NAME]... [--format text|json]\n"
	        "                        [--exit-codes nagios|docker]\n"
	        "       healthcheckd --plugin PATH [--set KEY=VALUE]... --once|-t\n"
	        "       healthcheckd --list-plugins [-c FILE]\n"
	        "\n"
	        "  -c, --config FILE       configuration (default %s)\n"
	        "  -t, --test              parse, load plugins and init every check\n"
	        "                          (no network I/O); print \"configuration OK\"\n"
	        "      --once              run the checks once, in parallel; exit 0 pass,\n"
	        "                          1 warn, 2 fail, 3 configuration or usage error\n"
	        "      --check NAME        with --once: only this check (repeatable)\n"
	        "      --format FORMAT     with --once: text (default) or json (/health)\n"
	        "      --exit-codes KIND   nagios (default) or docker: pass/warn 0, else 1\n"
	        "      --plugin PATH       run one plugin file without a config file\n"
	        "      --set KEY=VALUE     with --plugin: a key of the check, the plugin's\n"
	        "                          or the core's (timeout, severity...)\n"
	        "      --plugin-dir DIR    plugin directory (or HEALTHCHECKD_PLUGIN_DIR;\n"
	        "                          default %s)\n"
	        "      --list-plugins      describe every plugin in the plugin directory\n"
	        "  -v, --verbose           debug logging\n"
	        "  -V, --version           version, plugin ABI and bundled plugins\n"
	        "  -h, --help              this help\n",
	        DEFAULT_CONFIG, HC_PLUGINDIR);
}

static void push(char ***list, size_t *n, char *s)
{
	*list = hc_xreallocarray(*list, *n + 1, sizeof(**list));
	(*list)[(*n)++] = s;
}

enum {
	OPT_ONCE = 256,
	OPT_CHECK,
	OPT_FORMAT,
	OPT_EXIT_CODES,
	OPT_PLUGIN,
	OPT_SET,
	OPT_PLUGIN_DIR,
	OPT_LIST
};

/* Take option c (getopt_long's return) with optarg into o. Returns 0, or
 * -1 after printing a usage error. */
static int take_option(int c, struct options *o)
{
	switch (c) {
	case 'c':
		o->config = optarg;
		break;
	case 't':
		o->mode = MODE_TEST;
		break;
	case OPT_ONCE:
		o->mode = MODE_ONCE;
		break;
	case OPT_CHECK:
		push(&o->only, &o->n_only, optarg);
		break;
	case OPT_FORMAT:
		if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0) {
			fprintf(stderr, "healthcheckd: --format: '%s' is not text or json\n", optarg);
			return -1;
		}
		o->json = strcmp(optarg, "json") == 0;
		break;
	case OPT_EXIT_CODES:
		if (strcmp(optarg, "nagios") != 0 && strcmp(optarg, "docker") != 0) {
			fprintf(stderr, "healthcheckd: --exit-codes: '%s' is not nagios or docker\n",
			        optarg);
			return -1;
		}
		o->docker = strcmp(optarg, "docker") == 0;
		break;
	case OPT_PLUGIN:
		o->plugin = optarg;
		break;
	case OPT_SET:
		if (strchr(optarg, '=') == NULL || optarg[0] == '=') {
			fprintf(stderr, "healthcheckd: --set: '%s' is not KEY=VALUE\n", optarg);
			return -1;
		}
		push(&o->sets, &o->n_sets, optarg);
		break;
	case OPT_PLUGIN_DIR:
		o->plugin_dir = optarg;
		break;
	case OPT_LIST:
		o->mode = MODE_LIST;
		break;
	case 'v':
		o->verbose++;
		break;
	case 'V':
		o->mode = MODE_VERSION;
		break;
	case 'h':
		o->mode = MODE_HELP;
		break;
	default:
		fprintf(stderr, "Try 'healthcheckd --help'.\n");
		return -1;
	}
	return 0;
}

/* Options that make sense alone but not together. Returns 0, or -1 after
 * printing a usage error. */
static int check_combination(const struct options *o)
{
	if (o->plugin != NULL && o->config != NULL) {
		fprintf(stderr, "healthcheckd: --plugin runs without a config file: drop -c\n");
		return -1;
	}
	if (o->n_sets > 0 && o->plugin == NULL) {
		fprintf(stderr, "healthcheckd: --set needs --plugin\n");
		return -1;
	}
	if (o->plugin != NULL && o->mode != MODE_ONCE && o->mode != MODE_TEST) {
		fprintf(stderr, "healthcheckd: --plugin needs --once or -t\n");
		return -1;
	}
	return 0;
}

/* Returns 0, or -1 after printing a usage error. */
static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "test", no_argument, NULL, 't' },
		{ "once", no_argument, NULL, OPT_ONCE },
		{ "check", required_argument, NULL, OPT_CHECK },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "exit-codes", required_argument, NULL, OPT_EXIT_CODES },
		{ "plugin", required_argument, NULL, OPT_PLUGIN },
		{ "set", required_argument, NULL, OPT_SET },
		{ "plugin-dir", required_argument, NULL, OPT_PLUGIN_DIR },
		{ "list-plugins", no_argument, NULL, OPT_LIST },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "c:tvVh", longopts, NULL)) != -1)
		if (take_option(c, o) != 0)
			return -1;
	if (optind < argc) {
		fprintf(stderr, "healthcheckd: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return check_combination(o);
}

/* --plugin-dir, else HEALTHCHECKD_PLUGIN_DIR, else NULL. */
static const char *plugin_dir_override(const struct options *o)
{
	const char *env = getenv("HEALTHCHECKD_PLUGIN_DIR");

	if (o->plugin_dir != NULL)
		return o->plugin_dir;
	if (env != NULL && env[0] != '\0')
		return env;
	return NULL;
}

static const char *plugin_dir(const struct options *o, const struct hc_config *cfg)
{
	if (plugin_dir_override(o) != NULL)
		return plugin_dir_override(o);
	if (cfg != NULL && cfg->server.plugin_dir != NULL)
		return cfg->server.plugin_dir;
	return HC_PLUGINDIR;
}

/* The checks to instantiate: all for -t; for --once the enabled ones, or
 * exactly those --check names. */
static int select_checks(const struct options *o, const struct hc_config *cfg,
                         const struct hc_check_conf **sel, size_t *n)
{
	*n = 0;
	if (o->n_only == 0) {
		/* Heartbeats are pushed to a running daemon: --once has none. */
		for (size_t i = 0; i < cfg->n_checks; i++)
			if (o->mode == MODE_TEST ||
			    (cfg->checks[i]->enabled &&
			     strcmp(cfg->checks[i]->plugin, "heartbeat") != 0))
				sel[(*n)++] = cfg->checks[i];
		return 0;
	}
	for (size_t i = 0; i < o->n_only; i++) {
		const struct hc_check_conf *c = hc_config_find(cfg, o->only[i]);

		if (c == NULL) {
			fprintf(stderr, "healthcheckd: --check: no check named '%s'\n", o->only[i]);
			return -1;
		}
		sel[(*n)++] = c;
	}
	return 0;
}

static int exit_code(const struct options *o, int worst)
{
	if (o->docker)
		return worst == HC_FAIL ? 1 : 0;
	return worst == HC_PASS ? EXIT_PASS : worst == HC_WARN ? EXIT_WARN : EXIT_FAIL;
}

static int run_once(const struct options *o, const struct hc_config *cfg,
                    const struct hc_check_conf **confs, struct hc_instance **insts, size_t n,
                    bool *stuck)
{
	struct hc_outcome *outs = hc_xcalloc(n, sizeof(*outs));
	struct hc_row *rows = hc_xcalloc(n, sizeof(*rows));
	int worst;

	hc_run_once(insts, n, outs, stuck);
	for (size_t i = 0; i < n; i++)
		rows[i] = (struct hc_row){ .conf = confs[i],
			                   .out = &outs[i],
			                   .status = outs[i].status,
			                   .runs = 1,
			                   .failures = outs[i].status == HC_FAIL };
	worst = hc_worst_status(rows, n);
	if (o->json) {
		char *body = hc_render_health_json(&cfg->service, rows, n, worst, NULL, true);

		fputs(body, stdout);
		free(body);
	} else {
		hc_render_text(stdout, rows, n);
	}
	free(rows);
	free(outs);
	return exit_code(o, worst);
}

static void print_plugin(const struct hc_module *m)
{
	const struct hc_plugin *d = m->desc;
	const struct hc_key *k;

	printf("%s %s (ABI %u.%u): %s\n", d->name, d->version ? d->version : "?", d->abi_major,
	       d->abi_minor, d->description ? d->description : "");
	for (size_t i = 0; (k = hc_plugin_key(d, i)) != NULL; i++) {
		printf("    %-22s %s\n", k->name, k->help ? k->help : "");
		if (k->flags & HC_KEY_SECRET) {
			char file_key[80];

			snprintf(file_key, sizeof(file_key), "%s_file", k->name);
			printf("    %-22s file holding %s (secret)\n", file_key, k->name);
		}
	}
}

static int so_filter(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return n > 3 && strcmp(e->d_name + n - 3, ".so") == 0;
}

static int list_plugins(const char *dir)
{
	struct dirent **ents;
	char msg[1024];
	int n, bad = 0;

	struct hc_module *builtin = hc_heartbeat_module();

	print_plugin(builtin);
	hc_module_close(builtin);
	n = scandir(dir, &ents, so_filter, alphasort);
	if (n < 0) {
		fprintf(stderr, "healthcheckd: cannot list plugin directory %s: %m\n", dir);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		char *path = hc_xasprintf("%s/%s", dir, ents[i]->d_name);
		struct hc_module *m = hc_module_open(path, msg, sizeof(msg));

		if (m != NULL) {
			print_plugin(m);
			hc_module_close(m);
		} else {
			fprintf(stderr, "healthcheckd: %s\n", msg);
			bad = 1;
		}
		free(path);
		free(ents[i]);
	}
	free(ents);
	return bad;
}

/* --list-plugins [-c FILE]: the config may name the plugin directory. */
static int list_plugins_of(const struct options *o)
{
	struct hc_config *cfg = hc_config_new();
	struct hc_errors errs = { 0 };
	int rc;

	if (o->config != NULL && hc_config_load(cfg, o->config, &errs) != 0) {
		hc_errors_print(&errs, stderr);
		rc = 1;
	} else {
		rc = list_plugins(plugin_dir(o, cfg));
	}
	hc_errors_clear(&errs);
	hc_config_unref(cfg);
	return rc;
}

/* -t refuses what the daemon would refuse at start: an unreadable or
 * world-readable token file. */
static void check_token_file(const struct hc_config *cfg, struct hc_errors *errs)
{
	char err[512];
	char *token;

	if (cfg->server.token_file == NULL) {
		/* Private by default needs no word; asking for details by
		 * token and giving none is likely a slip. */
		if (cfg->server.details == HC_DETAILS_AUTHORIZED && hc_server_key_set(cfg, "details"))
			fprintf(stderr,
			        "healthcheckd: warning: details = authorized without a token_file: "
			        "no request is authorized, so no details are shown and /metrics answers 401\n");
		return;
	}
	token = hc_token_read(cfg->server.token_file, err, sizeof(err));
	if (token == NULL)
		hc_errors_add(errs, cfg->server.token_file_at, "token_file: %s", err);
	hc_token_free(token);
}

/* -t and --once: build the instances, then test or run them. */
static int run_checks(const struct options *o)
{
	int fail_code = o->mode == MODE_TEST ? 1 : o->docker ? 1 : EXIT_CONFIG;
	struct hc_config *cfg = hc_config_new();
	struct hc_errors errs = { 0 };
	struct hc_registry reg;
	const struct hc_check_conf **sel, **made_conf;
	struct hc_instance **insts;
	bool *stuck, any_stuck = false;
	size_t n = 0, made = 0;
	int rc = fail_code;

	if (o->plugin == NULL)
		hc_config_load(cfg, o->config ? o->config : DEFAULT_CONFIG, &errs);
	hc_registry_init(&reg, plugin_dir(o, cfg));
	if (o->plugin != NULL)
		hc_plugin_check_conf(cfg, &reg, o->plugin, o->sets, o->n_sets, &errs);
	/* --once runs every check in a helper of its own: a plugin that
	 * crashes is a failed check (exit 2), never the command's death. */
	for (size_t i = 0; o->mode == MODE_ONCE && i < cfg->n_checks; i++)
		cfg->checks[i]->isolate = HC_ISOLATE_PROCESS;
	if (errs.n == 0 && o->mode == MODE_TEST) {
		check_token_file(cfg, &errs);
		hc_tls_check(&cfg->server, &errs);
	}
	/* --check may name a check twice: room for every name given. */
	sel = hc_xcalloc(cfg->n_checks + o->n_only + 1, sizeof(*sel));
	made_conf = hc_xcalloc(cfg->n_checks + o->n_only + 1, sizeof(*made_conf));
	insts = hc_xcalloc(cfg->n_checks + o->n_only + 1, sizeof(*insts));
	stuck = hc_xcalloc(cfg->n_checks + o->n_only + 1, sizeof(*stuck));
	if (errs.n > 0) {
		hc_errors_print(&errs, stderr);
		goto out;
	}
	if (select_checks(o, cfg, sel, &n) != 0)
		goto out;
	/* Every check is tried so that one run reports every mistake. */
	for (size_t i = 0; i < n; i++)
		if (hc_instance_create(sel[i], &reg, &insts[made], &errs) == 0)
			made_conf[made++] = sel[i];
	if (errs.n > 0) {
		hc_errors_print(&errs, stderr);
		goto out;
	}
	if (o->mode == MODE_TEST) {
		printf("configuration OK\n");
		rc = 0;
	} else {
		rc = run_once(o, cfg, made_conf, insts, made, stuck);
	}
out:
	for (size_t i = 0; i < made; i++) {
		if (stuck[i])
			any_stuck = true;
		else
			hc_instance_destroy(insts[i]);
	}
	if (any_stuck) {
		/* A thread is still inside a plugin: unloading it or running
		 * exit handlers under it could crash; leave at once. */
		fflush(stdout);
		fflush(stderr);
		_exit(rc);
	}
	free(stuck);
	free(insts);
	free(made_conf);
	free(sel);
	hc_registry_free(&reg);
	hc_errors_clear(&errs);
	hc_config_unref(cfg);
	return rc;
}

int main(int argc, char **argv)
{
	struct options o = { .mode = MODE_SERVE };
	int rc;

	/* Internal: how isolate = process re-executes this program. */
	if (argc >= 2 && strcmp(argv[1], "--plugin-host") == 0)
		return hc_pluginhost_main();
	hc_iso_set_exe(argv[0]);
	/* hiredis and others write to sockets without MSG_NOSIGNAL. */
	signal(SIGPIPE, SIG_IGN);
	if (parse_args(argc, argv, &o) != 0) {
		/* -t answers 0 or 1, Docker's HEALTHCHECK 0 or 1. */
		rc = o.mode == MODE_TEST || o.docker ? 1 : EXIT_CONFIG;
		goto out;
	}
	hc_log_init(o.verbose);
	hc_instance_guard_exit();
	switch (o.mode) {
	case MODE_HELP:
		usage(stdout);
		rc = 0;
		break;
	case MODE_VERSION:
		printf("healthcheckd %s\nplugin ABI %d.%d\nplugins: %s\n", PACKAGE_VERSION,
		       HC_ABI_MAJOR, HC_ABI_MINOR, HC_ENABLED_PLUGINS);
		rc = 0;
		break;
	case MODE_LIST:
		rc = list_plugins_of(&o);
		break;
	case MODE_TEST:
	case MODE_ONCE:
		rc = run_checks(&o);
		break;
	case MODE_SERVE:
	default: {
		struct hc_daemon_opts d = { o.config ? o.config : DEFAULT_CONFIG,
			                    plugin_dir_override(&o) };

		rc = hc_daemon_run(&d);
		break;
	}
	}
out:
	free(o.sets);
	free(o.only);
	hc_instance_exit_expected();
	return rc;
}
