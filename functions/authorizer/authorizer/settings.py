"""The authorizer's environment, read once per container: names, defaults and bounds are
`contracts.authorizer_env`'s. At least one of the allowed client ids and the audience is
required (both are checked when both are set); every problem is reported at once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from contracts import authorizer_env as contract

from .errors import ConfigError
from .urls import check_url

WELL_KNOWN_JWKS = "/.well-known/jwks.json"


@dataclass(frozen=True)
class Settings:
    issuer: str
    jwks_url: str
    client_ids: frozenset[str]
    audience: str | None
    token_use: str | None  # None: not checked
    username_claim: str
    leeway: int


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
    if problems:
        raise ConfigError("invalid authorizer environment: " + "; ".join(problems))
    return Settings(issuer, jwks_url, client_ids, audience, token_use, username_claim, leeway)
