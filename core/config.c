/* SPDX-License-Identifier: MIT */
/* The configuration: INI files parsed into struct hc_config, errors with file:line. */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "fileio.h"
#include "xalloc.h"

#define MAX_INCLUDE_DEPTH 16
/* The stdio buffer and the first line buffer of a config file: ours, so
 * that what they held (inline secrets) is cleared before they are freed. */
#define CONFIG_BUF 4096
/* libinih keeps at most 49 characters of a section name. */
#define INIH_MAX_SECTION 49

enum section_kind { SECTION_NONE, SECTION_SERVER, SECTION_SERVICE, SECTION_CHECK, SECTION_IGNORED };

/* One file being parsed; the reader and the handler share it. */
struct parse {
	struct hc_config *cfg;
	struct hc_errors *errs;
	const char *file; /* owned by cfg->files */
	FILE *fp;
	int lineno;
	char *line;
	size_t cap;
	bool prev_key; /* inih would continue this key on an indented line */
	enum section_kind section;
	struct hc_check_conf *check;
	int depth;
	char **stack; /* real paths of the files being parsed */
};

static int parse_file(struct hc_config *cfg, const char *path, struct hc_where from, int depth,
                      char **stack, struct hc_errors *errs);

struct hc_config *hc_config_new(void)
{
	struct hc_config *cfg = hc_xcalloc(1, sizeof(*cfg));
	struct hc_server_conf *s = &cfg->server;

	atomic_init(&cfg->refs, 1);
	s->details = HC_DETAILS_AUTHORIZED;
	s->workers = 4;
	s->max_connections = 256;
	s->max_connections_per_ip = 64;
	s->connection_timeout_ms = 10000;
	/* libmicrohttpd's default 32 KiB pool spends most of a request in
	 * memset; 4 KiB holds any probe request (docs/architecture.md §6). */
	s->connection_memory_limit = 4096;
	s->request_timeout_ms = 5000;
	s->reserved_connections = 16;
	/* Loopback: the kubelet's probes of a pod come from the node's
	 * address, but a sidecar's and a local operator's come from here. */
	s->trusted = hc_xcalloc(2, sizeof(*s->trusted));
	hc_cidr_parse("127.0.0.0/8", &s->trusted[0]);
	hc_cidr_parse("::1", &s->trusted[1]);
	s->n_trusted = 2;
	s->shutdown_delay_ms = 5000;
	s->isolate = HC_ISOLATE_NONE;
	return cfg;
}

static void check_free(struct hc_check_conf *c)
{
	/* A plugin's value may be a secret written inline: clear them all. */
	for (size_t i = 0; i < c->n_settings; i++) {
		free(c->settings[i].key);
		explicit_bzero(c->settings[i].value, strlen(c->settings[i].value));
		free(c->settings[i].value);
	}
	free(c->settings);
	free(c->name);
	free(c->plugin);
	free(c->owner);
	free(c->description);
	free(c->runbook);
	free(c->component_type);
	free(c);
}

struct hc_config *hc_config_ref(struct hc_config *cfg)
{
	atomic_fetch_add_explicit(&cfg->refs, 1, memory_order_relaxed);
	return cfg;
}

void hc_config_unref(struct hc_config *cfg)
{
	size_t i;

	if (cfg == NULL || atomic_fetch_sub_explicit(&cfg->refs, 1, memory_order_acq_rel) != 1)
		return;
	for (i = 0; i < cfg->n_checks; i++)
		check_free(cfg->checks[i]);
	free(cfg->checks);
	for (i = 0; i < cfg->server.n_listen; i++)
		free(cfg->server.listen[i].text);
	free(cfg->server.listen);
	free(cfg->server.trusted);
	free(cfg->server.token_file);
	free(cfg->server.tls_cert_file);
	free(cfg->server.tls_key_file);
	free(cfg->server.tls_client_ca_file);
	free(cfg->server.plugin_dir);
	free(cfg->service.id);
	free(cfg->service.version);
	free(cfg->service.release_id);
	free(cfg->service.description);
	for (i = 0; i < cfg->n_files; i++)
		free(cfg->files[i]);
	free(cfg->files);
	free(cfg);
}

/* ---- values ---------------------------------------------------------- */

int hc_parse_duration(const char *s, uint32_t *ms)
{
	unsigned long long n, mult;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	if (strcmp(end, "ms") == 0)
		mult = 1;
	else if (strcmp(end, "s") == 0)
		mult = 1000;
	else if (strcmp(end, "m") == 0)
		mult = 60000;
	else
		return -1;
	if (n > UINT32_MAX / mult)
		return -1;
	*ms = (uint32_t)(n * mult);
	return 0;
}

static int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long n;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

/* "readiness, liveness" or "readiness liveness" → HC_GROUP_* bits. */
static int parse_groups(const char *s, unsigned *out, char *bad, size_t badsz)
{
	unsigned groups = 0;
	const char *p = s;

	while (*p != '\0') {
		size_t n;

		p += strspn(p, ", \t");
		n = strcspn(p, ", \t");
		if (n == 0)
			break;
		if (n == 8 && strncmp(p, "liveness", n) == 0)
			groups |= HC_GROUP_LIVENESS;
		else if (n == 9 && strncmp(p, "readiness", n) == 0)
			groups |= HC_GROUP_READINESS;
		else if (n == 7 && strncmp(p, "startup", n) == 0)
			groups |= HC_GROUP_STARTUP;
		else {
			snprintf(bad, badsz, "%.*s", (int)n, p);
			return -1;
		}
		p += n;
	}
	if (groups == 0) {
		snprintf(bad, badsz, "%s", s);
		return -1;
	}
	*out = groups;
	return 0;
}

