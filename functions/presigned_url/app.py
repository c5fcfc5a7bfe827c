"""REST proxy integration for ``GET /{user_id}``: a SageMaker Studio presigned URL for the caller.

Environment (read once per container; ``_reset()`` makes the next call read it again):

| variable | default | meaning |
| --- | --- | --- |
| ``USERS_TABLE`` | required | ``PK`` = username, ``LOB``, optional ``PROFILE`` (default: the username) |
| ``LOBS_TABLE`` | required | ``PK`` = LOB, ``ACCOUNT_ID`` (12 digits), optional ``DOMAIN_ID`` |
| ``ACCESS_ROLE_NAME`` | required | the role assumed in the LOB's account |
| ``URL_EXPIRES_SECONDS`` | ``20`` | the URL's lifetime, 5-300 |
| ``SESSION_EXPIRATION_SECONDS`` | unset | the Studio session's length, 1800-43200 |
| ``CACHE_TTL_SECONDS`` | ``60`` | how long users, LOBs and domains are cached, 0-3600 (0: not cached) |
| ``AWS_REGION`` | set by Lambda | the region of the tables, STS and SageMaker |

A bad value stops the container's start (on Lambda) with one JSON log line naming it.

Behaviour: the caller is ``requestContext.authorizer.username`` (set by the authorizer); the
path's ``user_id`` must equal it. The user's LOB, the LOB's account and domain (``DOMAIN_ID``, or
the one InService domain that ``ListDomains`` shows in that account) and the credentials of
``arn:aws:iam::<account>:role/<ACCESS_ROLE_NAME>`` (from the regional STS endpoint, until five
minutes before they expire) are cached, in bounded caches; the clients are built once per
container (standard retries, short timeouts). A warm request makes one AWS call:
``CreatePresignedDomainUrl`` (with ``SpaceName``/``LandingUri`` from the optional ``space`` and
``landing`` query parameters).

Answers: ``302`` to the URL with ``Cache-Control: no-store``; ``200 {"url", "expiresInSeconds"}``
with ``Accept: application/json``; otherwise ``{"message", "requestId"}`` with 400 (bad query),
403 (no authorizer context, another user's path, user not mapped), 404 (LOB not mapped, bad LOB
item, no domain, no profile), 409 (several InService domains), 502 (the LOB role refused
AssumeRole), 503 (throttled after retries), 500 (anything else). One JSON audit line per request
(request id, username, LOB, account, domain, outcome, status, AWS calls, latency); never the URL.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from collections.abc import Mapping
from typing import Any, Callable, Hashable

import boto3
import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from contracts import lambda_env, names, tables
from contracts import presigned_url_env as contract

# Clients: standard retries (3 attempts), timeouts far below API Gateway's 29 s (and the
# integration's 12 s): the worst single call is about 3 x (1 + 3) s plus backoff.
CLIENT_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 3},
    connect_timeout=1,
    read_timeout=3,
    tcp_keepalive=True,
    user_agent_extra="studio-access-presigned-url",
)
CREDENTIALS_MARGIN_SECONDS = 300  # refresh assumed-role credentials 5 minutes before expiry
ROLE_SESSION_SECONDS = 3600  # role chaining: at most one hour
MAX_USERS = 1000
MAX_LOBS = 256
MAX_ACCOUNTS = 256
_THROTTLING = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "LimitExceededException",
        "SlowDown",
    }
)
_NAME_RE = re.compile(names.SAGEMAKER_NAME)  # SageMaker profile and space names
_ACCOUNT_RE = re.compile(names.ACCOUNT_ID)
_DOMAIN_ID_RE = re.compile(names.DOMAIN_ID)
_ROLE_NAME_RE = re.compile(names.IAM_ROLE_NAME)
_REGION_RE = re.compile(names.REGION)
_LANDING_PREFIXES = (
    "studio::",
    "app:JupyterServer:",
    "app:JupyterLab:",
    "app:RStudioServerPro:",
    "app:CodeEditor:",
    "app:Canvas:",
)
_LANDING_REST_RE = re.compile(r"[A-Za-z0-9._~%+=@,:/-]*")
QUERY_PARAMETERS = ("space", "landing")


def _now() -> float:
    """Wall-clock seconds (credential expiry is wall-clock); tests move it."""
    return time.time()


class ConfigError(ValueError):
    """The function's environment is invalid."""


