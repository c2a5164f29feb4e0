/* SPDX-License-Identifier: MIT */
/*
 * exec plugin: runs a Nagios/monitoring-plugins command and reads its
 * verdict the way those tools define it: the exit code (0 OK, 1 WARNING,
 * 2 CRITICAL, 3 UNKNOWN), the first line of output, performance data.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strcasestr, strchrnul, sigabbrev_np */
#endif

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <healthcheckd/plugin.h>

#include "../common/plugutil.h"
#include "compat.h"
#include "perfdata.h"
#include "spawn.h"
#include "words.h"

/* The PATH a command gets when the daemon has none. */
#define EX_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct ex {
	char **argv;      /* one block (words_split, or ex_shell_argv) */
	char **envp;      /* NULL-terminated; every entry malloc'd */
	const char *path; /* the value of PATH in envp */
	const char *name; /* what messages call the command */
	char *dir;
	char *label; /* perfdata_label, or NULL: the first item */
	size_t max_output;
	char *out; /* max_output + 1 bytes */
};

static const struct hc_key ex_keys[] = {
	{ "command",
	  "the command and its arguments, split as sh does "
	  "(quotes, backslash) but run without a shell",
	  0 },
	{ "shell", "yes: run command with /bin/sh -c instead (default no)", 0 },
	{ "env",
	  "NAME=value words added to the command's otherwise empty "
	  "environment (PATH and LANG are passed on)",
	  0 },
	{ "dir", "working directory of the command (default /)", HC_KEY_PATH },
	{ "max_output",
	  "bytes of output kept, 64-1048576 (default 4096); "
	  "the rest is read and discarded",
	  0 },
	{ "perfdata_label",
	  "the performance-data label to observe "
	  "(default: the first item)",
	  0 },
	{ NULL, NULL, 0 }
};

/* argv for shell = yes: /bin/sh -c COMMAND, in one block as words_split
 * makes it, so that teardown frees both alike. */
static char **ex_shell_argv(const char *command)
{
	size_t len = strlen(command) + 1;
	char **argv = malloc(4 * sizeof(*argv) + len);

	if (argv == NULL)
		return NULL;
	argv[0] = (char *)"/bin/sh";
	argv[1] = (char *)"-c";
	argv[2] = memcpy(argv + 4, command, len);
	argv[3] = NULL;
	return argv;
}

static int ex_set_command(const struct hc_init_ctx *ctx, struct ex *e)
{
	const char *command = hc_kv_get(ctx, "command");
	const char *err = NULL, *slash;
	int shell = 0;
	size_t n = 1;

	if (command == NULL)
		return hc_init_error(ctx, "command: required");
	if (pu_parse_bool(ctx, "shell", &shell) != HC_OK)
		return HC_EINVAL;
	/* The command is never quoted in a message: it may hold a password
	 * (check_pgsql -p). */
	e->argv = shell ? ex_shell_argv(command) : words_split(command, &n, &err);
	if (e->argv == NULL && err != NULL)
		return hc_init_error(ctx, "command: %s%s", err,
		                     strcmp(err, WORDS_ERR_OPERATOR) == 0 ? ", or set shell = yes"
		                                                          : "");
	if (e->argv == NULL)
		return HC_ENOMEM;
	if (n == 0 || (shell && command[strspn(command, " \t")] == '\0'))
		return hc_init_error(ctx, "command: empty");
	slash = strrchr(e->argv[0], '/');
	e->name = shell                               ? "the shell command"
	          : slash != NULL && slash[1] != '\0' ? slash + 1
	                                              : e->argv[0];
	return HC_OK;
}

/* Length of the NAME in a NAME=value word, or 0 if it is not one. */
static size_t ex_env_name(const char *w)
{
	size_t n = strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                     "0123456789_");

	return n > 0 && w[n] == '=' && !(w[0] >= '0' && w[0] <= '9') ? n : 0;
}

/* Whether envp (k entries so far) sets the variable of len bytes at name. */
static int ex_env_has(char **envp, size_t k, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < k; i++)
		if (strncmp(envp[i], name, len) == 0 && envp[i][len] == '=')
			return 1;
	return 0;
}

/* Add NAME=value to envp at *k. */
static int ex_env_add(char **envp, size_t *k, const char *name, const char *value)
{
	size_t len = strlen(name) + strlen(value) + 2;

	envp[*k] = malloc(len);
	if (envp[*k] == NULL)
		return HC_ENOMEM;
	snprintf(envp[(*k)++], len, "%s=%s", name, value);
	return HC_OK;
}

/* The env words into e->envp, after checking them; values are never
 * quoted in a message (an API token may be among them). */
