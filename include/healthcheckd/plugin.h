/* SPDX-License-Identifier: MIT */
/*
 * healthcheckd plugin ABI, version 1: the one header a plugin author needs.
 *
 * A plugin is a shared object that exports exactly one symbol,
 * hc_plugin_describe(), which HC_PLUGIN_DEFINE writes for you:
 *
 *     #include <healthcheckd/plugin.h>
 *
 *     static const struct hc_key keys[] = {
 *         { "path", "file whose first word is pass, warn or fail", 0 },
 *         { "password", "password for the service", HC_KEY_SECRET },
 *         { NULL, NULL, 0 }
 *     };
 *     HC_PLUGIN_DEFINE("myplugin", "1.0.0", "one-line description", keys,
 *                      my_init, my_check, my_teardown);
 *
 * A key may not have the name of a core key (plugin, groups, interval,
 * timeout, severity, rise, fall, owner, description, runbook,
 * component_type, enabled): the core would keep it.
 *
 * Build it with
 *     cc -shared -fPIC $(pkg-config --cflags healthcheckd-plugin) \
 *        -o myplugin.so myplugin.c
 * (the file's basename must equal the name given to HC_PLUGIN_DEFINE).
 *
 * Rules that keep plugins loadable across healthcheckd releases:
 *  - A plugin never calls a symbol of the healthcheckd executable. What the
 *    core offers reaches it through struct hc_host; the helpers below are
 *    static inline and need nothing from the core.
 *  - Every struct that crosses the boundary starts with its size and is
 *    allocated by its owner. Fields are only ever appended (minor bump);
 *    anything else is a new major version, which the core refuses to load.
 *  - Threading: hc_plugin_describe, init and teardown run on the main thread,
 *    one at a time. check runs on any worker thread, never concurrently for
 *    the same instance; different instances of one plugin may run in parallel,
 *    so keep state in the instance, never in globals.
 *  - A plugin never exits and never installs signal handlers. A thread the
 *    plugin starts itself ends before check returns. A client library's own
 *    internal threads (librdkafka's brokers, libcurl's resolver) may live as
 *    long as the instance that owns them, and none survives teardown. The
 *    core ignores SIGPIPE and never sets SIGCHLD to SIG_IGN.
 *  - No C++ exception may cross into the core: catch everything inside.
 */
#ifndef HEALTHCHECKD_PLUGIN_H
#define HEALTHCHECKD_PLUGIN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ABI version of this header. The core loads a plugin whose major equals its
 * own and whose declared minor (HC_ABI_TARGET_MINOR) is not newer than its
 * own. */
#define HC_ABI_MAJOR 1
#define HC_ABI_MINOR 0

/*
 * Evolution within a major version, both ways:
 *
 *  - A plugin declares the oldest core it needs: define HC_ABI_TARGET_MINOR
 *    before including this header (default: HC_ABI_MINOR, this header's).
 *    The descriptor carries that minor, so a plugin that targets 1.0 but is
 *    built with a 1.3 header loads on a 1.0 core. Such a plugin must test
 *    HC_HAS_MEMBER(ctx->host, struct hc_host, member) (likewise for the init
 *    and check contexts and the result) before it touches a member added
 *    after its target minor: an older core's structs end before it.
 *  - The core loads every plugin of an older minor and tests HC_HAS_MEMBER
 *    on every plugin-owned struct (the descriptor; the key table through
 *    key_size) before reading a member added after 1.0.
 *
 * Members are only ever appended, and each new one is documented here with
 * the minor that added it.
 */
#ifndef HC_ABI_TARGET_MINOR
#define HC_ABI_TARGET_MINOR HC_ABI_MINOR
#endif
#if HC_ABI_TARGET_MINOR > HC_ABI_MINOR
#error "HC_ABI_TARGET_MINOR is newer than this header's HC_ABI_MINOR"
#endif

/* Whether an object of size bytes of type holds member whole. */
#define HC_SIZE_HOLDS(size, type, member)                                                          \
	((size_t)(size) >= offsetof(type, member) + sizeof(((type *)0)->member))
/* Whether *ptr, a struct of type that starts with uint32_t struct_size, was
 * built by a party that knows member: test it before reading a member newer
 * than the minor the other side declared. */
#define HC_HAS_MEMBER(ptr, type, member) HC_SIZE_HOLDS((ptr)->struct_size, type, member)

/* How long past hc_check_ctx.deadline_ns the core still takes a result. */
#define HC_DEADLINE_GRACE_MS 20

/* First field of struct hc_plugin; anything else means a mangled file. */
#define HC_PLUGIN_MAGIC 0x48435031u /* "HCP1" */

/* Check status, in hc_result.status. Ordered by severity. */
#define HC_PASS 0
#define HC_WARN 1
#define HC_FAIL 2

/* Return codes of init and check. Negative on error. */
#define HC_OK 0
#define HC_EINVAL (-22) /* bad configuration value */
#define HC_ENOMEM (-12) /* out of memory */
#define HC_EIO (-5)     /* the plugin itself failed (not the dependency) */

