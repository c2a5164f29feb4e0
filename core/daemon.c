/* SPDX-License-Identifier: MIT */
/* Serving: the daemon's life from start to exit — signals, reload, systemd. */
#include "autoconfig.h"

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "daemon.h"
#include "http.h"
#include "log.h"
#include "render.h"
#include "scheduler.h"
#include "state.h"
#include "token.h"
#include "xalloc.h"

/* Workers get this long after the server stops to finish their calls. */
#define JOIN_NS (1500 * 1000000LL)
#define DEFAULT_LISTEN "0.0.0.0:8080"

struct daemon {
	const struct hc_daemon_opts *opts;
	struct hc_config *cfg;
	struct hc_registry reg;
	struct hc_state state;
	struct hc_sched *sched;
	struct hc_http *http;
	char status_line[128];
};

#ifdef HAVE_SYSTEMD
#define notify(...) sd_notifyf(0, __VA_ARGS__)
#else
static void notify(const char *fmt, ...) HC_PRINTF(1, 2);
static void notify(const char *fmt, ...)
{
	(void)fmt;
}
#endif

/* Log every message of errs, after what, and clear it. */
static void log_errors(struct hc_errors *errs, const char *what)
{
	for (size_t i = 0; i < errs->n; i++)
		hc_log(HC_LOG_ERR, "%s: %s", what, errs->msgs[i]);
	hc_errors_clear(errs);
}

/* Tear down checks that no scheduler has taken, and the array. */
static void free_checks(struct hc_check **checks, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		hc_instance_destroy(checks[i]->inst);
		free(checks[i]);
	}
	free(checks);
}

/* The instances of cfg's enabled checks, or -1 with the errors logged. */
static int make_checks(struct daemon *d, struct hc_config *cfg, struct hc_check ***out, size_t *n,
                       const char *what)
{
	struct hc_errors errs = { 0 };
	struct hc_check **checks = hc_xcalloc(cfg->n_checks + 1, sizeof(*checks));
	size_t made = 0;

	for (size_t i = 0; i < cfg->n_checks; i++) {
		struct hc_instance *in;

		if (!cfg->checks[i]->enabled ||
		    hc_instance_create(cfg->checks[i], &d->reg, &in, &errs) != 0)
			continue;
		checks[made] = hc_xcalloc(1, sizeof(**checks));
		hc_check_reset(checks[made++], cfg->checks[i], in);
	}
	if (errs.n == 0) {
		*out = checks;
		*n = made;
		return 0;
	}
	log_errors(&errs, what);
	free_checks(checks, made);
	return -1;
}

/* The config at opts->config, or NULL with the errors logged. */
static struct hc_config *load_config(const struct daemon *d, const char *what)
{
	struct hc_config *cfg = hc_config_new();
	struct hc_errors errs = { 0 };

	if (hc_config_load(cfg, d->opts->config, &errs) == 0)
		return cfg;
	log_errors(&errs, what);
	hc_config_unref(cfg);
	return NULL;
}

/* The server's token (NULL without token_file); -1 when it is refused. */
static int read_token(const struct hc_config *cfg, char **token, const char *what)
{
	char err[512];

	*token = NULL;
	if (cfg->server.token_file == NULL)
		return 0;
	*token = hc_token_read(cfg->server.token_file, err, sizeof(err));
	if (*token != NULL)
		return 0;
	hc_log(HC_LOG_ERR, "%s: token_file: %s", what, err);
	return -1;
}

/* The https:// listeners' certificate, key and client CA (NULL without
 * them); -1 when a file is refused. */
static int read_tls(const struct hc_config *cfg, struct hc_tls_creds **creds, const char *what)
{
	struct hc_errors errs = { 0 };
	int rc = hc_tls_load(&cfg->server, creds, &errs);

	log_errors(&errs, what);
	return rc;
}

#ifdef HAVE_SYSTEMD
/* The sockets systemd passed (n > 0 of them), and which serve TLS: an
 * https:// line none serves stops the start. */
