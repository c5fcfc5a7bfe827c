"""The proof of a signed-in person (`contracts.proof`): what the authorizer decided, signed by KMS.

It names the person (username, sub), where the decision holds (the API id and stage from the
method ARN, the resources the policy allows), the bearer token it was made for (its SHA-256) and
how long it holds: from now until the token's ``exp`` or the end of API Gateway's cache of this
answer (`PROOF_TTL_SECONDS`, at least `contracts.proof.MIN_LIFETIME_SECONDS`), whichever is first;
and the person's groups (`groups.groups_of`), as many as fit in what KMS signs (the rest are
dropped from the end of the sorted list, and counted for the log line)."""

from __future__ import annotations

import time
from typing import Any

from contracts import proof

from .kms import Kms
from .policy import Allowed


def _fitting(payload: dict[str, Any], groups: tuple[str, ...]) -> tuple[str, int]:
    """The signing input with as many groups as fit in KMS's limit, and how many were dropped
    (``payload`` gets its groups field)."""
    payload[proof.GROUPS] = list(groups)
    signing_input = proof.encode_payload(payload)
    if len(signing_input) <= proof.MAX_PAYLOAD_BYTES:  # the usual case: one encoding
        return signing_input, 0
    low, high = 0, len(groups)
    while low < high:  # the most groups that fit: the encoding grows with every group
        middle = (low + high + 1) // 2
        payload[proof.GROUPS] = list(groups[:middle])
        if len(proof.encode_payload(payload)) <= proof.MAX_PAYLOAD_BYTES:
            low = middle
        else:
            high = middle - 1
    payload[proof.GROUPS] = list(groups[:low])
    return proof.encode_payload(payload), len(groups) - low


def make_proof(
    kms: Kms,
    allowed: Allowed,
    username: str,
    sub: str,
    token: str,
    token_exp: float,
    ttl: int,
    now: float | None = None,
    groups: tuple[str, ...] = (),
) -> tuple[str, int]:
    """The signed proof for this decision (one KMS ``Sign``), and how many groups did not fit in it."""
    issued = int(time.time() if now is None else now)
    payload: dict[str, Any] = {
        proof.VERSION: proof.CURRENT_VERSION,
        proof.USERNAME: username,
        proof.SUB: sub,
        proof.API_ID: allowed.api_id,
        proof.STAGE: allowed.stage,
        proof.RESOURCES: list(allowed.resources),
        proof.TOKEN_SHA256: proof.token_sha256(token),
        proof.ISSUED_AT: issued,
        proof.EXPIRES_AT: min(int(token_exp), issued + max(ttl, proof.MIN_LIFETIME_SECONDS)),
    }
    signing_input, dropped = _fitting(payload, groups)
    if len(signing_input) > proof.MAX_PAYLOAD_BYTES:
        raise ValueError("proof payload larger than KMS signs")
    return proof.join(signing_input, kms.sign(signing_input.encode("ascii"))), dropped
