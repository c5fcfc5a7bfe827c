"""A local OpenID Connect provider for the sign-in page's browser test: the authorization
endpoint (a sign-in form) and the token endpoint, on 127.0.0.1, playing Cognito's managed login.

It is strict where the page's security depends on it, so the test shows the page does its part:
- `/authorize` accepts only `response_type=code` for the registered client and redirect URI,
  with a PKCE challenge (`S256` only), a state and a nonce; anything else is an error page that
  never redirects;
- the person's password is checked by moto's Cognito (`check_password`);
- `/token` redeems a code once, for the same client and redirect URI, and only with the PKCE
  verifier whose SHA-256 is the challenge; it answers CORS for the page's origin only.

Its tokens are what Cognito issues, signed with moto's own key (the one moto's JWKS endpoint
publishes, where the real authorizer fetches keys): an access token (`token_use` access,
`client_id`, `username`, `cognito:groups` from the pool) and an ID token with the nonce.

`tamper` makes the next redirect carry an altered code or state, or the next ID token another
nonce: what an attacker who edits the callback URL, or replays another sign-in, would send.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from testkit.tokens import Key, cognito_claims, sign

CODE_TTL_SECONDS = 300


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str
    username: str
    scope: str
    expires: float


@dataclass
class OidcStub:
    key: Key
    issuer: str
    client_id: str
    redirect_uris: tuple[str, ...]
    check_password: Callable[[str, str], bool]
    groups_of: Callable[[str], list[str]] = lambda username: []
    tamper: str | None = None  # "code" | "state" | "nonce": the next answer is altered once
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    token_refusals: list[str] = field(default_factory=list)
    logout_requests: list[dict[str, str]] = field(default_factory=list)
    url: str = ""
    _grants: dict[str, Grant] = field(default_factory=dict)
    _server: ThreadingHTTPServer | None = None

    # ------------------------------------------------------------------ endpoints

    @property
    def authorize_url(self) -> str:
        return f"{self.url}/oauth2/authorize"

    @property
    def token_url(self) -> str:
        return f"{self.url}/oauth2/token"

    @property
    def logout_url(self) -> str:
        return f"{self.url}/logout"

    def _authorize_problem(self, params: dict[str, str]) -> str | None:
        if params.get("client_id") != self.client_id:
            return "unknown client_id"
        if params.get("redirect_uri") not in self.redirect_uris:
            return "redirect_uri is not registered for this client"
        if params.get("response_type") != "code":
            return "response_type must be code"
        if params.get("code_challenge_method") != "S256" or len(params.get("code_challenge", "")) != 43:
            return "a PKCE challenge with code_challenge_method S256 is required"
        if not params.get("state") or not params.get("nonce"):
            return "state and nonce are required"
        if "openid" not in params.get("scope", "").split():
            return "scope must include openid"
        return None

    def _form(self, params: dict[str, str], error: str = "") -> bytes:
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in params.items()
        )
        note = f'<p class="error" id="error">{html.escape(error)}</p>' if error else ""
        return (
            "<!doctype html><html><head><meta charset='utf-8'><title>Sign in (test identity provider)</title></head>"
            "<body><h1>Sign in</h1>"
            f'<form method="post" action="/oauth2/authorize">{hidden}{note}'
            '<label>Username <input name="username" id="username" autocomplete="username"></label> '
            '<label>Password <input name="password" id="password" type="password"></label> '
            '<button type="submit" id="submit">Sign in</button></form></body></html>'
        ).encode()

    def authorize_get(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        self.authorize_requests.append(dict(query))
        problem = self._authorize_problem(query)
        if problem:
            return 400, {"Content-Type": "text/html"}, f"<p id='error'>invalid_request: {problem}</p>".encode()
        return 200, {"Content-Type": "text/html; charset=utf-8"}, self._form(query)

    def authorize_post(self, form: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        username, password = form.pop("username", ""), form.pop("password", "")
        problem = self._authorize_problem(form)
        if problem:
            return 400, {"Content-Type": "text/html"}, f"<p id='error'>invalid_request: {problem}</p>".encode()
        if not username or not self.check_password(username, password):
            return (
                200,
                {"Content-Type": "text/html; charset=utf-8"},
                self._form(form, "Incorrect username or password."),
            )
        code = secrets.token_urlsafe(24)
        self._grants[code] = Grant(
            client_id=form["client_id"],
            redirect_uri=form["redirect_uri"],
            challenge=form["code_challenge"],
            nonce=form["nonce"],
            username=username,
            scope=form["scope"],
            expires=time.time() + CODE_TTL_SECONDS,
        )
        state = form["state"]
        if self.tamper == "code":
            code, self.tamper = code[:-4] + "AAAA", None
        elif self.tamper == "state":
            state, self.tamper = state[:-4] + "AAAA", None
        return 302, {"Location": f"{form['redirect_uri']}?{urlencode({'code': code, 'state': state})}"}, b""

    def _refuse(self, why: str) -> tuple[int, dict[str, str], bytes]:
        self.token_refusals.append(why)
        return 400, {"Content-Type": "application/json"}, json.dumps({"error": "invalid_grant"}).encode()

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        self.token_requests.append(dict(form))
        if form.get("grant_type") != "authorization_code":
            return self._refuse("grant_type")
        grant = self._grants.pop(form.get("code", ""), None)  # a code is redeemed once
        if grant is None or grant.expires < time.time():
            return self._refuse("unknown, used or expired code")
        if form.get("client_id") != grant.client_id or form.get("redirect_uri") != grant.redirect_uri:
            return self._refuse("client_id or redirect_uri differs from the authorization request")
        verifier = form.get("code_verifier", "")
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if not 43 <= len(verifier) <= 128 or digest != grant.challenge:
            return self._refuse("PKCE verifier does not match the challenge")
        nonce = grant.nonce
        if self.tamper == "nonce":
            nonce, self.tamper = "replayed-" + nonce, None
        now = int(time.time())
        groups = self.groups_of(grant.username)
        access = cognito_claims(
            grant.username,
            sub=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.issuer}/{grant.username}")),
            iss=self.issuer,
            client_id=grant.client_id,
            scope=grant.scope,
            auth_time=now,
            iat=now,
            exp=now + 3600,
            **({"cognito:groups": groups} if groups else {}),
        )
        identity = {
            "sub": access["sub"],
            "iss": self.issuer,
            "aud": grant.client_id,
            "token_use": "id",
            "cognito:username": grant.username,
            "nonce": nonce,
            "auth_time": now,
            "iat": now,
            "exp": now + 3600,
            "jti": str(uuid.uuid4()),
        }
        body = {
            "access_token": sign(self.key, access),
            "id_token": sign(self.key, identity),
            "token_type": "Bearer",
            "expires_in": 3600,
        }
        return 200, {"Content-Type": "application/json", "Cache-Control": "no-store"}, json.dumps(body).encode()

    # ------------------------------------------------------------------ server

    def _cors(self, request_origin: str | None) -> dict[str, str]:
        allowed = {f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for u in self.redirect_uris}
        return {"Access-Control-Allow-Origin": request_origin, "Vary": "Origin"} if request_origin in allowed else {}

    def start(self) -> OidcStub:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _form(self) -> dict[str, str]:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                return {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                if parts.path == "/oauth2/authorize":
                    self._send(*stub.authorize_get(query))
                elif parts.path == "/logout":  # Cognito's: back to a registered logout URL only
                    stub.logout_requests.append(query)
                    back = query.get("logout_uri", "")
                    registered = query.get("client_id") == stub.client_id and back in stub.redirect_uris
                    if registered:
                        self._send(302, {"Location": back}, b"")
                    else:
                        self._send(400, {}, b"")
                else:
                    self._send(404, {}, b"")

            def do_POST(self) -> None:
                path = urlsplit(self.path).path
                if path == "/oauth2/authorize":
                    self._send(*stub.authorize_post(self._form()))
                elif path == "/oauth2/token":
                    status, headers, body = stub.token(self._form())
                    self._send(status, {**headers, **stub._cors(self.headers.get("Origin"))}, body)
                else:
                    self._send(404, {}, b"")

            def do_OPTIONS(self) -> None:
                cors = stub._cors(self.headers.get("Origin"))
                if cors:
                    cors |= {"Access-Control-Allow-Methods": "POST", "Access-Control-Allow-Headers": "Content-Type"}
                self._send(204 if cors else 403, cors, b"")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
