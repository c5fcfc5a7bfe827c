"""Which algorithms and keys the authorizer accepts, and the usable keys of a JWKS document."""

from __future__ import annotations

from typing import Any, TypeAlias

from joserfc.jwk import ECKey, RSAKey

# Asymmetric algorithms only: never "none", never HMAC (whose key would be the public key).
ALLOWED_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"})
_KEY_TYPE = {"RS": "RSA", "PS": "RSA", "ES": "EC"}
_KEY_CLASS: dict[str, type[RSAKey] | type[ECKey]] = {"RSA": RSAKey, "EC": ECKey}

Jwk: TypeAlias = dict[str, Any]
PublicKey: TypeAlias = RSAKey | ECKey


def key_family_ok(kty: object, alg: str) -> bool:
    """Does an algorithm fit a key type (RS*/PS* an RSA key, ES* an EC key)?"""
    return _KEY_TYPE.get(alg[:2]) == kty


def import_key(jwk: Jwk) -> PublicKey:
    """The key of a JWK that `parse_jwks` kept."""
    return _KEY_CLASS[jwk["kty"]].import_key(jwk)


def parse_jwks(document: object) -> dict[str, Jwk]:
    """The usable signing keys of a JWKS document by ``kid``; unusable ones are left out."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("key set has no 'keys' list")
    keys: dict[str, Jwk] = {}
    duplicates: set[str] = set()
    for jwk in document["keys"]:
        if not isinstance(jwk, dict):
            continue
        kid, kty, alg, use = jwk.get("kid"), jwk.get("kty"), jwk.get("alg"), jwk.get("use")
        if not isinstance(kid, str) or not kid or kty not in _KEY_CLASS:
            continue  # symmetric ("oct") keys and keys without an id are never used
        if use not in (None, "sig"):
            continue
        if alg is not None and (alg not in ALLOWED_ALGORITHMS or not key_family_ok(kty, alg)):
            continue
        try:
            import_key(jwk)  # the key must load (size, curve, encoding)
        except Exception:
            continue
        if kid in keys:
            duplicates.add(kid)
        keys[kid] = jwk
    for kid in duplicates:  # ambiguous: which one signed?
        del keys[kid]
    return keys
