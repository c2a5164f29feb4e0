/* SPDX-License-Identifier: MIT */
/* Check instances: a plugin's init/check/teardown behind the core's rules (keys, secrets, results). */
#include "autoconfig.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "heartbeat.h"
#include "instance.h"
#include "isolate.h"
#include "sbuf.h"
#include "log.h"
#include "xalloc.h"

#define SECRET_FILE_MAX 65536
/* How long a helper may take to start and run init at load. */
#define ISOLATED_INIT_NS (5000 * 1000000LL)

/* The instance whose plugin code this thread runs in the daemon: whom to
 * blame when a plugin calls exit(). */
static _Thread_local const struct hc_instance *in_plugin;
static atomic_bool exit_expected;
/* The daemon's pid: a child a plugin forks inherits the handler and
 * in_plugin, and its exit() is its own business. */
static pid_t guarded_pid;

static void exit_guard(void)
{
	const struct hc_instance *in = in_plugin;

	if (getpid() != guarded_pid || atomic_load(&exit_expected))
		return;
	if (in != NULL)
		hc_log(HC_LOG_ERR,
		       "check %s: plugin called exit() inside the daemon; exiting with status 70 "
		       "(isolate = process contains this)",
		       in->name);
	else
		hc_log(HC_LOG_ERR, "exit() called by a plugin's own thread; exiting with status 70");
	_exit(70);
}

void hc_instance_guard_exit(void)
{
	guarded_pid = getpid();
	atexit(exit_guard);
}

void hc_instance_exit_expected(void)
{
	atomic_store(&exit_expected, true);
}

int64_t hc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void host_log(struct hc_handle *handle, int level, const char *fmt, ...) HC_PRINTF(3, 4);

/* The handle a plugin passes back to host->log is the instance itself,
 * under the SDK's opaque type; these two are the only conversions. */
static struct hc_handle *to_handle(struct hc_instance *in)
{
	return (struct hc_handle *)(void *)in;
}

static const struct hc_instance *from_handle(struct hc_handle *handle)
{
	return (const struct hc_instance *)(void *)handle;
}

static const struct hc_host host_table = {
	sizeof(struct hc_host),     HC_ABI_MAJOR, HC_ABI_MINOR, 0, host_log, hc_now_ns,
	{ 0, 0, 0, 0, 0, 0, 0, 0 },
};

/* The length of the longest secret that starts at p, or 0. */
static size_t secret_at(const char *p, char *const *secrets, size_t n)
{
	size_t best = 0;

	for (size_t i = 0; i < n; i++) {
		size_t sl = strlen(secrets[i]);

		if (sl > best && strncmp(p, secrets[i], sl) == 0)
			best = sl;
	}
	return best;
}

/* Is p (all of it, to its end) the start of a secret? */
static bool secret_cut_at(const char *p, char *const *secrets, size_t n)
{
	size_t pl = strlen(p);

	for (size_t i = 0; i < n; i++)
		if (pl < strlen(secrets[i]) && strncmp(p, secrets[i], pl) == 0)
			return true;
	return false;
}

/*
 * Rewrite buf for output: every secret becomes "***" (the longest first,
 * so a secret that starts with another is not half shown); when buf was
 * full, a cut-off start of a secret at its end goes too; control
 * characters become spaces (no forged lines); invalid UTF-8 becomes '?' and
 * the text is never cut inside a character (JSON needs valid UTF-8).
 */
