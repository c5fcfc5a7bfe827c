"""The authorizer's proof of a signed-in person: made by `functions/authorizer`, checked by
`functions/presigned_url`, whose key the stack creates (`components/access_proof.py`).

After verifying the bearer token, the authorizer signs what it decided with an asymmetric KMS key
that only its own role may use for `kms:Sign`, and puts the result in its context under
`CONTEXT_KEY`. API Gateway hands the context to the presigned-URL function, which verifies the
signature with the key's public key (in its environment) and takes the person from the proof,
never from the plain context. An event made by hand (a direct `lambda:InvokeFunction`) carries no
proof that verifies, so it yields no URL, whoever can read the function's configuration.

Wire form: ``<payload>.<signature>``, both base64url without padding (as in a JWS). ``payload``
is a JSON object with the fields below; ``signature`` is RSASSA-PKCS1-v1_5 with SHA-256
(`SIGNING_ALGORITHM`, KMS ``MessageType: RAW``) over the ASCII bytes of ``<payload>``, the signing
input. The proof is bound to the request that carried it: the API and stage, the resources the
authorizer's policy allows, and the SHA-256 of the bearer token (so a proof is worth nothing
without the token it was made for), and it expires at the latest with the token and with the
authorizer's result in API Gateway's cache.

The proof also carries the person's groups, as the token's groups claim (`GROUPS_CLAIM`) gave
them, so that the function resolves group entitlements (`contracts.tables.GROUPS_ITEM_KEY`)
without another call; the authorizer signs what fits in KMS's 4096 bytes (`MAX_PAYLOAD_BYTES`),
in sorted order, and drops the rest (it logs how many).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any, Final

# The key of the authorizer's context that carries the proof.
CONTEXT_KEY: Final = "proof"

# KMS: the key and the algorithm.
KEY_SPEC: Final = "RSA_2048"
KEY_USAGE: Final = "SIGN_VERIFY"
SIGNING_ALGORITHM: Final = "RSASSA_PKCS1_V1_5_SHA_256"
MESSAGE_TYPE: Final = "RAW"
# KMS signs RAW messages of at most 4096 bytes.
MAX_PAYLOAD_BYTES: Final = 4096
# The whole proof, as the function accepts it (payload and a signature of up to 4096 bits).
MAX_PROOF_BYTES: Final = 4 * MAX_PAYLOAD_BYTES // 3 + 700

# The payload's fields.
VERSION: Final = "v"
USERNAME: Final = "username"
SUB: Final = "sub"
API_ID: Final = "apiId"
STAGE: Final = "stage"
# The resources the authorizer's policy allows, as "<METHOD>/<path>", e.g. "GET/alice" and
# "GET/alice/targets" (`allowed_resources`).
RESOURCES: Final = "resources"
# base64url (no padding) of the SHA-256 of the bearer token.
TOKEN_SHA256: Final = "tokenSha256"
ISSUED_AT: Final = "iat"
EXPIRES_AT: Final = "exp"
# The person's groups (a sorted list of strings; absent in proofs of an older authorizer: none).
GROUPS: Final = "groups"
FIELDS: Final = (VERSION, USERNAME, SUB, API_ID, STAGE, RESOURCES, TOKEN_SHA256, ISSUED_AT, EXPIRES_AT, GROUPS)
CURRENT_VERSION: Final = 1
# A group name the authorizer signs: 1 to this many characters, none of them a control character.
MAX_GROUP_LENGTH: Final = 256

# The API's routes under a person's own path: `GET /<username>` (a Studio URL) and
# `GET /<username>/targets` (what they may open). The authorizer allows exactly these two.
TARGETS: Final = "targets"

# A proof lives as long as API Gateway may cache the authorizer's answer (its result TTL), never
# beyond the token's exp, and at least this long: with a TTL of 0 the integration still runs
# after the authorizer (API Gateway's integration timeout is at most 29 s).
MIN_LIFETIME_SECONDS: Final = 30
# Clock skew the function tolerates on iat (both clocks are Lambda's); never on exp.
CLOCK_SKEW_SECONDS: Final = 5


_URLSAFE = bytes.maketrans(b"+/", b"-_")


def b64url(data: bytes) -> str:
    return binascii.b2a_base64(data, newline=False).rstrip(b"=").translate(_URLSAFE).decode("ascii")


def unb64url(text: str) -> bytes:
    """Strict base64url without padding; ``ValueError`` for anything else."""
    if not text or "=" in text or len(text) % 4 == 1:
        raise ValueError("not base64url")
    try:
        return base64.b64decode(text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4), validate=True)
    except binascii.Error as error:
        raise ValueError("not base64url") from error


def token_sha256(token: str) -> str:
    """The proof's ``tokenSha256`` of a bearer token."""
    return b64url(hashlib.sha256(token.encode("utf-8")).digest())


def resource(method: str, path_user: str) -> str:
    """A ``resources`` entry: ``GET/<username>`` (or ``GET/<username>/targets``)."""
    return f"{method}/{path_user}"


def allowed_resources(username: str) -> tuple[str, str]:
    """What the authorizer allows a person, and nothing else: ``GET/<username>`` and ``GET/<username>/targets``."""
    return resource("GET", username), resource("GET", f"{username}/{TARGETS}")


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True)  # built once: dumps() builds one per call


def encode_payload(payload: dict[str, Any]) -> str:
    """The payload part (the signing input) of a proof."""
    return b64url(_ENCODER.encode(payload).encode("ascii"))


def join(payload: str, signature: bytes) -> str:
    return f"{payload}.{b64url(signature)}"


def split(proof: str) -> tuple[str, bytes]:
    """(payload part, signature bytes); ``ValueError`` for anything but ``<b64url>.<b64url>``."""
    if len(proof) > MAX_PROOF_BYTES:
        raise ValueError("proof too large")
    payload, sep, signature = proof.partition(".")
    if not sep or "." in signature:
        raise ValueError("proof is not two base64url parts")
    unb64url(payload)
    return payload, unb64url(signature)


def decode_payload(payload: str) -> dict[str, Any]:
    """The payload's JSON object (only after its signature was verified)."""
    value = json.loads(unb64url(payload))
    if not isinstance(value, dict):
        raise ValueError("proof payload is not a JSON object")
    return value
