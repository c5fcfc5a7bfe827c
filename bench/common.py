"""Shared pieces: loading a handler module, statistics, a Cognito-shaped token, a loopback JWKS server."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import statistics
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tools import handlers

REGION = "us-east-1"
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{REGION}_BenchPool"
CLIENT_ID = "5bench0client0id0abcdefghij"
METHOD_ARN = f"arn:aws:execute-api:{REGION}:111122223333:abcdef1234/dev/GET/user-lob-a"


def load_function(folder: str):
    return handlers.load(folder)


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def time_calls(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def set_env(values: dict, unset: tuple = ()) -> dict:
    """Set `values` and remove `unset` in os.environ; returns what `restore_env` puts back."""
    saved = {k: os.environ.get(k) for k in (*values, *unset)}
    for k in unset:
        os.environ.pop(k, None)
    os.environ.update(values)
    return saved


def restore_env(saved: dict) -> None:
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@contextlib.contextmanager
def quiet():
    """The handlers' JSON log lines go nowhere while timing."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


class Signer:
    """An RSA-2048 key (Cognito's) and tokens shaped like Cognito access tokens."""

    def __init__(self, kid: str = "bench-key-1"):
        from cryptography.hazmat.primitives.asymmetric import rsa

        self.kid = kid
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwk(self) -> dict:
        numbers = self.private.public_key().public_numbers()
        return {"kid": self.kid, "alg": "RS256", "use": "sig", "kty": "RSA", "n": _b64(_int_bytes(numbers.n)), "e": _b64(_int_bytes(numbers.e))}

    def access_token(self, username: str = "user-lob-a") -> str:
        """Signed with cryptography by hand, so no candidate library makes the tokens it reads."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        now = int(time.time())
        claims = {
            "sub": str(uuid.uuid4()),
            "iss": ISSUER,
            "client_id": CLIENT_ID,
            "origin_jti": str(uuid.uuid4()),
            "event_id": str(uuid.uuid4()),
            "token_use": "access",
            "scope": "aws.cognito.signin.user.admin",
            "auth_time": now,
            "exp": now + 3600,
            "iat": now,
            "jti": str(uuid.uuid4()),
            "username": username,
        }
        header = {"kid": self.kid, "alg": "RS256"}
        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        signature = self.private.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64(signature)}"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _int_bytes(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


class JwksServer:
    """Serves one key set on 127.0.0.1 (the authorizer allows plain http only on loopback)."""

    def __init__(self, jwks: dict):
        body = json.dumps(jwks).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/jwks.json"

    def close(self):
        self.server.shutdown()


def authorizer_env(jwks_url: str) -> dict:
    return {"TOKEN_ISSUER": ISSUER, "JWKS_URL": jwks_url, "ALLOWED_CLIENT_IDS": CLIENT_ID, "TOKEN_USE": "access"}