static void clean_text(char *buf, size_t size, char *const *secrets, size_t n)
{
	bool full = strlen(buf) + 1 >= size;
	const unsigned char *p = (const unsigned char *)buf;
	size_t o = 0;
	char *out;

	/* Most messages: no secret to look for, printable ASCII only. */
	if (n == 0) {
		while (*p >= 0x20 && *p < 0x7f)
			p++;
		if (*p == '\0')
			return;
		p = (const unsigned char *)buf;
	}
	out = hc_xcalloc(1, size);
	while (*p != '\0' && o + 1 < size) {
		size_t k = secret_at((const char *)p, secrets, n);

		if (k > 0 || (full && secret_cut_at((const char *)p, secrets, n))) {
			for (const char *m = "***"; *m != '\0' && o + 1 < size; m++)
				out[o++] = *m;
			p += k > 0 ? k : strlen((const char *)p);
		} else if (*p < 0x20 || *p == 0x7f) {
			out[o++] = ' ';
			p++;
		} else if (*p < 0x80) {
			out[o++] = (char)*p++;
		} else if ((k = hc_utf8_len(p)) == 0) {
			out[o++] = '?';
			p++;
		} else if (o + k < size) {
			memcpy(out + o, p, k);
			o += k;
			p += k;
		} else {
			break;
		}
	}
	memcpy(buf, out, o + 1);
	free(out);
}

void hc_instance_scrub(const struct hc_instance *in, char *buf, size_t size)
{
	clean_text(buf, size, in->secrets, in->n_secrets);
}

static void host_log(struct hc_handle *handle, int level, const char *fmt, ...)
{
	const struct hc_instance *in = from_handle(handle);
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* A plugin's level must not get past the filter or journald's
	 * prefix: keep it within err..debug. */
	level = level < HC_LOG_ERR ? HC_LOG_ERR : level > HC_LOG_DEBUG ? HC_LOG_DEBUG : level;
	if (in == NULL) {
		clean_text(line, sizeof(line), NULL, 0);
		hc_log(level, "plugin: %s", line);
		return;
	}
	hc_instance_scrub(in, line, sizeof(line));
	hc_log(level, "check %s: %s", in->name, line);
}

static const struct hc_key *find_key(const struct hc_plugin *d, const char *name)
{
	const struct hc_key *k;

	for (size_t i = 0; (k = hc_plugin_key(d, i)) != NULL; i++)
		if (strcmp(k->name, name) == 0)
			return k;
	return NULL;
}

/* "host, port" for an error message. */
static void key_list(const struct hc_plugin *d, char *buf, size_t size)
{
	size_t len = 0;

	const struct hc_key *k;

	buf[0] = '\0';
	for (size_t i = 0; (k = hc_plugin_key(d, i)) != NULL; i++) {
		int n = snprintf(buf + len, size - len, "%s%s", len ? ", " : "", k->name);

		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
	}
	if (len == 0)
		snprintf(buf, size, "none");
}

/* The content of a secret file, without its trailing newline. */
static char *read_secret(const char *path, const char *key, struct hc_where at, struct hc_errors *errs)
{
	/* Like include, a relative path is relative to the file naming it,
	 * not to wherever the daemon was started. */
	char *full = hc_path_from(path, at), err[512];
	char *buf = hc_read_file(full, SECRET_FILE_MAX, NULL, err, sizeof(err));
	size_t n;

	free(full);
	if (buf == NULL) {
		hc_errors_add(errs, at, "%s_file: %s", key, err);
		return NULL;
	}
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return buf;
}

static bool word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Where the plugin's init message points: the first of the check's keys
 * it names, else the plugin line. */
static struct hc_where blame(const struct hc_check_conf *conf, const char *msg)
{
	for (size_t i = 0; i < conf->n_settings; i++) {
		const char *key = conf->settings[i].key, *hit = msg;
		size_t kl = strlen(key);

		while ((hit = strstr(hit, key)) != NULL) {
			if ((hit == msg || !word_char(hit[-1])) && !word_char(hit[kl]))
				return conf->settings[i].at;
			hit += kl;
		}
	}
	return conf->plugin_at;
}

/* The keys init gets, with NAME_file secrets read. Values are borrowed from
 * conf or owned by in->secrets. Returns the count, or -1. */
