/* SPDX-License-Identifier: MIT */
/* isolate = process, the daemon's side: a plugin instance in a helper process, its death a result. */
#ifndef HC_ISOLATE_H
#define HC_ISOLATE_H

#include <stddef.h>
#include <stdint.h>

#include <healthcheckd/plugin.h>

/* A line the helper logged for the instance, handed to the daemon's
 * logger for the instance (which scrubs it and names the check). */
typedef void (*hc_iso_log_fn)(void *arg, int level, const char *text);
/* Rewrite text of the plugin's own (init's error) for a log line: the
 * instance's secrets out, no control characters. */
typedef void (*hc_iso_scrub_fn)(void *arg, char *buf, size_t size);

/* One instance's helper: what starting it takes, and its state. */
struct hc_iso;

/* What a run came to. */
enum hc_iso_run {
	HC_ISO_RESULT,  /* the plugin returned: *rc and r are its */
	HC_ISO_TIMEOUT, /* killed at its deadline */
	HC_ISO_FAILED,  /* the helper died, or is down: r holds why, as a failure */
};

/* Remember how to re-execute this program: argv[0] resolved now, for when
 * /proc/self/exe cannot be executed. Call once at start. */
void hc_iso_set_exe(const char *argv0);

/* A helper for check name of the plugin at path, with the keys init gets
 * (copied: secret values are wiped when it is freed). log gets what the
 * plugin logs, with arg; scrub cleans why the helper is down before it is
 * logged or kept. Nothing is started yet. */
struct hc_iso *hc_iso_new(const char *path, const char *name, uint32_t timeout_ms,
                          const struct hc_kv *kv, size_t n_kv, hc_iso_log_fn log,
                          hc_iso_scrub_fn scrub, void *arg);

/* Start the helper and run init in it, waiting at most until deadline_ns.
 * Returns init's code (HC_OK) or HC_EIO when the helper could not be
 * started, died or did not answer; err holds the message then. */
int hc_iso_start(struct hc_iso *iso, int64_t deadline_ns, char *err, size_t errsz);

/* Run check once in the helper, restarting it first if it is down and its
 * backoff has passed (after a timeout: at once). Never outlives
 * deadline_ns by more than half of HC_DEADLINE_GRACE_MS plus 250 ms to
 * reap a killed helper (one not reapable by then is reaped later). r must
 * be zeroed with its struct_size set; *latency_ns is the time the check
 * took in the helper, within what the daemon measured. */
enum hc_iso_run hc_iso_check(struct hc_iso *iso, uint64_t run, int64_t deadline_ns,
                             struct hc_result *r, int *rc, int64_t *latency_ns);

/* Tear the plugin down in the helper (at most a second, then it is
 * killed), reap it, wipe the secrets, free. NULL is fine. */
void hc_iso_free(struct hc_iso *iso);

#endif
