/* SPDX-License-Identifier: MIT */
/* Serving: the daemon's life from start to exit — signals, reload, systemd. */
#ifndef HC_DAEMON_H
#define HC_DAEMON_H

struct hc_daemon_opts {
	const char *config;     /* the config file */
	const char *plugin_dir; /* from --plugin-dir or the environment, or NULL */
};

/* Serve until SIGTERM or SIGINT; SIGHUP reloads. Returns the exit code:
 * 0 after a clean shutdown, 1 when it cannot start. */
int hc_daemon_run(const struct hc_daemon_opts *opts);

#endif
