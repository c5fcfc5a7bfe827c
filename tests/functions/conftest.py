"""Fixtures for the two handlers: the modules, signing keys, a loopback JWKS server, tokens, emulated AWS."""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib.util
import json
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
REGION = "us-east-1"
POOL = f"{REGION}_TestPool1"
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL}"
CLIENT_ID = "5example0client0id0abcdefg"
METHOD_ARN = "arn:aws:execute-api:us-east-1:111122223333:abcdef1234/dev/GET/user-lob-a"


def load_function(folder: str):
    """Load ``functions/<folder>/app.py`` under its own module name (both files are ``app.py``)."""
    name = f"{folder}_app"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, FUNCTIONS / folder / "app.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="session")
def authorizer():
    return load_function("authorizer")


@pytest.fixture(scope="session")
def presigned():
    return load_function("presigned_url")


# ---------------------------------------------------------------------------- keys and tokens


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64json(obj) -> str:
    return b64(json.dumps(obj, separators=(",", ":")).encode())


@dataclass
class Key:
    kid: str
    private: object
    alg: str = "RS256"

    @property
    def public(self):
        return self.private.public_key()

    def jwk(self, with_alg: bool = True) -> dict:
        algo = jwt.get_algorithm_by_name(self.alg)
        data = json.loads(algo.to_jwk(self.public))
        data.update({"kid": self.kid, "use": "sig"})
        if with_alg:
            data["alg"] = self.alg
        return data

    def public_pem(self) -> bytes:
        return self.public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


_RSA_CACHE: dict[str, object] = {}


def rsa_key(kid: str, alg: str = "RS256") -> Key:
    if kid not in _RSA_CACHE:
        _RSA_CACHE[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return Key(kid, _RSA_CACHE[kid], alg)


def ec_key(kid: str) -> Key:
    return Key(kid, ec.generate_private_key(ec.SECP256R1()), "ES256")


def cognito_claims(username: str = "user-lob-a", **overrides) -> dict:
    """Claims shaped like a Cognito access token's."""
    now = int(time.time())
    claims = {
        "sub": "0a1b2c3d-1111-2222-3333-444455556666",
        "iss": ISSUER,
        "client_id": CLIENT_ID,
        "origin_jti": str(uuid.uuid4()),
        "event_id": str(uuid.uuid4()),
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "auth_time": now - 10,
        "exp": now + 3600,
        "iat": now - 10,
        "jti": str(uuid.uuid4()),
        "username": username,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def sign(key: Key, claims, headers: dict | None = None) -> str:
    """Signed with PyJWT's JWS layer, which takes any payload (its JWT layer refuses some claims)."""
    payload = claims if isinstance(claims, bytes) else json.dumps(claims).encode()
    return jwt.api_jws.encode(payload, key.private, algorithm=key.alg, headers={"typ": "JWT", "kid": key.kid, **(headers or {})})


def raw_token(header: dict, payload: dict, signature: bytes = b"sig") -> str:
    """A token assembled by hand (for what libraries refuse to produce)."""
    return f"{b64json(header)}.{b64json(payload)}.{b64(signature)}"


def hs256_with_public_key(key: Key, claims: dict) -> str:
    """Algorithm confusion: HMAC-SHA256 keyed with the RSA public key's PEM."""
    signing_input = f"{b64json({'alg': 'HS256', 'typ': 'JWT', 'kid': key.kid})}.{b64json(claims)}"
    mac = hmac.new(key.public_pem(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


# ---------------------------------------------------------------------------- a loopback JWKS server


@dataclass
class JwksServer:
    url: str = ""
    keys: list = field(default_factory=list)
    hits: int = 0
    status: int = 200
    body: bytes | None = None  # raw body instead of the key set
    redirect_to: str | None = None

    def set_keys(self, *keys: Key, with_alg: bool = True) -> None:
        self.keys = [k.jwk(with_alg) for k in keys]

    def reset(self) -> None:
        self.keys, self.hits, self.status, self.body, self.redirect_to = [], 0, 200, None, None


@pytest.fixture(scope="session")
def jwks_server():
    state = JwksServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            state.hits += 1
            if state.redirect_to:
                self.send_response(302)
                self.send_header("Location", state.redirect_to)
                self.end_headers()
                return
            body = state.body if state.body is not None else json.dumps({"keys": state.keys}).encode()
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/{POOL}/.well-known/jwks.json"
    yield state
    server.shutdown()


@pytest.fixture
def key() -> Key:
    return rsa_key("key-1")


@pytest.fixture
def auth_env(monkeypatch, authorizer, jwks_server, key):
    """The authorizer configured like the Cognito stack, its keys on the loopback server."""
    jwks_server.reset()
    jwks_server.set_keys(key)
    for name in ("AUDIENCE", "TOKEN_USE", "USERNAME_CLAIM", "LEEWAY_SECONDS", "AWS_LAMBDA_FUNCTION_NAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TOKEN_ISSUER", ISSUER)
    monkeypatch.setenv("JWKS_URL", jwks_server.url)
    monkeypatch.setenv("ALLOWED_CLIENT_IDS", f"other-client, {CLIENT_ID}")
    authorizer._reset()
    yield monkeypatch
    authorizer._reset()


def auth_event(authorization: str | None = None, *, headers: dict | None = None, multi: dict | None = None, method_arn: str = METHOD_ARN) -> dict:
    """A REST API REQUEST authorizer event."""
    if headers is None:
        headers = {"Authorization": authorization} if authorization is not None else {}
    if multi is None:
        multi = {k: [v] for k, v in headers.items()}
    return {
        "type": "REQUEST",
        "methodArn": method_arn,
        "resource": "/{user_id}",
        "path": "/user-lob-a",
        "httpMethod": "GET",
        "headers": headers,
        "multiValueHeaders": multi,
        "pathParameters": {"user_id": "user-lob-a"},
        "requestContext": {"stage": "dev", "requestId": str(uuid.uuid4())},
    }
