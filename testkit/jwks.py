"""A key set served on 127.0.0.1 (the authorizer allows plain http only on a loopback host).

What it answers can be changed between requests: the keys, the status, a raw body, a redirect,
a delay; ``hits`` counts the requests."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from testkit import loopback

from .tokens import Key


@dataclass
class JwksServer:
    path: str = "/.well-known/jwks.json"
    keys: list[dict[str, str]] = field(default_factory=list)
    hits: int = 0
    status: int = 200
    body: bytes | None = None  # raw body instead of the key set
    redirect_to: str | None = None
    delay: float = 0.0  # seconds before answering
    url: str = ""  # set once started
    _server: ThreadingHTTPServer | None = field(default=None, repr=False)

    def set_keys(self, *keys: Key, with_alg: bool = True) -> None:
        self.keys = [k.jwk(with_alg) for k in keys]

    def reset(self) -> None:
        self.keys, self.hits, self.status, self.body, self.redirect_to, self.delay = [], 0, 200, None, None, 0.0

    def _answer(self, request: BaseHTTPRequestHandler) -> None:
        self.hits += 1
        if self.delay:
            time.sleep(self.delay)
        if self.redirect_to:
            request.send_response(302)
            request.send_header("Location", self.redirect_to)
            request.end_headers()
            return
        body = self.body if self.body is not None else json.dumps({"keys": self.keys}).encode()
        request.send_response(self.status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    def start(self) -> JwksServer:
        state = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                state._answer(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = loopback.start(Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}{self.path}"
        return self

    def stop(self) -> None:
        loopback.stop(self._server)
        self._server = None

    def __enter__(self) -> JwksServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
