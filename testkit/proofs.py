"""The authorizer's proofs (`contracts.proof`) made by hand, with `cryptography`, for the
presigned-URL function's tests and the benchmarks: a signing key standing for the stack's KMS
key (its public key goes in the function's environment), valid proofs, and the forgeries the
tests need (another key, a tampered payload)."""

from __future__ import annotations

import base64
import time
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from contracts import proof

API_ID = "abcdef1234"  # testkit.events' method ARN
STAGE = "dev"

_KEYS: dict[str, rsa.RSAPrivateKey] = {}


def key(name: str = "proof-key") -> rsa.RSAPrivateKey:
    """An RSA-2048 key (KMS's RSA_2048), generated once per name and process."""
    if name not in _KEYS:
        _KEYS[name] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return _KEYS[name]


def public_der_b64(private: rsa.RSAPrivateKey | None = None) -> str:
    """The public key as KMS GetPublicKey gives it and the stack passes it: base64 DER (SPKI)."""
    public = (private or key()).public_key()
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


def sign(payload_part: str, private: rsa.RSAPrivateKey | None = None) -> bytes:
    """RSASSA-PKCS1-v1_5 SHA-256 over the payload part, as KMS Sign (RAW) makes it."""
    return bytes((private or key()).sign(payload_part.encode("ascii"), padding.PKCS1v15(), hashes.SHA256()))


def payload(
    username: str = "user-lob-a",
    token: str = "token-of-user-lob-a",
    *,
    sub: str = "0a1b2c3d-1111-2222-3333-444455556666",
    api_id: str = API_ID,
    stage: str = STAGE,
    resources: list[str] | None = None,
    groups: list[str] | None = None,
    issued_at: int | None = None,
    lifetime: int = 120,
    **overrides: Any,
) -> dict[str, Any]:
    """The payload the authorizer would sign for this person and token (their two paths, and
    ``groups``, default none); an override of None removes a field."""
    now = int(time.time()) if issued_at is None else issued_at
    fields: dict[str, Any] = {
        proof.VERSION: proof.CURRENT_VERSION,
        proof.USERNAME: username,
        proof.SUB: sub,
        proof.API_ID: api_id,
        proof.STAGE: stage,
        proof.RESOURCES: resources if resources is not None else list(proof.allowed_resources(username)),
        proof.TOKEN_SHA256: proof.token_sha256(token),
        proof.ISSUED_AT: now,
        proof.EXPIRES_AT: now + lifetime,
        proof.GROUPS: sorted(set(groups or ())),
    }
    fields.update(overrides)
    return {k: v for k, v in fields.items() if v is not None}


def make(fields: dict[str, Any] | None = None, private: rsa.RSAPrivateKey | None = None, **kw: Any) -> str:
    """A signed proof of ``fields`` (default: `payload(**kw)`)."""
    part = proof.encode_payload(fields if fields is not None else payload(**kw))
    return proof.join(part, sign(part, private))


def tampered(signed: str, **changes: Any) -> str:
    """The same signature over a changed payload."""
    part, signature = proof.split(signed)
    return proof.join(proof.encode_payload({**proof.decode_payload(part), **changes}), signature)


def read(signed: str) -> dict[str, Any]:
    """A proof's payload, unverified."""
    return proof.decode_payload(proof.split(signed)[0])
