"""The per-container state and the handler: the request in, a presigned Studio URL (or a
refusal) out, one JSON audit line per request.

Order: the authorizer's proof first (no AWS call before it holds), then the query, the person's
users-table item (``DISABLED`` refused), the LOB, the person's role session, the domain, the
space, the URL. The caller reads a generic message and the request id; the audit line keeps the
outcome and the detail.

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
from .errors import ConfigError, Failure, failure_for
from .logs import log
from .mapping import presign_request
from .request import caller, check_path, claimed_username, request_id, studio_options, wants_json
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


def handler(event: Any, context: Any = None) -> dict[str, Any]:
    started = time.perf_counter()
    aws = state()
    calls_before = aws.calls
    rid = request_id(event, context)
    audit: dict[str, Any] = {"requestId": rid, "username": None, "lob": None, "account": None, "domain": None}
    operation = "GetItem"
    try:
        proven = caller(event, aws.settings.proof_key, time.time())
        audit["username"] = username = proven.username
        audit["sub"] = proven.sub
        check_path(event, proven)
        options = studio_options(event)
        lob, profile = aws.user(username)
        audit["lob"] = lob
        account, domain = aws.lob(lob)
        audit["account"] = account
        operation = "AssumeRole"
        session = aws.assume(account, username)
        if domain is None:
            operation = "ListDomains"
            domain = aws.domain(account, lob, session)
        audit["domain"] = domain
        if "SpaceName" in options:
            audit["space"] = options["SpaceName"]
            operation = "DescribeSpace"
            aws.check_space(account, domain, options["SpaceName"], profile, session)
        operation = "CreatePresignedDomainUrl"
        url = aws.presigned_url(account, session, presign_request(aws.settings, domain, profile, options))
        answer = response.url(url, aws.settings.url_expires, wants_json(event))
        outcome = "ok"
    except Failure as refusal:
        outcome = refusal.outcome
        audit["detail"] = refusal.detail
        answer = response.failure(refusal, rid)
    except (ClientError, BotoCoreError) as error:
        code = error_code(error)
        answer_for = failure_for(code, operation)
        outcome = answer_for.outcome
        audit["error"] = f"{operation}: {type(error).__name__} {code}".strip()
        answer = response.failure(answer_for, rid)
    except Exception as error:  # never a stack trace to the caller
        outcome = "error"
        audit["error"] = f"{operation}: {type(error).__name__}"
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