int hc_listen_parse(const char *text, struct hc_listen *out)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *addr = text, *colon = strrchr(text, ':');
	struct sockaddr_in *v4 = (struct sockaddr_in *)&out->addr;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->addr;
	unsigned long port;
	size_t hl;

	memset(out, 0, sizeof(*out));
	if (strncmp(text, "https://", 8) == 0) {
		out->tls = true;
		addr += 8;
	} else if (strncmp(text, "http://", 7) == 0) {
		addr += 7;
	}
	if (colon == NULL || colon < addr || parse_uint(colon + 1, 1, 65535, &port) != 0)
		return -1;
	hl = (size_t)(colon - addr);
	if (hl == 0 || hl >= sizeof(host))
		return -1;
	memcpy(host, addr, hl);
	host[hl] = '\0';
	if (host[0] == '[' && host[hl - 1] == ']') {
		host[hl - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &v6->sin6_addr) != 1)
			return -1;
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		out->addr_len = sizeof(*v6);
	} else {
		/* "*" is INADDR_ANY, the zeroes already there. */
		if (strcmp(host, "*") != 0 && inet_pton(AF_INET, host, &v4->sin_addr) != 1)
			return -1;
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		out->addr_len = sizeof(*v4);
	}
	out->text = hc_xstrdup(text);
	return 0;
}

int hc_cidr_parse(const char *text, struct hc_cidr *out)
{
	char host[INET6_ADDRSTRLEN];
	const char *slash = strchr(text, '/');
	size_t hl = slash != NULL ? (size_t)(slash - text) : strlen(text);
	unsigned long prefix;
	unsigned bits;

	memset(out, 0, sizeof(*out));
	if (hl == 0 || hl >= sizeof(host))
		return -1;
	memcpy(host, text, hl);
	host[hl] = '\0';
	if (inet_pton(AF_INET, host, out->addr) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, host, out->addr) == 1)
		out->family = AF_INET6;
	else
		return -1;
	bits = out->family == AF_INET ? 32 : 128;
	prefix = bits;
	if (slash != NULL && parse_uint(slash + 1, 0, bits, &prefix) != 0)
		return -1;
	out->prefix = (unsigned)prefix;
	/* 10.1.2.3/8 means 10.0.0.0/8, as in ip(8) and iptables. */
	for (unsigned i = 0; i < bits / 8; i++) {
		unsigned keep = out->prefix > i * 8 ? out->prefix - i * 8 : 0;

		if (keep < 8)
			out->addr[i] &= (unsigned char)(0xff00u >> keep);
	}
	return 0;
}

/* Do the first prefix bits of a and b agree? */
static bool prefix_equal(const unsigned char *a, const unsigned char *b, unsigned prefix)
{
	unsigned whole = prefix / 8, rest = prefix % 8;
	unsigned char mask = (unsigned char)(0xff00u >> rest);

	return memcmp(a, b, whole) == 0 && (rest == 0 || ((a[whole] ^ b[whole]) & mask) == 0);
}

bool hc_cidr_match(const struct hc_cidr *list, size_t n, const struct sockaddr *sa)
{
	static const unsigned char v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	const unsigned char *v4 = NULL, *v6 = NULL;

	if (sa->sa_family == AF_INET) {
		v4 = (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr;
	} else if (sa->sa_family == AF_INET6) {
		v6 = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
		if (memcmp(v6, v4_mapped, sizeof(v4_mapped)) == 0)
			v4 = v6 + 12;
	}
	for (size_t i = 0; i < n; i++) {
		const unsigned char *a = list[i].family == AF_INET ? v4 : v6;

		if (a != NULL && prefix_equal(a, list[i].addr, list[i].prefix))
			return true;
	}
	return false;
}

bool hc_check_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > HC_CHECK_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && strchr("._-", name[i]) == NULL)
			return false;
	return true;
}

/* Expand ${VAR} from the environment; "$${" stands for a literal "${".
 * Returns a new string, or NULL after an error for an unset variable. */
static char *expand_env(const char *v, struct hc_where at, struct hc_errors *errs)
{
	size_t cap = strlen(v) + 1, len = 0;
	char *out = hc_xcalloc(1, cap);
	const char *p = v;

	while (*p != '\0') {
		const char *add = p, *close;
		size_t n = 1;

		if (strncmp(p, "$${", 3) == 0) {
			add = "${";
			n = 2;
			p += 3;
		} else if (strncmp(p, "${", 2) == 0 && (close = strchr(p + 2, '}')) != NULL) {
			char *name = hc_xasprintf("%.*s", (int)(close - p - 2), p + 2);

			add = getenv(name);
			if (add == NULL) {
				hc_errors_add(errs, at, "environment variable %s is not set", name);
				free(name);
				free(out);
				return NULL;
			}
			free(name);
			n = strlen(add);
			p = close + 1;
		} else {
			p++;
		}
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			out = hc_xreallocarray(out, cap, 1);
		}
		memcpy(out + len, add, n);
		len += n;
		out[len] = '\0';
	}
	return out;
}

/* ---- checks ---------------------------------------------------------- */

