/* SPDX-License-Identifier: MIT */
/* mongodb plugin: the `ping` command through libmongoc within the deadline. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <mongoc/mongoc.h>

#include <healthcheckd/plugin.h>

#include "../common/plugutil.h"

#define MONGODB_DEFAULT_HOST "127.0.0.1"
#define MONGODB_DEFAULT_PORT 27017
/* Secrets to scrub from messages: a uri's password as written and decoded. */
#define MONGODB_SECRETS 2

struct mongodb {
	/* Everything but the timeouts, which each check sets on a copy. */
	mongoc_uri_t *uri;
	/* The servers, for messages: "127.0.0.1:27017", "a:27017,b:27017",
	 * or the SRV name. Never credentials. */
	char where[PU_HOST_MAX + 16];
	/* A password written inline in uri, which the core does not know to
	 * scrub. */
	char *secrets[MONGODB_SECRETS];
};

static const struct hc_key mongodb_keys[] = {
	{ "uri",
	  "connection string mongodb://... or mongodb+srv://... "
	  "(instead of host and port)",
	  0 },
	{ "host", "address or name of the server (default 127.0.0.1)", 0 },
	{ "port", "TCP port, 1-65535 (default 27017)", 0 },
	{ "user", "user to authenticate as", 0 },
	{ "password", "password of user", HC_KEY_SECRET },
	{ "database",
	  "database the user is defined in (authSource; "
	  "default admin)",
	  0 },
	{ NULL, NULL, 0 }
};

/* libmongoc keeps process-wide state (mongoc_init): set up once, from
 * whichever instance comes first, never torn down (see README). */
static pthread_once_t mongodb_once = PTHREAD_ONCE_INIT;
/* While init parses a uri on this thread: where libmongoc's first warning
 * goes (an unknown option is only a warning to it). */
static _Thread_local char *mongodb_warning;
static _Thread_local size_t mongodb_warning_size;

/* libmongoc logs from any thread with no way to tell which check a line
 * belongs to, and its lines may quote a connection string: keep only what
 * init asks for, drop the rest. Everything that matters to a check reaches
 * it as a bson_error_t. */
static void mongodb_log(mongoc_log_level_t level, const char *domain, const char *message, void *data)
{
	(void)domain;
	(void)data;
	if (mongodb_warning != NULL && mongodb_warning[0] == '\0' && level <= MONGOC_LOG_LEVEL_WARNING)
		snprintf(mongodb_warning, mongodb_warning_size, "%s", message);
}

static void mongodb_global_init(void)
{
	mongoc_init();
	mongoc_log_set_handler(mongodb_log, NULL);
}

/* Replace every secret in buf (of size bytes) with "***", cut to size. */
static void mongodb_scrub(char *const *secrets, char *buf, size_t size)
{
	char out[512];
	size_t i, o = 0, sl = 0;
	const char *p = buf;

	while (*p != '\0' && o + 1 < sizeof(out) && o + 1 < size) {
		for (i = 0; i < MONGODB_SECRETS; i++) {
			sl = secrets[i] != NULL ? strlen(secrets[i]) : 0;
			if (sl > 0 && strncmp(p, secrets[i], sl) == 0)
				break;
		}
		if (i < MONGODB_SECRETS) {
			o += (size_t)snprintf(out + o, sizeof(out) - o, "%.*s", (int)(size - 1 - o),
			                      "***");
			p += sl;
		} else {
			out[o++] = *p++;
		}
	}
	out[o] = '\0';
	memcpy(buf, out, o + 1);
}

/* The password of a uri as written (NULL if none): the userinfo is what
 * comes before the last '@' ahead of the options. An unescaped '@', '/' or
 * ':' in it would make libmongoc split it elsewhere and quote a piece of
 * the password as a host in its messages, so such a uri is refused here,
 * without quoting it. */
