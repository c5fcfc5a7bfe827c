"""The per-container state and the handler: the event in, a policy with a proof or ``Unauthorized`` out.

The state (settings, key set, KMS client) is built on the first call (on Lambda: at import, so a
bad environment stops the container's start with one log line naming it); ``reset()`` makes the
next call read the environment again. Any refusal raises ``Exception("Unauthorized")`` (API
Gateway answers 401); one JSON log line per call says why, with the ``kid`` and ``sub``. When KMS
cannot sign the proof, the call fails with another exception (API Gateway answers 500): the
token was fine, the platform was not, and a 401 would send the person to sign in again."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from contracts import proof

from .cache import KeySet
from .errors import ConfigError, Refused
from .groups import groups_of
from .header import bearer_token
from .kms import Kms, SigningError
from .logs import log, loggable
from .policy import allow_policy
from .proof import make_proof
from .settings import Settings, load_settings
from .verify import verify_token


class State:
    """What one container keeps between calls."""

    def __init__(self, env: Mapping[str, str] = os.environ) -> None:
        self.settings: Settings = load_settings(env)
        self.keys = KeySet(self.settings.jwks_url)
        s = self.settings
        self.kms = Kms(s.proof_key_id, s.region, s.kms_endpoint, env)


class ProofUnavailable(Exception):
    """KMS did not sign the proof: API Gateway answers 500, not 401."""


_current: State | None = None


def state() -> State:
    """The container's state, built on first use; a bad environment is logged and raised."""
    global _current
    if _current is None:
        try:
            _current = State()
        except ConfigError as error:
            log("ERROR", "config-invalid", error=str(error))
            raise
    return _current


def reset() -> None:
    """Forget the settings, cached keys and connection; the next call reads the environment again (tests)."""
    global _current
    if _current is not None:
        _current.kms.close()
    _current = None


def authorize(event: Any, current: State) -> dict[str, Any]:
    settings = current.settings
    token = bearer_token(event)
    claims, kid = verify_token(token, settings, current.keys)
    username, sub = claims[settings.username_claim], claims["sub"]
    client_id = claims.get("client_id")
    if not isinstance(client_id, str):
        azp = claims.get("azp")
        client_id = azp if isinstance(azp, str) else ""
    try:
        allowed = allow_policy(event.get("methodArn"), username, sub, client_id)
    except Refused as refused:
        refused.kid = kid
        raise
    groups = groups_of(claims, settings.groups_claim)
    try:
        signed, dropped = make_proof(
            current.kms, allowed, username, sub, token, claims["exp"], settings.proof_ttl, groups=groups
        )
    except SigningError as error:
        log("ERROR", "proof-signing-failed", error=str(error), kid=loggable(kid), sub=loggable(sub))
        raise ProofUnavailable("proof signing failed") from None
    policy = allowed.policy
    policy["context"][proof.CONTEXT_KEY] = signed
    if dropped:
        # The token carries more groups than a proof holds: the last ones (sorted) open nothing.
        log("WARNING", "groups-truncated", kid=loggable(kid), sub=loggable(sub), dropped=dropped)
    log("INFO", "allowed", kid=loggable(kid), sub=loggable(sub), username=username, groups=len(groups))
    return policy


def handler(event: Any, context: Any = None) -> dict[str, Any]:
    current = state()
    try:
        return authorize(event, current)
    except Refused as refused:
        log("WARNING", "refused", reason=refused.reason, kid=loggable(refused.kid), sub=loggable(refused.sub))
    except ProofUnavailable:
        raise
    except Exception as error:  # never a 500 for a bad request: refuse
        log("ERROR", "refused", reason=f"unexpected {type(error).__name__}")
    raise Exception("Unauthorized")
