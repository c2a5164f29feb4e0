#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Verify the AWS Signature Version 4 of a captured S3 request with
botocore's own signer (Debian python3-botocore), the way S3 does: rebuild
the canonical request from the method, path, query and the headers the
request says it signed, sign it with the secret, compare.

  sigv4_verify.py REQUESTS.jsonl ACCESS_KEY_ID REGION

REQUESTS.jsonl is what tests/tools/capture_peer.py wrote; the last request
is checked. The secret comes from the environment, AWS_SECRET_ACCESS_KEY,
and a session token, if the request must carry one, from
AWS_SESSION_TOKEN. Prints "signature OK" and exits 0, or prints what is
wrong and exits 1.
"""
import hashlib
import json
import os
import re
import sys

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

AUTH = re.compile(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/s3/"
                  r"aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?"
                  r"Signature=([0-9a-f]{64})$")


def fail(why):
    print(why)
    sys.exit(1)


def check_scope(headers, key_id, region):
    """The Authorization header's parts, after checking its scope."""
    m = AUTH.match(headers.get("authorization", ""))
    if m is None:
        fail("no AWS4-HMAC-SHA256 Authorization header: %r"
             % headers.get("authorization"))
    got_key, day, got_region, signed, signature = m.groups()
    if got_key != key_id:
        fail("credential names access key %s, not %s" % (got_key, key_id))
    if got_region != region:
        fail("credential scope names region %s, not %s"
             % (got_region, region))
    if not headers.get("x-amz-date", "").startswith(day):
        fail("x-amz-date %r is not of the scope's day %s"
             % (headers.get("x-amz-date"), day))
    return signed.split(";"), signature


def check_headers(headers, signed, body, token):
    """What S3 requires of the headers beyond the signature itself."""
    for name in ["host", "x-amz-date", "x-amz-content-sha256"] + (
            ["x-amz-security-token"] if token else []):
        if name not in signed:
            fail("%s is not among the signed headers %s" % (name, signed))
    payload = hashlib.sha256(body.encode("latin-1")).hexdigest()
    if headers.get("x-amz-content-sha256") != payload:
        fail("x-amz-content-sha256 is %r, not the payload's SHA-256 %s"
             % (headers.get("x-amz-content-sha256"), payload))
    if token and headers.get("x-amz-security-token") != token:
        fail("x-amz-security-token is not the session token")
    if not token and "x-amz-security-token" in headers:
        fail("x-amz-security-token sent without a session token")


def expected_signature(req, headers, signed, key_id, region):
    """botocore's signature over the request as S3 would rebuild it."""
    creds = Credentials(key_id, os.environ["AWS_SECRET_ACCESS_KEY"],
                        os.environ.get("AWS_SESSION_TOKEN"))
    auth = S3SigV4Auth(creds, "s3", region)
    url = "http://" + headers["host"] + req["path"]
    request = AWSRequest(method=req["method"], url=url,
                         headers={h: headers[h] for h in signed},
                         data=req["body"])
    request.context["timestamp"] = headers["x-amz-date"]
    canonical = auth.canonical_request(request)
    return auth.signature(auth.string_to_sign(request, canonical), request)


def main(argv):
    if len(argv) != 4:
        sys.exit(__doc__)
    with open(argv[1]) as f:
        req = json.loads(f.readlines()[-1])
    headers = {k.lower(): v for k, v in req["headers"]}
    signed, signature = check_scope(headers, argv[2], argv[3])
    check_headers(headers, signed, req["body"],
                  os.environ.get("AWS_SESSION_TOKEN"))
    want = expected_signature(req, headers, signed, argv[2], argv[3])
    if want != signature:
        fail("signature mismatch: sent %s, botocore computes %s"
             % (signature, want))
    print("signature OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