static int mongodb_inline_password(const struct hc_init_ctx *ctx, const char *uri, char **out)
{
	const char *user = strstr(uri, "://"), *colon, *at = NULL, *p;

	*out = NULL;
	if (user == NULL)
		return HC_OK;
	user += 3;
	for (p = user; *p != '\0' && *p != '?'; p++)
		if (*p == '@')
			at = p;
	if (at == NULL)
		return HC_OK;
	colon = memchr(user, ':', (size_t)(at - user));
	for (p = user; p < at; p++)
		if (strchr("/?#[]@", *p) != NULL || (*p == ':' && p != colon))
			return hc_init_error(ctx, "uri: the user name and "
			                          "password must have ':', '/', "
			                          "'?', '#', '[', ']' and '@' "
			                          "percent-encoded (%%XX)");
	if (colon == NULL || colon + 1 == at)
		return HC_OK;
	*out = strndup(colon + 1, (size_t)(at - colon - 1));
	return *out != NULL ? HC_OK : HC_ENOMEM;
}

/* A host that cannot change the meaning of the uri built around it:
 * letters, digits, '.', '-', '_' and ':' (IPv6). */
static int mongodb_host_ok(const char *h, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' && h[i] <= 'Z') ||
		      (h[i] >= '0' && h[i] <= '9') || strchr(".-_:", h[i])))
			return 0;
	return len > 0 && len <= PU_HOST_MAX;
}

/* "mongodb://HOST:PORT/" from the host and port keys, into buf. */
static int mongodb_host_uri(const struct hc_init_ctx *ctx, char *buf, size_t size)
{
	const char *host = hc_kv_get(ctx, "host");
	const char *port = hc_kv_get(ctx, "port");
	int p = MONGODB_DEFAULT_PORT;
	size_t len;

	if (host == NULL)
		host = MONGODB_DEFAULT_HOST;
	host = pu_host_unbracket(host, &len);
	if (!mongodb_host_ok(host, len))
		return hc_init_error(ctx,
		                     "host: '%s' is not an address or "
		                     "name",
		                     hc_kv_get(ctx, "host"));
	if (port != NULL && (p = pu_parse_port(ctx, port)) < 0)
		return p;
	snprintf(buf, size,
	         memchr(host, ':', len) != NULL ? "mongodb://[%.*s]:%d/" : "mongodb://%.*s:%d/",
	         (int)len, host, p);
	return HC_OK;
}

/* Parse a connection string; an error or a warning (an unknown option) is
 * an init error naming key, scrubbed of the uri's password. */
static int mongodb_parse_uri(const struct hc_init_ctx *ctx, struct mongodb *m, const char *key,
                             const char *s)
{
	char warning[200] = "", msg[208];
	bson_error_t error;

	memset(&error, 0, sizeof(error));
	mongodb_warning = warning;
	mongodb_warning_size = sizeof(warning);
	m->uri = mongoc_uri_new_with_error(s, &error);
	mongodb_warning = NULL;
	if (m->uri != NULL && warning[0] == '\0')
		return HC_OK;
	snprintf(msg, sizeof(msg), "%.200s", m->uri == NULL ? error.message : warning);
	mongodb_scrub(m->secrets, msg, sizeof(msg));
	return hc_init_error(ctx, "%s: %s", key, msg);
}

/* user, password and database override what the uri says, so a shared
 * uri can take its password from password_file. */
static int mongodb_credentials(const struct hc_init_ctx *ctx, struct mongodb *m)
{
	const char *user = hc_kv_get(ctx, "user");
	const char *password = hc_kv_get(ctx, "password");
	const char *database = hc_kv_get(ctx, "database");

	if (user != NULL && (user[0] == '\0' || !mongoc_uri_set_username(m->uri, user)))
		return hc_init_error(ctx, "user: '%s' is not a user name", user);
	if (password != NULL && mongoc_uri_get_username(m->uri) == NULL)
		return hc_init_error(ctx, "password: needs user (or a user "
		                          "in uri)");
	if (password != NULL && !mongoc_uri_set_password(m->uri, password))
		return hc_init_error(ctx, "password: not valid UTF-8");
	if (database != NULL && (database[0] == '\0' || strpbrk(database, "/\\. \"$") != NULL ||
	                         !mongoc_uri_set_auth_source(m->uri, database)))
		return hc_init_error(ctx,
		                     "database: '%s' is not a database "
		                     "name",
		                     database);
	if (mongoc_uri_get_appname(m->uri) == NULL)
		mongoc_uri_set_appname(m->uri, "healthcheckd");
	return HC_OK;
}

