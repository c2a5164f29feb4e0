/* SPDX-License-Identifier: MIT */
/* Unit tests of plugins/credential/expiry.c: JWT and OAuth token expiry. */
#include "unit.h"

#include "../../plugins/credential/expiry.h"

#define HDR "eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCJ9."
#define SIG ".c2lnbmF0dXJl"
/* {"sub":"system:serviceaccount:x","exp":2000000000} */
#define JWT_GOOD HDR "eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6eCIsImV4cCI6MjAwMDAwMDAwMH0" SIG

static char why[160];
static double exp_;

static int jwt(const char *text)
{
	why[0] = '\0';
	return cred_jwt_exp(text, strlen(text), &exp_, why, sizeof(why));
}

static int oauth(const char *text, double mtime)
{
	why[0] = '\0';
	return cred_oauth_exp(text, strlen(text), mtime, &exp_, why, sizeof(why));
}

static void detect_tells_the_kinds_apart(void **state)
{
	(void)state;
	assert_int_equal(cred_detect(JWT_GOOD "\n", strlen(JWT_GOOD) + 1), CRED_JWT);
	assert_int_equal(cred_detect(" {\"expires_in\": 3}", 19), CRED_OAUTH);
	assert_int_equal(cred_detect("\n-----BEGIN CERTIFICATE-----\n", 29), CRED_X509);
	assert_int_equal(cred_detect("hello world", 11), CRED_UNKNOWN);
	assert_int_equal(cred_detect("abc", 3), CRED_UNKNOWN);
	assert_int_equal(cred_detect("", 0), CRED_UNKNOWN);
}

static void jwt_exp_is_read_from_the_payload(void **state)
{
	(void)state;
	assert_int_equal(jwt(JWT_GOOD), 0);
	assert_true(exp_ == 2000000000.0);
	assert_int_equal(jwt("  " JWT_GOOD "\r\n"), 0);
	assert_true(exp_ == 2000000000.0);
}

static void jwt_padding_is_tolerated(void **state)
{
	(void)state;
	/* {"exp": 2000000000, "n": "x"} is 39 bytes: base64 pads with "=". */
	assert_int_equal(jwt(HDR "eyJleHAiOiAyMDAwMDAwMDAwLCAibiI6ICJ4In0=" SIG), 0);
	assert_true(exp_ == 2000000000.0);
}

static void jwt_with_the_wrong_number_of_parts(void **state)
{
	(void)state;
	assert_int_equal(jwt("abcdef"), -1);
	assert_string_equal(why, "not a JWT: 1 part, a JWT has 3");
	assert_int_equal(jwt("a.b"), -1);
	assert_string_equal(why, "not a JWT: 2 parts, a JWT has 3");
	assert_int_equal(jwt("a.b.c.d.e"), -1);
	assert_string_equal(why, "a JWE (encrypted JWT): its claims cannot be "
	                         "read");
}

static void jwt_payload_faults_are_named_without_quoting(void **state)
{
	(void)state;
	assert_int_equal(jwt(HDR "ab*cd" SIG), -1);
	assert_string_equal(why, "JWT payload is not base64url");
	assert_int_equal(jwt(HDR "abcde" SIG), -1); /* 5 digits: no bytes */
	assert_string_equal(why, "JWT payload is not base64url");
	assert_int_equal(jwt(HDR SIG), -1);
	assert_string_equal(why, "JWT payload is not base64url");
	assert_int_equal(jwt(HDR "e25vdCBqc29u" SIG), -1); /* {not json */
	assert_string_equal(why, "JWT payload is not JSON (at byte 4)");
	assert_int_equal(jwt(HDR "WzEsMl0" SIG), -1); /* [1,2] */
	assert_string_equal(why, "JWT payload is not a JSON object");
	assert_int_equal(jwt(HDR "eyJzdWIiOiJhIn0" SIG), -1);
	assert_string_equal(why, "JWT has no exp claim");
	assert_int_equal(jwt(HDR "eyJleHAiOiJzb29uIn0" SIG), -1);
	assert_string_equal(why, "JWT exp claim is not a number");
}