/* Log levels for hc_host.log: the syslog values. */
#define HC_LOG_ERR 3
#define HC_LOG_WARNING 4
#define HC_LOG_INFO 6
#define HC_LOG_DEBUG 7

/* hc_key.flags: the value is a secret. The core also accepts NAME_file = PATH
 * for it (reads the file, drops the trailing newline, passes the content as
 * NAME) and scrubs the value from every message and log line of the plugin. */
#define HC_KEY_SECRET 0x1u
/* hc_key.flags: the value is a file or directory path. A relative one is
 * handed to init resolved against the directory of the config file that
 * sets it, as every path in a config file is. */
#define HC_KEY_PATH 0x2u

#if defined(__GNUC__) || defined(__clang__)
#define HC_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define HC_EXPORT __attribute__((visibility("default")))
#else
#define HC_PRINTF(fmt, args)
#define HC_EXPORT
#endif

/*
 * One configuration key a plugin accepts. The plugin owns the array; it ends
 * with an entry whose name is NULL and must live as long as the library is
 * loaded (a static const array). The core rejects any key of a check section
 * that is neither a core key nor listed here, so init only sees listed keys.
 */
struct hc_key {
	const char *name; /* key as written in the INI file */
	const char *help; /* one line, shown by healthcheckd --list-plugins */
	uint64_t flags;   /* HC_KEY_* bits */
};

/* One key = value pair from a check section, owned by the core. */
struct hc_kv {
	const char *key;
	const char *value;
};

/*
 * The core's handle on one check instance: opaque to a plugin, which only
 * passes ctx->handle back to host->log. Its own instance pointer is another
 * type, so handing that over by mistake is a compile error, not a crash.
 */
struct hc_handle;

/*
 * Services the core offers a plugin (core-owned, valid for the life of the
 * process). New members are appended: a plugin whose HC_ABI_TARGET_MINOR is
 * older than a member tests HC_HAS_MEMBER(host, struct hc_host, member)
 * before it calls it.
 */
struct hc_host {
	uint32_t struct_size;
	uint32_t abi_major;
	uint32_t abi_minor;
	uint32_t reserved0;
	/* Log a line for the instance behind handle (from the init or check
	 * context). Safe from any thread. Secrets of the instance are scrubbed. */
	void (*log)(struct hc_handle *handle, int level, const char *fmt, ...) HC_PRINTF(3, 4);
	/* CLOCK_MONOTONIC in nanoseconds: the clock of hc_check_ctx.deadline_ns. */
	int64_t (*now_ns)(void);
	void *reserved[8];
};

/*
 * What init receives (core-owned). The struct, every string in it and the kv
 * array are valid only during the call: copy what you keep.
 */
struct hc_init_ctx {
	uint32_t struct_size;
	uint32_t reserved0;
	const struct hc_host *host;
	struct hc_handle *handle; /* pass to host->log */
	const char *instance;     /* the check's name, from [check:NAME] */
	const struct hc_kv *kv;   /* the plugin's keys from the section */
	size_t n_kv;
	char *error; /* where hc_init_error writes */
	size_t error_size;
};

/*
 * What check receives (core-owned, valid during the call only).
 * The plugin must return by deadline_ns: turn it into the client library's
 * own timeouts (hc_remaining_ms helps). The core waits HC_DEADLINE_GRACE_MS
 * past the deadline, so a plugin that gives up at the deadline still
 * reports its own message; a call still running after that is reported as
 * "timed out after N ms" and its result, when it comes, is discarded.
 */
struct hc_check_ctx {
	uint32_t struct_size;
	uint32_t timeout_ms; /* the check's configured timeout */
	const struct hc_host *host;
	struct hc_handle *handle; /* pass to host->log */
	int64_t deadline_ns;      /* absolute, CLOCK_MONOTONIC */
	uint64_t run;             /* 1 for the first run of this instance */
};

/*
 * The outcome of one check (core-allocated and zeroed before each call; the
 * plugin fills it in). status says whether the dependency is healthy.
 * An observation is optional: without one the core reports the latency it
 * measured as responseTime in ms.
 */
struct hc_result {
	uint32_t struct_size;
	int32_t status;    /* HC_PASS, HC_WARN or HC_FAIL */
	char message[256]; /* one line for operators; never a secret */
	double value;      /* observed value, if has_value */
	char unit[16];     /* IETF observedUnit, e.g. "ms", "%" */
	int32_t has_value;
	char measurement[32]; /* IETF measurement name; "" = responseTime
	                             without a value, "value" with one */
	uint32_t reserved0;   /* zero; keeps the size free of padding */
};

/*
 * The plugin descriptor (plugin-owned, const, lives as long as the library).
 * The version fields come first: they protect the rest. Fill it with
 * HC_PLUGIN_DEFINE, never by hand.
 *
 * Adding a member (a minor bump): append it after the last one (the
 * reserved slots stay zero and in place, so the 1.0 layout never moves),
 * bump HC_ABI_MINOR, fill it in HC_PLUGIN_DEFINE, and in core/loader.c read
 * it only behind HC_HAS_MEMBER(d, struct hc_plugin, member), treating its
 * absence as the 1.0 behaviour; add a loader fixture built with the old
 * size (tests/plugins/fake_descriptor.h, FAKE_SIZE) that still loads. Any
 * other change (a removed, moved or retyped member) is a major bump.
 */