class Failure(Exception):
    """A request that ends with ``status`` and ``message`` (safe to show: no ARN, no account)."""

    def __init__(self, status: int, message: str, outcome: str):
        super().__init__(message)
        self.status, self.message, self.outcome = status, message, outcome


# ---------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class Settings:
    users_table: str
    lobs_table: str
    role_name: str
    url_expires: int
    session_expiration: int | None
    cache_ttl: int
    region: str

    @property
    def partition(self) -> str:
        return "aws-cn" if self.region.startswith("cn-") else "aws-us-gov" if self.region.startswith("us-gov-") else "aws"

    @property
    def sts_endpoint(self) -> str:
        suffix = "amazonaws.com.cn" if self.partition == "aws-cn" else "amazonaws.com"
        return f"https://sts.{self.region}.{suffix}"

    def role_arn(self, account: str) -> str:
        return f"arn:{self.partition}:iam::{account}:role/{self.role_name}"


def load_settings(env: Mapping[str, str]) -> Settings:
    """The settings from ``env``; every problem at once in a ``ConfigError``."""
    problems: list[str] = []
    for var in contract.ALL:
        if var.required and not var.text(env):
            problems.append(f"{var.name}: required")
    role_name, region = contract.ACCESS_ROLE_NAME.text(env), contract.AWS_REGION.text(env)
    if role_name and not _ROLE_NAME_RE.fullmatch(role_name):
        problems.append(f"{contract.ACCESS_ROLE_NAME.name}: {role_name!r} is not an IAM role name")
    if region and not _REGION_RE.fullmatch(region):
        problems.append(f"{contract.AWS_REGION.name}: {region!r} is not a region")
    expires = contract.URL_EXPIRES_SECONDS.integer(env, problems)
    session = contract.SESSION_EXPIRATION_SECONDS.integer(env, problems)
    ttl = contract.CACHE_TTL_SECONDS.integer(env, problems)
    if problems or expires is None or ttl is None:
        raise ConfigError("invalid presigned-URL environment: " + "; ".join(problems))
    return Settings(contract.USERS_TABLE.text(env), contract.LOBS_TABLE.text(env), role_name, expires, session, ttl, region)


# ---------------------------------------------------------------------------- logging and caches


def log(level: str, event: str, **fields: Any) -> None:
    """One JSON line on stdout (CloudWatch keeps it as one structured event)."""
    record = {"level": level, "event": event, **fields}
    sys.stdout.write(json.dumps(record, default=str, separators=(",", ":")) + "\n")


class TTLCache:
    """At most ``max_size`` entries, each for ``ttl`` seconds (or its own expiry); least recently used out first."""

    def __init__(self, ttl: float, max_size: int, clock: Callable[[], float] = lambda: _now()):
        self.ttl, self.max_size, self._clock = ttl, max_size, clock
        self._items: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()

    def get(self, key: Hashable) -> Any:
        item = self._items.get(key)
        if item is None:
            return None
        if item[0] <= self._clock():
            del self._items[key]
            return None
        self._items.move_to_end(key)
        return item[1]

    def put(self, key: Hashable, value: Any, expires_at: float | None = None) -> None:
        expires_at = self._clock() + self.ttl if expires_at is None else expires_at
        if expires_at <= self._clock():
            return
        self._items[key] = (expires_at, value)
        self._items.move_to_end(key)
        while len(self._items) > self.max_size:
            self._items.popitem(last=False)

    def discard(self, key: Hashable) -> None:
        self._items.pop(key, None)

    def __len__(self) -> int:
        return len(self._items)


# ---------------------------------------------------------------------------- pure steps


def _header(headers: Any, name: str) -> str | None:
    if isinstance(headers, dict):
        for key, value in headers.items():
            if isinstance(key, str) and key.lower() == name and isinstance(value, str):
                return value
    return None


