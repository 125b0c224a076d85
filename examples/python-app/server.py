"""The example app's HTTP server: ha-web's app contract in the Python standard library (README.md)."""

import hashlib
import json
import os
import re
import signal
import sys
import threading
from collections import namedtuple
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import db

# Must equal the stack's appHealthPath (set to it in README.md): ha-web-deploy waits for it to answer
# 200, and status asks it. Not the default /health, to show an app's own.
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1024
# Longer than nginx holds an idle upstream connection, so nginx always closes it first and never
# sends a request on a connection the app is closing. Also bounds a client that stops sending.
IDLE_TIMEOUT_SECONDS = 65

Reply = namedtuple("Reply", "status body headers", defaults=((),))


def log(message):
    print(f"python-app: {message}", flush=True)


class App:
    """What each path answers; knows nothing of sockets. Paths are matched literally (no query string)."""

    def __init__(self, env, database):
        self.database = database
        self.greeting = env.get("GREETING", "(GREETING is not set)")
        self.api_key = db.secret(env, "API_KEY")
        self.routes = [
            ("/", {"GET": self.hello}),
            ("/ping", {"GET": self.ping}),
            (HEALTH_PATH, {"GET": self.health}),
            ("/api/key", {"GET": self.key}),
            ("/api/visits", {"POST": self.add_visit}),
            (r"/api/visits/([0-9]{1,18})", {"GET": self.find_visit}),
        ]

    def answer(self, method, target, body):
        path = target.split("?", 1)[0]
        for pattern, methods in self.routes:
            match = re.fullmatch(pattern, path)
            if match is None:
                continue
            if method not in methods:
                return Reply(405, {"error": f"{method} is not allowed here"}, (("Allow", ", ".join(methods)),))
            try:
                return methods[method](*match.groups(), body=body)
            except db.Error as error:
                log(f"database error on {method} {path}: {error}")
                return Reply(503, {"error": "database unavailable"})
        return Reply(404, {"error": "not found"})

    def hello(self, body):
        return Reply(200, f"hello from python: {self.greeting}\n")

    def ping(self, body):
        # The load balancer's check: never the database, so a database outage leaves hosts in service.
        return Reply(200, "pong\n")

    def health(self, body):
        try:
            self.database.check()
        except db.Error as error:
            return Reply(503, {"database": "unavailable", "error": str(error)})
        return Reply(200, {"database": "ok"})

    def key(self, body):
        # Proves the secret arrived without showing it: a fingerprint, never the value.
        if not self.api_key:
            return Reply(200, {"set": False})
        return Reply(200, {"set": True, "sha256_prefix": hashlib.sha256(self.api_key.encode()).hexdigest()[:8]})

    def add_visit(self, body):
        try:
            note = body.decode("utf-8")
        except UnicodeDecodeError:
            return Reply(400, {"error": "the body must be UTF-8 text"})
        return Reply(201, {"id": self.database.add_visit(note)})

    def find_visit(self, visit_id, body):
        visit = self.database.find_visit(int(visit_id))
        return Reply(404, {"error": "no such visit"}) if visit is None else Reply(200, visit)


class InFlight:
    """Counts requests being answered, so shutdown can wait for them."""

    def __init__(self):
        self._count = 0
        self._changed = threading.Condition()

    def __enter__(self):
        with self._changed:
            self._count += 1

    def __exit__(self, *exc):
        with self._changed:
            self._count -= 1
            self._changed.notify_all()

    def wait_idle(self, timeout_seconds):
        """True once none is left, False when the time ran out first."""
        with self._changed:
            return self._changed.wait_for(lambda: self._count == 0, timeout_seconds)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: nginx reuses its upstream connections
    server_version = "python-app"
    sys_version = ""
    timeout = IDLE_TIMEOUT_SECONDS

    def __getattr__(self, name):
        # Every method goes through one dispatcher, so one no route takes is a 405, not http.server's 501.
        if name.startswith("do_"):
            return self.dispatch
        raise AttributeError(name)

    def dispatch(self):
        with self.server.in_flight:
            reply = self.read_body_and_answer()
            self.respond(reply)

    def read_body_and_answer(self):
        # nginx buffers a request body and passes it with Content-Length, so chunked uploads need no support.
        if "Transfer-Encoding" in self.headers:
            self.close_connection = True
            return Reply(411, {"error": "send the body with Content-Length"})
        length = self.headers.get("Content-Length", "0")
        if not re.fullmatch(r"[0-9]{1,19}", length):
            self.close_connection = True
            return Reply(400, {"error": "Content-Length must be a number of bytes"})
        if int(length) > MAX_BODY_BYTES:
            # The body is left unread, so the connection cannot carry another request.
            self.close_connection = True
            return Reply(413, {"error": f"the body may be at most {MAX_BODY_BYTES} bytes"})
        body = self.rfile.read(int(length))
        if len(body) < int(length):
            self.close_connection = True
            return Reply(400, {"error": "the body ended before Content-Length bytes"})
        return self.server.app.answer(self.command, self.path, body)

    def respond(self, reply):
        if isinstance(reply.body, str):
            data, content_type = reply.body.encode(), "text/plain; charset=utf-8"
        else:
            data, content_type = json.dumps(reply.body).encode(), "application/json"
        self.send_response(reply.status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in reply.headers:
            self.send_header(name, value)
        if self.close_connection or self.server.draining.is_set():
            self.send_header("Connection", "close")  # also sets close_connection
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def end_headers(self):
        # Here, so the answers http.server sends itself (a 400 for a malformed request line) carry it too.
        self.send_header("X-App-Version", self.server.version)
        super().end_headers()


class Server(ThreadingHTTPServer):
    def __init__(self, address, app, version):
        self.app = app
        self.version = version
        self.in_flight = InFlight()
        self.draining = threading.Event()
        super().__init__(address, Handler)


def read_settings(env):
    """HOST, PORT and the drain time, as the platform sets them."""
    port, timeout_ms = env.get("PORT", ""), env.get("SHUTDOWN_TIMEOUT_MS", "10000")
    if not re.fullmatch(r"[0-9]{1,5}", port) or int(port) > 65535:
        raise ValueError(f"PORT must be a TCP port number, got {port!r}")
    if not re.fullmatch(r"[0-9]{1,9}", timeout_ms):
        raise ValueError(f"SHUTDOWN_TIMEOUT_MS must be a number of milliseconds, got {timeout_ms!r}")
    return (env.get("HOST", "127.0.0.1"), int(port)), int(timeout_ms) / 1000


def main():
    env = os.environ
    try:
        address, shutdown_timeout_seconds = read_settings(env)
        server = Server(address, App(env, db.Database(env)), env.get("APP_VERSION", "dev"))
    except (ValueError, db.ConfigError, OSError) as error:  # a bad setting, or the port is taken
        log(f"cannot start: {error}")
        sys.exit(1)

    stop = threading.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda *_: stop.set())
    threading.Thread(target=server.serve_forever, name="accept", daemon=True).start()
    log(f"listening on {address[0]}:{address[1]}, version {server.version}")
    stop.wait()

    # Stop accepting (new connections are refused), answer what is in flight with Connection: close,
    # and exit before the platform's grace period ends in SIGKILL. Idle keep-alive connections just close.
    log(f"shutting down: finishing requests in flight for up to {shutdown_timeout_seconds:g} s")
    server.draining.set()
    server.shutdown()
    server.server_close()
    drained = server.in_flight.wait_idle(shutdown_timeout_seconds)
    log("drained, exiting" if drained else "requests still in flight when the time ran out, exiting")
    sys.exit(0)


if __name__ == "__main__":
    main()