struct hc_plugin {
	uint32_t magic;          /* HC_PLUGIN_MAGIC */
	uint32_t abi_major;      /* HC_ABI_MAJOR the plugin was built with */
	uint32_t abi_minor;      /* HC_ABI_TARGET_MINOR: oldest core minor */
	uint32_t struct_size;    /* sizeof(struct hc_plugin) it was built with */
	const char *name;        /* must equal the file's basename (NAME.so) */
	const char *version;     /* the plugin's own version */
	const char *description; /* one line */
	uint32_t flags;          /* 0 in ABI 1.0 */
	uint32_t key_size;       /* sizeof(struct hc_key): the stride of keys */
	const struct hc_key *keys;
	/*
	 * Validate the keys and allocate the instance: no network I/O, so that
	 * `healthcheckd -t` and a reload work while a dependency is down.
	 * Return HC_OK and set *instance, or a negative HC_E* code after
	 * hc_init_error() with a message naming the bad key.
	 */
	int (*init)(const struct hc_init_ctx *ctx, void **instance);
	/*
	 * Run one check. Return HC_OK when the plugin itself worked (the status
	 * in r says how the dependency is); any other return is reported as a
	 * failure with r->message.
	 */
	int (*check)(void *instance, const struct hc_check_ctx *ctx, struct hc_result *r);
	/* Free everything of the instance. No plugin code runs after it. */
	void (*teardown)(void *instance);
	void *reserved[8]; /* zero */
};

/* The one exported symbol. Return a pointer to a static descriptor. */
const struct hc_plugin *hc_plugin_describe(void);

/*
 * Define hc_plugin_describe() for a plugin; write a ';' after it, as after
 * a declaration (the macro ends with one, so the ';' is never stray).
 * Positional initializers, so the macro compiles as C11 and as C++11.
 */
#define HC_PLUGIN_DEFINE(name_, version_, description_, keys_, init_, check_, teardown_)             \
	HC_EXPORT const struct hc_plugin *hc_plugin_describe(void)                                   \
	{                                                                                            \
		static const struct hc_plugin hc_descriptor_ = { HC_PLUGIN_MAGIC,                    \
			                                         HC_ABI_MAJOR,                       \
			                                         HC_ABI_TARGET_MINOR,                \
			                                         (uint32_t)sizeof(struct hc_plugin), \
			                                         name_,                              \
			                                         version_,                           \
			                                         description_,                       \
			                                         0,                                  \
			                                         (uint32_t)sizeof(struct hc_key),    \
			                                         keys_,                              \
			                                         init_,                              \
			                                         check_,                             \
			                                         teardown_,                          \
			                                         { 0, 0, 0, 0, 0, 0, 0, 0 } };       \
		return &hc_descriptor_;                                                              \
	}                                                                                            \
	const struct hc_plugin *hc_plugin_describe(void)

/* The value of key in the init context, or NULL when the section lacks it.
 * The string is valid during init only. */
static inline const char *hc_kv_get(const struct hc_init_ctx *ctx, const char *key)
{
	size_t i;

	for (i = 0; i < ctx->n_kv; i++)
		if (strcmp(ctx->kv[i].key, key) == 0)
			return ctx->kv[i].value;
	return NULL;
}

/* Write init's error message (name the bad key in it) and return HC_EINVAL,
 * so that `return hc_init_error(ctx, "port: %s is not a number", v);` reads
 * naturally. */
static inline int hc_init_error(const struct hc_init_ctx *ctx, const char *fmt, ...) HC_PRINTF(2, 3);
static inline int hc_init_error(const struct hc_init_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->error != NULL && ctx->error_size > 0) {
		va_start(ap, fmt);
		vsnprintf(ctx->error, ctx->error_size, fmt, ap);
		va_end(ap);
	}
	return HC_EINVAL;
}

/* Set the status and message of a result; returns HC_OK. */
static inline int hc_result_set(struct hc_result *r, int status, const char *fmt, ...)
        HC_PRINTF(3, 4);
static inline int hc_result_set(struct hc_result *r, int status, const char *fmt, ...)
{
	va_list ap;

	r->status = status;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof(r->message), fmt, ap);
	va_end(ap);
	return HC_OK;
}

/* Record the observed value and its unit (cut to 15 bytes). */
static inline void hc_result_observe(struct hc_result *r, double value, const char *unit)
{
	r->value = value;
	r->has_value = 1;
	snprintf(r->unit, sizeof(r->unit), "%s", unit != NULL ? unit : "");
}

/* Milliseconds left until the check's deadline (0 once it has passed). */
static inline int64_t hc_remaining_ms(const struct hc_check_ctx *ctx)
{
	int64_t left = ctx->deadline_ns - ctx->host->now_ns();

	return left > 0 ? (left + 999999) / 1000000 : 0;
}

#ifdef __cplusplus
}
#endif

#endif /* HEALTHCHECKD_PLUGIN_H */
