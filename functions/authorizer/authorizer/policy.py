"""The policy of an allowed token: exactly ``GET /<username>`` and ``GET /<username>/targets`` on
the stage that called (`contracts.proof.allowed_resources`).

API Gateway caches the policy per token, so it must fit every request of that user and no other:
the username (screened by `verify.username_is_safe`: no ``*``, ``?``, ``/`` or ``$``, so no
wildcard, no other path and no policy variable) is a whole path segment of both resources."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from contracts import proof

from .errors import Refused

_METHOD_ARN_RE = re.compile(
    r"arn:(aws[a-z-]*):execute-api:([a-z0-9-]+):(\d{12}):([A-Za-z0-9]+)/([A-Za-z0-9_-]+)/.*", re.S
)


@dataclass(frozen=True)
class Allowed:
    """What the authorizer allows: on which API and stage, which resources (``GET/<username>``,
    ``GET/<username>/targets``)."""

    api_id: str
    stage: str
    resources: tuple[str, ...]
    policy: dict[str, Any]


def allow_policy(method_arn: object, username: str, sub: str, client_id: str) -> Allowed:
    """Allow exactly ``GET /<username>`` and ``GET /<username>/targets`` on the stage that called, nothing else."""
    match = _METHOD_ARN_RE.fullmatch(method_arn) if isinstance(method_arn, str) else None
    if not match:
        raise Refused("methodArn is not an execute-api method ARN", sub=sub)
    partition, region, account, api_id, stage = match.groups()
    own = proof.resource("GET", username)  # inline `proof.allowed_resources`: the warm path counts
    allowed = (own, f"{own}/{proof.TARGETS}")
    prefix = f"arn:{partition}:execute-api:{region}:{account}:{api_id}/{stage}/"
    policy = {
        "principalId": sub,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": [prefix + own, prefix + allowed[1]]}
            ],
        },
        "context": {"username": username, "sub": sub, "clientId": client_id},
    }
    return Allowed(api_id, stage, allowed, policy)
