"""API Gateway REST REQUEST authorizer: a bearer JWT in, an IAM policy for ``GET /<own username>`` out.

Lambda's entry point (``app.handler``); the function's folder is the package root and its modules
are the ``authorizer`` package beside this file. The environment is
``contracts/authorizer_env.py`` (names, defaults, bounds), read once per container; a bad value
stops the container's start (on Lambda) with one JSON log line naming it.

Behaviour: the ``Authorization`` header is found case-insensitively in ``headers`` and
``multiValueHeaders`` (two different values are refused), ``Bearer`` case-insensitively, then
the token is verified (`authorizer/verify.py`, signatures by ``cryptography``): asymmetric
algorithms only, a ``kid`` from the key set, the JWK's ``alg`` (if any) equal to the header's,
no ``crit``, the configured ``typ`` (RFC 9068 ``at+jwt``), exact ``iss``, ``exp`` required,
``nbf``/``iat`` honoured, client/audience, ``token_use``, ``email_verified`` when configured, a
username that cannot widen the policy. The key set is fetched with urllib (2 s timeout), cached
per container, refetched for an unknown ``kid`` at most once per 60 s (every 5 s while no key set
is held) and at the latest after an hour.

Any refusal raises ``Exception("Unauthorized")`` (API Gateway: 401). Success returns a policy
allowing exactly ``execute-api:Invoke`` on ``.../<stage>/GET/<username>`` of the calling API,
``principalId`` = ``sub`` and ``context`` = ``{username, sub, clientId, proof}``: ``proof`` is
this decision signed with the stack's KMS key (``contracts/proof.py``, one KMS ``Sign`` per call,
i.e. per API Gateway cache miss), the only part of the context the presigned-URL function
trusts. KMS failing to sign is a 500, not a 401. One JSON log line per call: the outcome, the
reason for a refusal, the ``kid`` and the ``sub`` (never the token, never the proof).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from contracts import lambda_env

# On Lambda (and in the tests, see tools/handlers.py) this folder is on the path and the package
# is `authorizer`; the type checker reads the project from its root, where it is this module path.
if TYPE_CHECKING:
    from functions.authorizer.authorizer.handler import handler, state
else:
    from authorizer.handler import handler, state

__all__ = ["handler"]

if os.environ.get(lambda_env.FUNCTION_NAME.name):
    state()  # on Lambda a bad environment stops the container's start
