"""REST proxy integration for ``GET /{user_id}`` (a SageMaker Studio presigned URL for the caller)
and ``GET /{user_id}/targets`` (what the caller may open).

Lambda's entry point (``app.handler``); the function's folder is the package root and its modules
are the ``presigned_url`` package beside this file. The environment is
``contracts/presigned_url_env.py`` (names, defaults, bounds), read once per container; a bad value
stops the container's start (on Lambda) with one JSON log line naming it. The tables' items are
``contracts/tables.py``'s.

Behaviour: the caller is the person named by the authorizer's proof (``requestContext.authorizer
.proof``, ``contracts/proof.py``), verified here with the KMS key's public key
(``PROOF_PUBLIC_KEY``): signed by that key, unexpired, made for this API and stage, allowing this
method and path, and for the bearer token of this very request. Without such a proof (a hand-made
event, a direct invocation) the answer is 403 and no AWS call is made. The path's ``user_id``
must be the proven person. Their entitlement (docs/entitlements.md): the LOBs their groups (signed
in the proof) map to in the LOBs table's group mapping item, plus the LOB of their users-table
row; the row's ``DISABLED`` refuses them whatever their groups. Rows, the mapping, the LOBs'
accounts and domains (the LOB item's domain id, or the one InService domain that ``ListDomains``
shows in that account) and spaces are cached for ``CACHE_TTL_SECONDS``; the access role
``arn:aws:iam::<account>:role/<access role>`` is assumed per person with ``SourceIdentity`` =
the person (from the regional STS endpoint), its credentials kept per (account, person) until
five minutes before they expire, in bounded caches.

``GET /{user_id}[?lob=&space=&landing=]``: the LOB asked for (one of theirs), or their only one
(several and none asked for: 409 ``{"message": "Choose a line of business.", "requestId", "lobs":
[...]}``, their LOB names and nothing else). A warm request makes one AWS call:
``CreatePresignedDomainUrl`` (with ``SpaceName``/``LandingUri``; a space only if it is shared in
the domain or the person's own private space, checked with ``DescribeSpace``). A person without a
user profile gets one (``CreateUserProfile``, tagged ``studio-access:person``) where the LOB's
access role allows it (``lob.justInTimeProfiles``), else 404.

``GET /{user_id}/targets``: ``200 {"username", "lobs": [{"name", "spaces": [{"name", "appType",
"sharing"}]}]}``, per LOB the domain's shared spaces and the person's own private ones
(``ListSpaces``, cached); a LOB that fails is listed without spaces.

Answers: ``302`` to the URL with ``Cache-Control: no-store``; ``200 {"url", "expiresInSeconds"}``
with ``Accept: application/json``; otherwise ``{"message", "requestId"}`` with a generic message
per status (nothing of the platform is named): 400 (bad query), 403 (no valid proof, another
user's path, disabled, a LOB not theirs, a space that is not theirs; "You are not entitled to any
line of business." when nothing grants them one), 404 (LOB not mapped, bad LOB item, no domain,
no profile or space), 409 (several InService domains; or the choice above), 502 (the LOB role
refused AssumeRole), 503 (throttled after retries; a profile just made), 500 (anything else). One
JSON audit line per request (request id, route, username, sub, LOBs and what entitled each (the
row, or the mapped groups by name), LOB, account, domain, space, outcome, detail, status, AWS
calls, latency); never the URL, the token, the proof, or a group that entitled nothing.
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
