/* SPDX-License-Identifier: MIT */
/* Test plugin driven by a file: its first word is pass, warn, fail, error, sleep MS, hang or leak;
 * or, to test isolate = process, segv, abort, exit CODE or block (a read that never returns);
 * path = /crash-in-init makes init abort; refuse makes init fail with a message that echoes the
 * password and forges a log line; forkexit forks a child that calls exit(0) and waits for it;
 * ignchld sets SIGCHLD to SIG_IGN (as a careless in-process plugin might); hangup, in a plugin
 * host, shuts down its writing to the daemon (descriptor 3) and blocks; forge, in a plugin host,
 * sends the daemon a RESULT claiming an hour of latency itself and exits.
 * With count = FILE, every check call appends one line to FILE, so a test can count calls. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <healthcheckd/plugin.h>

#include "hostproto.h"

static const struct hc_key keys[] = {
	{ "path", "file whose first word says what the next check reports", 0 },
	{ "password", "a secret, echoed by 'leak' to test scrubbing", HC_KEY_SECRET },
	{ "count", "optional file to which every check call appends one line", 0 },
	{ NULL, NULL, 0 }
};

struct fake {
	char path[512];
	char password[128];
	char count[512];
};

/* The first word of the file at path, "" if none. */
static void first_word(const char *path, char *word, long *num)
{
	FILE *fp = fopen(path, "r");

	word[0] = '\0';
	if (fp != NULL && fscanf(fp, "%31s %ld", word, num) < 1)
		word[0] = '\0';
	if (fp != NULL)
		fclose(fp);
}