def caller(event: Any) -> str:
    """The authorizer's username, which must equal the path's ``user_id``."""
    context = event.get("requestContext") if isinstance(event, dict) else None
    authorizer = context.get("authorizer") if isinstance(context, dict) else None
    username = authorizer.get("username") if isinstance(authorizer, dict) else None
    if not isinstance(username, str) or not username:
        raise Failure(403, "no authorizer context: the request was not authenticated", "forbidden")
    if len(username) > 128 or not username.isprintable():  # the authorizer lets no such name through
        raise Failure(403, "the authorizer's username is not a valid username", "forbidden")
    path = event.get("pathParameters")
    user_id = path.get("user_id") if isinstance(path, dict) else None
    if user_id != username:
        raise Failure(403, "you can only open your own Studio: the path must be your username", "forbidden")
    return username


def studio_options(event: dict) -> dict[str, str]:
    """``SpaceName``/``LandingUri`` from the optional ``space``/``landing`` query parameters."""
    query = event.get("queryStringParameters") or {}
    multi = event.get("multiValueQueryStringParameters") or {}
    if not isinstance(query, dict) or not isinstance(multi, dict):
        raise Failure(400, "query string could not be read", "bad-request")
    unknown = sorted(set(query) - set(QUERY_PARAMETERS))
    if unknown:
        raise Failure(400, f"unknown query parameter(s) {', '.join(map(repr, unknown))}; allowed: space, landing", "bad-request")
    options: dict[str, str] = {}
    for name in QUERY_PARAMETERS:
        values = multi.get(name)
        if isinstance(values, list) and len(set(values)) > 1:
            raise Failure(400, f"query parameter {name!r} given more than once", "bad-request")
        value = query.get(name)
        if value is None:
            continue
        if name == "space":
            if not isinstance(value, str) or not _NAME_RE.fullmatch(value):
                raise Failure(400, "space: not a SageMaker space name (letters, digits and hyphens, at most 63)", "bad-request")
            options["SpaceName"] = value
        else:
            prefix = next((p for p in _LANDING_PREFIXES if isinstance(value, str) and value.startswith(p)), None)
            if prefix is None or len(value) > 1023 or not _LANDING_REST_RE.fullmatch(value[len(prefix) :]) or ".." in value:
                raise Failure(
                    400, f"landing: must start with one of {', '.join(_LANDING_PREFIXES)} followed by a relative path", "bad-request"
                )
            options["LandingUri"] = value
    return options


def parse_user_item(item: dict | None, username: str) -> tuple[str, str]:
    """(LOB, profile) from a users-table item (DynamoDB wire format)."""
    if not item:
        raise Failure(403, f"user {username!r} is not mapped to a line of business", "user-not-mapped")
    attributes = tables.strings(item)
    lob = attributes.get(tables.USER_LOB)
    profile = attributes.get(tables.USER_PROFILE) or username
    if not lob:
        raise Failure(403, f"user {username!r} has no LOB in the users table", "user-not-mapped")
    if not _NAME_RE.fullmatch(profile):
        raise Failure(404, f"user {username!r} has no valid SageMaker profile name", "no-profile")
    return lob, profile


def parse_lob_item(item: dict | None, lob: str) -> tuple[str, str | None]:
    """(account id, domain id or None) from a LOBs-table item."""
    if not item:
        raise Failure(404, f"LOB {lob!r} is not mapped to an account", "lob-not-mapped")
    attributes = tables.strings(item)
    account = attributes.get(tables.LOB_ACCOUNT_ID)
    domain = attributes.get(tables.LOB_DOMAIN_ID)
    if not account or not _ACCOUNT_RE.fullmatch(account):
        raise Failure(404, f"LOB {lob!r} has an invalid item: {tables.LOB_ACCOUNT_ID} must be 12 digits", "bad-lob-item")
    if tables.LOB_DOMAIN_ID in item and (not domain or not _DOMAIN_ID_RE.fullmatch(domain)):
        raise Failure(
            404, f"LOB {lob!r} has an invalid item: {tables.LOB_DOMAIN_ID} is not a SageMaker domain id (d-...)", "bad-lob-item"
        )
    return account, domain


def pick_domain(domains: list[dict], lob: str) -> str:
    """The one InService domain; none or several is refused, never a guess."""
    ready = sorted((d for d in domains if d.get("Status") == "InService"), key=lambda d: d.get("DomainId", ""))
    if not ready:
        raise Failure(404, f"LOB {lob!r} has no InService SageMaker domain", "no-domain")
    if len(ready) > 1:
        names = ", ".join(f"{d.get('DomainId')} ({d.get('DomainName')})" for d in ready)
        raise Failure(409, f"LOB {lob!r} has several InService domains: {names}; set {tables.LOB_DOMAIN_ID} on its LOB item", "several-domains")
    return ready[0]["DomainId"]


