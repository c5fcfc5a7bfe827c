"""The authorizer's proof (`contracts.proof`), verified locally with the KMS key's public key.

Standard library only: the public key is read from its DER form (SubjectPublicKeyInfo, as KMS
``GetPublicKey`` returns it), and the signature checked as RSASSA-PKCS1-v1_5 with SHA-256
(RFC 8017 8.2.2): the whole encoded message is rebuilt and compared in constant time, so no
parsing of attacker-controlled padding happens. No AWS call, no network: the function runs in
the access VPC and KMS is not on its path."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from contracts import proof

# AlgorithmIdentifier of rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters.
_RSA_ALGORITHM = bytes.fromhex("300d06092a864886f70d0101010500")
# DigestInfo prefix of SHA-256 (RFC 8017 9.2, note 1).
_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
MIN_RSA_BITS = 2048
MAX_RSA_BITS = 4096


class ProofError(ValueError):
    """The proof is missing, malformed, not signed by the key, or does not fit the request."""


def _tlv(data: bytes, at: int, tag: int) -> tuple[bytes, int]:
    """The DER value of the element with ``tag`` at ``at`` and where the next one starts."""
    if at + 2 > len(data) or data[at] != tag:
        raise ValueError(f"expected DER tag {tag:#x}")
    length, at = data[at + 1], at + 2
    if length & 0x80:
        count = length & 0x7F
        if not 1 <= count <= 2 or at + count > len(data):
            raise ValueError("bad DER length")
        length, at = int.from_bytes(data[at : at + count], "big"), at + count
    if at + length > len(data):
        raise ValueError("DER element longer than its data")
    return data[at : at + length], at + length


def _positive(value: bytes) -> int:
    if not value or value[0] & 0x80:
        raise ValueError("not a positive DER integer")
    return int.from_bytes(value, "big")


@dataclass(frozen=True)
class RsaPublicKey:
    n: int
    e: int

    @property
    def size(self) -> int:
        """The modulus in bytes (the signature's length)."""
        return (self.n.bit_length() + 7) // 8

    @classmethod
    def from_der_b64(cls, text: str) -> RsaPublicKey:
        """An RSA key from base64 DER SubjectPublicKeyInfo; ``ValueError`` for anything else."""
        try:
            der = base64.b64decode(text.strip(), validate=True)
        except binascii.Error as error:
            raise ValueError("not base64") from error
        spki, end = _tlv(der, 0, 0x30)
        if end != len(der):
            raise ValueError("trailing data after the key")
        if not spki.startswith(_RSA_ALGORITHM):
            raise ValueError("not an RSA (rsaEncryption) public key")
        bits, end = _tlv(spki, len(_RSA_ALGORITHM), 0x03)
        if end != len(spki) or not bits or bits[0] != 0:
            raise ValueError("bad subjectPublicKey bit string")
        body, end = _tlv(bits, 1, 0x30)
        if end != len(bits):
            raise ValueError("trailing data in the RSA key")
        n_raw, at = _tlv(body, 0, 0x02)
        e_raw, at = _tlv(body, at, 0x02)
        if at != len(body):
            raise ValueError("trailing data in the RSA key")
        n, e = _positive(n_raw), _positive(e_raw)
        if not MIN_RSA_BITS <= n.bit_length() <= MAX_RSA_BITS or n % 2 == 0:
            raise ValueError(f"RSA modulus must be {MIN_RSA_BITS}-{MAX_RSA_BITS} bits")
        if e < 3 or e % 2 == 0 or e.bit_length() > 32:
            raise ValueError("RSA public exponent out of range")
        return cls(n, e)

    def verify(self, message: bytes, signature: bytes) -> bool:
        """RSASSA-PKCS1-v1_5 with SHA-256: is ``signature`` this key's over ``message``?"""
        k = self.size
        if len(signature) != k:
            return False
        s = int.from_bytes(signature, "big")
        if s >= self.n:
            return False
        encoded = pow(s, self.e, self.n).to_bytes(k, "big")
        t = _SHA256_DIGEST_INFO + hashlib.sha256(message).digest()
        expected = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
        return hmac.compare_digest(encoded, expected)


@dataclass(frozen=True)
class Proven:
    """What a verified proof says."""

    username: str
    sub: str
    api_id: str
    stage: str
    resources: tuple[str, ...]
    token_sha256: str
    issued_at: int
    expires_at: int
    # The person's groups as the token's groups claim gave them (none in an older authorizer's proof).
    groups: tuple[str, ...] = ()


def _field(payload: dict[str, Any], name: str, kind: type) -> Any:
    value = payload.get(name)
    if type(value) is not kind:
        raise ProofError(f"proof field {name} missing or not a {kind.__name__}")
    return value


def verify_proof(key: RsaPublicKey, text: object, now: float) -> Proven:
    """The verified, unexpired proof; ``ProofError`` (with a loggable reason) otherwise."""
    if not isinstance(text, str) or not text:
        raise ProofError("no proof")
    try:
        payload_part, signature = proof.split(text)
    except ValueError as error:
        raise ProofError(f"malformed proof ({error})") from None
    if not key.verify(payload_part.encode("ascii"), signature):
        raise ProofError("proof signature does not verify")
    try:
        payload = proof.decode_payload(payload_part)
    except ValueError:
        raise ProofError("malformed proof payload") from None
    if payload.get(proof.VERSION) != proof.CURRENT_VERSION:
        raise ProofError("unknown proof version")
    resources = payload.get(proof.RESOURCES)
    if not isinstance(resources, list) or not all(isinstance(r, str) for r in resources):
        raise ProofError("proof field resources missing or not a list of strings")
    groups = payload.get(proof.GROUPS, [])
    if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
        raise ProofError("proof field groups not a list of strings")
    proven = Proven(
        username=_field(payload, proof.USERNAME, str),
        sub=_field(payload, proof.SUB, str),
        api_id=_field(payload, proof.API_ID, str),
        stage=_field(payload, proof.STAGE, str),
        resources=tuple(resources),
        token_sha256=_field(payload, proof.TOKEN_SHA256, str),
        issued_at=_field(payload, proof.ISSUED_AT, int),
        expires_at=_field(payload, proof.EXPIRES_AT, int),
        groups=tuple(groups),
    )
    if now >= proven.expires_at:
        raise ProofError("proof expired")
    if proven.issued_at > now + proof.CLOCK_SKEW_SECONDS:
        raise ProofError("proof issued in the future")
    return proven