/* The servers, for messages: the seed list, or the SRV name. */
static void mongodb_where(struct mongodb *m)
{
	const mongoc_host_list_t *h = mongoc_uri_get_hosts(m->uri);
	size_t len = 0;

	if (h == NULL) {
		snprintf(m->where, sizeof(m->where), "%s",
		         mongoc_uri_get_srv_hostname(m->uri) != NULL
		                 ? mongoc_uri_get_srv_hostname(m->uri)
		                 : "?");
		return;
	}
	for (; h != NULL && len < sizeof(m->where); h = h->next)
		len += (size_t)snprintf(m->where + len, sizeof(m->where) - len, "%s%s",
		                        len > 0 ? "," : "", h->host_and_port);
}

static void mongodb_teardown(void *instance)
{
	struct mongodb *m = instance;
	size_t i;

	if (m == NULL)
		return;
	if (m->uri != NULL)
		mongoc_uri_destroy(m->uri);
	for (i = 0; i < MONGODB_SECRETS; i++)
		free(m->secrets[i]);
	free(m);
}

static int mongodb_setup(const struct hc_init_ctx *ctx, struct mongodb *m)
{
	const char *uri = hc_kv_get(ctx, "uri");
	const char *decoded;
	char built[PU_HOST_MAX + 32];
	int rc;

	if (uri != NULL && (hc_kv_get(ctx, "host") != NULL || hc_kv_get(ctx, "port") != NULL))
		return hc_init_error(ctx, "uri: cannot be combined with host "
		                          "or port");
	if (uri != NULL) {
		rc = mongodb_inline_password(ctx, uri, &m->secrets[0]);
		if (rc == HC_OK)
			rc = mongodb_parse_uri(ctx, m, "uri", uri);
	} else {
		rc = mongodb_host_uri(ctx, built, sizeof(built));
		if (rc == HC_OK)
			rc = mongodb_parse_uri(ctx, m, "host", built);
	}
	if (rc != HC_OK)
		return rc;
	decoded = mongoc_uri_get_password(m->uri);
	if (decoded != NULL && decoded[0] != '\0' &&
	    (m->secrets[0] == NULL || strcmp(decoded, m->secrets[0]) != 0) &&
	    (m->secrets[1] = strdup(decoded)) == NULL)
		return HC_ENOMEM;
	rc = mongodb_credentials(ctx, m);
	if (rc == HC_OK)
		mongodb_where(m);
	return rc;
}

static int mongodb_init(const struct hc_init_ctx *ctx, void **instance)
{
	struct mongodb *m;
	int rc;

	if (pthread_once(&mongodb_once, mongodb_global_init) != 0)
		return HC_EIO;
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return HC_ENOMEM;
	rc = mongodb_setup(ctx, m);
	if (rc != HC_OK) {
		mongodb_teardown(m);
		return rc;
	}
	*instance = m;
	return HC_OK;
}

/* Milliseconds left, as the int32 libmongoc's options take. */
static int32_t mongodb_left_ms(const struct hc_check_ctx *ctx)
{
	int64_t left = hc_remaining_ms(ctx);

	return left > INT32_MAX ? INT32_MAX : (int32_t)left;
}

/* A copy of the instance's uri whose timeouts all end at the deadline. */
static mongoc_uri_t *mongodb_timed_uri(const struct mongodb *m, int32_t ms)
{
	mongoc_uri_t *uri = mongoc_uri_copy(m->uri);

	if (uri == NULL)
		return NULL;
	mongoc_uri_set_option_as_int32(uri, MONGOC_URI_CONNECTTIMEOUTMS, ms);
	mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SOCKETTIMEOUTMS, ms);
	mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, ms);
	return uri;
}