def presign_request(settings: Settings, domain: str, profile: str, options: dict[str, str]) -> dict[str, Any]:
    request: dict[str, Any] = {"DomainId": domain, "UserProfileName": profile, "ExpiresInSeconds": settings.url_expires}
    if settings.session_expiration:
        request["SessionExpirationDurationInSeconds"] = settings.session_expiration
    request.update(options)
    return request


def failure_for(error: Exception, operation: str) -> Failure:
    """The answer for an AWS error (after botocore's retries)."""
    code = error.response.get("Error", {}).get("Code", "") if isinstance(error, ClientError) else ""
    if code in _THROTTLING:
        return Failure(503, "AWS is throttling requests; try again in a moment", "throttled")
    if operation == "AssumeRole" and code.startswith("AccessDenied"):
        return Failure(502, "the line of business's access role refused this function", "assume-role-denied")
    if operation == "CreatePresignedDomainUrl" and code in ("ResourceNotFound", "ResourceNotFoundException"):
        return Failure(404, "SageMaker found no such user profile (or space) in the LOB's domain", "no-profile")
    return Failure(500, "internal error", "error")


def respond(status: int, body: dict | None, request_id: str, headers: dict | None = None) -> dict[str, Any]:
    out_headers = {"Cache-Control": "no-store"}
    if body is not None:
        out_headers["Content-Type"] = "application/json"
    out_headers.update(headers or {})
    return {"statusCode": status, "headers": out_headers, "body": json.dumps(body) if body is not None else ""}


def wants_json(event: dict) -> bool:
    accept = _header(event.get("headers"), "accept") or ""
    return any(part.split(";")[0].strip().lower() == "application/json" for part in accept.split(","))


# ---------------------------------------------------------------------------- AWS, cached


_loader: Any = None


def _botocore_session() -> botocore.session.Session:
    """A new botocore session sharing the parsed service models with earlier ones (``_reset()`` is cheap)."""
    global _loader
    session = botocore.session.Session()
    if _loader is None:
        _loader = session.get_component("data_loader")
    else:
        session.register_component("data_loader", _loader)
    return session


class _State:
    """Settings, clients and caches of one container."""

    def __init__(self, env=os.environ):
        self.settings = s = load_settings(env)
        self.session = boto3.session.Session(botocore_session=_botocore_session(), region_name=s.region)
        self.calls = 0
        # Registered before any client exists, so every client (each copies the emitter) counts
        # its API calls (not retries; pages of a paginator each count).
        self.session.events.register("before-parameter-build", self._count)
        self.dynamodb = self.session.client("dynamodb", config=CLIENT_CONFIG)
        # The central STS endpoint (private DNS) is the regional one; the access role's policy
        # conditions on aws:sourceVpce. AWS_ENDPOINT_URL(_STS) overrides it (emulators).
        explicit = lambda_env.ENDPOINT_URL_STS.text(os.environ) or lambda_env.ENDPOINT_URL.text(os.environ)
        self.sts = self.session.client("sts", endpoint_url=None if explicit else s.sts_endpoint, config=CLIENT_CONFIG)
        self.users = TTLCache(s.cache_ttl, MAX_USERS)
        self.lobs = TTLCache(s.cache_ttl, MAX_LOBS)
        self.domains = TTLCache(s.cache_ttl, MAX_ACCOUNTS)
        self.accounts = TTLCache(ROLE_SESSION_SECONDS, MAX_ACCOUNTS)  # account -> SageMaker client

    def _count(self, **_: Any) -> None:
        self.calls += 1

    def _get_item(self, table: str, key: str) -> dict | None:
        return self.dynamodb.get_item(TableName=table, Key=tables.typed({tables.KEY: key})).get("Item")

    def user(self, username: str) -> tuple[str, str]:
        found = self.users.get(username)
        if found is None:
            found = parse_user_item(self._get_item(self.settings.users_table, username), username)
            self.users.put(username, found)
        return found

    def lob(self, lob: str) -> tuple[str, str | None]:
        found = self.lobs.get(lob)
        if found is None:
            found = parse_lob_item(self._get_item(self.settings.lobs_table, lob), lob)
            self.lobs.put(lob, found)
        return found

    def sagemaker(self, account: str) -> Any:
        """A SageMaker client with the access role's credentials, kept until 5 minutes before they expire."""
        client = self.accounts.get(account)
        if client is None:
            try:
                creds = self.sts.assume_role(
                    RoleArn=self.settings.role_arn(account),
                    RoleSessionName="studio-access-presigned-url",
                    DurationSeconds=ROLE_SESSION_SECONDS,
                )["Credentials"]
            except ClientError as error:
                raise failure_for(error, "AssumeRole") from error
            client = self.session.client(
                "sagemaker",
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
                config=CLIENT_CONFIG,
            )
            self.accounts.put(account, client, expires_at=creds["Expiration"].timestamp() - CREDENTIALS_MARGIN_SECONDS)
        return client

    def domain(self, account: str, lob: str, sagemaker: Any) -> str:
        found = self.domains.get(account)
        if found is None:
            domains: list[dict] = []
            for page in sagemaker.get_paginator("list_domains").paginate():
                domains.extend(page.get("Domains", []))
            found = pick_domain(domains, lob)
            self.domains.put(account, found)
        return found


