/* SPDX-License-Identifier: MIT */
/* isolate = process, the helper's side: `healthcheckd --plugin-host` runs one plugin instance. */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hostproto.h"
#include "instance.h"
#include "loader.h"
#include "pluginhost.h"
#include "xalloc.h"

/* More keys than a config section could give is a broken INIT. */
#define MAX_KEYS 4096

static const char *const systemd_vars[] = {
	"NOTIFY_SOCKET", "LISTEN_PID",    "LISTEN_FDS", "LISTEN_FDNAMES",
	"WATCHDOG_PID",  "WATCHDOG_USEC", NULL,
};

static void host_log(struct hc_handle *handle, int level, const char *fmt, ...) HC_PRINTF(3, 4);

static const struct hc_host host_table = {
	sizeof(struct hc_host),     HC_ABI_MAJOR, HC_ABI_MINOR, 0, host_log, hc_now_ns,
	{ 0, 0, 0, 0, 0, 0, 0, 0 },
};

/* The one instance a helper holds; its handle only has to be non-NULL. */
static char handle_storage;
#define HANDLE ((struct hc_handle *)(void *)&handle_storage)

/* To the daemon, which scrubs, names the check and writes it. From any
 * thread; never blocks: a line that finds the socket full is lost. */
static void host_log(struct hc_handle *handle, int level, const char *fmt, ...)
{
	struct hc_msg_log ml = { .level = level };
	char line[512];
	const char *s[1] = { line };
	va_list ap;

	(void)handle;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	hc_msg_send(HC_HOST_FD, HC_MSG_LOG, &ml, sizeof(ml), s, MSG_DONTWAIT);
}

/* The daemon gone (its end closed: it exited or was killed), the helper
 * goes too, even from inside a plugin call that never returns. Not
 * PR_SET_PDEATHSIG: that fires when the *thread* that started the helper
 * ends, and the daemon's workers come and go. */
static void *watch_daemon(void *arg)
{
	struct pollfd p = { HC_HOST_FD, POLLRDHUP, 0 };

	(void)arg;
	while (poll(&p, 1, -1) < 0 && errno == EINTR)
		;
	_exit(0);
}

/* Receive INIT and its keys, load the plugin, run init, answer. The
 * received messages, secrets among them, are wiped once init returned.
 * Returns the instance's plugin, or NULL (answered, or the daemon gone). */
static struct hc_module *init(void **data)
{
	struct hc_module *mod = NULL;
	struct hc_msg_init_reply reply = { .rc = HC_EINVAL };
	struct hc_msg mi, *kvm = NULL;
	struct hc_kv *kv = NULL;
	char err[512] = "";
	const char *s[1] = { err };
	uint32_t got = 0;

	if (hc_msg_recv(HC_HOST_FD, &mi, err, sizeof(err)) != 1 || mi.u.h.type != HC_MSG_INIT ||
	    mi.u.init.n_kv > MAX_KEYS)
		goto out;
	kvm = hc_xcalloc(mi.u.init.n_kv + 1, sizeof(*kvm));
	kv = hc_xcalloc(mi.u.init.n_kv + 1, sizeof(*kv));
	for (; got < mi.u.init.n_kv; got++) {
		if (hc_msg_recv(HC_HOST_FD, &kvm[got], err, sizeof(err)) != 1 ||
		    kvm[got].u.h.type != HC_MSG_KV)
			goto out;
		kv[got] = (struct hc_kv){ kvm[got].str[0], kvm[got].str[1] };
	}
	mod = hc_module_open(mi.str[0], err, sizeof(err));
	if (mod != NULL) {
		struct hc_init_ctx ctx = { sizeof(ctx), 0,   &host_table, HANDLE,     mi.str[1],
			                   kv,          got, err,         sizeof(err) };

		reply.rc = mod->desc->init(&ctx, data);
		err[sizeof(err) - 1] = '\0';
		if (reply.rc != HC_OK) {
			hc_module_close(mod);
			mod = NULL;
		}
	}
	hc_msg_send(HC_HOST_FD, HC_MSG_INIT_REPLY, &reply, sizeof(reply), s, 0);
out:
	/* Up to the one that broke off the loop, if any: zeroed after it. */
	for (uint32_t i = 0; kvm != NULL && i < mi.u.init.n_kv; i++)
		hc_msg_free(&kvm[i]);
	free(kvm);
	free(kv);
	hc_msg_free(&mi);
	return mod;
}

/* One check call, answered with a RESULT. */
static void check(const struct hc_module *mod, void *data, const struct hc_msg_check *mc)
{
	struct hc_check_ctx ctx = { sizeof(ctx), mc->timeout_ms,  &host_table,
		                    HANDLE,      mc->deadline_ns, mc->run };
	struct hc_msg_result res = { 0 };
	struct hc_result r;
	const char *s[3] = { r.message, r.unit, r.measurement };

	memset(&r, 0, sizeof(r));
	r.struct_size = sizeof(r);
	res.rc = hc_call_check(mod->desc, data, &ctx, &r, &res.latency_ns);
	res.status = r.status;
	res.has_value = r.has_value;
	res.value = r.value;
	hc_msg_send(HC_HOST_FD, HC_MSG_RESULT, &res, sizeof(res), s, 0);
}

/* Is HC_HOST_FD the socket the daemon passes? */
static bool started_by_daemon(void)
{
	int type = 0;
	socklen_t len = sizeof(type);

	return getsockopt(HC_HOST_FD, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
	       type == SOCK_SEQPACKET;
}

int hc_pluginhost_main(void)
{
	struct hc_module *mod;
	struct hc_msg m;
	pthread_t tid;
	void *data = NULL;
	char err[256];

	if (!started_by_daemon()) {
		fprintf(stderr, "healthcheckd: --plugin-host is internal: the daemon starts it\n");
		return 2;
	}
	/* A command the plugin runs must not hold the daemon's socket. */
	fcntl(HC_HOST_FD, F_SETFD, FD_CLOEXEC);
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; systemd_vars[i] != NULL; i++)
		unsetenv(systemd_vars[i]);
	if (pthread_create(&tid, NULL, watch_daemon, NULL) != 0)
		return 1;
	mod = init(&data);
	if (mod == NULL)
		return 0;
	while (hc_msg_recv(HC_HOST_FD, &m, err, sizeof(err)) == 1 && m.u.h.type == HC_MSG_CHECK) {
		check(mod, data, &m.u.check);
		hc_msg_free(&m);
	}
	if (m.buf != NULL && m.u.h.type == HC_MSG_TEARDOWN)
		mod->desc->teardown(data);
	hc_msg_free(&m);
	/* Exit now: the daemon waits for it, and the library stays loaded
	 * (RTLD_NODELETE) whatever hc_module_close would do. */
	_exit(0);
}