static int collect_keys(struct hc_instance *in, const struct hc_check_conf *conf, struct hc_kv *kv,
                        char **owned, struct hc_errors *errs)
{
	const struct hc_plugin *d = in->module->desc;
	size_t before = errs->n;
	int n = 0;
	char keys[256];

	for (size_t i = 0; i < conf->n_settings; i++) {
		const struct hc_setting *s = &conf->settings[i];
		const struct hc_key *k = find_key(d, s->key);
		size_t kl = strlen(s->key);
		char *base;

		if (k != NULL) {
			if (k->flags & HC_KEY_PATH)
				owned[i] = hc_path_from(s->value, s->at);
			kv[n++] = (struct hc_kv){ s->key, owned[i] ? owned[i] : s->value };
			if (k->flags & HC_KEY_SECRET)
				in->secrets[in->n_secrets++] = hc_xstrdup(s->value);
			continue;
		}
		base = kl > 5 && strcmp(s->key + kl - 5, "_file") == 0
		               ? hc_xasprintf("%.*s", (int)kl - 5, s->key)
		               : NULL;
		k = base != NULL ? find_key(d, base) : NULL;
		if (k != NULL && (k->flags & HC_KEY_SECRET)) {
			char *secret = read_secret(s->value, base, s->at, errs);

			if (secret != NULL) {
				in->secrets[in->n_secrets++] = secret;
				kv[n++] = (struct hc_kv){ k->name, secret };
			}
		} else {
			key_list(d, keys, sizeof(keys));
			hc_errors_add(errs, s->at, "plugin %s has no key '%s' (its keys: %s)",
			              d->name, s->key, keys);
		}
		free(base);
	}
	for (int i = 0; i < n; i++)
		for (int j = 0; j < i; j++)
			if (strcmp(kv[i].key, kv[j].key) == 0)
				hc_errors_add(errs, conf->plugin_at,
				              "check '%s' gives %s twice (as %s and %s_file)",
				              conf->name, kv[i].key, kv[i].key, kv[i].key);
	return errs->n == before ? n : -1;
}

static void instance_free(struct hc_instance *in)
{
	hc_iso_free(in->iso);
	/* Do not leave secrets lying in freed heap memory. */
	for (size_t i = 0; i < in->n_secrets; i++)
		hc_free_secret(in->secrets[i]);
	free(in->secrets);
	free(in->name);
	free(in);
}

/* What the helper logs goes where the plugin's own log lines would. */
static void iso_log(void *arg, int level, const char *text)
{
	host_log(to_handle(arg), level, "%s", text);
}

static void iso_scrub(void *arg, char *buf, size_t size)
{
	hc_instance_scrub(arg, buf, size);
}

/* init, in the daemon or in a helper of its own. */
static int plugin_init(struct hc_instance *in, const struct hc_check_conf *conf,
                       const struct hc_kv *kv, size_t n, char *err, size_t errsz)
{
	struct hc_init_ctx ctx = { sizeof(ctx), 0, &host_table, to_handle(in), conf->name,
		                   kv,          n, err,         errsz };
	int rc;

	/* A built-in plugin (heartbeat) runs no plugin code: it stays. */
	if (conf->isolate == HC_ISOLATE_PROCESS && in->module->dl != NULL) {
		in->iso = hc_iso_new(in->module->path, conf->name, conf->timeout_ms, kv, n, iso_log,
		                     iso_scrub, in);
		return hc_iso_start(in->iso, hc_now_ns() + ISOLATED_INIT_NS, err, errsz);
	}
	in_plugin = in;
	rc = in->module->desc->init(&ctx, &in->data);
	in_plugin = NULL;
	return rc;
}

int hc_instance_create(const struct hc_check_conf *conf, struct hc_registry *reg,
                       struct hc_instance **out, struct hc_errors *errs)
{
	struct hc_instance *in;
	struct hc_kv *kv;
	char **owned;
	char msg[512], err[512] = "";
	int n, rc = HC_OK;

