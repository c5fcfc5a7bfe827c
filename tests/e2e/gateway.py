"""A small stand-in for API Gateway's REST API, for the end-to-end test.

It plays the part of the private REST API the shared stack deploys: `GET /<stage>/{user_id}` and
`GET /<stage>/{user_id}/targets`, each with the Lambda REQUEST authorizer on the `Authorization`
header and a Lambda proxy integration to the same function.
What it reproduces, because the access path depends on it:

- no or empty `Authorization` header: 401 without calling the authorizer (identity source);
- the authorizer raising `Exception("Unauthorized")`: 401; any other exception or a malformed
  result: 500 (`AuthorizerConfigurationException`);
- the returned policy evaluated against the method ARN with IAM's rules (`*`/`?` wildcards,
  explicit Deny wins, no matching Allow is a deny): 403 (`AccessDeniedException`);
- the policy cached per identity-source value for the authorizer TTL (it must fit every request
  that token may make and no other);
- `GET /` (when `page` is set) answered without any authorizer: the sign-in page;
- the authorizer's `context` and `principalId` passed in `requestContext.authorizer` to the
  integration, whose `statusCode`/`headers`/`body` are returned as they are; a failing
  integration gives 502.

`evaluate_policy` is pure and unit-tested on its own.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

INVOKE = "execute-api:Invoke"


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _glob(pattern: str, value: str, *, case_sensitive: bool) -> bool:
    """IAM matching: `*` any run of characters (slashes included), `?` one character."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, 0 if case_sensitive else re.IGNORECASE) is not None


def evaluate_policy(policy: Any, action: str, resource: str) -> str:
    """'Allow', 'Deny' (an explicit deny matched) or 'ImplicitDeny', as IAM evaluates one policy.

    Raises ValueError for a document API Gateway would not accept."""
    if not isinstance(policy, dict) or "Statement" not in policy:
        raise ValueError("policyDocument has no Statement")
    allowed = False
    for st in _as_list(policy["Statement"]):
        if not isinstance(st, dict) or st.get("Effect") not in ("Allow", "Deny"):
            raise ValueError(f"bad statement: {st!r}")
        if "Action" not in st or "Resource" not in st:
            raise ValueError("statement needs Action and Resource (NotAction/NotResource unsupported here)")
        actions, resources = _as_list(st["Action"]), _as_list(st["Resource"])
        if not all(isinstance(x, str) for x in actions + resources):
            raise ValueError("Action and Resource must be strings")
        if not any(_glob(a, action, case_sensitive=False) for a in actions):
            continue
        if not any(_glob(r, resource, case_sensitive=True) for r in resources):
            continue
        if st["Effect"] == "Deny":
            return "Deny"
        allowed = True
    return "Allow" if allowed else "ImplicitDeny"


def _context_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


