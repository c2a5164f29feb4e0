#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Azure Blob helpers for the tests, written from the REST API reference
independently of the azureblob plugin (so that the two do not share a
mistake), with the Python standard library only.

  azblob.py create-container ENDPOINT ACCOUNT CONTAINER
      PUT ENDPOINT/CONTAINER?restype=container signed with SharedKey;
      exit 0 when created (201) or already there (409).
  azblob.py account-sas ACCOUNT EXPIRY [START]
      print an account SAS (blob service, container resources, read) valid
      from START (default: an hour ago) until EXPIRY, UTC times such as
      2030-01-01T00:00:00Z.
  azblob.py container-sas ACCOUNT CONTAINER EXPIRY [PERMISSIONS]
      print a service SAS for the container (default permissions: r).

The account key (base64) comes from the environment, AZ_KEY, not argv.
ENDPOINT is the blob service URL, e.g. azurite's path-style
http://127.0.0.1:PORT/ACCOUNT. Requests go to loopback only: the
environment's proxies are ignored.
"""
import base64
import datetime
import hashlib
import hmac
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

VERSION = "2021-08-06"
SAS_VERSION = "2019-12-12"


def sign(key, text):
    mac = hmac.new(base64.b64decode(key), text.encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def http_date():
    now = datetime.datetime.now(datetime.timezone.utc)
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
              "Sep", "Oct", "Nov", "Dec"]
    return "%s, %02d %s %04d %02d:%02d:%02d GMT" % (
        days[now.weekday()], now.day, months[now.month - 1], now.year,
        now.hour, now.minute, now.second)


def create_container(endpoint, account, container, key):
    url = endpoint.rstrip("/") + "/" + container + "?restype=container"
    path = urllib.parse.urlsplit(url).path
    headers = {"x-ms-date": http_date(), "x-ms-version": VERSION}
    ctype = "application/octet-stream"  # else urllib sends a form's type
    # VERB, Content-Encoding, -Language, -Length (empty for 0), -MD5, -Type,
    # Date, If-Modified-Since, If-Match, If-None-Match, If-Unmodified-Since,
    # Range, the x-ms-* headers sorted, the canonicalized resource.
    to_sign = "PUT\n\n\n\n\n" + ctype + "\n" + "\n" * 6
    to_sign += "".join("%s:%s\n" % (k, headers[k]) for k in sorted(headers))
    to_sign += "/%s%s\nrestype:container" % (account, path)
    headers["Authorization"] = "SharedKey %s:%s" % (account,
                                                    sign(key, to_sign))
    headers["Content-Type"] = ctype
    req = urllib.request.Request(url, data=b"", method="PUT", headers=headers)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=10) as resp:
            return resp.status == 201
    except urllib.error.HTTPError as e:
        if e.code == 409:
            return True
        sys.stderr.write("azblob.py: PUT %s: %s %s\n%s\n" % (
            url, e.code, e.reason, e.read().decode(errors="replace")))
        return False


def account_sas(account, key, expiry, start):
    fields = {"sv": SAS_VERSION, "ss": "b", "srt": "c", "sp": "r",
              "st": start, "se": expiry}
    to_sign = "\n".join([account, fields["sp"], fields["ss"], fields["srt"],
                         fields["st"], fields["se"], "", "", fields["sv"]])
    fields["sig"] = sign(key, to_sign + "\n")
    return urllib.parse.urlencode(fields)


def container_sas(account, container, key, expiry, perms):
    fields = {"sv": SAS_VERSION, "sr": "c", "sp": perms, "se": expiry}
    # sp, st, se, resource, si, sip, spr, sv, sr, snapshot time, then the
    # five response header overrides (all empty here).
    to_sign = "\n".join([perms, "", expiry,
                         "/blob/%s/%s" % (account, container), "", "", "",
                         SAS_VERSION, "c", "", "", "", "", "", ""])
    fields["sig"] = sign(key, to_sign)
    return urllib.parse.urlencode(fields)


def hour_ago():
    t = datetime.datetime.now(datetime.timezone.utc)
    t -= datetime.timedelta(hours=1)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def main(argv):
    key = os.environ.get("AZ_KEY")
    if key is None:
        sys.exit("azblob.py: set AZ_KEY to the account key")
    if len(argv) == 5 and argv[1] == "create-container":
        return 0 if create_container(argv[2], argv[3], argv[4], key) else 1
    if len(argv) in (4, 5) and argv[1] == "account-sas":
        start = argv[4] if len(argv) == 5 else hour_ago()
        print(account_sas(argv[2], key, argv[3], start))
        return 0
    if len(argv) in (5, 6) and argv[1] == "container-sas":
        perms = argv[5] if len(argv) == 6 else "r"
        print(container_sas(argv[2], argv[3], key, argv[4], perms))
        return 0
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