static void oauth_expires_at_in_epoch_seconds(void **state)
{
	(void)state;
	assert_int_equal(oauth("{\"access_token\": \"t0k\", \"expires_at\": "
	                       "1800000000}",
	                       5),
	                 0);
	assert_true(exp_ == 1800000000.0);
}

static void oauth_expires_at_in_rfc3339(void **state)
{
	(void)state;
	assert_int_equal(oauth("{\"expires_at\": \"2027-01-15T10:00:00Z\"}", 0), 0);
	assert_true(exp_ == 1800007200.0);
	assert_int_equal(oauth("{\"expires_at\": \"2027-01-15T12:00:00.5+02:00\"}", 0), 0);
	assert_true(exp_ == 1800007200.5);
}

static void oauth_expires_in_counts_from_mtime(void **state)
{
	(void)state;
	assert_int_equal(oauth("{\"token_type\": \"Bearer\", \"expires_in\": "
	                       "3600}",
	                       1700000000.0),
	                 0);
	assert_true(exp_ == 1700003600.0);
}

static void oauth_faults_are_named_without_quoting(void **state)
{
	(void)state;
	assert_int_equal(oauth("{\"access_token\": \"t0k\"}", 0), -1);
	assert_string_equal(why, "OAuth token JSON has neither expires_at nor "
	                         "expires_in");
	assert_int_equal(oauth("{\"expires_in\": \"3600\"}", 0), -1);
	assert_string_equal(why, "OAuth expires_in is not a number");
	assert_int_equal(oauth("{\"expires_at\": \"tomorrow\"}", 0), -1);
	assert_string_equal(why, "OAuth expires_at is not a time (epoch "
	                         "seconds or RFC 3339)");
	assert_int_equal(oauth("{\"access_token\": \"t0k\"", 0), -1);
	assert_null(strstr(why, "t0k"));
	assert_int_equal(strncmp(why, "OAuth token file is not JSON (at byte ", 38), 0);
	assert_int_equal(oauth("[1]", 0), -1);
	assert_string_equal(why, "OAuth token JSON is not an object");
}

static void rfc3339_rejects_what_is_not_one(void **state)
{
	double t;

	(void)state;
	assert_int_equal(cred_rfc3339("1970-01-01T00:00:00Z", &t), 0);
	assert_true(t == 0.0);
	assert_int_equal(cred_rfc3339("1970-01-01 01:00:00+01:00", &t), 0);
	assert_true(t == 0.0);
	assert_int_equal(cred_rfc3339("1970-01-01T00:00:00", &t), -1);
	assert_int_equal(cred_rfc3339("1970-01-01T00:00Z", &t), -1);
	assert_int_equal(cred_rfc3339("1970-13-01T00:00:00Z", &t), -1);
	assert_int_equal(cred_rfc3339("1970-01-01T00:00:00.Z", &t), -1);
	assert_int_equal(cred_rfc3339("1970-01-01T00:00:00Zjunk", &t), -1);
	assert_int_equal(cred_rfc3339("", &t), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(detect_tells_the_kinds_apart),
		cmocka_unit_test(jwt_exp_is_read_from_the_payload),
		cmocka_unit_test(jwt_padding_is_tolerated),
		cmocka_unit_test(jwt_with_the_wrong_number_of_parts),
		cmocka_unit_test(jwt_payload_faults_are_named_without_quoting),
		cmocka_unit_test(oauth_expires_at_in_epoch_seconds),
		cmocka_unit_test(oauth_expires_at_in_rfc3339),
		cmocka_unit_test(oauth_expires_in_counts_from_mtime),
		cmocka_unit_test(oauth_faults_are_named_without_quoting),
		cmocka_unit_test(rfc3339_rejects_what_is_not_one),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
