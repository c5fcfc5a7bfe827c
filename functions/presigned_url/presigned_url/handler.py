"""The per-container state and the handler: the request in, a presigned Studio URL (or the list of
what the person may open, or a refusal) out, one JSON audit line per request.

Order: the authorizer's proof first (no AWS call before it holds), then the route and its query,
the person's users-table row (``DISABLED`` refused, whatever their groups), the group mapping
(only when the proof carries groups), the entitlement. ``GET /{user_id}``: the LOB (asked for,
or the only one; several and none asked for is a 409 listing theirs), the person's role session,
the domain, the space, the URL (with a just-in-time profile first, where the LOB allows it).
``GET /{user_id}/targets``: per LOB, its domain and the spaces the person may open; a LOB that
fails is listed without spaces (the audit line says why). The caller reads a generic message and
the request id; the audit line keeps the outcome and the detail.

The state (settings, clients, caches) is built on the first call (on Lambda: at import, so a bad
environment stops the container's start with one log line naming it); ``reset()`` makes the next
call read the environment again."""

from __future__ import annotations

import os
import time
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from . import response
from .aws import Aws, error_code
from .errors import PROFILE_PENDING, ConfigError, Failure, failure_for
from .logs import log
from .mapping import Entitlement, check_profile, choose_lob, presign_request, resolve, visible_spaces
from .proof import Proven
from .request import (
    TARGETS,
    OpenRequest,
    caller,
    check_path,
    claimed_username,
    open_request,
    request_id,
    targets_query,
    wants_json,
)
from .settings import load_settings

_current: Aws | None = None


def state() -> Aws:
    """The container's settings, clients and caches, built on first use; a bad environment is logged and raised."""
    global _current
    if _current is None:
        try:
            _current = Aws(load_settings(os.environ))
        except ConfigError as error:
            log("ERROR", "config-invalid", error=str(error))
            raise
    return _current


def reset() -> None:
    """Forget settings, clients and caches; the next call reads the environment again (tests)."""
    global _current
    _current = None


class Step:
    """The AWS operation under way: names the answer to an AWS error that escapes."""

    def __init__(self) -> None:
        self.operation = "GetItem"


def _entitlement(aws: Aws, proven: Proven, audit: dict[str, Any]) -> Entitlement:
    row = aws.user(proven.username)
    group_map = aws.group_map() if proven.groups and not row.disabled else {}  # DISABLED: refused anyway
    entitled = resolve(proven.username, proven.groups, group_map, row)
    audit["lobs"] = list(entitled.lobs)
    audit["entitledBy"] = {lob: list(found) for lob, found in entitled.sources.items()}
    return entitled


def _open(
    aws: Aws, entitled: Entitlement, ask: OpenRequest, username: str, audit: dict[str, Any], step: Step, json: bool
) -> dict[str, Any]:
    """``GET /{user_id}``: the presigned URL of the chosen LOB's domain, for the person's profile."""
    lob = choose_lob(entitled, ask.lob)
    audit["lob"] = lob
    check_profile(entitled.profile)
    account, domain = aws.lob(lob)
    audit["account"] = account
    step.operation = "AssumeRole"
    session = aws.assume(account, username)
    discovered = domain is None
    if domain is None:
        step.operation = "ListDomains"
        domain = aws.domain(account, lob, session)
    audit["domain"] = domain
    options = ask.options
    if "SpaceName" in options:
        audit["space"] = options["SpaceName"]
        step.operation = "DescribeSpace"
        aws.check_space(account, domain, options["SpaceName"], entitled.profile, session)
    step.operation = "CreatePresignedDomainUrl"
    request = presign_request(aws.settings, domain, entitled.profile, options)
    try:
        url = aws.presigned_url(account, session, request)
    except ClientError as error:
        if failure_for(error_code(error), step.operation).outcome != "no-profile":
            raise
        step.operation = "CreateUserProfile"
        aws.create_profile(account, domain, entitled.profile, username, session)
        audit["profileCreated"] = True
        step.operation = "CreatePresignedDomainUrl"
        try:
            url = aws.presigned_url(account, session, request)
        except ClientError as again:
            detail = f"CreatePresignedDomainUrl after CreateUserProfile: {error_code(again) or 'no error code'}"
            raise Failure(503, "profile-pending", detail, PROFILE_PENDING) from again
        if discovered:
            aws.domains.put(account, domain)  # the first answer's 404 made it forget the domain: it is there
    return response.url(url, aws.settings.url_expires, json)


def _targets(aws: Aws, entitled: Entitlement, username: str, audit: dict[str, Any]) -> dict[str, Any]:
    """``GET /{user_id}/targets``: each LOB with the spaces the person may open in its domain."""
    lobs: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    for lob in entitled.lobs:
        spaces: list[dict[str, str]] = []
        step = Step()
        try:
            account, domain = aws.lob(lob)
            step.operation = "AssumeRole"
            session = aws.assume(account, username)
            if domain is None:
                step.operation = "ListDomains"
                domain = aws.domain(account, lob, session)
            step.operation = "ListSpaces"
            spaces = visible_spaces(aws.list_spaces(account, domain, session), entitled.profile)
        except Failure as refusal:
            errors[lob] = f"{refusal.outcome}: {refusal.detail}"
        except (ClientError, BotoCoreError) as error:
            errors[lob] = f"{step.operation}: {type(error).__name__} {error_code(error)}".strip()
        lobs.append({"name": lob, "spaces": spaces})
    if errors:
        audit["lobErrors"] = errors
    return response.targets(username, lobs)


def handler(event: Any, context: Any = None) -> dict[str, Any]:
    started = time.perf_counter()
    aws = state()
    calls_before = aws.calls
    rid = request_id(event, context)
    audit: dict[str, Any] = {"requestId": rid, "username": None, "lob": None, "account": None, "domain": None}
    step = Step()
    try:
        proven = caller(event, aws.settings.proof_key, time.time())
        audit["username"] = username = proven.username
        audit["sub"] = proven.sub
        route = check_path(event, proven)
        audit["route"] = route
        if route == TARGETS:
            targets_query(event)
            answer = _targets(aws, _entitlement(aws, proven, audit), username, audit)
        else:
            ask = open_request(event)
            entitled = _entitlement(aws, proven, audit)
            answer = _open(aws, entitled, ask, username, audit, step, wants_json(event))
        outcome = "ok"
    except Failure as refusal:
        outcome = refusal.outcome
        audit["detail"] = refusal.detail
        answer = response.failure(refusal, rid)
    except (ClientError, BotoCoreError) as error:
        code = error_code(error)
        answer_for = failure_for(code, step.operation)
        outcome = answer_for.outcome
        audit["error"] = f"{step.operation}: {type(error).__name__} {code}".strip()
        answer = response.failure(answer_for, rid)
    except Exception as error:  # never a stack trace to the caller
        outcome = "error"
        audit["error"] = f"{step.operation}: {type(error).__name__}"
        answer = response.internal_error(rid)
    if audit["username"] is None and outcome != "ok":
        audit["claimedUsername"] = claimed_username(event)  # unverified: who the event said it was
    log(
        "INFO" if outcome == "ok" else "WARNING",
        "presigned-url",
        **audit,
        outcome=outcome,
        status=answer["statusCode"],
        awsCalls=aws.calls - calls_before,
        latencyMs=round((time.perf_counter() - started) * 1000, 1),
    )
    return answer