static int ex_env_words(const struct hc_init_ctx *ctx, struct ex *e, char **words, size_t n,
                        size_t *k)
{
	size_t i;

	for (i = 0; i < n; i++) {
		size_t len = ex_env_name(words[i]);

		if (len == 0)
			return hc_init_error(ctx,
			                     "env: word %zu is not "
			                     "NAME=value",
			                     i + 1);
		if (ex_env_has(e->envp, *k, words[i], len))
			return hc_init_error(ctx, "env: %.*s is set twice", (int)len, words[i]);
		e->envp[*k] = strdup(words[i]);
		if (e->envp[(*k)++] == NULL)
			return HC_ENOMEM;
	}
	return HC_OK;
}

/* The command's environment: the env words, then the daemon's PATH and
 * LANG unless env sets them. Taken once here, on the main thread. */
static int ex_set_env(const struct hc_init_ctx *ctx, struct ex *e)
{
	const char *v = hc_kv_get(ctx, "env"), *err = NULL;
	static const char *const inherit[] = { "PATH", "LANG" };
	char **words = NULL;
	size_t n = 0, k = 0, i;
	int rc = HC_ENOMEM;

	if (v != NULL && (words = words_split(v, &n, &err)) == NULL)
		return err != NULL ? hc_init_error(ctx, "env: %s", err) : rc;
	e->envp = calloc(n + 3, sizeof(*e->envp));
	if (e->envp == NULL)
		goto out;
	rc = ex_env_words(ctx, e, words, n, &k);
	for (i = 0; rc == HC_OK && i < 2; i++) {
		v = getenv(inherit[i]);
		if (v == NULL && i == 0)
			v = EX_DEFAULT_PATH;
		if (v != NULL && !ex_env_has(e->envp, k, inherit[i], 4))
			rc = ex_env_add(e->envp, &k, inherit[i], v);
	}
	for (i = 0; i < k; i++)
		if (strncmp(e->envp[i], "PATH=", 5) == 0)
			e->path = e->envp[i] + 5;
out:
	free(words);
	return rc;
}

static int ex_set_dir(const struct hc_init_ctx *ctx, struct ex *e)
{
	const char *dir = hc_kv_get(ctx, "dir");
	struct stat st;
	char buf[128];

	if (dir == NULL)
		dir = "/";
	if (dir[0] != '/')
		return hc_init_error(ctx, "dir: '%s' is not absolute", dir);
	if (stat(dir, &st) != 0)
		return hc_init_error(ctx, "dir: cannot use '%s': %s", dir,
		                     pu_strerror(errno, buf, sizeof(buf)));
	if (!S_ISDIR(st.st_mode))
		return hc_init_error(ctx, "dir: '%s' is not a directory", dir);
	e->dir = strdup(dir);
	return e->dir != NULL ? HC_OK : HC_ENOMEM;
}

static int ex_set_output(const struct hc_init_ctx *ctx, struct ex *e)
{
	const char *label = hc_kv_get(ctx, "perfdata_label");
	uint64_t max = 4096;

	if (pu_parse_uint(ctx, "max_output", 64, 1048576, &max) != HC_OK)
		return HC_EINVAL;
	if (label != NULL && (label[0] == '\0' || strlen(label) > PD_LABEL_MAX))
		return hc_init_error(ctx,
		                     "perfdata_label: must have 1 to %d "
		                     "characters",
		                     PD_LABEL_MAX);
	if (label != NULL && (e->label = strdup(label)) == NULL)
		return HC_ENOMEM;
	e->max_output = (size_t)max;
	e->out = malloc(e->max_output + 1);
	return e->out != NULL ? HC_OK : HC_ENOMEM;
}

static void ex_teardown(void *instance)
{
	struct ex *e = instance;
	size_t i;

	for (i = 0; e->envp != NULL && e->envp[i] != NULL; i++)
		free(e->envp[i]);
	free(e->envp);
	free(e->argv);
	free(e->dir);
	free(e->label);
	free(e->out);
	free(e);
}

static int ex_init(const struct hc_init_ctx *ctx, void **instance)
{
	struct ex *e = calloc(1, sizeof(*e));
	int rc;

	if (e == NULL)
		return HC_ENOMEM;
	rc = ex_set_command(ctx, e);
	if (rc == HC_OK)
		rc = ex_set_env(ctx, e);
	if (rc == HC_OK)
		rc = ex_set_dir(ctx, e);
	if (rc == HC_OK)
		rc = ex_set_output(ctx, e);
	if (rc != HC_OK) {
		ex_teardown(e);
		return rc;
	}
	*instance = e;
	return HC_OK;
}

/*
 * The file to execute: argv[0] when it has a '/' (a relative one is found
 * from dir, where the command starts), else the first executable match in
 * the command's own PATH, as execvp would search it. Empty and relative
 * PATH entries are skipped. Returns 0, or ENOENT when the search found
 * nothing.
 */
