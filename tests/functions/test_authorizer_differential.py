"""The authorizer's token verification (`authorizer/verify.py`, parsing by hand, signatures by
`cryptography`) held to joserfc's answers on the same tokens and key set: random and forged tokens,
and tokens signed by the trusted keys with claims and headers drawn around the valid ones. Where a
token is accepted by one and refused by the other, the test fails and names it.

joserfc (1.8.0, the library the authorizer used before) is a test dependency only."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from testkit.tokens import CLIENT_ID, ISSUER, Key, cognito_claims, ec_key, rsa_key, sign, unb64
from tests.functions.test_authorizer_property import forged_tokens, json_values
from tools import handlers

joserfc = pytest.importorskip("joserfc")
from joserfc import jws, jwt  # noqa: E402
from joserfc.jwk import ECKey, RSAKey  # noqa: E402

verify = handlers.module("authorizer", "verify")
errors = handlers.module("authorizer", "errors")
jwk_module = handlers.module("authorizer", "jwk")
settings_module = handlers.module("authorizer", "settings")

TRUSTED = rsa_key("key-1")
EC = ec_key("ec-1")
JWKS = {"keys": [TRUSTED.jwk(), EC.jwk()]}
SETTINGS = settings_module.load_settings(
    {
        "TOKEN_ISSUER": ISSUER,
        "ALLOWED_CLIENT_IDS": CLIENT_ID,
        "PROOF_KEY_ID": "alias/x",
        "AWS_REGION": "us-east-1",
    }
)


class StaticKeys:
    """The key set without HTTP: `KeySet.key_for`'s checks over fixed keys."""

    def __init__(self) -> None:
        self.keys = jwk_module.parse_jwks(JWKS)

    def key_for(self, kid: str, alg: str) -> Any:
        key = self.keys.get(kid)
        if key is None:
            raise errors.Refused("unknown kid")
        if key.alg is not None and key.alg != alg:
            raise errors.Refused("alg differs")
        if not key.fits(alg):
            raise errors.Refused("alg does not fit")
        return key


_ORACLE_REGISTRY = jws.JWSRegistry(algorithms=sorted(jwk_module.ALLOWED_ALGORITHMS))
_ORACLE_CLAIMS = jwt.JWTClaimsRegistry(
    iss={"essential": True, "value": ISSUER}, exp={"essential": True}, sub={"essential": True}
)
_ORACLE_KEYS = {j["kid"]: j for j in JWKS["keys"]}


def joserfc_accepts(token: str) -> bool:
    """The previous implementation: joserfc's decode with the same key rules, its claims registry,
    then the Cognito checks."""

    def resolve(obj: Any) -> Any:
        header = obj.headers()
        kid, alg = header.get("kid"), header["alg"]
        if not isinstance(kid, str) or kid not in _ORACLE_KEYS:
            raise ValueError("kid")
        found = _ORACLE_KEYS[kid]
        if found.get("alg") not in (None, alg) or not jwk_module.key_family_ok(found["kty"], alg):
            raise ValueError("alg")
        return (RSAKey if found["kty"] == "RSA" else ECKey).import_key(found)

    if len(token) > verify.MAX_TOKEN_BYTES:
        return False
    try:
        claims = jwt.decode(token, resolve, registry=_ORACLE_REGISTRY).claims
        _ORACLE_CLAIMS.validate(claims)
    except Exception:
        return False
    return (
        claims.get("token_use") == "access"
        and claims.get("client_id") == CLIENT_ID
        and verify.username_is_safe(claims.get("username"))
    )


def ours_accepts(token: str) -> bool:
    try:
        verify.verify_token(token, SETTINGS, StaticKeys())
    except errors.Refused:
        return False
    return True


far = 4_000_000_000
claim_values = st.one_of(
    json_values,
    st.sampled_from([ISSUER, CLIENT_ID, "access", "id", "user-lob-a", "*", far, -1, 0, far + 0.5, float("inf")]),
)


@st.composite
def signed_tokens(draw: Any) -> str:
    """Tokens signed by a trusted key, claims and header near the valid ones."""
    claims = cognito_claims(exp=far, iat=int(time.time()) - 60)
    for name in draw(st.lists(st.sampled_from([*sorted(claims), "nbf", "aud"]), max_size=3)):
        if draw(st.booleans()):
            claims.pop(name, None)
        else:
            claims[name] = draw(claim_values)
    key: Key = draw(
        st.sampled_from([TRUSTED, EC, Key("key-1", TRUSTED.private, "PS256"), Key("ec-1", EC.private, "ES384")])
    )
    extra = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "typ": json_values,
                "cty": json_values,
                "crit": st.sampled_from([["exp"], [], "b64", ["b64"]]),
                "b64": st.booleans(),
                "x5u": st.just("https://evil.example.com/x"),
                "zip": st.just("DEF"),
            },
        )
    )
    return sign(key, claims, headers=extra)


def test_the_oracle_and_ours_agree_on_the_plainly_valid_token():
    token = sign(TRUSTED, cognito_claims(exp=far))
    assert joserfc_accepts(token) and ours_accepts(token)
    token = sign(EC, cognito_claims(exp=far))
    assert joserfc_accepts(token) and ours_accepts(token)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(token=st.one_of(signed_tokens(), forged_tokens()))
@example(token=sign(TRUSTED, cognito_claims(exp=far), headers={"crit": ["exp"]}))
@example(token=sign(TRUSTED, cognito_claims(exp=far), headers={"b64": False, "crit": ["b64"]}))
def test_ours_accepts_exactly_what_joserfc_accepts(token):
    """One deliberate difference: a header with ``crit`` (even ``[]``, which RFC 7515 forbids, or
    ``["b64"]``) is refused here, as no extension is understood; joserfc knows RFC 7797's."""
    if "crit" in header_of(token):
        assert not ours_accepts(token), token
    else:
        assert ours_accepts(token) == joserfc_accepts(token), token


def header_of(token: str) -> dict:
    try:
        header = json.loads(unb64(token.split(".")[0]))
    except Exception:
        return {}
    return header if isinstance(header, dict) else {}
