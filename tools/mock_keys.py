"""RSA key pairs for the plan mocks' KMS keys: derived from a seed, so the same stack gives the same
public key on every run (the plan is reproducible), and the tests can sign with the private half
of a key the plan put in a function's environment (`private_key_for`).

Primes are found with a seeded generator and Miller-Rabin (64 rounds, seeded bases); a 2048-bit
pair takes a fraction of a second and is made once per seed and process. For the offline plan
and the tests only: these keys protect nothing."""

from __future__ import annotations

import base64
import hashlib
import random
from dataclasses import dataclass
from functools import cache

_SMALL_PRIMES = [p for p in range(3, 2000, 2) if all(p % d for d in range(3, int(p**0.5) + 1, 2))]
E = 65537


def _probable_prime(n: int, rng: random.Random) -> bool:
    if n < 2:
        return False
    for p in _SMALL_PRIMES:
        if n % p == 0:
            return n == p
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for _ in range(64):
        x = pow(rng.randrange(2, n - 1), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(bits: int, rng: random.Random) -> int:
    while True:
        candidate = rng.getrandbits(bits) | (3 << (bits - 2)) | 1  # top two bits: n has all its bits
        if candidate % E != 1 and _probable_prime(candidate, rng):
            return candidate


@dataclass(frozen=True)
class KeyPair:
    n: int
    e: int
    d: int
    p: int
    q: int

    def public_der(self) -> bytes:
        """SubjectPublicKeyInfo DER, as KMS GetPublicKey returns it."""
        return _spki(self.n, self.e)

    def public_der_b64(self) -> str:
        return base64.b64encode(self.public_der()).decode()


@cache
def key_pair(seed: str, bits: int = 2048) -> KeyPair:
    """The RSA key pair of ``seed`` (the same on every run)."""
    rng = random.Random(hashlib.sha256(seed.encode()).digest())
    while True:
        p, q = _prime(bits // 2, rng), _prime(bits // 2, rng)
        n = p * q
        if p != q and n.bit_length() == bits:
            d = pow(E, -1, (p - 1) * (q - 1))
            pair = KeyPair(n, E, d, p, q)
            _BY_PUBLIC[pair.public_der_b64()] = pair
            return pair


_BY_PUBLIC: dict[str, KeyPair] = {}


def private_key_for(public_der_b64: str) -> KeyPair:
    """The pair whose public key (base64 DER) a plan handed out in this process."""
    try:
        return _BY_PUBLIC[public_der_b64]
    except KeyError:
        raise KeyError("no mock KMS key with that public key was made in this process") from None


def _der(tag: int, body: bytes) -> bytes:
    n = len(body)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + body


def _integer(value: int) -> bytes:
    raw = value.to_bytes(value.bit_length() // 8 + 1, "big")  # a leading 0 keeps it positive
    return _der(0x02, raw)


def _spki(n: int, e: int) -> bytes:
    algorithm = bytes.fromhex("300d06092a864886f70d0101010500")  # rsaEncryption, NULL
    public = _der(0x30, _integer(n) + _integer(e))
    return _der(0x30, algorithm + _der(0x03, b"\x00" + public))
