"""Shared pieces of the benchmarks: statistics, silence, and a Cognito-shaped token with its
environment (keys, tokens, key set server and events are `testkit`'s, as in the tests)."""

from __future__ import annotations

import contextlib
import io
import statistics
import time
from collections.abc import Callable, Iterator

from contracts import authorizer_env
from testkit import env
from testkit.tokens import CLIENT_ID, ISSUER, Key, cognito_claims, rsa_key, sign

KID = "bench-key-1"


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def time_calls(fn: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """The handlers' JSON log lines go nowhere while timing."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


def signing_key() -> Key:
    """An RSA-2048 key, as Cognito's."""
    return rsa_key(KID)


def access_token(key: Key, username: str = "user-lob-a") -> str:
    """A Cognito-shaped access token, signed with cryptography by hand, so no candidate library
    makes the tokens it reads."""
    return sign(key, cognito_claims(username))


def authorizer_environment(jwks_url: str) -> dict[str, str]:
    return env.of(
        authorizer_env, token_issuer=ISSUER, jwks_url=jwks_url, allowed_client_ids=CLIENT_ID, token_use="access"
    )
