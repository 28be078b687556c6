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
Standard library only. It listens on 127.0.0.1 only, and answers only
requests that carry its per-run token (the `?token=` of the URL it prints,
then a SameSite=Strict cookie, or an X-BookRun-Token header) with a Host of
127.0.0.1 or localhost at its port and, when an Origin is sent (always for a
POST), that same origin: another site open in the browser, or one that
rebinds its DNS name to 127.0.0.1, cannot run commands.
"""

import argparse
import hmac
import json
import mimetypes
import os
import re
import secrets
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit, unquote

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
COOKIE = "bookrun_dev_token"
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

    def allowed(self):
        """Host, Origin and the per-run token; answers 403 and returns False otherwise."""
        port = self.server.server_address[1]
        hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}
        origin = self.headers.get("Origin")
        token = self.server.token
        given = [
            self.headers.get("X-BookRun-Token") or "",
            *parse_qs(urlsplit(self.path).query).get("token", []),
        ]
        try:
            jar = SimpleCookie(self.headers.get("Cookie") or "")
            if COOKIE in jar:
                given.append(jar[COOKIE].value)
        except Exception:  # a malformed cookie header: no token from it
            pass
        why = None
        if self.headers.get("Host") not in hosts:
            why = "wrong Host"
        elif origin is not None and origin not in {f"http://{h}" for h in hosts}:
            why = "wrong Origin"
        elif self.command == "POST" and origin is None:
            why = "no Origin"
        elif not any(hmac.compare_digest(g.encode(), token.encode()) for g in given):
            why = "no valid token (open the URL serve.py printed)"
        if why:
            self.send(403, f"dev harness: forbidden: {why}\n".encode(), "text/plain")
            return False
        return True

    def do_GET(self):
        if not self.allowed():
            return
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
                b'<script type="module" src="start.js">',
                b'<script src="/__dev/tauri-shim.js"></script>\n    <script type="module" src="start.js">',
                1,
            )
        ctype = MIME.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        extra = None
        if target.name == "index.html":
            # The page's own requests (scripts, the shim's fetches) carry the token.
            extra = {"Set-Cookie": f"{COOKIE}={self.server.token}; Path=/; HttpOnly; SameSite=Strict"}
        self.send(200, body, ctype, extra)

    def do_POST(self):
        if not self.allowed():
            return
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
    ap.add_argument(
        "--token",
        default=os.environ.get("BOOKRUN_DEV_TOKEN") or secrets.token_urlsafe(24),
        help="the token requests must carry (default: a new random one per run)",
    )
    opts = ap.parse_args()
    if len(opts.token) < 16:
        ap.error("--token must have at least 16 characters")
    # Loopback only, never another interface.
    server = Server(("127.0.0.1", opts.port), Handler)
    server.db, server.binary, server.verbose, server.token = opts.db, opts.bin, opts.verbose, opts.token
    print(f"Book & Run dev harness: http://127.0.0.1:{opts.port}/?token={opts.token}  (db {opts.db})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
