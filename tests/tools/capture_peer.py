#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""An HTTP peer that records every request and answers as told, for tests
that must see what a plugin really sends (its signature) or make it meet
answers a real server will not give (a redirect to another region, a clock
far off).

  capture_peer.py DIR [CERT KEY]

Listens on 127.0.0.1 on a free port, prints the port on its first line of
stdout, and serves HTTP/1.1 with keep-alive (HTTPS with CERT and KEY, PEM
files) until killed. Each request is appended to DIR/requests.jsonl as one
JSON object: method, path, headers (a list of [name, value] in the order
received), body, and client (the client's port: one per connection). The answer is read
from DIR/response at each request when it exists: its first line is the
status code, each further line a header "Name: value" (a Date header given
there replaces the real one); without it the answer is 200. Answers have
no body.
"""
import http.server
import json
import os
import ssl
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("latin-1") if length else ""
        record = {"method": self.command, "path": self.path,
                  "headers": [[k, v] for k, v in self.headers.items()],
                  "body": body, "client": self.client_address[1]}
        with open(os.path.join(self.server.dir, "requests.jsonl"), "a") as f:
            f.write(json.dumps(record) + "\n")
        status, headers = 200, []
        try:
            with open(os.path.join(self.server.dir, "response")) as f:
                lines = [line.rstrip("\n") for line in f if line.strip()]
            status = int(lines[0])
            headers = [line.split(": ", 1) for line in lines[1:]]
        except FileNotFoundError:
            pass
        self.send_response_only(status)
        if not any(name.lower() == "date" for name, _ in headers):
            self.send_header("Date", self.date_time_string())
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = answer

    def log_message(self, fmt, *args):
        sys.stderr.write("capture_peer: " + fmt % args + "\n")


def main():
    if len(sys.argv) not in (2, 4):
        sys.exit("usage: capture_peer.py DIR [CERT KEY]")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.dir = sys.argv[1]
    if len(sys.argv) == 4:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(sys.argv[2], sys.argv[3])
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
