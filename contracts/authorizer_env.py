"""The authorizer's environment: written by the stack (components), read by `functions/authorizer`."""

from __future__ import annotations

from typing import Final

from .env import Var

TOKEN_ISSUER: Final = Var(
    "TOKEN_ISSUER", "the exact iss of the tokens (https; plain http only for a loopback host)", required=True
)
JWKS_URL: Final = Var("JWKS_URL", "the issuer's key set (default: TOKEN_ISSUER + /.well-known/jwks.json)")
ALLOWED_CLIENT_IDS: Final = Var("ALLOWED_CLIENT_IDS", "comma-separated; the token's client_id must be one of them")
AUDIENCE: Final = Var("AUDIENCE", "the token's aud must contain it (OIDC access tokens)")
TOKEN_USE: Final = Var(
    "TOKEN_USE", "required token_use; empty turns the check off (non-Cognito issuers)", default="access"
)
USERNAME_CLAIM: Final = Var("USERNAME_CLAIM", "the claim that names the user", default="username")
LEEWAY_SECONDS: Final = Var("LEEWAY_SECONDS", "clock skew allowed on exp/nbf/iat", default="0", low=0, high=120)
REQUIRE_EMAIL_VERIFIED: Final = Var(
    "REQUIRE_EMAIL_VERIFIED",
    '"true"/"false": the token must carry email_verified = true (set when USERNAME_CLAIM is email)',
    default="false",
)
REQUIRED_TOKEN_TYPE: Final = Var(
    "REQUIRED_TOKEN_TYPE", "the token header's typ must equal it, e.g. at+jwt (RFC 9068); empty: no check"
)
# The person's groups, signed into the proof (contracts.proof.GROUPS); the presigned-URL function
# maps them to LOBs (contracts.tables.GROUPS_ITEM_KEY).
GROUPS_CLAIM: Final = Var(
    "GROUPS_CLAIM",
    "the claim with the person's groups (a list of strings, or one string); empty: groups are not read",
    default="cognito:groups",
)
# The proof of a signed-in person (contracts.proof), signed with the stack's KMS key.
PROOF_KEY_ID: Final = Var(
    "PROOF_KEY_ID", "the KMS key (ARN) that signs the proofs; only this role may sign", required=True
)
PROOF_TTL_SECONDS: Final = Var(
    "PROOF_TTL_SECONDS",
    "API Gateway's authorizer result TTL: a proof lives that long (at least 30 s), never past the token's exp",
    default="120",
    low=0,
    high=3600,
)
# Set by Lambda itself, never by the stack.
AWS_REGION: Final = Var("AWS_REGION", "the region of the KMS key (set by Lambda)", required=True)

ALL: Final = (
    TOKEN_ISSUER,
    JWKS_URL,
    ALLOWED_CLIENT_IDS,
    AUDIENCE,
    TOKEN_USE,
    USERNAME_CLAIM,
    LEEWAY_SECONDS,
    REQUIRE_EMAIL_VERIFIED,
    REQUIRED_TOKEN_TYPE,
    GROUPS_CLAIM,
    PROOF_KEY_ID,
    PROOF_TTL_SECONDS,
    AWS_REGION,
)
