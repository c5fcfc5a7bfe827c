"""The presigned-URL function's environment: written by the stack (components), read by `functions/presigned_url`."""

from __future__ import annotations

from typing import Final

from .env import Var

USERS_TABLE: Final = Var("USERS_TABLE", "the users table (contracts.tables)", required=True)
LOBS_TABLE: Final = Var("LOBS_TABLE", "the LOBs table (contracts.tables)", required=True)
ACCESS_ROLE_NAME: Final = Var("ACCESS_ROLE_NAME", "the role assumed in the LOB's account", required=True)
URL_EXPIRES_SECONDS: Final = Var("URL_EXPIRES_SECONDS", "the presigned URL's lifetime", default="20", low=5, high=300)
SESSION_EXPIRATION_SECONDS: Final = Var(
    "SESSION_EXPIRATION_SECONDS", "the Studio session's length (unset: SageMaker's default)", low=1800, high=43200
)
CACHE_TTL_SECONDS: Final = Var(
    "CACHE_TTL_SECONDS", "how long users, LOBs and domains are cached (0: not cached)", default="60", low=0, high=3600
)
# The public key of the authorizer's proofs (contracts.proof): base64 DER (SubjectPublicKeyInfo),
# as KMS GetPublicKey returns it. Public: reading it lets nobody make a proof.
PROOF_PUBLIC_KEY: Final = Var(
    "PROOF_PUBLIC_KEY", "base64 DER public key of the KMS key that signs the authorizer's proofs", required=True
)
# Set by Lambda itself, never by the stack.
AWS_REGION: Final = Var("AWS_REGION", "the region of the tables, STS and SageMaker (set by Lambda)", required=True)

ALL: Final = (
    USERS_TABLE,
    LOBS_TABLE,
    ACCESS_ROLE_NAME,
    URL_EXPIRES_SECONDS,
    SESSION_EXPIRATION_SECONDS,
    CACHE_TTL_SECONDS,
    PROOF_PUBLIC_KEY,
    AWS_REGION,
)
