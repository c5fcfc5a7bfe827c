"""Random headers and tokens never allow and never raise anything but Exception("Unauthorized")."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from testkit.events import METHOD_ARN
from testkit.tokens import Key, b64, b64json, cognito_claims, rsa_key, sign

TRUSTED = rsa_key("key-1")
UNTRUSTED = rsa_key("impostor")
VALID = sign(TRUSTED, cognito_claims(exp=4_000_000_000))

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
headers_json = st.fixed_dictionaries(
    {},
    optional={
        "alg": st.sampled_from(["RS256", "none", "HS256", "ES256", "PS256", "", "RS256 "]) | json_values,
        "kid": st.sampled_from(["key-1", "impostor", ""]) | json_values,
        "typ": json_values,
        "crit": json_values,
        "jku": st.just("https://evil.example.com/jwks"),
    },
)
claims_json = st.dictionaries(
    st.sampled_from(["iss", "sub", "exp", "nbf", "iat", "client_id", "token_use", "username", "aud", "x"]),
    json_values,
    max_size=8,
)


@st.composite
def forged_tokens(draw):
    kind = draw(st.sampled_from(["random-parts", "signed-by-impostor", "mutated-valid", "text"]))
    if kind == "random-parts":
        signature = draw(st.binary(max_size=300))
        return f"{b64json(draw(headers_json))}.{b64json(draw(claims_json))}.{b64(signature)}"
    if kind == "signed-by-impostor":  # a well-formed token, a known kid, the wrong key
        claims = dict(cognito_claims(exp=4_000_000_000), **draw(claims_json))
        token = sign(Key("key-1", UNTRUSTED.private), claims)
        return token
    if kind == "mutated-valid":
        # change one character that is not the last of a segment (those can carry unused bits)
        segments = VALID.split(".")
        which = draw(st.integers(0, 2))
        seg = segments[which]
        pos = draw(st.integers(0, len(seg) - 2))
        new = draw(
            st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_").filter(
                lambda c: c != seg[pos]
            )
        )
        segments[which] = seg[:pos] + new + seg[pos + 1 :]
        return ".".join(segments)
    return draw(st.text(max_size=200))


header_values = st.one_of(
    forged_tokens().map(lambda t: f"Bearer {t}"),
    forged_tokens().flatmap(
        lambda t: st.sampled_from([f"bearer  {t}", f"Basic {t}", t, f"Bearer {t} {t}", f"Bearer\t{t}"])
    ),
    st.text(max_size=100),
)
header_names = st.sampled_from(
    ["Authorization", "authorization", "AUTHORIZATION", "Authorisation", "X-Authorization"]
) | st.text(max_size=15)


@st.composite
def events(draw):
    headers = draw(st.dictionaries(header_names, header_values | json_values, max_size=3))
    multi_kind = draw(st.sampled_from(["mirror", "random", "none", "bogus"]))
    if multi_kind == "mirror":
        multi = {k: [v] for k, v in headers.items()}
    elif multi_kind == "random":
        multi = draw(st.dictionaries(header_names, st.lists(header_values, max_size=3), max_size=2))
    elif multi_kind == "none":
        multi = None
    else:
        multi = draw(json_values)
    event = {
        "type": "REQUEST",
        "methodArn": draw(st.just(METHOD_ARN) | st.text(max_size=40)),
        "headers": headers,
        "multiValueHeaders": multi,
    }
    if draw(st.booleans()):
        event = draw(st.just(event) | json_values)
    return event


@pytest.fixture
def configured(authorizer, auth_env, jwks_server):
    jwks_server.set_keys(TRUSTED)
    return authorizer


def test_the_valid_token_the_mutations_start_from_is_allowed(configured):
    assert configured.handler({"methodArn": METHOD_ARN, "headers": {"Authorization": f"Bearer {VALID}"}}, None)[
        "principalId"
    ]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(event=events())
def test_random_requests_never_allow_and_only_raise_unauthorized(configured, capsys, event):
    with pytest.raises(Exception) as err:
        configured.handler(event, None)
    assert type(err.value) is Exception and err.value.args == ("Unauthorized",)
    out = capsys.readouterr().out
    assert '"event":"allowed"' not in out
    for line in out.splitlines():
        json.loads(line)  # every log line stays one JSON object