_state_: _State | None = None


def _state() -> _State:
    global _state_
    if _state_ is None:
        try:
            _state_ = _State()
        except ConfigError as error:
            log("ERROR", "config-invalid", error=str(error))
            raise
    return _state_


def _reset() -> None:
    """Forget settings, clients and caches; the next call reads the environment again (tests)."""
    global _state_
    _state_ = None


# ---------------------------------------------------------------------------- handler


def handler(event: Any, context: Any = None) -> dict[str, Any]:
    started = time.perf_counter()
    state = _state()
    calls_before = state.calls
    context_id = getattr(context, "aws_request_id", None)
    request_context = event.get("requestContext") if isinstance(event, dict) else None
    request_id = (request_context or {}).get("requestId") if isinstance(request_context, dict) else None
    request_id = request_id if isinstance(request_id, str) else context_id or str(uuid.uuid4())
    audit: dict[str, Any] = {"requestId": request_id, "username": None, "lob": None, "account": None, "domain": None}
    operation = "GetItem"
    try:
        audit["username"] = username = caller(event)
        options = studio_options(event)
        lob, profile = state.user(username)
        audit["lob"] = lob
        account, domain = state.lob(lob)
        audit["account"] = account
        operation = "AssumeRole"
        sagemaker = state.sagemaker(account)
        if domain is None:
            operation = "ListDomains"
            domain = state.domain(account, lob, sagemaker)
        audit["domain"] = domain
        operation = "CreatePresignedDomainUrl"
        try:
            url = sagemaker.create_presigned_domain_url(**presign_request(state.settings, domain, profile, options))["AuthorizedUrl"]
        except ClientError as error:
            if failure_for(error, operation).status == 404:
                state.domains.discard(account)  # a discovered domain may be gone
            raise
        if wants_json(event):
            response = respond(200, {"url": url, "expiresInSeconds": state.settings.url_expires}, request_id)
        else:
            response = respond(302, None, request_id, {"Location": url})
        outcome = "ok"
    except Failure as failure:
        outcome = failure.outcome
        response = respond(failure.status, {"message": failure.message, "requestId": request_id}, request_id)
    except (ClientError, BotoCoreError) as error:
        failure = failure_for(error, operation)
        outcome = failure.outcome
        audit["error"] = f"{operation}: {type(error).__name__} {getattr(error, 'response', {}).get('Error', {}).get('Code', '')}".strip()
        response = respond(failure.status, {"message": failure.message, "requestId": request_id}, request_id)
    except Exception as error:  # never a stack trace to the caller
        outcome = "error"
        audit["error"] = f"{operation}: {type(error).__name__}"
        response = respond(500, {"message": "internal error", "requestId": request_id}, request_id)
    log(
        "INFO" if outcome == "ok" else "WARNING",
        "presigned-url",
        **audit,
        outcome=outcome,
        status=response["statusCode"],
        awsCalls=state.calls - calls_before,
        latencyMs=round((time.perf_counter() - started) * 1000, 1),
    )
    return response


if lambda_env.FUNCTION_NAME.text(os.environ):
    _state()  # on Lambda a bad environment stops the container's start
