"""The authorizer's environment, read once per container: names, defaults and bounds are
`contracts.authorizer_env`'s. At least one of the allowed client ids and the audience is
required (both are checked when both are set), and the KMS key that signs the proofs; every
problem is reported at once. The KMS endpoint is the regional one unless the SDK's endpoint
variables (`contracts.lambda_env`) name another (emulators)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from contracts import authorizer_env as contract
from contracts import lambda_env, names

from .errors import ConfigError
from .urls import check_url

WELL_KNOWN_JWKS = "/.well-known/jwks.json"
_KEY_ID_RE = re.compile(
    r"(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key/[0-9a-fA-F-]{36}|alias/[A-Za-z0-9/_-]{1,250})"
    r"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|alias/[A-Za-z0-9/_-]{1,250})"
)
_REGION_RE = re.compile(names.REGION)
_BOOLEANS = {"true": True, "false": False}


@dataclass(frozen=True)
class Settings:
    issuer: str
    jwks_url: str
    client_ids: frozenset[str]
    audience: str | None
    token_use: str | None  # None: not checked
    username_claim: str
    leeway: int
    require_email_verified: bool
    token_type: str | None  # None: not checked; else lowercase, without "application/"
    groups_claim: str | None  # None: groups are not read
    proof_key_id: str
    proof_ttl: int
    region: str
    kms_endpoint: str


def load_settings(env: Mapping[str, str]) -> Settings:
    """The settings from ``env``; every problem at once in a ``ConfigError``."""
    problems: list[str] = []
    issuer = contract.TOKEN_ISSUER.text(env)
    if not issuer:
        problems.append(f"{contract.TOKEN_ISSUER.name}: required (the exact iss of the tokens)")
    else:
        check_url(contract.TOKEN_ISSUER.name, issuer, problems)
    jwks_url = contract.JWKS_URL.text(env) or (issuer.rstrip("/") + WELL_KNOWN_JWKS if issuer else "")
    if issuer or env.get(contract.JWKS_URL.name):
        check_url(contract.JWKS_URL.name, jwks_url, problems)
    client_ids = frozenset(c.strip() for c in contract.ALLOWED_CLIENT_IDS.text(env).split(",") if c.strip())
    audience = contract.AUDIENCE.text(env) or None
    if not client_ids and not audience:
        problems.append(
            f"{contract.ALLOWED_CLIENT_IDS.name} or {contract.AUDIENCE.name}: at least one is required"
            " (else any client of the issuer passes)"
        )
    token_use = contract.TOKEN_USE.text(env) or None  # set but empty: the check is off
    username_claim = contract.USERNAME_CLAIM.text(env)
    if not username_claim:
        problems.append(f"{contract.USERNAME_CLAIM.name}: must not be empty")
    leeway = contract.LEEWAY_SECONDS.integer(env, problems) or 0
    email = contract.REQUIRE_EMAIL_VERIFIED.text(env).lower()
    if email not in _BOOLEANS:
        problems.append(f"{contract.REQUIRE_EMAIL_VERIFIED.name}: {email!r} is neither true nor false")
    token_type = contract.REQUIRED_TOKEN_TYPE.text(env).lower().removeprefix("application/") or None
    groups_claim = contract.GROUPS_CLAIM.text(env) or None
    key_id, region = contract.PROOF_KEY_ID.text(env), contract.AWS_REGION.text(env)
    if not key_id:
        problems.append(f"{contract.PROOF_KEY_ID.name}: required (the KMS key that signs the proofs)")
    elif not _KEY_ID_RE.fullmatch(key_id):
        problems.append(f"{contract.PROOF_KEY_ID.name}: {key_id!r} is not a KMS key id, key ARN or alias")
    if not region:
        problems.append(f"{contract.AWS_REGION.name}: required (set by Lambda)")
    elif not _REGION_RE.fullmatch(region):
        problems.append(f"{contract.AWS_REGION.name}: {region!r} is not a region")
    ttl = contract.PROOF_TTL_SECONDS.integer(env, problems)
    endpoint = kms_endpoint(env, region)
    check_url(lambda_env.ENDPOINT_URL_KMS.name, endpoint, problems)
    if problems:
        raise ConfigError("invalid authorizer environment: " + "; ".join(problems))
    assert ttl is not None  # it has a default
    return Settings(
        issuer,
        jwks_url,
        client_ids,
        audience,
        token_use,
        username_claim,
        leeway,
        _BOOLEANS[email],
        token_type,
        groups_claim,
        key_id,
        ttl,
        region,
        endpoint,
    )


def kms_endpoint(env: Mapping[str, str], region: str) -> str:
    """KMS's regional endpoint, unless the SDK's endpoint variables name another (emulators)."""
    explicit = lambda_env.ENDPOINT_URL_KMS.text(env) or lambda_env.ENDPOINT_URL.text(env)
    if explicit:
        return explicit.rstrip("/")
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"https://kms.{region}.{suffix}"