	in = hc_xcalloc(1, sizeof(*in));
	in->name = hc_xstrdup(conf->name);
	in->timeout_ms = conf->timeout_ms;
	in->severity = conf->severity;
	in->module = hc_registry_get(reg, conf->plugin, msg, sizeof(msg));
	if (in->module == NULL) {
		hc_errors_add(errs, conf->plugin_at, "%s", msg);
		instance_free(in);
		return -1;
	}
	in->secrets = hc_xcalloc(conf->n_settings + 1, sizeof(*in->secrets));
	kv = hc_xcalloc(conf->n_settings + 1, sizeof(*kv));
	owned = hc_xcalloc(conf->n_settings + 1, sizeof(*owned));
	n = collect_keys(in, conf, kv, owned, errs);
	if (n >= 0)
		rc = plugin_init(in, conf, kv, (size_t)n, err, sizeof(err));
	for (size_t i = 0; i < conf->n_settings; i++)
		free(owned[i]);
	free(owned);
	free(kv);
	if (n < 0) {
		instance_free(in);
		return -1;
	}
	if (rc != HC_OK) {
		err[sizeof(err) - 1] = '\0';
		if (err[0] == '\0')
			snprintf(err, sizeof(err), "init failed with code %d and no message", rc);
		hc_instance_scrub(in, err, sizeof(err));
		hc_errors_add(errs, blame(conf, err), "plugin %s: %s", conf->plugin, err);
		instance_free(in);
		return -1;
	}
	*out = in;
	return 0;
}

void hc_instance_destroy(struct hc_instance *in)
{
	if (in == NULL)
		return;
	if (in->iso == NULL) {
		in_plugin = in;
		in->module->desc->teardown(in->data);
		in_plugin = NULL;
	}
	instance_free(in);
}

/* What every outcome gets, however it came about. */
static void outcome_finish(const struct hc_instance *in, struct hc_outcome *out)
{
	out->time_ns = wall_ns();
	hc_instance_scrub(in, out->message, sizeof(out->message));
	/* severity = warn: this dependency can degrade the service, not
	 * take it down. */
	if (out->status == HC_FAIL && in->severity == HC_SEVERITY_WARN)
		out->status = HC_WARN;
}

int hc_call_check(const struct hc_plugin *p, void *data, const struct hc_check_ctx *ctx,
                  struct hc_result *r, int64_t *latency_ns)
{
	int64_t start = hc_now_ns();
	int rc = p->check(data, ctx, r);

	*latency_ns = hc_now_ns() - start;
	r->message[sizeof(r->message) - 1] = '\0';
	r->unit[sizeof(r->unit) - 1] = '\0';
	r->measurement[sizeof(r->measurement) - 1] = '\0';
	return rc;
}

/* The outcome of a call that returned rc with r (its strings ended)
 * after latency_ns. */
static void outcome_of_call(const struct hc_instance *in, int rc, const struct hc_result *r,
                            int64_t latency_ns, struct hc_outcome *out)
{
	memset(out, 0, sizeof(*out));
	out->latency_ms = (double)latency_ns / 1e6;
	out->status = r->status;
	snprintf(out->message, sizeof(out->message), "%s", r->message);
	if (rc != HC_OK) {
		out->status = HC_FAIL;
		if (r->message[0] == '\0')
			snprintf(out->message, sizeof(out->message), "plugin error %d", rc);
	} else if (r->status < HC_PASS || r->status > HC_FAIL) {
		out->status = HC_FAIL;
		snprintf(out->message, sizeof(out->message), "plugin returned unknown status %d",
		         (int)r->status);
	}
	if (r->has_value) {
		out->value = r->value;
		snprintf(out->unit, sizeof(out->unit), "%s", r->unit);
	} else {
		out->value = out->latency_ms;
		snprintf(out->unit, sizeof(out->unit), "ms");
	}
	snprintf(out->measurement, sizeof(out->measurement), "%s",
	         !r->has_value       ? "responseTime"
	         : r->measurement[0] ? r->measurement
	                             : "value");
	hc_instance_scrub(in, out->measurement, sizeof(out->measurement));
	hc_instance_scrub(in, out->unit, sizeof(out->unit));
	outcome_finish(in, out);
}

/* isolate = process: a dead or killed helper is an outcome of its own. */
static void run_isolated(struct hc_instance *in, int64_t deadline_ns, struct hc_result *r,
                         struct hc_outcome *out)
{
	int64_t start = hc_now_ns(), latency_ns = 0;
	int rc = HC_OK;

