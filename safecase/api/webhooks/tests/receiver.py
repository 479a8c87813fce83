"""A real HTTP receiver on 127.0.0.1 for the tests: it checks each request's signature exactly
as docs/webhooks.md tells integrators to, and answers as the test tells it to."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from safecase.api.webhooks import signing


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool
    problem: str

    @property
    def document(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.body)
        return result


@dataclass
class Receiver:
    secret: str = ""
    # What to do with each request in turn: an HTTP status, or ("sleep", seconds) to time out.
    # When the list runs out, 204.
    answers: list[Any] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/safecase?source=test"


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            try:
                signing.verify(secret=receiver.secret, headers=self.headers, body=body)
                verified, problem = True, ""
            except signing.SignatureError as exc:
                verified, problem = False, str(exc)
            receiver.received.append(
                Received(self.path, dict(self.headers.items()), body, verified, problem)
            )
            answer = receiver.answers.pop(0) if receiver.answers else 204
            if isinstance(answer, tuple) and answer[0] == "sleep":
                time.sleep(answer[1])
                answer = 204
            if isinstance(answer, tuple) and answer[0] == "echo":
                # A careless receiver that echoes the signature in its error body.
                text = f"bad signature {self.headers.get('webhook-signature', '')}".encode()
                self.send_response(answer[1])
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)
                return
            if not verified and answer == 204:
                answer = 401
            self.send_response(int(answer))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@contextmanager
def running(secret: str = "", answers: list[Any] | None = None) -> Iterator[Receiver]:
    receiver = Receiver(secret=secret, answers=list(answers or []))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