enum check_key {
	CK_PLUGIN,
	CK_GROUPS,
	CK_INTERVAL,
	CK_TIMEOUT,
	CK_SEVERITY,
	CK_RISE,
	CK_FALL,
	CK_OWNER,
	CK_DESCRIPTION,
	CK_RUNBOOK,
	CK_COMPONENT_TYPE,
	CK_ENABLED,
	CK_ISOLATE,
	CK_COUNT
};

static const char *const check_keys[CK_COUNT] = {
	"plugin", "groups",      "interval", "timeout",        "severity", "rise",    "fall",
	"owner",  "description", "runbook",  "component_type", "enabled",  "isolate",
};

bool hc_is_core_key(const char *key)
{
	for (int k = 0; k < CK_COUNT; k++)
		if (strcmp(key, check_keys[k]) == 0)
			return true;
	return false;
}

char *hc_path_from(const char *path, struct hc_where at)
{
	const char *slash = at.line > 0 && at.file ? strrchr(at.file, '/') : NULL;

	if (path[0] == '/' || slash == NULL)
		return hc_xstrdup(path);
	return hc_xasprintf("%.*s/%s", (int)(slash - at.file), at.file, path);
}

struct hc_check_conf *hc_config_find(const struct hc_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_checks; i++)
		if (strcmp(cfg->checks[i]->name, name) == 0)
			return cfg->checks[i];
	return NULL;
}

struct hc_check_conf *hc_config_add_check(struct hc_config *cfg, const char *name,
                                          struct hc_where at, struct hc_errors *errs)
{
	struct hc_check_conf *c, *old;

	if (!hc_check_name_valid(name)) {
		hc_errors_add(errs, at, "bad check name '%s': use 1 to %d of A-Z a-z 0-9 . _ -",
		              name, HC_CHECK_NAME_MAX);
		return NULL;
	}
	old = hc_config_find(cfg, name);
	if (old != NULL) {
		hc_errors_add(errs, at, "duplicate check '%s' (first defined at %s:%d)", name,
		              old->at.file, old->at.line);
		return NULL;
	}
	c = hc_xcalloc(1, sizeof(*c));
	c->name = hc_xstrdup(name);
	c->at = at;
	c->groups = HC_GROUP_READINESS;
	c->interval_ms = 10000;
	c->timeout_ms = 2000;
	c->severity = HC_SEVERITY_CRITICAL;
	c->rise = 1;
	c->fall = 1;
	c->enabled = true;
	cfg->checks = hc_xreallocarray(cfg->checks, cfg->n_checks + 1, sizeof(*cfg->checks));
	cfg->checks[cfg->n_checks++] = c;
	return c;
}

static void set_string(char **dst, const char *value)
{
	free(*dst);
	*dst = hc_xstrdup(value);
}

static int set_plugin_key(struct hc_check_conf *c, const char *key, const char *value,
                          struct hc_where at, struct hc_errors *errs)
{
	struct hc_setting *s;

	for (size_t i = 0; i < c->n_settings; i++) {
		if (strcmp(c->settings[i].key, key) == 0) {
			hc_errors_add(errs, at, "%s is set twice in check '%s' (first at %s:%d)",
			              key, c->name, c->settings[i].at.file, c->settings[i].at.line);
			return -1;
		}
	}
	c->settings = hc_xreallocarray(c->settings, c->n_settings + 1, sizeof(*c->settings));
	s = &c->settings[c->n_settings++];
	s->key = hc_xstrdup(key);
	s->value = hc_xstrdup(value);
	s->at = at;
	return 0;
}

/* isolate = none | process, of a check or [server]. */
static int parse_isolate(const char *value, enum hc_isolate *out, struct hc_where at,
                         struct hc_errors *errs)
{
	if (strcmp(value, "none") == 0 || strcmp(value, "process") == 0) {
		*out = value[0] == 'n' ? HC_ISOLATE_NONE : HC_ISOLATE_PROCESS;
		return 0;
	}
	hc_errors_add(errs, at, "isolate: '%s' is neither none nor process", value);
	return -1;
}

static int set_core_key(struct hc_check_conf *c, enum check_key k, const char *value,
                        struct hc_where at, struct hc_errors *errs)
{
	unsigned long n;
	char bad[64];

