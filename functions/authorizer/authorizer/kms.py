"""KMS ``Sign`` over HTTPS, signed with SigV4 by hand: the proof's signature, without an SDK.

The function role's credentials are the ones Lambda puts in the environment (read on first use,
and again after KMS refused them).
One connection is kept per container (keep-alive: no TLS handshake per call); a connection that
the frozen container lost is reopened once. Short timeouts (1 s to connect, 2 s to answer: the
authorizer has 5 s), one retry after a throttle, a 5xx or a network error, never more. Any
failure raises `SigningError`, whose message names the KMS error code (never a credential).

``http.client`` rather than ``urllib.request``: urllib opens a new connection (a TLS handshake)
per request and imports far more at a cold start; the endpoint URL is the same either way."""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from contracts import lambda_env, proof

from .sigv4 import Credentials, signed_headers

if TYPE_CHECKING:
    from http.client import HTTPConnection

CONNECT_TIMEOUT_SECONDS = 1.0
READ_TIMEOUT_SECONDS = 2.0
RETRY_DELAY_SECONDS = 0.05
MAX_RESPONSE_BYTES = 64 * 1024
TARGET = "TrentService.Sign"
CONTENT_TYPE = "application/x-amz-json-1.1"
USER_AGENT = "studio-access-authorizer"
_RETRYABLE_CODES = frozenset({"ThrottlingException", "KMSInternalException", "DependencyTimeoutException"})
_CREDENTIAL_CODES = frozenset({"ExpiredTokenException", "UnrecognizedClientException", "InvalidSignatureException"})

# KMS's answer is a flat JSON object; only its base64 Signature is read.
_SIGNATURE_RE = re.compile(rb'"Signature"\s*:\s*"([A-Za-z0-9+/]+={0,2})"')

# One HTTP exchange: (path, body, headers) -> (status, body); the benchmark may stand in for it.
Transport = Callable[[str, bytes, Mapping[str, str]], tuple[int, bytes]]


class SigningError(Exception):
    """KMS did not sign: its error code (or the network's), never a secret."""


def credentials(env: Mapping[str, str]) -> Credentials:
    access, secret = lambda_env.ACCESS_KEY_ID.text(env), lambda_env.SECRET_ACCESS_KEY.text(env)
    if not access or not secret:
        raise SigningError("no AWS credentials in the environment")
    return Credentials(access, secret, lambda_env.SESSION_TOKEN.text(env) or None)


class Kms:
    """``Sign`` with one key at one endpoint, over a kept connection."""

    def __init__(self, key_id: str, region: str, endpoint: str, env: Mapping[str, str]) -> None:
        self.key_id, self.region, self.env = key_id, region, env
        parts = urlsplit(endpoint)
        self.scheme, self.host = parts.scheme, parts.netloc
        if parts.port == {"https": 443, "http": 80}.get(parts.scheme):  # Host without its default port
            self.host = parts.hostname or self.host
        self.path = parts.path or "/"
        self._connection: HTTPConnection | None = None
        self._credentials: Credentials | None = None  # read on first use, again after a refusal
        self.transport: Transport = self._send
        self.calls = 0

    def _connect(self) -> HTTPConnection:
        import http.client
        import socket

        cls = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
        connection = cls(self.host, timeout=CONNECT_TIMEOUT_SECONDS)
        connection.connect()
        if connection.sock is not None:
            connection.sock.settimeout(READ_TIMEOUT_SECONDS)
            # One small request at a time: never wait for an ACK before sending (as the AWS SDKs do).
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection

    def _send(self, path: str, body: bytes, headers: Mapping[str, str]) -> tuple[int, bytes]:
        """One POST on the kept connection; a connection lost while frozen is reopened once."""
        for attempt in (1, 2):
            fresh = self._connection is None
            if self._connection is None:
                self._connection = self._connect()
            try:
                self._connection.request("POST", path, body=body, headers=dict(headers))
                response = self._connection.getresponse()
                data = response.read(MAX_RESPONSE_BYTES + 1)
                if response.will_close:
                    self.close()
                return response.status, data
            except OSError:
                self.close()
                if fresh or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def sign(self, message: bytes) -> bytes:
        """The signature of ``message`` (RSASSA-PKCS1-v1_5 SHA-256, RAW) by the key."""
        # Every value is JSON-safe as it is: the key id passed the settings' pattern, the message
        # is base64, the rest are constants.
        body = (
            f'{{"KeyId":"{self.key_id}","Message":"{base64.b64encode(message).decode("ascii")}",'
            f'"MessageType":"{proof.MESSAGE_TYPE}","SigningAlgorithm":"{proof.SIGNING_ALGORITHM}"}}'
        ).encode("ascii")
        creds = self._credentials
        if creds is None:
            creds = self._credentials = credentials(self.env)
        last = "no answer"
        for attempt in (1, 2):
            headers = signed_headers(
                host=self.host,
                target=TARGET,
                content_type=CONTENT_TYPE,
                body=body,
                credentials=creds,
                region=self.region,
                service="kms",
            )
            headers["user-agent"] = USER_AGENT
            self.calls += 1
            try:
                status, data = self.transport(self.path, body, headers)
            except OSError as error:
                last = f"network error {type(error).__name__}"
            else:
                if status == 200:
                    found = _SIGNATURE_RE.search(data)
                    if found is None:
                        raise SigningError("KMS answered 200 without a signature")
                    return base64.b64decode(found.group(1), validate=True)
                answer = _json(data)
                code = str(answer.get("__type", "")).rsplit("#", 1)[-1] or f"HTTP {status}"
                last = f"KMS {code} ({status})"
                if code in _CREDENTIAL_CODES:
                    self._credentials = None  # the environment is read again next time
                if status < 500 and code not in _RETRYABLE_CODES:
                    break
            if attempt == 1:
                time.sleep(RETRY_DELAY_SECONDS)
        raise SigningError(last)


def _json(data: bytes) -> dict[str, object]:
    if len(data) > MAX_RESPONSE_BYTES:
        return {}
    try:
        value = json.loads(data or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
