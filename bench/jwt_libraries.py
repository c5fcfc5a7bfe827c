"""JWT library candidates on a Cognito-shaped access token: what each spends beside the RSA check.

Each candidate verifies the signature (RS256, key loaded once from the JWK, as a per-container
cache would hold it) and checks ``iss`` and ``exp``; each must also refuse a tampered token, so
that nothing is measured that does not verify. Cold: a fresh interpreter importing the library,
loading the key and verifying once."""

from __future__ import annotations

import functools
import importlib.metadata
import json
import os
import subprocess
import sys
import textwrap
from typing import Any

from testkit.tokens import ISSUER, with_claims

from .common import access_token, median_ms, signing_key, time_calls

# name -> (distribution, setup code defining verify(token) from JWK and ISSUER)
CANDIDATES = {
    "joserfc": (
        "joserfc",
        """
from joserfc import jwt
from joserfc.jwk import RSAKey
key = RSAKey.import_key(JWK)
claims = jwt.JWTClaimsRegistry(iss={"essential": True, "value": ISSUER}, exp={"essential": True})
def verify(token):
    decoded = jwt.decode(token, key, algorithms=["RS256"])
    claims.validate(decoded.claims)
    return decoded.claims
""",
    ),
    "PyJWT": (
        "PyJWT",
        """
import jwt
key = jwt.PyJWK(JWK)
def verify(token):
    return jwt.decode(token, key=key, algorithms=["RS256"], issuer=ISSUER, options={"require": ["exp", "iss"]})
""",
    ),
    "jwcrypto": (
        "jwcrypto",
        """
import json
from jwcrypto import jwk, jwt
key = jwk.JWK(**JWK)
def verify(token):
    return json.loads(jwt.JWT(jwt=token, key=key, algs=["RS256"], check_claims={"iss": ISSUER, "exp": None}).claims)
""",
    ),
    "python-jose": (
        "python-jose",
        """
from jose import jwk, jwt
key = jwk.construct(JWK, "RS256")
def verify(token):
    return jwt.decode(token, key, algorithms=["RS256"], issuer=ISSUER)
""",
    ),
}

_COLD = textwrap.dedent(
    """
    import json, os, sys, time
    JWK, ISSUER, TOKEN = json.loads(os.environ["BENCH_JWK"]), os.environ["BENCH_ISSUER"], os.environ["BENCH_TOKEN"]
    t0 = time.perf_counter()
    exec(os.environ["BENCH_SETUP"])
    verify(TOKEN)
    sys.stdout.write(json.dumps(time.perf_counter() - t0))
    """
)


def run(n: int = 2000, cold_runs: int = 5) -> dict:
    key = signing_key()
    jwk, token = key.jwk(), access_token(key)
    results: dict[str, dict[str, Any]] = {}
    for name, (dist, setup) in CANDIDATES.items():
        try:
            version = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            results[name] = {"installed": False}
            continue
        scope: dict[str, Any] = {"JWK": jwk, "ISSUER": ISSUER}
        exec(setup, scope)
        verify = scope["verify"]
        assert verify(token)["iss"] == ISSUER, name
        try:
            verify(with_claims(token, username="someone-else"))
        except Exception:
            pass
        else:
            raise AssertionError(f"{name} accepted a tampered token")
        warm = time_calls(functools.partial(verify, token), n)
        env = dict(os.environ, BENCH_JWK=json.dumps(jwk), BENCH_ISSUER=ISSUER, BENCH_TOKEN=token, BENCH_SETUP=setup)
        cold = []
        for _ in range(cold_runs + 1):
            run_ = subprocess.run([sys.executable, "-c", _COLD], env=env, capture_output=True, text=True, timeout=120)
            if run_.returncode != 0:
                raise RuntimeError(run_.stderr)
            cold.append(json.loads(run_.stdout))
        results[name] = {
            "installed": True,
            "version": version,
            "warm_us": median_ms(warm) * 1000,
            "cold_ms": median_ms(cold[1:]),
        }
    return results