static int fake_init(const struct hc_init_ctx *ctx, void **instance)
{
	const char *path = hc_kv_get(ctx, "path");
	const char *password = hc_kv_get(ctx, "password");
	const char *count = hc_kv_get(ctx, "count");
	struct fake *f;
	char word[32];
	long num = 0;

	if (path == NULL)
		return hc_init_error(ctx, "path is required");
	if (path[0] != '/')
		return hc_init_error(ctx, "path: '%s' is not absolute", path);
	if (count != NULL && count[0] != '/')
		return hc_init_error(ctx, "count: '%s' is not absolute", count);
	/* For isolate = process: init's crash is a config error. */
	if (strcmp(path, "/crash-in-init") == 0)
		abort();
	/* A bad plugin: its error names the secret and holds a newline. */
	first_word(path, word, &num);
	if (strcmp(word, "refuse") == 0)
		return hc_init_error(ctx, "login refused for password %s\nFAKE: forged line",
		                     password ? password : "");
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return HC_ENOMEM;
	snprintf(f->path, sizeof(f->path), "%s", path);
	snprintf(f->password, sizeof(f->password), "%s", password ? password : "");
	snprintf(f->count, sizeof(f->count), "%s", count ? count : "");
	*instance = f;
	return HC_OK;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

static int crash(const char *word, long code, const struct fake *f, struct hc_result *r);

/* What a plugin may do with processes in the daemon (isolate = none). */
static int processes(const char *word, long code, const struct fake *f, struct hc_result *r)
{
	pid_t pid;
	int st = -1;

	if (strcmp(word, "ignchld") == 0) {
		signal(SIGCHLD, SIG_IGN);
		return hc_result_set(r, HC_PASS, "SIGCHLD ignored");
	}
	if (strcmp(word, "forkexit") != 0)
		return crash(word, code, f, r);
	pid = fork();
	if (pid == 0)
		exit(0);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return hc_result_set(r, HC_FAIL, "the child's exit(0) ended with wait status %d", st);
	return hc_result_set(r, HC_PASS, "the child exited with status 0");
}

static int fake_check(void *instance, const struct hc_check_ctx *ctx, struct hc_result *r)
{
	struct fake *f = instance;
	char word[32] = "";
	long ms = 0;
	FILE *fp;

	/* Counted before anything else, so a call that hangs counts too. */
	if (f->count[0] != '\0' && (fp = fopen(f->count, "a")) != NULL) {
		fputs("check\n", fp);
		fclose(fp);
	}
	if (access(f->path, R_OK) != 0)
		return hc_result_set(r, HC_FAIL, "cannot open %s", f->path);
	first_word(f->path, word, &ms);
	if (strcmp(word, "pass") == 0)
		return hc_result_set(r, HC_PASS, "all good (run %llu)", (unsigned long long)ctx->run);
	if (strcmp(word, "warn") == 0)
		return hc_result_set(r, HC_WARN, "degraded");
	if (strcmp(word, "fail") == 0)
		return hc_result_set(r, HC_FAIL, "dependency down");
	if (strcmp(word, "error") == 0) {
		hc_result_set(r, HC_PASS, "plugin broke");
		return HC_EIO;
	}
	if (strcmp(word, "leak") == 0) {
		ctx->host->log(ctx->handle, HC_LOG_WARNING, "password is %s", f->password);
		return hc_result_set(r, HC_FAIL, "auth failed for password %s", f->password);
	}
	if (strcmp(word, "observe") == 0) {
		hc_result_observe(r, 42.5, "%");
		snprintf(r->measurement, sizeof(r->measurement), "utilization");
		return hc_result_set(r, HC_PASS, "observed");
	}
	if (strcmp(word, "sleep") == 0) {
		sleep_ms(ms);
		return hc_result_set(r, HC_PASS, "slept %ld ms", ms);
	}
	if (strcmp(word, "hang") == 0) {
		for (;;)
			sleep_ms(1000);
	}
	return processes(word, ms, f, r);
}

/* A plugin that writes to its host's socket: a RESULT of its own making
 * (pass, "forged", an hour's latency), then gone. */
static void forge(void)
{
	static const char strs[] = "forged\0\0"; /* message, unit, measurement */
	unsigned char buf[sizeof(struct hc_msg_result) + sizeof(strs)];
	struct hc_msg_result m = { { HC_PROTO_MAGIC, HC_PROTO_MAJOR, HC_PROTO_MINOR, HC_MSG_RESULT,
		                     sizeof(m) },
		                   0,
		                   HC_PASS,
		                   0,
		                   3600 * 1000000000LL,
		                   0,
		                   0 };

	memcpy(buf, &m, sizeof(m));
	memcpy(buf + sizeof(m), strs, sizeof(strs));
	send(3, buf, sizeof(buf), 0);
	_exit(0);
}

/* The ways a plugin takes its process down, or never comes back. */
static int crash(const char *word, long code, const struct fake *f, struct hc_result *r)
{
	/* Not NULL, which UBSan would catch first; read at run time. */
	static char *volatile nowhere = (char *)16;
	int fds[2];

	if (strcmp(word, "segv") == 0)
		*nowhere = 1; /* a real invalid access, as a plugin's bug makes */
	if (strcmp(word, "abort") == 0)
		abort();
	if (strcmp(word, "exit") == 0)
		exit((int)code);
	if (strcmp(word, "forge") == 0)
		forge();
	/* The daemon sees end of file from a host that does not exit. */
	if (strcmp(word, "hangup") == 0)
		shutdown(3, SHUT_WR);
	if ((strcmp(word, "block") == 0 || strcmp(word, "hangup") == 0) && pipe(fds) == 0) {
		char c;

		/* Any process may trace it: a test holds its death that way. */
		prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY);
		/* Blocked in the kernel: no deadline can reach it in-process. */
		while (read(fds[0], &c, 1) != 0)
			;
	}
	return hc_result_set(r, HC_FAIL, "unknown word '%s' in %s", word, f->path);
}

static void fake_teardown(void *instance)
{
	free(instance);
}

HC_PLUGIN_DEFINE("fake_good", "1.0.0", "test plugin driven by a file", keys, fake_init, fake_check,
                 fake_teardown);
