#!/usr/bin/env python3
"""A stand-in for sriov-report-server's upload endpoint, for the CLI tests (UploadTests).

It answers POST /api/v1/reports as the contract in Docs/openapi.yaml says:
  401 no bearer token, 403 a token without the upload role, 415 not XML, 413 too large,
  400 not a report, 201 {"id","host","url"} for new bytes, 200 with the same id for the same
  bytes again; GET /healthz -> 200.
and records every request (method, path, headers, body) as one JSON line in --log, so the
tests can check what left the host. Test knobs: --fail-first N answers 503 to the first N
uploads; --delay S waits S seconds before answering (timeouts); --tls-cert/--tls-key for
HTTPS. It prints "PORT <n>" on its first line once it listens.
"""
import argparse
import hashlib
import http.server
import json
import ssl
import sys
import threading
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--token", default="upload-token-1")
    p.add_argument("--read-token", default="read-token-1")
    p.add_argument("--log", required=True)
    p.add_argument("--fail-first", type=int, default=0)
    p.add_argument("--delay", type=float, default=0)
    p.add_argument("--limit", type=int, default=1 << 20)
    p.add_argument("--force-status", type=int, default=0, help="answer every upload with this status")
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    args = p.parse_args()

    state = {"uploads": 0, "ids": {}}
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def answer(self, status, obj):
            body = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def record(self, body):
            entry = {"method": self.command, "path": self.path, "headers": dict(self.headers.items()),
                     "body": body.decode("utf-8", "replace")}
            with lock, open(args.log, "a") as f:
                f.write(json.dumps(entry) + "\n")

        def do_GET(self):
            self.record(b"")
            if self.path == "/healthz":
                self.answer(200, {"status": "ok"})
            else:
                self.answer(404, {"error": "not_found", "message": "no such resource"})

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length <= args.limit else b""
            self.record(body)
            if args.delay:
                time.sleep(args.delay)
            # A forward proxy gets the absolute URL; the path is what counts for the route.
            path = self.path.split("://", 1)[-1]
            path = "/" + path.split("/", 1)[1] if "://" in self.path else path
            if path != "/api/v1/reports":
                return self.answer(404, {"error": "not_found", "message": "no such resource: " + path})
            with lock:
                state["uploads"] += 1
                failing = state["uploads"] <= args.fail_first
            if failing:
                return self.answer(503, {"error": "unavailable", "message": "the store is not available"})
            if args.force_status:
                return self.answer(args.force_status, {"error": "forced", "message": "forced answer %d" % args.force_status})
            auth = self.headers.get("Authorization") or ""
            if not auth.startswith("Bearer "):
                return self.answer(401, {"error": "unauthorized", "message": "no bearer token"})
            token = auth[len("Bearer "):]
            if token == args.read_token:
                return self.answer(403, {"error": "forbidden", "message": "the token has no upload role"})
            if token != args.token:
                return self.answer(401, {"error": "unauthorized", "message": "unknown or revoked token"})
            if (self.headers.get("Content-Type") or "").split(";")[0].strip() != "application/xml":
                return self.answer(415, {"error": "unsupported_media_type", "message": "send application/xml"})
            if length > args.limit:
                return self.answer(413, {"error": "too_large", "message": "the report is larger than %d bytes" % args.limit})
            text = body.decode("utf-8", "replace")
            if not text.lstrip().startswith("<"):
                return self.answer(415, {"error": "unsupported_media_type", "message": "the body is not XML"})
            if "<report" not in text or "urn:sriov-wizard:report:1" not in text:
                return self.answer(400, {"error": "invalid_report", "message": "not a sriov-wizard report (root element report)"})
            digest = hashlib.sha256(body).hexdigest()
            with lock:
                existing = state["ids"].get(digest)
                if existing is None:
                    rid = "r%d" % (len(state["ids"]) + 1)
                    state["ids"][digest] = rid
            host = "host-id-unknown"
            marker = '<host id="'
            if marker in text:
                host = text.split(marker, 1)[1].split('"', 1)[0]
            if existing is not None:
                return self.answer(200, {"id": existing, "host": host, "url": "/api/v1/reports/%s.html" % existing})
            return self.answer(201, {"id": rid, "host": host, "url": "/api/v1/reports/%s.html" % rid})

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print("PORT %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