	switch (k) {
	case CK_PLUGIN:
		set_string(&c->plugin, value);
		c->plugin_at = at;
		return 0;
	case CK_GROUPS:
		if (parse_groups(value, &c->groups, bad, sizeof(bad)) == 0)
			return 0;
		hc_errors_add(errs, at,
		              "groups: unknown group '%s' (use liveness, readiness, startup)", bad);
		return -1;
	case CK_INTERVAL:
	case CK_TIMEOUT:
		if (hc_parse_duration(value, k == CK_INTERVAL ? &c->interval_ms : &c->timeout_ms) !=
		            0 ||
		    (k == CK_INTERVAL ? c->interval_ms : c->timeout_ms) == 0) {
			hc_errors_add(
			        errs, at,
			        "%s: bad duration '%s' (use a positive number with ms, s or m, e.g. 2s)",
			        check_keys[k], value);
			return -1;
		}
		*(k == CK_INTERVAL ? &c->interval_at : &c->timeout_at) = at;
		return 0;
	case CK_SEVERITY:
		if (strcmp(value, "critical") == 0 || strcmp(value, "warn") == 0) {
			c->severity = value[0] == 'c' ? HC_SEVERITY_CRITICAL : HC_SEVERITY_WARN;
			return 0;
		}
		hc_errors_add(errs, at, "severity: '%s' is neither critical nor warn", value);
		return -1;
	case CK_RISE:
	case CK_FALL:
		if (parse_uint(value, 1, 100, &n) == 0) {
			*(k == CK_RISE ? &c->rise : &c->fall) = (unsigned)n;
			return 0;
		}
		hc_errors_add(errs, at, "%s: '%s' is not a count from 1 to 100", check_keys[k],
		              value);
		return -1;
	case CK_OWNER:
		set_string(&c->owner, value);
		return 0;
	case CK_DESCRIPTION:
		set_string(&c->description, value);
		return 0;
	case CK_RUNBOOK:
		set_string(&c->runbook, value);
		return 0;
	case CK_COMPONENT_TYPE:
		set_string(&c->component_type, value);
		return 0;
	case CK_ENABLED:
		if (parse_bool(value, &c->enabled) == 0)
			return 0;
		hc_errors_add(errs, at, "enabled: '%s' is neither yes nor no", value);
		return -1;
	case CK_ISOLATE:
		return parse_isolate(value, &c->isolate, at, errs);
	case CK_COUNT:
		break;
	}
	return -1;
}

int hc_check_set(struct hc_check_conf *c, const char *key, const char *value, struct hc_where at,
                 struct hc_errors *errs)
{
	for (int k = 0; k < CK_COUNT; k++) {
		if (strcmp(key, check_keys[k]) != 0)
			continue;
		if (c->core_seen & (1u << k)) {
			hc_errors_add(errs, at, "%s is set twice in check '%s'", key, c->name);
			return -1;
		}
		c->core_seen |= 1u << k;
		return set_core_key(c, (enum check_key)k, value, at, errs);
	}
	/* Everything else belongs to the plugin, which says what it accepts
	 * once it is loaded. */
	return set_plugin_key(c, key, value, at, errs);
}

int hc_check_finish(struct hc_check_conf *c, struct hc_errors *errs)
{
	bool has_interval = c->interval_at.file != NULL;
	bool has_timeout = c->timeout_at.file != NULL;

	if (c->plugin == NULL) {
		hc_errors_add(errs, c->at, "check '%s' names no plugin (add plugin = NAME)", c->name);
		return -1;
	}
	if (has_interval && has_timeout && c->timeout_ms >= c->interval_ms) {
		hc_errors_add(errs, c->timeout_at,
		              "timeout (%u ms) must be shorter than interval (%u ms)",
		              c->timeout_ms, c->interval_ms);
		return -1;
	}
	if (!has_interval && c->timeout_ms > c->interval_ms)
		c->interval_ms = c->timeout_ms;
	if (!has_timeout && c->timeout_ms > c->interval_ms)
		c->timeout_ms = c->interval_ms;
	return 0;
}

/* ---- [server] and [service] ------------------------------------------ */

/* Config files are parsed on the main thread only, so glob's error
 * callback can leave the cause here. */
static int glob_failed_errno;

/* A directory that does not exist matches nothing, which is fine; one
 * that cannot be read hides files the operator meant to include. */
static int glob_error(const char *path, int err)
{
	(void)path;
	if (err == ENOENT || err == ENOTDIR)
		return 0;
	glob_failed_errno = err;
	return 1;
}

static int server_include(struct parse *p, const char *pattern, struct hc_where at)
{
	char *full = hc_path_from(pattern, at);
	glob_t g;
	int rc, ret = 0;

	glob_failed_errno = 0;
	rc = glob(full, 0, glob_error, &g);
	if (rc == GLOB_NOMATCH) {
		/* A pattern may match nothing (an empty conf.d); a plain
		 * file name that matches nothing is a typo. */
		bool literal = strpbrk(pattern, "*?[") == NULL;

		if (literal)
			hc_errors_add(p->errs, at, "include: %s does not exist", full);
		free(full);
		return literal ? -1 : 0;
	}
	if (rc != 0) {
		hc_errors_add(p->errs, at, "include: cannot expand %s: %s", full,
		              glob_failed_errno ? strerror(glob_failed_errno) : "out of memory");
		free(full);
		return -1;
	}
	/* glob() sorts its matches, so conf.d files apply in name order. */
	for (size_t i = 0; i < g.gl_pathc; i++)
		if (parse_file(p->cfg, g.gl_pathv[i], at, p->depth + 1, p->stack, p->errs) != 0)
			ret = -1;
	globfree(&g);
	free(full);
	return ret;
}

/* How one [server] key is read: by which parser, into which field of struct
 * hc_server_conf, within which bounds (numbers; durations in ms). */
struct server_key {
	const char *name;
	int (*set)(struct parse *p, const struct server_key *k, const char *value,
	           struct hc_where at);
	size_t offset;
	unsigned long min, max;
	const char *what; /* what a number counts, for messages */
	bool repeats;     /* may be given on several lines */
};

#define SERVER_FIELD(f) offsetof(struct hc_server_conf, f)

/* The field of the server config that k writes. */
static void *server_field(struct parse *p, const struct server_key *k)
{
	return (char *)&p->cfg->server + k->offset;
}

static int server_listen(struct parse *p, const struct server_key *k, const char *value,
                         struct hc_where at)
{
	struct hc_server_conf *s = &p->cfg->server;
	struct hc_listen l;