class LambdaContext:
    def __init__(self, name: str, request_id: str):
        self.function_name = name
        self.aws_request_id = request_id
        self.memory_limit_in_mb = 256
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
        self._deadline = time.monotonic() + 29

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class Gateway:
    """Routes, authorizer, policy evaluation, integration: the request path of the REST API."""

    def __init__(
        self,
        authorizer: Callable[[dict, Any], dict],
        integration: Callable[[dict, Any], dict],
        *,
        region: str,
        account: str,
        api_id: str = "e2eapi0001",
        stage: str = "dev",
        authorizer_ttl: int = 120,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.authorizer, self.integration = authorizer, integration
        self.region, self.account, self.api_id, self.stage = region, account, api_id, stage
        self.ttl, self.clock = authorizer_ttl, clock
        self._cache: dict[str, tuple[float, dict]] = {}
        self._lock = threading.Lock()
        self.authorizer_calls = 0
        self.proxy_events: list[dict] = []  # what the integration was given, for replays in the tests
        # GET / without authorizer: the sign-in page (components/site), as the MOCK integration serves it.
        self.page: Reply | None = None

    @staticmethod
    def _error(status: int, error_type: str, body: dict, request_id: str) -> Reply:
        return Reply(
            status,
            {"Content-Type": "application/json", "x-amzn-ErrorType": error_type, "x-amzn-RequestId": request_id},
            json.dumps(body).encode(),
        )

    def _authorize(self, token_header: str, event: dict, request_id: str) -> dict | Reply:
        with self._lock:
            hit = self._cache.get(token_header)
        if hit and hit[0] > self.clock():
            return hit[1]
        self.authorizer_calls += 1
        try:
            result = self.authorizer(event, LambdaContext("authorizer", request_id))
        except Exception as exc:
            if str(exc) == "Unauthorized":
                return self._error(401, "UnauthorizedException", {"message": "Unauthorized"}, request_id)
            return self._error(500, "AuthorizerConfigurationException", {"message": None}, request_id)
        ok = (
            isinstance(result, dict)
            and isinstance(result.get("principalId"), str)
            and isinstance(result.get("policyDocument"), dict)
            and isinstance(result.get("context", {}), dict)
            and all(isinstance(v, (str, int, float, bool)) for v in result.get("context", {}).values())
        )
        if not ok:
            return self._error(500, "AuthorizerConfigurationException", {"message": None}, request_id)
        if self.ttl > 0:
            with self._lock:
                self._cache[token_header] = (self.clock() + self.ttl, result)
        return result

    def handle(
        self, method: str, raw_path: str, headers: list[tuple[str, str]], source_ip: str = "10.17.8.10"
    ) -> Reply:
        request_id = str(uuid.uuid4())
        parts = urlsplit(raw_path)
        segments = parts.path.split("/")
        if method == "GET" and self.page is not None and parts.path in (f"/{self.stage}", f"/{self.stage}/"):
            return Reply(self.page.status, {**self.page.headers, "x-amzn-RequestId": request_id}, self.page.body)
        targets = len(segments) == 4 and segments[3] == "targets"
        if method != "GET" or not (len(segments) == 3 or targets) or segments[1] != self.stage or not segments[2]:
            return self._error(
                403, "MissingAuthenticationTokenException", {"message": "Missing Authentication Token"}, request_id
            )
        user_id = unquote(segments[2])
        suffix = "/targets" if targets else ""
        multi_headers: dict[str, list[str]] = {}
        for k, v in headers:
            multi_headers.setdefault(k, []).append(v)
        single_headers = {k: v[-1] for k, v in multi_headers.items()}
        query = parse_qs(parts.query, keep_blank_values=True)
        method_arn = (
            f"arn:aws:execute-api:{self.region}:{self.account}:{self.api_id}/{self.stage}/GET/{user_id}{suffix}"
        )
        request_context = {
            "resourceId": "abc123",
            "resourcePath": "/{user_id}" + suffix,
            "httpMethod": "GET",
            "path": f"/{self.stage}/{segments[2]}{suffix}",
            "accountId": self.account,
            "stage": self.stage,
            "requestId": request_id,
            "apiId": self.api_id,
            "protocol": "HTTP/1.1",
            "domainName": f"{self.api_id}.execute-api.{self.region}.amazonaws.com",
            "identity": {
                "sourceIp": source_ip,
                "userAgent": single_headers.get("User-Agent"),
                "vpceId": "vpce-0e2e0000000000000",
            },
            "requestTimeEpoch": int(time.time() * 1000),
        }
        base = {
            "resource": "/{user_id}" + suffix,
            "path": f"/{user_id}{suffix}",
            "httpMethod": "GET",
            "headers": single_headers,
            "multiValueHeaders": multi_headers,
            "queryStringParameters": {k: v[-1] for k, v in query.items()} or None,
            "multiValueQueryStringParameters": query or None,
            "pathParameters": {"user_id": user_id},
            "stageVariables": None,
        }
        # Identity source: the Authorization header; missing or empty is a 401 before any Lambda.
        identity = [v for k, v in headers if k.lower() == "authorization"]
        if not identity or not any(v.strip() for v in identity):
            return self._error(401, "UnauthorizedException", {"message": "Unauthorized"}, request_id)
        auth_event = {"type": "REQUEST", "methodArn": method_arn, **base, "requestContext": request_context}
        result = self._authorize(",".join(identity), auth_event, request_id)
        if isinstance(result, Reply):
            return result
        try:
            decision = evaluate_policy(result["policyDocument"], INVOKE, method_arn)
        except ValueError:
            return self._error(500, "AuthorizerConfigurationException", {"message": None}, request_id)
        if decision != "Allow":
            text = "User is not authorized to access this resource"
            if decision == "Deny":
                text += " with an explicit deny"
            return self._error(403, "AccessDeniedException", {"Message": text}, request_id)
        authorizer_ctx = {k: _context_value(v) for k, v in result.get("context", {}).items()}
        authorizer_ctx["principalId"] = result["principalId"]
        proxy_event = {
            **base,
            "requestContext": {**request_context, "authorizer": authorizer_ctx},
            "body": None,
            "isBase64Encoded": False,
        }
        self.proxy_events.append(proxy_event)
        try:
            out = self.integration(proxy_event, LambdaContext("presigned-url", request_id))
            status = int(out["statusCode"])
            reply_headers = {k: str(v) for k, v in (out.get("headers") or {}).items()}
            for k, vs in (out.get("multiValueHeaders") or {}).items():
                reply_headers[k] = ",".join(str(v) for v in vs)
            body = out.get("body") or ""
            payload = base64.b64decode(body) if out.get("isBase64Encoded") else str(body).encode()
        except Exception:
            return self._error(502, "InternalServerErrorException", {"message": "Internal server error"}, request_id)
        reply_headers.setdefault("x-amzn-RequestId", request_id)
        return Reply(status, reply_headers, payload)


class _Handler(BaseHTTPRequestHandler):
    gateway: Gateway

    def do_GET(self) -> None:
        reply = self.server.gateway.handle("GET", self.path, list(self.headers.items()))  # type: ignore[attr-defined]
        self.send_response(reply.status)
        for k, v in reply.headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tokens never in logs anyway
        pass


class GatewayServer:
    """The gateway over HTTP on 127.0.0.1 (a free port), in a background thread."""

    def __init__(self, gateway: Gateway):
        self.gateway = gateway
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.gateway = gateway  # type: ignore[attr-defined]
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/{self.gateway.stage}"

    def __enter__(self) -> GatewayServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)