static int take_passed(const struct hc_config *cfg, int n, int **fds, bool **tls)
{
	struct hc_errors errs = { 0 };
	int rc;

	*fds = hc_xcalloc((size_t)n, sizeof(**fds));
	*tls = hc_xcalloc((size_t)n, sizeof(**tls));
	for (int i = 0; i < n; i++)
		(*fds)[i] = SD_LISTEN_FDS_START + i;
	hc_log(HC_LOG_INFO, "serving on %d socket(s) from systemd", n);
	rc = hc_tls_match_passed(&cfg->server, *fds, (size_t)n, *tls, &errs);
	log_errors(&errs, "configuration");
	if (rc == 0)
		return 0;
	for (int i = 0; i < n; i++)
		close((*fds)[i]);
	free(*fds);
	free(*tls);
	return -1;
}
#endif

/* The listening sockets: systemd's when socket-activated, else ours; and
 * which of them serve TLS. */
static int open_listeners(const struct hc_config *cfg, int **fds, bool **tls, size_t *n)
{
	struct hc_listen fallback;
	const struct hc_listen *addrs = cfg->server.listen;
	size_t count = cfg->server.n_listen;
	char err[256];
	int rc = 0;

#ifdef HAVE_SYSTEMD
	int got = sd_listen_fds(1);

	if (got > 0) {
		*n = (size_t)got;
		return take_passed(cfg, got, fds, tls);
	}
#endif
	if (count == 0) {
		if (hc_listen_parse(DEFAULT_LISTEN, &fallback) != 0)
			abort();
		addrs = &fallback;
		count = 1;
	}
	*fds = hc_xcalloc(count, sizeof(**fds));
	*tls = hc_xcalloc(count, sizeof(**tls));
	for (*n = 0; *n < count; (*n)++) {
		(*fds)[*n] = hc_http_listen(&addrs[*n], err, sizeof(err));
		if ((*fds)[*n] < 0) {
			hc_log(HC_LOG_ERR, "%s", err);
			while (*n > 0)
				close((*fds)[--*n]);
			free(*fds);
			free(*tls);
			rc = -1;
			break;
		}
		/* Bound from its own line: that line says which. */
		(*tls)[*n] = addrs[*n].tls;
		hc_log(HC_LOG_INFO, "listening on %s", addrs[*n].text);
	}
	if (addrs == &fallback)
		free(fallback.text);
	return rc;
}

/* Every turn of the scheduler loop: the watchdog, and STATUS= on change. */
static void on_tick(void *arg)
{
	struct daemon *d = arg;
	struct hc_snapshot *s = hc_state_get(&d->state);
	char line[128];

	notify("WATCHDOG=1");
	if (s == NULL)
		return;
	snprintf(line, sizeof(line), "%zu checks: %u pass, %u warn, %u fail, %u pending", s->n,
	         s->count[0], s->count[1], s->count[2], s->count[3]);
	hc_snapshot_unref(s);
	if (strcmp(line, d->status_line) != 0) {
		snprintf(d->status_line, sizeof(d->status_line), "%s", line);
		notify("STATUS=%s", line);
	}
}

static bool same_listen(const struct hc_server_conf *a, const struct hc_server_conf *b)
{
	if (a->n_listen != b->n_listen)
		return false;
	for (size_t i = 0; i < a->n_listen; i++)
		if (strcmp(a->listen[i].text, b->listen[i].text) != 0)
			return false;
	return true;
}