	(void)k;
	if (hc_listen_parse(value, &l) != 0) {
		hc_errors_add(
		        p->errs, at,
		        "listen: '%s' is not [https://]ADDRESS:PORT with a numeric address (e.g. 0.0.0.0:8080, [::]:8080 or https://0.0.0.0:8443)",
		        value);
		return -1;
	}
	l.at = at;
	s->listen = hc_xreallocarray(s->listen, s->n_listen + 1, sizeof(*s->listen));
	s->listen[s->n_listen++] = l;
	return 0;
}

static int server_details(struct parse *p, const struct server_key *k, const char *value,
                          struct hc_where at)
{
	static const char *const names[] = { "never", "authorized", "always" };
	static const enum hc_details values[] = { HC_DETAILS_NEVER, HC_DETAILS_AUTHORIZED,
		                                  HC_DETAILS_ALWAYS };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(value, names[i]) == 0) {
			*(enum hc_details *)server_field(p, k) = values[i];
			return 0;
		}
	}
	hc_errors_add(p->errs, at, "details: '%s' is not never, authorized or always", value);
	return -1;
}

/* A path, relative to the file that names it. */
static int server_path(struct parse *p, const struct server_key *k, const char *value,
                       struct hc_where at)
{
	char **field = server_field(p, k);
	struct hc_server_conf *s = &p->cfg->server;
	/* The files read later are named in messages by the line that set them. */
	struct hc_where *where = field == &s->token_file           ? &s->token_file_at
	                         : field == &s->tls_cert_file      ? &s->tls_cert_file_at
	                         : field == &s->tls_key_file       ? &s->tls_key_file_at
	                         : field == &s->tls_client_ca_file ? &s->tls_client_ca_file_at
	                                                           : NULL;

	free(*field);
	*field = hc_path_from(value, at);
	if (where != NULL)
		*where = at;
	return 0;
}

static int server_uint(struct parse *p, const struct server_key *k, const char *value,
                       struct hc_where at)
{
	unsigned long n;

	if (parse_uint(value, k->min, k->max, &n) == 0) {
		*(unsigned *)server_field(p, k) = (unsigned)n;
		return 0;
	}
	hc_errors_add(p->errs, at, "%s: '%s' is not %s from %lu to %lu", k->name, value, k->what,
	              k->min, k->max);
	return -1;
}

static int server_duration(struct parse *p, const struct server_key *k, const char *value,
                           struct hc_where at)
{
	uint32_t ms;

	if (hc_parse_duration(value, &ms) != 0) {
		hc_errors_add(p->errs, at, "%s: bad duration '%s' (use ms, s or m, e.g. 5s)",
		              k->name, value);
		return -1;
	}
	if (ms < k->min) {
		/* connection_timeout has a floor because libmicrohttpd
		 * counts whole seconds and 0 means never; request_timeout
		 * because a shorter one closes slow but honest clients. */
		hc_errors_add(p->errs, at, "%s: must be at least %lus", k->name, k->min / 1000);
		return -1;
	}
	*(uint32_t *)server_field(p, k) = ms;
	return 0;
}

/* A list of networks, commas or spaces between them; it replaces the
 * default (so loopback can be left out); empty: no source is trusted. */
static int server_trusted(struct parse *p, const struct server_key *k, const char *value,
                          struct hc_where at)
{
	struct hc_server_conf *s = &p->cfg->server;
	struct hc_cidr *list = NULL;
	size_t n = 0;
	const char *q = value;

	(void)k;
	for (;;) {
		char word[INET6_ADDRSTRLEN + 5];
		size_t len;

		q += strspn(q, ", \t");
		len = strcspn(q, ", \t");
		if (len == 0)
			break;
		snprintf(word, sizeof(word), "%.*s", (int)len, q);
		list = hc_xreallocarray(list, n + 1, sizeof(*list));
		if (len >= sizeof(word) || hc_cidr_parse(word, &list[n]) != 0) {
			hc_errors_add(
			        p->errs, at,
			        "trusted: '%.*s' is not an address or ADDRESS/LENGTH (e.g. 10.0.0.0/8 or fd00::/8)",
			        (int)len, q);
			free(list);
			return -1;
		}
		n++;
		q += len;
	}
	free(s->trusted);
	s->trusted = list;
	s->n_trusted = n;
	return 0;
}

static int server_isolate(struct parse *p, const struct server_key *k, const char *value,
                          struct hc_where at)
{
	return parse_isolate(value, server_field(p, k), at, p->errs);
}

static int server_include_key(struct parse *p, const struct server_key *k, const char *value,
                              struct hc_where at)
{
	(void)k;
	return server_include(p, value, at);
}

/* listen and include may repeat; any other key given twice is a mistake
 * one of the two lines would silently lose. */
