"""Signing keys and tokens shaped like Cognito access tokens, made with cryptography alone
(independently of the library under test), and the forgeries the tests need."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

REGION = "us-east-1"
POOL = f"{REGION}_TestPool1"
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL}"
CLIENT_ID = "5example0client0id0abcdefg"
SUB = "0a1b2c3d-1111-2222-3333-444455556666"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64json(obj: Any) -> str:
    return b64(json.dumps(obj, separators=(",", ":")).encode())


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _int_bytes(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def _b64_int(value: str) -> int:
    return int.from_bytes(unb64(value), "big")


_DIGESTS: dict[str, type[hashes.SHA256 | hashes.SHA384 | hashes.SHA512]] = {
    "256": hashes.SHA256,
    "384": hashes.SHA384,
    "512": hashes.SHA512,
}


@dataclass
class Key:
    """A signing key (RSA or EC P-256), its ``kid`` and the ``alg`` its tokens name."""

    kid: str
    private: Any  # rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    alg: str = "RS256"

    @property
    def public(self) -> Any:
        return self.private.public_key()

    def jwk(self, with_alg: bool = True) -> dict[str, str]:
        """The public key as a JWK (``use: sig``), as an issuer publishes it."""
        numbers = self.public.public_numbers()
        if isinstance(self.private, rsa.RSAPrivateKey):
            data = {"kty": "RSA", "n": b64(_int_bytes(numbers.n)), "e": b64(_int_bytes(numbers.e))}
        else:
            size = (self.private.curve.key_size + 7) // 8
            x, y = b64(numbers.x.to_bytes(size, "big")), b64(numbers.y.to_bytes(size, "big"))
            data = {"kty": "EC", "crv": "P-256", "x": x, "y": y}
        data.update({"kid": self.kid, "use": "sig"})
        if with_alg:
            data["alg"] = self.alg
        return data

    def signature(self, signing_input: bytes) -> bytes:
        """The JWS signature, made with cryptography."""
        digest = _DIGESTS[self.alg[2:]]()
        if self.alg.startswith("RS"):
            return bytes(self.private.sign(signing_input, padding.PKCS1v15(), digest))
        if self.alg.startswith("PS"):
            return bytes(
                self.private.sign(signing_input, padding.PSS(padding.MGF1(digest), digest.digest_size), digest)
            )
        r, s = decode_dss_signature(self.private.sign(signing_input, ec.ECDSA(digest)))
        size = (self.private.curve.key_size + 7) // 8
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")

    def public_pem(self) -> bytes:
        return bytes(
            self.public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        )


_RSA_CACHE: dict[str, rsa.RSAPrivateKey] = {}


def rsa_key(kid: str, alg: str = "RS256") -> Key:
    """An RSA-2048 key (Cognito's size), generated once per ``kid`` and process."""
    if kid not in _RSA_CACHE:
        _RSA_CACHE[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return Key(kid, _RSA_CACHE[kid], alg)


def ec_key(kid: str) -> Key:
    return Key(kid, ec.generate_private_key(ec.SECP256R1()), "ES256")


def rsa_key_from_jwk(jwk: dict[str, str]) -> Key:
    """A private RSA JWK (``n``, ``e``, ``d``; the primes are recovered) as a signing key, e.g. an emulator's own."""
    n, e, d = _b64_int(jwk["n"]), _b64_int(jwk["e"]), _b64_int(jwk["d"])
    p, q = rsa.rsa_recover_prime_factors(n, e, d)
    crt = rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q)
    numbers = rsa.RSAPrivateNumbers(p, q, d, *crt, rsa.RSAPublicNumbers(e, n))
    return Key(jwk["kid"], numbers.private_key(), jwk.get("alg", "RS256"))


def cognito_claims(username: str | None = "user-lob-a", **overrides: Any) -> dict[str, Any]:
    """Claims shaped like a Cognito access token's; an override of None removes that claim."""
    now = int(time.time())
    claims = {
        "sub": SUB,
        "iss": ISSUER,
        "client_id": CLIENT_ID,
        "origin_jti": str(uuid.uuid4()),
        "event_id": str(uuid.uuid4()),
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "auth_time": now - 10,
        "exp": now + 3600,
        "iat": now - 10,
        "jti": str(uuid.uuid4()),
        "username": username,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def sign(key: Key, claims: dict[str, Any] | bytes, headers: dict[str, Any] | None = None) -> str:
    """A compact JWS over any payload (bytes, or claims as JSON), signed by ``key``."""
    payload = claims if isinstance(claims, bytes) else json.dumps(claims).encode()
    header = {"alg": key.alg, "typ": "JWT", "kid": key.kid, **(headers or {})}
    signing_input = f"{b64json(header)}.{b64(payload)}"
    return f"{signing_input}.{b64(key.signature(signing_input.encode()))}"


def claims_of(token: str) -> dict[str, Any]:
    """A token's payload, unverified."""
    payload: dict[str, Any] = json.loads(unb64(token.split(".")[1]))
    return payload


def raw_token(header: dict[str, Any], payload: dict[str, Any], signature: bytes = b"sig") -> str:
    """A token assembled by hand (for what libraries refuse to produce)."""
    return f"{b64json(header)}.{b64json(payload)}.{b64(signature)}"


def with_claims(token: str, **changes: Any) -> str:
    """The same header and signature over a changed payload (a tampered token)."""
    header, _, signature = token.split(".")
    return f"{header}.{b64(json.dumps({**claims_of(token), **changes}).encode())}.{signature}"


def hs256_with_public_key(key: Key, claims: dict[str, Any]) -> str:
    """Algorithm confusion: HMAC-SHA256 keyed with the RSA public key's PEM."""
    signing_input = f"{b64json({'alg': 'HS256', 'typ': 'JWT', 'kid': key.kid})}.{b64json(claims)}"
    mac = hmac.new(key.public_pem(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"
