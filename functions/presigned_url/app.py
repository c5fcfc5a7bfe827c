"""REST proxy integration for ``GET /{user_id}``: a SageMaker Studio presigned URL for the caller.

Lambda's entry point (``app.handler``); the function's folder is the package root and its modules
are the ``presigned_url`` package beside this file. The environment is
``contracts/presigned_url_env.py`` (names, defaults, bounds), read once per container; a bad value
stops the container's start (on Lambda) with one JSON log line naming it. The tables' items are
``contracts/tables.py``'s.

Behaviour: the caller is ``requestContext.authorizer.username`` (set by the authorizer); the
path's ``user_id`` must equal it. The user's LOB, the LOB's account and domain (the LOB item's
domain id, or the one InService domain that ``ListDomains`` shows in that account) and the
credentials of ``arn:aws:iam::<account>:role/<access role>`` (from the regional STS endpoint,
until five minutes before they expire) are cached, in bounded caches; the clients are built once
per container (standard retries, short timeouts). A warm request makes one AWS call:
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

import os
from typing import TYPE_CHECKING

from contracts import lambda_env

# On Lambda (and in the tests, see tools/handlers.py) this folder is on the path and the package
# is `presigned_url`; the type checker reads the project from its root, where it is this module path.
if TYPE_CHECKING:
    from functions.presigned_url.presigned_url.handler import handler, state
else:
    from presigned_url.handler import handler, state

__all__ = ["handler"]

if os.environ.get(lambda_env.FUNCTION_NAME.name):
    state()  # on Lambda a bad environment stops the container's start
