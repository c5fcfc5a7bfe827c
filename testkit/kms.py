"""KMS ``Sign`` served on 127.0.0.1 for the authorizer's tests and benchmarks.

It answers ``TrentService.Sign`` as KMS does (RSASSA_PKCS1_V1_5_SHA_256 over a RAW message, with
a `testkit.proofs` key), after checking the request's SigV4 signature with botocore's own signer
(an implementation independent of the authorizer's) for the credentials it was given. What it
answers can be changed between requests: a delay (standing for the network and KMS), an error,
a raw body; ``requests`` keeps what each call asked for."""

from __future__ import annotations

import base64
import json
import re
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from contracts import proof
from testkit import loopback

from . import proofs

KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
ACCESS_KEY, SECRET_KEY, SESSION_TOKEN = "ASIATESTAUTHORIZER01", "authorizer-secret", "authorizer-session-token"
_AUTH_RE = re.compile(
    r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/kms/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})"
)


def sigv4_problem(headers: dict[str, str], body: bytes, host: str, secret: str, token: str | None) -> str | None:
    """None if the request is signed as botocore would sign it with ``secret``; else what is wrong."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    match = _AUTH_RE.fullmatch(headers.get("authorization", ""))
    if not match:
        return "no SigV4 Authorization header"
    access, day, region, names, signature = match.groups()
    signed = names.split(";")
    if not {"host", "x-amz-date", "x-amz-target", "content-type"} <= set(signed):
        return f"signed headers {signed} miss some"
    if token is not None and headers.get("x-amz-security-token") != token:
        return "no or another session token"
    request = AWSRequest(
        method="POST", url=f"http://{host}/", data=body, headers={n: headers[n] for n in signed if n != "host"}
    )
    request.context["timestamp"] = headers["x-amz-date"]
    if headers["x-amz-date"][:8] != day:
        return "date and scope differ"
    auth = SigV4Auth(Credentials(access, secret, token), "kms", region)
    expected = auth.signature(auth.string_to_sign(request, auth.canonical_request(request)), request)
    return None if expected == signature else "signature does not match"


@dataclass
class FakeKms:
    private: rsa.RSAPrivateKey = field(default_factory=proofs.key)
    key_id: str = KEY_ARN
    secret: str = SECRET_KEY
    token: str | None = SESSION_TOKEN
    delay: float = 0.0
    # (status, __type) answered to the next requests, one each, before signing again
    failures: list[tuple[int, str]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""
    _server: ThreadingHTTPServer | None = field(default=None, repr=False)

    def reset(self) -> None:
        self.delay, self.failures, self.requests = 0.0, [], []

    def _answer(self, handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, Any]]:
        length = int(handler.headers.get("Content-Length", "0"))
        body = handler.rfile.read(length)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        asked = json.loads(body or b"{}")
        self.requests.append({"headers": headers, "body": asked})
        if self.delay:
            time.sleep(self.delay)
        if headers.get("x-amz-target") != "TrentService.Sign":
            return 400, {"__type": "UnknownOperationException"}
        problem = sigv4_problem(headers, body, headers.get("host", ""), self.secret, self.token)
        if problem:
            return 400, {"__type": "InvalidSignatureException", "message": problem}
        if self.failures:
            status, kind = self.failures.pop(0)
            return status, {"__type": kind, "message": "injected"}
        if asked.get("KeyId") != self.key_id:
            return 400, {"__type": "NotFoundException", "message": "no such key"}
        if (asked.get("SigningAlgorithm"), asked.get("MessageType")) != (proof.SIGNING_ALGORITHM, "RAW"):
            return 400, {"__type": "ValidationException"}
        message = base64.b64decode(asked["Message"])
        signature = self.private.sign(message, padding.PKCS1v15(), hashes.SHA256())
        return 200, {
            "KeyId": self.key_id,
            "Signature": base64.b64encode(signature).decode(),
            "SigningAlgorithm": proof.SIGNING_ALGORITHM,
        }

    def start(self) -> FakeKms:
        state = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as KMS
            disable_nagle_algorithm = True  # headers and body without waiting for the client's ACK

            def do_POST(self) -> None:
                status, answer = state._answer(self)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = loopback.start(Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self

    def stop(self) -> None:
        loopback.stop(self._server)
        self._server = None

    def __enter__(self) -> FakeKms:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