static bool same_string(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool same_trusted(const struct hc_server_conf *a, const struct hc_server_conf *b)
{
	return a->n_trusted == b->n_trusted &&
	       (a->n_trusted == 0 ||
	        memcmp(a->trusted, b->trusted, a->n_trusted * sizeof(*a->trusted)) == 0);
}

/* What a reload cannot change in a running server: say so, never drop it
 * silently. */
static void warn_restart_only(const struct hc_server_conf *old, const struct hc_server_conf *new)
{
	if (!same_listen(old, new))
		hc_log(HC_LOG_WARNING, "reload: listen changes take effect on restart");
	if (!same_string(old->plugin_dir, new->plugin_dir))
		hc_log(HC_LOG_WARNING, "reload: plugin_dir changes take effect on restart");
	if (old->workers != new->workers)
		hc_log(HC_LOG_WARNING, "reload: workers changes take effect on restart");
	if (old->max_connections != new->max_connections ||
	    old->max_connections_per_ip != new->max_connections_per_ip ||
	    old->connection_timeout_ms != new->connection_timeout_ms ||
	    old->connection_memory_limit != new->connection_memory_limit ||
	    old->request_timeout_ms != new->request_timeout_ms ||
	    old->reserved_connections != new->reserved_connections || !same_trusted(old, new))
		hc_log(HC_LOG_WARNING, "reload: connection limits change on restart");
}

/* SIGHUP: validate the new config completely off to the side; swap it in
 * only when all of it is good. */
static void reload(struct daemon *d)
{
	struct hc_instance **unused;
	struct hc_check **checks, **retired;
	size_t n, n_unused, n_retired;
	struct hc_config *cfg;
	struct hc_tls_creds *creds = NULL;
	int64_t until;
	char *token = NULL;

	notify("RELOADING=1");
	hc_log(HC_LOG_INFO, "reloading %s", d->opts->config);
	cfg = load_config(d, "reload");
	if (cfg == NULL || read_token(cfg, &token, "reload") != 0 ||
	    read_tls(cfg, &creds, "reload") != 0 || make_checks(d, cfg, &checks, &n, "reload") != 0) {
		hc_log(HC_LOG_ERR, "reload failed: still serving the previous configuration");
		/* The token and key were read before the checks failed: wipe them too. */
		hc_token_free(token);
		hc_tls_creds_unref(creds);
		hc_config_unref(cfg);
		notify("READY=1");
		return;
	}
	warn_restart_only(&d->cfg->server, &cfg->server);
	hc_sched_swap(d->sched, cfg, checks, n, &unused, &n_unused, &retired, &n_retired);
	for (size_t i = 0; i < n_unused; i++)
		hc_instance_destroy(unused[i]);
	/* One deadline for all of them: the longest timeout and a second,
	 * so that a SIGTERM waits at most that long behind a reload. */
	until = hc_now_ns();
	for (size_t i = 0; i < n_retired; i++) {
		int64_t t = hc_now_ns() + ((int64_t)retired[i]->conf->timeout_ms + 1000) * 1000000;

		if (t > until)
			until = t;
	}
	for (size_t i = 0; i < n_retired; i++) {
		struct hc_check *c = retired[i];

		if (hc_sched_wait_idle(d->sched, c, until)) {
			hc_instance_destroy(c->inst);
			free(c);
		} else {
			hc_log(HC_LOG_WARNING,
			       "reload: check %s is stuck in a call; it is left, not torn down",
			       c->inst->name);
		}
	}
	hc_http_set_auth(d->http, cfg->server.details, token);
	hc_token_free(token);
	hc_http_set_tls(d->http, creds);
	hc_log(HC_LOG_INFO, "reloaded: %zu checks (%zu kept as they were, %zu removed or changed)",
	       n, n_unused, n_retired);
	free(unused);
	free(retired);
	hc_config_unref(d->cfg);
	d->cfg = cfg;
	notify("READY=1");
}

static int start(struct daemon *d)
{
	struct hc_check **checks = NULL;
	struct hc_tls_creds *creds = NULL;
	size_t n = 0, served, n_fds;
	char *token = NULL;
	char err[256];
	bool *tls;
	int *fds;

	d->cfg = load_config(d, "configuration");
	if (d->cfg == NULL)
		return -1;
	hc_registry_init(&d->reg, d->opts->plugin_dir         ? d->opts->plugin_dir
	                          : d->cfg->server.plugin_dir ? d->cfg->server.plugin_dir
	                                                      : HC_PLUGINDIR);
	if (read_token(d->cfg, &token, "configuration") != 0 ||
	    read_tls(d->cfg, &creds, "configuration") != 0 ||
	    make_checks(d, d->cfg, &checks, &n, "configuration") != 0 ||
	    open_listeners(d->cfg, &fds, &tls, &n_fds) != 0)
		goto fail;
	hc_state_init(&d->state);
	d->state.prepare_body = hc_http_prepare_body;
	d->state.release_body = hc_http_release_body;
	/* The scheduler takes the checks. */
	d->sched = hc_sched_start(d->cfg, checks, n, d->cfg->server.workers, &d->state, on_tick, d);
	served = n;
	checks = NULL;
	n = 0;
	/* The server takes the TLS credentials. */
	d->http = hc_http_start(&d->cfg->server, fds, tls, n_fds, &d->state, d->sched, token, creds,
	                        err, sizeof(err));
	creds = NULL;
	free(fds);
	free(tls);
	if (d->http == NULL) {
		hc_log(HC_LOG_ERR, "%s", err);
		hc_sched_stop(d->sched, hc_now_ns() + JOIN_NS);
		if (hc_sched_free(d->sched) > 0) {
			fflush(stderr);
			_exit(1);
		}
		hc_state_destroy(&d->state);
		goto fail;
	}
	hc_token_free(token);
	hc_log(HC_LOG_INFO, "healthcheckd %s serving %zu checks", PACKAGE_VERSION, served);
	notify("READY=1");
	return 0;
fail:
	free_checks(checks, n);
	hc_token_free(token);
	hc_tls_creds_unref(creds);
	return -1;
}

/* SIGTERM: readiness fails at once, the server answers for shutdown_delay
 * (a second signal cuts it short), then everything stops. */
static int shutdown_daemon(struct daemon *d, const sigset_t *stop)
{
	uint32_t delay = d->cfg->server.shutdown_delay_ms;
	struct timespec ts = { delay / 1000, (long)(delay % 1000) * 1000000 };
	size_t busy;

	notify("STOPPING=1");
	hc_log(HC_LOG_INFO, "shutting down: readiness fails now; stopping in %u ms", delay);
	hc_sched_shutting_down(d->sched);
	/* Only a second SIGTERM or SIGINT cuts the drain short: a reload now
	 * (SIGHUP stays blocked) must not. */
	while (sigtimedwait(stop, NULL, &ts) < 0 && errno == EINTR)
		;
	hc_http_stop(d->http);
	hc_sched_stop(d->sched, hc_now_ns() + JOIN_NS);
	busy = hc_sched_free(d->sched);
	if (busy > 0) {
		/* Plugin code is still running on a thread: unloading it or
		 * running exit handlers under it could crash. */
		hc_log(HC_LOG_WARNING, "%zu worker(s) still inside a check at exit: not torn down",
		       busy);
		fflush(stderr);
		_exit(0);
	}
	hc_state_destroy(&d->state);
	hc_registry_free(&d->reg);
	hc_config_unref(d->cfg);
	hc_log(HC_LOG_INFO, "stopped");
	return 0;
}

int hc_daemon_run(const struct hc_daemon_opts *opts)
{
	struct daemon d = { .opts = opts };
	sigset_t set;
	int sig;

	/* A snapshot's arrays are hundreds of KiB at thousands of checks, made
	 * and freed several times a second on whichever thread publishes.
	 * glibc's mmap threshold rises to the size of such a block once one
	 * is freed, after which they come from each thread's arena and stay
	 * there: at 10,000 checks 51 MB RSS instead of 30 MB. A fixed
	 * threshold keeps them mapped and unmapped. */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	/* Signals are taken here, synchronously: every thread started from
	 * now on inherits the mask, so none of them is interrupted. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (start(&d) != 0) {
		hc_log(HC_LOG_ERR, "cannot start");
		if (d.reg.dir != NULL)
			hc_registry_free(&d.reg);
		hc_config_unref(d.cfg);
		return 1;
	}
	for (;;) {
		sig = sigwaitinfo(&set, NULL);
		if (sig == SIGHUP)
			reload(&d);
		else if (sig == SIGTERM || sig == SIGINT)
			break;
	}
	sigdelset(&set, SIGHUP);
	return shutdown_daemon(&d, &set);
}