	switch (hc_iso_check(in->iso, in->runs, deadline_ns, r, &rc, &latency_ns)) {
	case HC_ISO_RESULT:
		outcome_of_call(in, rc, r, latency_ns, out);
		break;
	case HC_ISO_TIMEOUT:
		hc_outcome_timeout(in, out);
		break;
	case HC_ISO_FAILED:
		hc_outcome_make(in, HC_FAIL, r->message, out);
		out->latency_ms = (double)(hc_now_ns() - start) / 1e6;
		out->value = out->latency_ms;
		break;
	}
}

void hc_instance_run(struct hc_instance *in, int64_t deadline_ns, struct hc_outcome *out)
{
	struct hc_result r;
	struct hc_check_ctx ctx = { sizeof(ctx),   in->timeout_ms, &host_table,
		                    to_handle(in), deadline_ns,    ++in->runs };
	int64_t latency_ns;
	int rc;

	memset(&r, 0, sizeof(r));
	r.struct_size = sizeof(r);
	if (in->iso != NULL) {
		run_isolated(in, deadline_ns, &r, out);
		return;
	}
	in_plugin = in;
	rc = hc_call_check(in->module->desc, in->data, &ctx, &r, &latency_ns);
	in_plugin = NULL;
	outcome_of_call(in, rc, &r, latency_ns, out);
}

void hc_outcome_make(const struct hc_instance *in, int status, const char *message,
                     struct hc_outcome *out)
{
	memset(out, 0, sizeof(*out));
	out->status = status;
	snprintf(out->message, sizeof(out->message), "%s", message);
	snprintf(out->unit, sizeof(out->unit), "ms");
	snprintf(out->measurement, sizeof(out->measurement), "responseTime");
	outcome_finish(in, out);
}

void hc_outcome_timeout(const struct hc_instance *in, struct hc_outcome *out)
{
	char msg[64];

	snprintf(msg, sizeof(msg), "timed out after %u ms", in->timeout_ms);
	hc_outcome_make(in, HC_FAIL, msg, out);
	out->latency_ms = in->timeout_ms;
	out->value = out->latency_ms;
}

struct hc_check_conf *hc_plugin_check_conf(struct hc_config *cfg, struct hc_registry *reg,
                                           const char *path, char *const *sets, size_t n_sets,
                                           struct hc_errors *errs)
{
	struct hc_where at = { path, 0 }, set_at = { "--set", 0 };
	struct hc_check_conf *chk;
	struct hc_module *m;
	size_t before = errs->n;
	char msg[1024];

	m = hc_module_open(path, msg, sizeof(msg));
	if (m == NULL) {
		hc_errors_add(errs, (struct hc_where){ NULL, 0 }, "%s", msg);
		return NULL;
	}
	hc_registry_add(reg, m);
	chk = hc_config_add_check(cfg, m->name, at, errs);
	if (chk == NULL)
		return NULL;
	hc_check_set(chk, "plugin", m->name, at, errs);
	for (size_t i = 0; i < n_sets; i++) {
		const char *eq = strchr(sets[i], '=');
		char *key;

		if (eq == NULL || eq == sets[i]) {
			hc_errors_add(errs, set_at, "'%s' is not KEY=VALUE", sets[i]);
			continue;
		}
		key = hc_xasprintf("%.*s", (int)(eq - sets[i]), sets[i]);
		hc_check_set(chk, key, eq + 1, set_at, errs);
		free(key);
	}
	if (errs->n > before || hc_check_finish(chk, errs) != 0)
		return NULL;
	return chk;
}

bool hc_instance_same_secrets(const struct hc_instance *a, const struct hc_instance *b)
{
	const char *ta, *tb;

	if (a->n_secrets != b->n_secrets)
		return false;
	for (size_t i = 0; i < a->n_secrets; i++)
		if (strcmp(a->secrets[i], b->secrets[i]) != 0)
			return false;
	if (!hc_heartbeat_is(a) || !hc_heartbeat_is(b))
		return true;
	ta = hc_heartbeat_token(a);
	tb = hc_heartbeat_token(b);
	return (ta == NULL && tb == NULL) || (ta != NULL && tb != NULL && strcmp(ta, tb) == 0);
}
