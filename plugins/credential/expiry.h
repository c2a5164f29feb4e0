/* SPDX-License-Identifier: MIT */
/*
 * expiry: when a credential file's token expires, read without OpenSSL: a
 * JWT's exp claim or an OAuth token JSON's expires_at / expires_in. Apart
 * from the plugin so that unit tests can feed it text directly.
 *
 * No function here quotes the text it is given in its why message, nor
 * leaves a copy of it behind uncleared: the text is a bearer credential.
 */
#ifndef HC_CRED_EXPIRY_H
#define HC_CRED_EXPIRY_H

#include <stddef.h>

/* What a credential file holds. */
enum cred_type {
	CRED_UNKNOWN, /* none of the others */
	CRED_JWT,     /* header.payload.signature, base64url */
	CRED_OAUTH,   /* a JSON object with expires_at or expires_in */
	CRED_X509,    /* PEM text starting with -----BEGIN */
};

/* What data[0..len) looks like, from its first characters. */
enum cred_type cred_detect(const char *data, size_t len);

/*
 * The exp claim of the JWT in data[0..len) (blanks around it are fine),
 * in seconds since the epoch. Returns 0, or -1 with why (size bytes)
 * saying what is wrong: "not a JWT: 1 part, a JWT has 3", "JWT payload
 * is not base64url", "JWT payload is not JSON (at byte 12)", "JWT payload
 * is not a JSON object", "JWT has no exp claim", "JWT exp claim is not a
 * number".
 */
int cred_jwt_exp(const char *data, size_t len, double *exp, char *why, size_t size);

/*
 * When the OAuth token JSON in data[0..len) expires, in seconds since the
 * epoch: expires_at (epoch seconds, or an RFC 3339 time), else expires_in
 * seconds after mtime (the file's modification time, when the token was
 * written). Returns 0, or -1 with why as for cred_jwt_exp.
 */
int cred_oauth_exp(const char *data, size_t len, double mtime, double *exp, char *why, size_t size);

/*
 * An RFC 3339 date-time ("2026-11-27T08:00:00Z", with an optional
 * fraction and a Z or +hh:mm offset) in seconds since the epoch. Returns
 * 0, or -1 when s is not one.
 */
int cred_rfc3339(const char *s, double *out);

#endif /* HC_CRED_EXPIRY_H */