static int ex_resolve(const struct ex *e, char *buf, size_t size)
{
	const char *p = e->path, *colon;
	int len;

	if (strchr(e->argv[0], '/') != NULL) {
		snprintf(buf, size, "%s", e->argv[0]);
		return 0;
	}
	for (; p != NULL; p = *colon != '\0' ? colon + 1 : NULL) {
		colon = strchrnul(p, ':');
		if (p[0] != '/')
			continue;
		len = snprintf(buf, size, "%.*s/%s", (int)(colon - p), p, e->argv[0]);
		if (len > 0 && (size_t)len < size && access(buf, X_OK) == 0)
			return 0;
	}
	return ENOENT;
}

/* The verdict of an exit status, with the output's first line. */
static void ex_judge(const struct ex *e, int status, struct hc_result *r)
{
	static const int verdict[] = { HC_PASS, HC_WARN, HC_FAIL, HC_FAIL };
	static const char *const names[] = { "ok", "warning", "critical", "unknown" };
	char text[sizeof(r->message)];
	size_t len = pd_message(e->out, text, sizeof(text));
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	const char *sig;

	if (code < 0) {
		sig = sigabbrev_np(WTERMSIG(status));
		hc_result_set(r, HC_FAIL, "%s killed by SIG%s%s%s%s", e->name,
		              sig != NULL ? sig : "?", WCOREDUMP(status) ? " (core dumped)" : "",
		              len > 0 ? ": " : "", text);
	} else if (code > 3) {
		hc_result_set(r, HC_FAIL, "%s exited with %d%s%s", e->name, code,
		              len > 0 ? ": " : "", text);
	} else if (len == 0) {
		hc_result_set(r, verdict[code],
		              "%s exited with %d (%s), no "
		              "output",
		              e->name, code, names[code]);
	} else {
		/* UNKNOWN fails: say so, unless the text already does, as
		 * the monitoring-plugins' own texts do. */
		hc_result_set(r, verdict[code], "%s%s",
		              code == 3 && strcasestr(text, "unknown") == NULL ? "unknown: " : "",
		              text);
	}
}

/* The performance-data item to observe, when there is one. */
static void ex_observe(const struct ex *e, const struct hc_check_ctx *ctx, struct hc_result *r)
{
	struct pd_item it;

	if (pd_find(e->out, e->label, &it) && it.known)
		hc_result_observe(r, it.value, it.uom);
	else if (e->label != NULL)
		ctx->host->log(ctx->handle, HC_LOG_DEBUG,
		               "no value for "
		               "perfdata_label '%s' in the output",
		               e->label);
}

/* The command did not start: err from the PATH search (searched) or
 * from posix_spawn, which also fails when dir has gone since start-up.
 * The program is named as written (its arguments may hold a password,
 * its path does not). */
static int ex_cannot_run(const struct ex *e, int err, int searched, struct hc_result *r)
{
	char buf[128];

	if (!searched && access(e->dir, X_OK) != 0)
		return hc_result_set(r, HC_FAIL, "cannot run %s in dir %s: %s", e->argv[0], e->dir,
		                     pu_strerror(errno, buf, sizeof(buf)));
	return hc_result_set(r, HC_FAIL, "cannot run %s: %s%s", e->argv[0],
	                     pu_strerror(err, buf, sizeof(buf)), searched ? " (searched PATH)" : "");
}

static int ex_check(void *instance, const struct hc_check_ctx *ctx, struct hc_result *r)
{
	struct ex *e = instance;
	struct sp_out out = { e->out, e->max_output, 0, 0, 0, 0 };
	char path[PATH_MAX];
	struct sp_cmd cmd = { path, e->argv, e->envp, e->dir };
	int err = ex_resolve(e, path, sizeof(path));

	if (err != 0)
		return ex_cannot_run(e, err, 1, r);
	err = sp_run(ctx, &cmd, &out);
	if (err != 0)
		return ex_cannot_run(e, err, 0, r);
	e->out[out.got] = '\0';
	if (out.dropped > 0)
		ctx->host->log(ctx->handle, HC_LOG_DEBUG,
		               "output cut at %zu "
		               "bytes (max_output), %zu more discarded",
		               out.got, out.dropped);
	if (out.timed_out)
		return hc_result_set(r, HC_FAIL,
		                     "timed out after %u ms: killed "
		                     "%s and its process group",
		                     (unsigned)ctx->timeout_ms, e->name);
	ex_judge(e, out.status, r);
	ex_observe(e, ctx, r);
	return HC_OK;
}

HC_PLUGIN_DEFINE("exec", "1.0.0",
                 "runs a Nagios/monitoring-plugins command: exit code, "
                 "first line, performance data",
                 ex_keys, ex_init, ex_check, ex_teardown);