static const struct server_key server_keys[] = {
	{ "listen", server_listen, 0, 0, 0, NULL, true },
	{ "details", server_details, SERVER_FIELD(details), 0, 0, NULL, false },
	{ "token_file", server_path, SERVER_FIELD(token_file), 0, 0, NULL, false },
	{ "tls_cert_file", server_path, SERVER_FIELD(tls_cert_file), 0, 0, NULL, false },
	{ "tls_key_file", server_path, SERVER_FIELD(tls_key_file), 0, 0, NULL, false },
	{ "tls_client_ca_file", server_path, SERVER_FIELD(tls_client_ca_file), 0, 0, NULL, false },
	{ "plugin_dir", server_path, SERVER_FIELD(plugin_dir), 0, 0, NULL, false },
	{ "workers", server_uint, SERVER_FIELD(workers), 1, 256, "a number", false },
	{ "max_connections", server_uint, SERVER_FIELD(max_connections), 1, 65536, "a number", false },
	{ "max_connections_per_ip", server_uint, SERVER_FIELD(max_connections_per_ip), 0, 65536,
	  "a number", false },
	{ "connection_timeout", server_duration, SERVER_FIELD(connection_timeout_ms), 1000, 0, NULL,
	  false },
	{ "connection_memory_limit", server_uint, SERVER_FIELD(connection_memory_limit), 2048,
	  1048576, "a byte count", false },
	{ "request_timeout", server_duration, SERVER_FIELD(request_timeout_ms), 1000, 0, NULL, false },
	{ "reserved_connections", server_uint, SERVER_FIELD(reserved_connections), 0, 65536,
	  "a number", false },
	{ "trusted", server_trusted, SERVER_FIELD(trusted), 0, 0, NULL, false },
	{ "shutdown_delay", server_duration, SERVER_FIELD(shutdown_delay_ms), 0, 0, NULL, false },
	{ "isolate", server_isolate, SERVER_FIELD(isolate), 0, 0, NULL, false },
	{ "include", server_include_key, 0, 0, 0, NULL, true },
};

#define N_SERVER_KEYS (sizeof(server_keys) / sizeof(server_keys[0]))
_Static_assert(N_SERVER_KEYS <= 32, "hc_server_conf.seen has a bit per key");

static size_t server_key_index(const char *key)
{
	size_t k;

	for (k = 0; k < N_SERVER_KEYS; k++)
		if (strcmp(key, server_keys[k].name) == 0)
			break;
	return k;
}

bool hc_server_key_set(const struct hc_config *cfg, const char *key)
{
	size_t k = server_key_index(key);

	return k < N_SERVER_KEYS && (cfg->server.seen & (1u << k)) != 0;
}

const char *hc_server_auth_means(const struct hc_server_conf *srv)
{
	bool token = srv->token_file != NULL, cert = srv->tls_client_ca_file != NULL;

	if (token && cert)
		return "the bearer token or a client certificate of the client CA";
	if (cert)
		return "a client certificate of the client CA";
	return token ? "the bearer token" : NULL;
}

static int server_set(struct parse *p, const char *key, const char *value, struct hc_where at)
{
	struct hc_server_conf *s = &p->cfg->server;
	size_t k = server_key_index(key);

	if (k == N_SERVER_KEYS) {
		hc_errors_add(p->errs, at, "unknown key '%s' in [server]", key);
		return -1;
	}
	if (!server_keys[k].repeats && (s->seen & (1u << k))) {
		hc_errors_add(p->errs, at, "%s is set twice in [server]", key);
		return -1;
	}
	s->seen |= 1u << k;
	return server_keys[k].set(p, &server_keys[k], value, at);
}

static int service_set(struct parse *p, const char *key, const char *value, struct hc_where at)
{
	static const char *const names[] = { "id", "version", "release_id", "description" };
	struct hc_service_conf *s = &p->cfg->service;
	char **slots[] = { &s->id, &s->version, &s->release_id, &s->description };

	for (unsigned k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		if (strcmp(key, names[k]) != 0)
			continue;
		if (s->seen & (1u << k)) {
			hc_errors_add(p->errs, at, "%s is set twice in [service]", key);
			return -1;
		}
		s->seen |= 1u << k;
		set_string(slots[k], value);
		return 0;
	}
	hc_errors_add(p->errs, at,
	              "unknown key '%s' in [service] (known: id, version, release_id, description)",
	              key);
	return -1;
}

/* ---- the reader and handler inih drives ------------------------------- */

static void begin_section(struct parse *p, const char *name, struct hc_where at)
{
	p->check = NULL;
	if (strcmp(name, "server") == 0) {
		p->section = SECTION_SERVER;
	} else if (strcmp(name, "service") == 0) {
		p->section = SECTION_SERVICE;
	} else if (strncmp(name, "check:", 6) == 0) {
		p->check = hc_config_add_check(p->cfg, name + 6, at, p->errs);
		/* The keys of a rejected section would only add noise. */
		p->section = p->check != NULL ? SECTION_CHECK : SECTION_IGNORED;
	} else {
		hc_errors_add(p->errs, at,
		              "unknown section [%s] (expected [server], [service] or [check:NAME])",
		              name);
		p->section = SECTION_IGNORED;
	}
}

/* Look at a section line as inih will; report what inih would cut or skip. */
static void read_section_line(struct parse *p, const char *start, struct hc_where at)
{
	const char *end = strchr(start, ']');
	const char *rest;
	char *name;

	if (end == NULL) {
		hc_errors_add(p->errs, at, "section header has no closing ']'");
		p->section = SECTION_IGNORED;
		return;
	}
	rest = end + 1 + strspn(end + 1, " \t\r\n");
	if (*rest != '\0' && *rest != ';' && *rest != '#') {
		hc_errors_add(p->errs, at, "unexpected text after ']'");
		p->section = SECTION_IGNORED;
		return;
	}
	start++;
	start += strspn(start, " \t");
	while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (end - start > INIH_MAX_SECTION) {
		hc_errors_add(
		        p->errs, at,
		        "section name is %d characters long; at most %d are read (check names have at most %d)",
		        (int)(end - start), INIH_MAX_SECTION, HC_CHECK_NAME_MAX);
		p->section = SECTION_IGNORED;
		return;
	}
	name = hc_xasprintf("%.*s", (int)(end - start), start);
	begin_section(p, name, at);
	free(name);
}

