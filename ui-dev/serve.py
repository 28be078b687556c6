#!/usr/bin/env python3
"""Dev harness: serves ui/ like the Tauri window would, without the desktop app.

    python3 ui-dev/serve.py [--port 8765] [--db /tmp/ui.db] [--bin target/debug/bookrun]

- Static files come from ui/ with the app's CSP header.
- index.html gets <script src="/__dev/tauri-shim.js"></script> before app.js;
  the shim defines window.__TAURI__ (core.invoke, event.listen).
- POST /__dev/invoke {"cmd","args"} runs `bookrun --db DB CMD JSON` (argument
  list, no shell): 200 with its stdout JSON, or 400 with the error object.
- GET /__dev/version: a token that changes when the database files change
  (the shim polls it to emit bookrun://changed).
Standard library only; listens on 127.0.0.1.
"""

import argparse
import json
import mimetypes
import os
import re
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, unquote

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
UI = ROOT / "ui"
SHIM = HERE / "tauri-shim.js"
COMMAND = re.compile(r"^[a-z_]{1,40}$")
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
MIME = {".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".svg": "image/svg+xml"}


class Handler(BaseHTTPRequestHandler):
    server_version = "BookRunDev/1"

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("%s\n" % (fmt % args))

    def send(self, status, body, ctype, extra=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, status, obj):
        self.send(status, json.dumps(obj).encode(), "application/json")

    def do_GET(self):
        path = unquote(urlsplit(self.path).path)
        if path == "/__dev/tauri-shim.js":
            return self.send(200, SHIM.read_bytes(), MIME[".js"])
        if path == "/__dev/version":
            return self.send_json(200, {"version": self.server.db_version()})
        if path == "/":
            path = "/index.html"
        target = (UI / path.lstrip("/")).resolve()
        if UI not in target.parents or not target.is_file():
            return self.send(404, b"not found", "text/plain")
        body = target.read_bytes()
        if target.name == "index.html":
            body = body.replace(
                b'<script type="module" src="app.js">',
                b'<script src="/__dev/tauri-shim.js"></script>\n    <script type="module" src="app.js">',
                1,
            )
        ctype = MIME.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        self.send(200, body, ctype)

    def do_POST(self):
        if urlsplit(self.path).path != "/__dev/invoke":
            return self.send(404, b"not found", "text/plain")
        try:
            length = int(self.headers.get("Content-Length", "0"))
            request = json.loads(self.rfile.read(length) or b"{}")
            cmd, args = request.get("cmd"), request.get("args") or {}
            if not isinstance(cmd, str) or not COMMAND.match(cmd) or not isinstance(args, dict):
                raise ValueError("bad request")
        except (ValueError, json.JSONDecodeError) as e:
            return self.send_json(400, {"code": "usage", "message": f"dev harness: {e}"})
        argv = [self.server.binary, "--db", self.server.db, cmd, json.dumps(args)]
        proc = subprocess.run(argv, capture_output=True, timeout=60, check=False)
        if proc.returncode == 0:
            return self.send(200, proc.stdout, "application/json")
        try:
            error = json.loads(proc.stderr)["error"]
        except (ValueError, KeyError, TypeError):
            error = {"code": "storage", "message": proc.stderr.decode(errors="replace").strip() or "bookrun failed"}
        self.send_json(400, error)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def db_version(self):
        parts = []
        for suffix in ("", "-wal"):
            try:
                st = os.stat(self.db + suffix)
                parts.append(f"{st.st_mtime_ns}:{st.st_size}")
            except FileNotFoundError:
                parts.append("-")
        return "/".join(parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--db", default=os.environ.get("BOOKRUN_DB", "/tmp/ui.db"))
    ap.add_argument("--bin", default=str(ROOT / "target" / "debug" / "bookrun"))
    ap.add_argument("--verbose", action="store_true")
    opts = ap.parse_args()
    server = Server(("127.0.0.1", opts.port), Handler)
    server.db, server.binary, server.verbose = opts.db, opts.bin, opts.verbose
    print(f"Book & Run dev harness: http://127.0.0.1:{opts.port}/  (db {opts.db})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
