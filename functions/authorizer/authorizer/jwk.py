"""Which algorithms and keys the authorizer accepts, and the usable keys of a JWKS document.

Keys are loaded into `cryptography`'s public key objects once per key set fetch; an RSA key
verifies RS*/PS* (2048 bits or more), an EC key the ES* of its curve only, and a JWK that names
its ``alg`` only that algorithm."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any, TypeAlias

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

# Asymmetric algorithms only: never "none", never HMAC (whose key would be the public key).
ALLOWED_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"})
_KEY_TYPE = {"RS": "RSA", "PS": "RSA", "ES": "EC"}
_HASHES: dict[str, type[hashes.SHA256 | hashes.SHA384 | hashes.SHA512]] = {
    "256": hashes.SHA256,
    "384": hashes.SHA384,
    "512": hashes.SHA512,
}
# JWA (RFC 7518): each ES* algorithm names its curve; (curve, coordinate bytes).
_CURVES: dict[str, tuple[type[ec.EllipticCurve], int]] = {
    "P-256": (ec.SECP256R1, 32),
    "P-384": (ec.SECP384R1, 48),
    "P-521": (ec.SECP521R1, 66),
}
_ES_CURVE = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}
MIN_RSA_BITS = 2048

Jwk: TypeAlias = dict[str, Any]


def key_family_ok(kty: object, alg: str) -> bool:
    """Does an algorithm fit a key type (RS*/PS* an RSA key, ES* an EC key)?"""
    return _KEY_TYPE.get(alg[:2]) == kty


def _b64_int(value: object) -> int:
    if not isinstance(value, str) or not value:
        raise ValueError("not a base64url integer")
    raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    return int.from_bytes(raw, "big")


def _coordinate(value: object, size: int) -> int:
    if not isinstance(value, str):
        raise ValueError("not a coordinate")
    raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    if len(raw) != size:
        raise ValueError("coordinate of the wrong size")
    return int.from_bytes(raw, "big")


@dataclass(frozen=True)
class PublicKey:
    """A loaded key, the algorithm its JWK names (if any), and how it verifies."""

    kty: str
    key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey
    curve: str | None = None  # EC keys
    alg: str | None = None  # the JWK's alg: then the only algorithm the key verifies

    def fits(self, alg: str) -> bool:
        """May this key verify ``alg`` (its family, and for EC keys its curve)?"""
        if not key_family_ok(self.kty, alg):
            return False
        return self.kty == "RSA" or _ES_CURVE.get(alg) == self.curve

    def verify(self, alg: str, signature: bytes, data: bytes) -> bool:
        """Is ``signature`` over ``data`` valid for ``alg`` (allowed, and fitting the key)?"""
        digest = _DIGESTS[alg]
        try:
            if isinstance(self.key, rsa.RSAPublicKey):
                self.key.verify(signature, data, _PSS[alg] if alg[0] == "P" else _PKCS1, digest)
            else:
                size = _CURVES[self.curve or ""][1]
                if len(signature) != 2 * size:
                    return False
                r, s = int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
                self.key.verify(encode_dss_signature(r, s), data, ec.ECDSA(digest))
        except InvalidSignature:
            return False
        return True


_PKCS1 = padding.PKCS1v15()
_DIGESTS = {alg: _HASHES[alg[2:]]() for alg in ALLOWED_ALGORITHMS}
# RFC 7518 3.5: the PSS salt is as long as the hash.
_PSS = {alg: padding.PSS(padding.MGF1(d), d.digest_size) for alg, d in _DIGESTS.items() if alg[0] == "P"}


def import_key(jwk: Jwk) -> PublicKey:
    """The key of a JWK (``ValueError`` if it does not load: type, size, curve, encoding)."""
    kty, alg = jwk.get("kty"), jwk.get("alg")
    alg = alg if isinstance(alg, str) else None
    try:
        if kty == "RSA":
            n, e = _b64_int(jwk.get("n")), _b64_int(jwk.get("e"))
            if n.bit_length() < MIN_RSA_BITS:
                raise ValueError(f"RSA key smaller than {MIN_RSA_BITS} bits")
            return PublicKey("RSA", rsa.RSAPublicNumbers(e, n).public_key(), alg=alg)
        if kty == "EC":
            crv = jwk.get("crv")
            if not isinstance(crv, str) or crv not in _CURVES:
                raise ValueError("unsupported curve")
            curve, size = _CURVES[crv]
            x, y = _coordinate(jwk.get("x"), size), _coordinate(jwk.get("y"), size)
            return PublicKey("EC", ec.EllipticCurvePublicNumbers(x, y, curve()).public_key(), crv, alg)
    except (binascii.Error, TypeError) as error:
        raise ValueError(f"malformed {kty} key") from error
    raise ValueError(f"unsupported key type {kty!r}")


def parse_jwks(document: object) -> dict[str, PublicKey]:
    """The usable signing keys of a JWKS document by ``kid``, loaded; unusable ones are left out.

    A JWK's ``alg``, when present, must be allowed and fit its key."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("key set has no 'keys' list")
    keys: dict[str, PublicKey] = {}
    duplicates: set[str] = set()
    for jwk in document["keys"]:
        if not isinstance(jwk, dict):
            continue
        kid, kty, alg, use = jwk.get("kid"), jwk.get("kty"), jwk.get("alg"), jwk.get("use")
        if not isinstance(kid, str) or not kid or kty not in ("RSA", "EC"):
            continue  # symmetric ("oct") keys and keys without an id are never used
        if use not in (None, "sig"):
            continue
        if alg is not None and (alg not in ALLOWED_ALGORITHMS or not key_family_ok(kty, alg)):
            continue
        try:
            key = import_key(jwk)  # the key must load (size, curve, encoding)
        except Exception:
            continue
        if alg is not None and not key.fits(alg):
            continue  # e.g. ES384 on a P-256 key
        if kid in keys:
            duplicates.add(kid)
        keys[kid] = key
    for kid in duplicates:  # ambiguous: which one signed?
        del keys[kid]
    return keys