/* White space as inih's lskip sees it, short of the line's end. */
static bool is_blank(char c)
{
	return c != '\n' && c != '\0' && isspace((unsigned char)c);
}

/* Does an inline comment (white space, then ';') start within the first n
 * bytes of a line? inih would cut the line there. */
static bool comment_before(const char *line, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (line[i] == ';' && isspace((unsigned char)line[i - 1]))
			return true;
	return false;
}

/*
 * Reader for ini_parse_stream: hands inih one physical line per call, so
 * inih's line count stays ours, and turns each libinih quirk into an error
 * instead of a silent change of meaning: a line inih would cut (it reads at
 * most num - 1 bytes), an indented line inih would glue onto the previous
 * value, a section name inih would cut, a line inih would skip.
 * A line with an error reaches inih blank.
 */
static char *config_reader(char *str, int num, void *stream)
{
	struct parse *p = stream;
	struct hc_where at;
	const char *start;
	ssize_t len = getline(&p->line, &p->cap, p->fp);

	if (len < 0)
		return NULL;
	at = (struct hc_where){ p->file, ++p->lineno };
	start = p->line;
	if (p->lineno == 1 && strncmp(start, "\xEF\xBB\xBF", 3) == 0)
		start += 3;
	if (len > num - 1) {
		hc_errors_add(
		        p->errs, at,
		        "line is %zd bytes long; lines are limited to %d bytes (move long values into a file)",
		        len - (p->line[len - 1] == '\n'), num - 2);
		goto blank;
	}
	/* inih stops reading a line at a NUL: the rest would vanish. */
	if (memchr(p->line, '\0', (size_t)len) != NULL) {
		hc_errors_add(p->errs, at, "line holds a NUL byte");
		goto blank;
	}
	if (is_blank(*start)) {
		/* inih skips the same leading white space (isspace) */
		while (is_blank(*start))
			start++;
		if (p->prev_key && !strchr(";#\n", *start) && *start != '\0') {
			hc_errors_add(
			        p->errs, at,
			        "indented line would continue the previous value; multi-line values are not supported (remove the indentation)");
			goto blank;
		}
	}
	if (*start == '\0' || strchr(";#\n", *start) != NULL) {
		/* blank or comment: inih skips it */
	} else if (*start == '[') {
		p->prev_key = false;
		read_section_line(p, start, at);
	} else if (strcspn(start, "=:") == strlen(start)) {
		hc_errors_add(p->errs, at, "expected 'key = value' or a [section]");
		goto blank;
	} else if (strchr("=:", start[0]) != NULL) {
		hc_errors_add(p->errs, at, "missing key name before '%c'", start[0]);
		goto blank;
	} else if (comment_before(start, strcspn(start, "=:"))) {
		hc_errors_add(p->errs, at,
		              "' ;' starts a comment before the '=': expected 'key = value'");
		goto blank;
	} else {
		p->prev_key = true;
	}
	memcpy(str, p->line, (size_t)len + 1);
	return str;
blank:
	str[0] = '\n';
	str[1] = '\0';
	return str;
}

static int config_handler(void *user, const char *section, const char *key, const char *raw)
{
	struct parse *p = user;
	struct hc_where at = { p->file, p->lineno };
	char *value;

	(void)section; /* the reader tracks sections, empty ones included */
	if (p->section == SECTION_IGNORED)
		return 1;
	value = expand_env(raw, at, p->errs);
	if (value == NULL)
		return 1;
	switch (p->section) {
	case SECTION_NONE:
		hc_errors_add(p->errs, at, "key '%s' outside any section", key);
		break;
	case SECTION_SERVER:
		server_set(p, key, value, at);
		break;
	case SECTION_SERVICE:
		service_set(p, key, value, at);
		break;
	case SECTION_CHECK:
		hc_check_set(p->check, key, value, at, p->errs);
		break;
	case SECTION_IGNORED:
		break;
	}
	/* A plugin's value may be a secret written inline. */
	explicit_bzero(value, strlen(value));
	free(value);
	return 1;
}

/* Keep a file name for the life of the config; hc_where points into it. */
static const char *intern_file(struct hc_config *cfg, const char *path)
{
	for (size_t i = 0; i < cfg->n_files; i++)
		if (strcmp(cfg->files[i], path) == 0)
			return cfg->files[i];
	cfg->files = hc_xreallocarray(cfg->files, cfg->n_files + 1, sizeof(*cfg->files));
	cfg->files[cfg->n_files] = hc_xstrdup(path);
	return cfg->files[cfg->n_files++];
}

static int open_config(const char *path, struct hc_where from, FILE **fp, struct hc_errors *errs)
{
	char err[512];
	int fd = hc_open_regular(path, NULL, err, sizeof(err));

	if (fd < 0 || (*fp = fdopen(fd, "r")) == NULL) {
		if (fd >= 0) {
			snprintf(err, sizeof(err), "cannot read %s: %s", path, strerror(errno));
			close(fd);
		}
		hc_errors_add(errs, from, "%s", err);
		return -1;
	}
	return 0;
}