/* Turn libmongoc's error into a message that says what failed; timed_out:
 * it came when the time given to libmongoc was up. */
static void mongodb_error(const struct mongodb *m, const struct hc_check_ctx *ctx, int timed_out,
                          const bson_error_t *e, struct hc_result *r)
{
	char msg[sizeof(e->message)];

	snprintf(msg, sizeof(msg), "%s", e->message);
	mongodb_scrub(m->secrets, msg, sizeof(msg));
	/* Whatever libmongoc calls it ("socket error or timeout", "socket
	 * timeout calling hello"), failing with no time left is the deadline. */
	if (timed_out)
		hc_result_set(r, HC_FAIL, "timed out after %u ms on %s: %s",
		              (unsigned)ctx->timeout_ms, m->where, msg);
	else if ((e->domain == MONGOC_ERROR_CLIENT && e->code == MONGOC_ERROR_CLIENT_AUTHENTICATE) ||
	         (e->domain == MONGOC_ERROR_SERVER && e->code == 18))
		hc_result_set(r, HC_FAIL, "auth failed on %s: %s", m->where, msg);
	else if (e->domain == MONGOC_ERROR_SERVER_SELECTION)
		hc_result_set(r, HC_FAIL, "server selection failed for %s: %s", m->where, msg);
	else if (e->domain == MONGOC_ERROR_SERVER)
		hc_result_set(r, HC_FAIL, "ping failed on %s: %s (code %u)", m->where, msg,
		              (unsigned)e->code);
	else
		hc_result_set(r, HC_FAIL, "ping on %s: %s", m->where, msg);
}

/* One client per check: its timeouts come from the uri it is made from,
 * and libmongoc cannot change them on a live client. */
static int mongodb_check(void *instance, const struct hc_check_ctx *ctx, struct hc_result *r)
{
	struct mongodb *m = instance;
	int64_t start = ctx->host->now_ns();
	int32_t ms = mongodb_left_ms(ctx);
	mongoc_uri_t *uri = NULL;
	mongoc_client_t *client = NULL;
	bson_t *ping = NULL;
	bson_error_t error;

	memset(&error, 0, sizeof(error));
	if (ms == 0) {
		hc_result_set(r, HC_FAIL,
		              "timed out after %u ms before "
		              "connecting to %s",
		              (unsigned)ctx->timeout_ms, m->where);
		goto out;
	}
	uri = mongodb_timed_uri(m, ms);
	ping = BCON_NEW("ping", BCON_INT32(1));
	if (uri == NULL || ping == NULL ||
	    (client = mongoc_client_new_from_uri_with_error(uri, &error)) == NULL) {
		hc_result_set(r, HC_FAIL, "cannot create a client for %s: %s", m->where,
		              error.message[0] != '\0' ? error.message : "out of memory");
		mongodb_scrub(m->secrets, r->message, sizeof(r->message));
		goto out;
	}
	/* Version 2 puts a server's own error code under MONGOC_ERROR_SERVER. */
	mongoc_client_set_error_api(client, MONGOC_ERROR_API_VERSION_2);
	if (!mongoc_client_command_simple(client, "admin", ping, mongoc_uri_get_read_prefs_t(uri),
	                                  NULL, &error)) {
		/* libmongoc's clock may stop a hair before ours: 1 ms. */
		mongodb_error(m, ctx, ctx->host->now_ns() - start >= ((int64_t)ms - 1) * 1000000,
		              &error, r);
		goto out;
	}
	hc_result_set(r, HC_PASS, "ping answered by %s", m->where);
	pu_observe_ms(r, pu_elapsed_ms(ctx->host, start));
out:
	if (client != NULL)
		mongoc_client_destroy(client);
	if (uri != NULL)
		mongoc_uri_destroy(uri);
	if (ping != NULL)
		bson_destroy(ping);
	return HC_OK;
}

HC_PLUGIN_DEFINE("mongodb", "1.0.0",
                 "runs the ping command on a MongoDB "
                 "server within the deadline",
                 mongodb_keys, mongodb_init, mongodb_check, mongodb_teardown);
