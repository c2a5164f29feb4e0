/* SPDX-License-Identifier: MIT */
/* The configuration: INI files parsed into struct hc_config, errors with file:line. */
#ifndef HC_CONFIG_H
#define HC_CONFIG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "errors.h"

#define HC_GROUP_LIVENESS 0x1u
#define HC_GROUP_READINESS 0x2u
#define HC_GROUP_STARTUP 0x4u

#define HC_CHECK_NAME_MAX 43

enum hc_details { HC_DETAILS_NEVER, HC_DETAILS_AUTHORIZED, HC_DETAILS_ALWAYS };
enum hc_severity { HC_SEVERITY_CRITICAL, HC_SEVERITY_WARN };
/* Where a check's plugin runs: in the daemon, or in a helper process of its
 * own (docs/architecture.md §4, Isolation). A check that sets none takes
 * [server]'s, resolved when the config is loaded. */
enum hc_isolate { HC_ISOLATE_DEFAULT, HC_ISOLATE_NONE, HC_ISOLATE_PROCESS };

/* A key the core hands to the plugin, as written (NAME_file not yet read). */
struct hc_setting {
	char *key;
	char *value;
	struct hc_where at;
};

struct hc_check_conf {
	char *name;
	struct hc_where at; /* the [check:NAME] line */
	char *plugin;       /* plugin name, or NULL until set */
	struct hc_where plugin_at;
	unsigned groups; /* HC_GROUP_* bits */
	uint32_t interval_ms;
	uint32_t timeout_ms;
	struct hc_where interval_at; /* line 0: not given */
	struct hc_where timeout_at;
	enum hc_severity severity;
	enum hc_isolate isolate;
	unsigned rise, fall;
	bool enabled;
	char *owner, *description, *runbook, *component_type;
	struct hc_setting *settings; /* the plugin's keys, in file order */
	size_t n_settings;
	uint32_t core_seen; /* core keys given once already (bit per key) */
};

/* One `listen` address, resolved when the config is parsed: http.c only
 * binds it. text is what the operator wrote, for messages; tls: it was
 * written https://ADDRESS:PORT. */
struct hc_listen {
	char *text;
	struct sockaddr_storage addr;
	socklen_t addr_len;
	bool tls;
	struct hc_where at; /* line 0: the built-in default */
};

/* A trusted source: an address and how many leading bits of it count. An
 * IPv4 network is kept as written; an IPv4 client seen through an IPv6
 * socket (::ffff:a.b.c.d) matches it too. */
struct hc_cidr {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	unsigned prefix;
};

struct hc_server_conf {
	struct hc_listen *listen;
	size_t n_listen;
	enum hc_details details;
	char *token_file;
	struct hc_where token_file_at;
	char *plugin_dir; /* NULL: the compiled-in directory */
	unsigned workers;
	unsigned max_connections;
	unsigned max_connections_per_ip;
	uint32_t connection_timeout_ms;
	unsigned connection_memory_limit;
	uint32_t request_timeout_ms;
	unsigned reserved_connections; /* of max_connections, for trusted sources only */
	struct hc_cidr *trusted;
	size_t n_trusted;
	uint32_t shutdown_delay_ms;
	/* The https:// listeners' certificate chain and key, and the CA whose
	 * client certificates authorize details (core/tls.c). */
	char *tls_cert_file, *tls_key_file, *tls_client_ca_file;
	struct hc_where tls_cert_file_at, tls_key_file_at, tls_client_ca_file_at;
	enum hc_isolate isolate; /* the checks' default: none unless set */
	uint32_t seen;           /* keys given once already (bit per key) */
};

struct hc_service_conf {
	char *id, *version, *release_id, *description;
	uint32_t seen;
};

/* Everything a config file says. Owns every string in it. Reference-counted:
 * the daemon and every snapshot built from it hold one. */
struct hc_config {
	atomic_int refs;
	struct hc_server_conf server;
	struct hc_service_conf service;
	struct hc_check_conf **checks; /* in the order the files define them */
	size_t n_checks;
	char **files; /* names hc_where points into */
	size_t n_files;
};

/* A config holding only the defaults of docs/architecture.md §5 (no checks), with one
 * reference. */
struct hc_config *hc_config_new(void);
struct hc_config *hc_config_ref(struct hc_config *cfg);
/* Drop a reference; the last one frees everything. Thread-safe. */
void hc_config_unref(struct hc_config *cfg);

/* Parse path (and what it includes) into cfg. Every problem is appended to
 * errs as "FILE:LINE: message"; returns 0, or -1 if any was found. */
int hc_config_load(struct hc_config *cfg, const char *path, struct hc_errors *errs);

/* Add an empty check with the defaults. NULL (and an error) for a bad or
 * duplicate name. */
struct hc_check_conf *hc_config_add_check(struct hc_config *cfg, const char *name,
                                          struct hc_where at, struct hc_errors *errs);

/* Set one key of a check, core or plugin: what a config line and
 * `--set key=value` both go through. Returns 0 or -1 (error in errs). */
int hc_check_set(struct hc_check_conf *chk, const char *key, const char *value, struct hc_where at,
                 struct hc_errors *errs);

/* Checks that need the whole section: a plugin is named, timeout < interval.
 * Fills in the derived defaults. Returns 0 or -1. */
int hc_check_finish(struct hc_check_conf *chk, struct hc_errors *errs);

/* The check called name, or NULL. */
struct hc_check_conf *hc_config_find(const struct hc_config *cfg, const char *name);

/* "10s", "250ms", "2m" → milliseconds. Returns 0, or -1 for anything else. */
int hc_parse_duration(const char *s, uint32_t *ms);

/* Was this [server] key written in the config (not a default)? */
bool hc_server_key_set(const struct hc_config *cfg, const char *key);

/* What authorizes a request under details = authorized, as a phrase for
 * people ("the bearer token or a client certificate of the client CA"), or
 * NULL when nothing configured can (no token_file, no tls_client_ca_file).
 * The one wording of the 401 on /metrics and of the public status page. */
const char *hc_server_auth_means(const struct hc_server_conf *srv);

/* Parse a `listen` value (IPv4:PORT, [IPv6]:PORT or *:PORT, numeric
 * addresses only, after an optional http:// or https://) into out, text
 * copied. 0, or -1 when it is not one. The one parser of listen addresses:
 * the config and the daemon's default. */
int hc_listen_parse(const char *text, struct hc_listen *out);

/* Parse "10.0.0.0/8", "192.0.2.7", "fd00::/8" or "::1" into out (host
 * bits cleared). 0, or -1 when it is not one. */
int hc_cidr_parse(const char *text, struct hc_cidr *out);

/* Is the client address sa in one of the n networks? */
bool hc_cidr_match(const struct hc_cidr *list, size_t n, const struct sockaddr *sa);

/* Is key one every check has (plugin, timeout...), not a plugin's? */
bool hc_is_core_key(const char *key);

/* path as named at `at`: a relative path is taken relative to the
 * directory of the file that names it. Returns a new string. */
char *hc_path_from(const char *path, struct hc_where at);

/* Does name match [A-Za-z0-9._-]{1,43}? */
bool hc_check_name_valid(const char *name);

#endif