static int parse_file(struct hc_config *cfg, const char *path, struct hc_where from, int depth,
                      char **stack, struct hc_errors *errs)
{
	struct parse p = { .cfg = cfg, .errs = errs, .depth = depth, .stack = stack };
	size_t before = errs->n;
	char *real, *iobuf;
	int rc;

	if (depth >= MAX_INCLUDE_DEPTH) {
		hc_errors_add(errs, from, "includes nest deeper than %d files", MAX_INCLUDE_DEPTH);
		return -1;
	}
	if (open_config(path, from, &p.fp, errs) != 0)
		return -1;
	real = realpath(path, NULL);
	for (int i = 0; real != NULL && i < depth; i++) {
		if (strcmp(stack[i], real) == 0) {
			hc_errors_add(errs, from, "include loop: %s is already being read", path);
			free(real);
			fclose(p.fp);
			return -1;
		}
	}
	stack[depth] = real != NULL ? real : hc_xstrdup(path);
	p.file = intern_file(cfg, path);
	/* Nothing was read yet: the buffer can still be set. getline grows
	 * p.line (freeing the old one uncleared) only past CONFIG_BUF. */
	iobuf = hc_xcalloc(1, CONFIG_BUF);
	setvbuf(p.fp, iobuf, _IOFBF, CONFIG_BUF);
	p.cap = CONFIG_BUF;
	p.line = hc_xcalloc(1, p.cap);
	rc = ini_parse_stream(config_reader, &p, config_handler, &p);
	/* The reader blanks every line it reports, so an error of inih's own
	 * means a case the reader does not know: never let it pass. */
	if (rc != 0 && errs->n == before)
		hc_errors_add(errs, (struct hc_where){ p.file, rc > 0 ? rc : 0 },
		              "the INI parser cannot read this line");
	/* The file's text may hold a secret written inline. */
	explicit_bzero(p.line, p.cap);
	free(p.line);
	fclose(p.fp);
	explicit_bzero(iobuf, CONFIG_BUF);
	free(iobuf);
	free(stack[depth]);
	stack[depth] = NULL;
	return errs->n == before ? 0 : -1;
}

/* A push to a heartbeat check must carry a token: with none to compare
 * against (the check's token_file, else the server's), every push would be
 * refused and the check would stay pending without a word. */
static void heartbeat_needs_token(const struct hc_config *cfg, const struct hc_check_conf *c,
                                  struct hc_errors *errs)
{
	if (strcmp(c->plugin, "heartbeat") != 0 || cfg->server.token_file != NULL)
		return;
	for (size_t i = 0; i < c->n_settings; i++)
		if (strcmp(c->settings[i].key, "token_file") == 0)
			return;
	hc_errors_add(
	        errs, c->at,
	        "heartbeat check '%s' has no token to check pushes against: set token_file in it or in [server]",
	        c->name);
}

/* The TLS keys go together, and with an https:// listener: a half-given
 * pair, or a certificate no listener uses, is a slip that would otherwise
 * serve plain HTTP where TLS was meant. The files themselves are read by
 * core/tls.c (-t, start, reload). */
static void tls_keys_agree(const struct hc_server_conf *s, struct hc_errors *errs)
{
	const struct hc_listen *tls = NULL;

	for (size_t i = 0; i < s->n_listen && tls == NULL; i++)
		if (s->listen[i].tls)
			tls = &s->listen[i];
	if (s->tls_cert_file != NULL && s->tls_key_file == NULL)
		hc_errors_add(errs, s->tls_cert_file_at,
		              "tls_cert_file without tls_key_file: give both, or neither");
	if (s->tls_key_file != NULL && s->tls_cert_file == NULL)
		hc_errors_add(errs, s->tls_key_file_at,
		              "tls_key_file without tls_cert_file: give both, or neither");
	if (tls != NULL && (s->tls_cert_file == NULL || s->tls_key_file == NULL))
		hc_errors_add(errs, tls->at,
		              "listen %s needs tls_cert_file and tls_key_file in [server]",
		              tls->text);
	if (tls == NULL && s->tls_cert_file != NULL)
		hc_errors_add(
		        errs, s->tls_cert_file_at,
		        "tls_cert_file is set but no listen line is https://ADDRESS:PORT: no listener would use it");
	if (s->tls_client_ca_file != NULL && s->tls_cert_file == NULL)
		hc_errors_add(errs, s->tls_client_ca_file_at,
		              "tls_client_ca_file needs tls_cert_file and tls_key_file: client "
		              "certificates are asked for on https:// listeners only");
}

int hc_config_load(struct hc_config *cfg, const char *path, struct hc_errors *errs)
{
	char *stack[MAX_INCLUDE_DEPTH] = { 0 };
	size_t before = errs->n;

	parse_file(cfg, path, (struct hc_where){ NULL, 0 }, 0, stack, errs);
	tls_keys_agree(&cfg->server, errs);
	for (size_t i = 0; i < cfg->n_checks; i++) {
		/* [server] may come after the checks, or in another file. */
		if (cfg->checks[i]->isolate == HC_ISOLATE_DEFAULT)
			cfg->checks[i]->isolate = cfg->server.isolate;
		if (hc_check_finish(cfg->checks[i], errs) == 0)
			heartbeat_needs_token(cfg, cfg->checks[i], errs);
	}
	return errs->n == before ? 0 : -1;
}
