#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""httppeer: a loopback HTTP(S) peer for the http plugin's tests.

    httppeer.py [--cert CERT --key KEY [--client-ca CA]]

Listens on 127.0.0.1 on a free port (on $HTTPPEER_PORT if set), prints
the port on its first line of stdout, and serves until killed (or for
HTTPPEER_LIFETIME seconds, 120 by default). HTTP/1.1 with keep-alive, so a client can keep its connection.
With --cert and --key it speaks TLS; with --client-ca it also requires a
client certificate signed by that CA. Each request is logged on stderr as
"METHOD PATH conn=N" (N counts connections).

GET and HEAD, by path (a query string is ignored):
  /ok                 200 "hello from httppeer"
  /status/NNN         NNN "status NNN"
  /redirect           302 to /ok
  /slow/MS            200 after MS milliseconds
  /large              200 with a 64 MiB body starting with "BEGIN"; logs
                      "large: sent N of M bytes" when done or cut off
  /auth               200 when Authorization equals $HTTPPEER_TOKEN, else 401
  /header/NAME        200, the body is the request's header NAME
  /head-only          200 for HEAD, 405 for GET
  /health/NAME        a health document from the DOCS table below
  /connections        the number of connections accepted so far
"""
import os
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LARGE = 64 * 1024 * 1024
CHUNK = 64 * 1024

# name: (status code, document)
DOCS = {
    "ietf-pass": (200, '{"status": "pass", "checks": {'
                  '"redis:responseTime": [{"status": "pass"}],'
                  '"postgres:responseTime": [{"status": "pass"}]}}'),
    "ietf-fail": (503, '{"status": "fail", "checks": {'
                  '"postgres:responseTime": [{"status": "pass"}],'
                  '"redis:responseTime": [{"status": "fail",'
                  ' "output": "Error 111 connecting to 127.0.0.1:6379."}]}}'),
    "spring-down": (503, '{"status": "DOWN", "components": {'
                    '"db": {"status": "UP"},'
                    '"redis": {"status": "DOWN", "details": {"error":'
                    ' "RedisConnectionFailureException: Unable to connect"}}}}'),
    "spring-up": (200, '{"status": "UP", "components": {'
                  '"db": {"status": "UP"}, "diskSpace": {"status": "UP"}}}'),
    "plain-warn": (200, '{"status": "warn", "checks": {'
                   '"cache": "ok", "search": {"status": "warn",'
                   ' "output": "index 3 h old"}}}'),
    "garbage": (200, '<html>It works!</html>'),
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "httppeer/1.0"

    def setup(self):
        super().setup()
        with self.server.lock:
            self.server.connections += 1
            self.conn_no = self.server.connections

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, body, headers=()):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def large(self):
        sent = 0
        self.send_response(200)
        self.send_header("Content-Length", str(LARGE))
        self.end_headers()
        try:
            if self.command != "HEAD":
                chunk = b"BEGIN" + b"a" * (CHUNK - 5)
                while sent < LARGE:
                    self.wfile.write(chunk)
                    sent += len(chunk)
                    chunk = b"a" * CHUNK
        except OSError:
            self.close_connection = True
        finally:
            print(f"large: sent {sent} of {LARGE} bytes", file=sys.stderr,
                  flush=True)

    def route(self):
        print(f"{self.command} {self.path} conn={self.conn_no}",
              file=sys.stderr, flush=True)
        path = self.path.split("?")[0]
        if path == "/ok":
            return self.reply(200, "hello from httppeer\n")
        if path.startswith("/status/"):
            code = int(path[8:])
            return self.reply(code, f"status {code}\n")
        if path == "/redirect":
            return self.reply(302, "see /ok\n", [("Location", "/ok")])
        if path.startswith("/slow/"):
            time.sleep(int(path[6:]) / 1000)
            return self.reply(200, "slow\n")
        if path == "/large":
            return self.large()
        if path == "/auth":
            want = os.environ.get("HTTPPEER_TOKEN")
            ok = want is not None and self.headers.get("Authorization") == want
            return self.reply(200 if ok else 401, "auth\n")
        if path.startswith("/header/"):
            return self.reply(200, self.headers.get(path[8:], "") + "\n")
        if path == "/head-only":
            return self.reply(200 if self.command == "HEAD" else 405, "")
        if path.startswith("/health/") and path[8:] in DOCS:
            code, doc = DOCS[path[8:]]
            return self.reply(code, doc, [("Content-Type",
                                           "application/json")])
        if path == "/connections":
            return self.reply(200, f"{self.server.connections}\n")
        return self.reply(404, "not found\n")

    do_GET = route
    do_HEAD = route


def main():
    args = sys.argv[1:]
    opts = dict(zip(args[::2], args[1::2]))
    ThreadingHTTPServer.allow_reuse_address = True
    server = ThreadingHTTPServer(
        ("127.0.0.1", int(os.environ.get("HTTPPEER_PORT", "0"))), Handler)
    server.daemon_threads = True
    server.lock = threading.Lock()
    server.connections = 0
    if "--cert" in opts:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(opts["--cert"], opts["--key"])
        if "--client-ca" in opts:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(opts["--client-ca"])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    lifetime = int(os.environ.get("HTTPPEER_LIFETIME", "120"))
    threading.Timer(lifetime, lambda: os._exit(0)).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
