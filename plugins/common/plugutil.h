/* SPDX-License-Identifier: MIT */
/*
 * plugutil: helpers the in-tree plugins share, linked into each plugin (a
 * plugin may call nothing of the core). Internal: not part of the SDK.
 */
#ifndef HC_PLUGUTIL_H
#define HC_PLUGUTIL_H

#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include <healthcheckd/plugin.h>

/* Longest DNS name (RFC 1035). */
#define PU_HOST_MAX 253
/* Longest Unix socket path: sun_path is 108 bytes on Linux, with its NUL. */
#define PU_SOCKET_MAX 107
/* What pu_endpoint writes at most: "name:65535 (ipv6 address)". */
#define PU_ENDPOINT_MAX (PU_HOST_MAX + INET6_ADDRSTRLEN + 16)

/* Why a host value is not a host, from pu_host_check. */
enum pu_host_fault {
	PU_HOST_OK,
	PU_HOST_EMPTY,
	PU_HOST_TOO_LONG, /* more than PU_HOST_MAX bytes */
	PU_HOST_BLANK,    /* contains a space or a tab */
};

/*
 * The port key's value v: decimal digits only (no blank, sign or 0x) with a
 * value of 1-65535. Returns the port, or HC_EINVAL after hc_init_error
 * "port: 'V' is not a port number (1-65535)".
 */
int pu_parse_port(const struct hc_init_ctx *ctx, const char *v);

/*
 * The host in v without the brackets of the URL habit of writing an IPv6
 * address as [::1]. Returns a pointer into v and sets *len to the host's
 * length; the host is not NUL-terminated when v had brackets.
 */
const char *pu_host_unbracket(const char *v, size_t *len);

/* Whether the len bytes at h can be a host name or address. */
enum pu_host_fault pu_host_check(const char *h, size_t len);

/*
 * The host key's value v, without [ ], into host (PU_HOST_MAX + 1 bytes).
 * Returns HC_OK, or HC_EINVAL after hc_init_error "host: must not be empty",
 * "host: longer than 253 characters" or "host: 'V' contains a blank".
 */
int pu_parse_host(const struct hc_init_ctx *ctx, const char *v, char *host);

/*
 * The host key's value v, without [ ], for plugins that name every fault
 * alike: sets *host (a pointer into v, not NUL-terminated when v had
 * brackets) and *len. Returns HC_OK, or HC_EINVAL after hc_init_error
 * "host: 'V' is not an address or a name".
 */
int pu_host_span(const struct hc_init_ctx *ctx, const char *v, const char **host, size_t *len);

/*
 * The socket key's value v: an absolute path of at most PU_SOCKET_MAX
 * bytes. Returns HC_OK, or HC_EINVAL after hc_init_error "socket: 'V' is
 * not an absolute path" or "socket: longer than 107 bytes, the limit of a
 * Unix socket path".
 */
int pu_check_socket(const struct hc_init_ctx *ctx, const char *v);

/* 1 when host is an IPv4 or IPv6 address (resolving it does no I/O). */
int pu_host_numeric(const char *host);

/* How messages name a server: "db:5432", or "[::1]:5432" for IPv6. */
void pu_host_port(char *buf, size_t size, const char *host, unsigned port);

/*
 * How messages name one address of host:port (ai from getaddrinfo):
 * "127.0.0.1:5432", "[::1]:5432", or for a name "db.example:5432
 * (10.0.0.5)" so that both sides of DNS are visible. numeric: host is an
 * address. At most PU_ENDPOINT_MAX bytes are needed.
 */
void pu_endpoint(char *buf, size_t size, const char *host, const char *port, int numeric,
                 const struct addrinfo *ai);

/*
 * strerror(err) in buf, or in a static string of the C library; returns
 * it. strerror() itself may share one buffer between threads, and checks
 * run in parallel.
 */
const char *pu_strerror(int err, char *buf, size_t size);

/*
 * The core takes the outcome at deadline_ns sharp, so a check that waits
 * until then loses the race and its message (which names the server) is
 * replaced by the core's bare "timed out". This is the instant to give up
 * at instead: 10 ms earlier, or a tenth of a very short timeout earlier.
 */
int64_t pu_early_deadline(const struct hc_check_ctx *ctx);

/* Milliseconds from start_ns to now (CLOCK_MONOTONIC, host->now_ns). */
double pu_elapsed_ms(const struct hc_host *host, int64_t start_ns);

/* Observe ms as the IETF responseTime, in ms: the latency the plugin
 * measured around the dependency's own answer. */
void pu_observe_ms(struct hc_result *r, double ms);

/* Milliseconds until until_ns (CLOCK_MONOTONIC, host->now_ns), rounded up
 * so that a poll never returns before it; 0 once passed, at most INT_MAX. */
int pu_ms_until(const struct hc_host *host, int64_t until_ns);

/*
 * poll() one descriptor (pfd->fd for pfd->events) until until_ns. An EINTR
 * (the core may use signals) polls again for what is left. Returns what
 * poll returns: 1 with pfd->revents set, 0 when until_ns passed, -1 with
 * errno set.
 */
int pu_poll(const struct hc_host *host, struct pollfd *pfd, int64_t until_ns);

/*
 * Key parsers. Each reads key from ctx; when the section lacks it, each
 * returns HC_OK and leaves *out as it was (the caller's default). A bad
 * value returns HC_EINVAL after hc_init_error with a message that starts
 * with the key and quotes the value, so every plugin says the same thing
 * about the same mistake. Never use them on a secret key: they quote it.
 */

/* yes/no, true/false, on/off, 1/0 in any case: 1 or 0 in *out.
 * "KEY: 'V' is neither yes nor no". */
int pu_parse_bool(const struct hc_init_ctx *ctx, const char *key, int *out);

/* Decimal digits only (no blank, sign or 0x) from min to max.
 * "KEY: 'V' is not a whole number from MIN to MAX". */
int pu_parse_uint(const struct hc_init_ctx *ctx, const char *key, uint64_t min, uint64_t max,
                  uint64_t *out);

/* A plain decimal (digits and a point: no sign, exponent or inf) from min
 * to max. "KEY: 'V' is not a number from MIN to MAX". */
int pu_parse_double(const struct hc_init_ctx *ctx, const char *key, double min, double max,
                    double *out);

/* A whole number with a unit, ms, s, m, h or d (the core's spelling plus
 * hours and days), from min_ms to max_ms, in milliseconds. "KEY: 'V' is
 * not a duration from MIN ms to MAX ms (...)". */
int pu_parse_duration(const struct hc_init_ctx *ctx, const char *key, uint64_t min_ms,
                      uint64_t max_ms, uint64_t *out_ms);

/* One of the NULL-terminated words (case-sensitive): its index in *out.
 * "KEY: 'V' is not one of A, B, C". */
int pu_parse_word(const struct hc_init_ctx *ctx, const char *key, const char *const *words, int *out);

/* path (the value of key: a CA file, a certificate) can be read now.
 * "KEY: cannot read 'PATH': strerror". Init may look at files: only
 * network I/O is out of bounds there. */
int pu_check_readable(const struct hc_init_ctx *ctx, const char *key, const char *path);

/* A copy of key's value in *out (NULL when absent and not required).
 * "KEY: required" when required and absent. Safe for secrets: it never
 * quotes the value; free a secret with pu_free_secret. */
int pu_copy_key(const struct hc_init_ctx *ctx, const char *key, int required, char **out);

/* Clear a secret string's bytes, then free it. NULL is fine. */
void pu_free_secret(char *secret);

#endif /* HC_PLUGUTIL_H */
