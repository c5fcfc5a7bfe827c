"""Tokens, their claims, the cache file and its mode."""

from __future__ import annotations

import base64
import json
import stat
from dataclasses import replace

import pytest
from studio_access_client import session as sessions
from studio_access_client.config import parse_config

CFG = parse_config(
    {
        "apiUrl": "https://abc.execute-api.us-east-1.amazonaws.com/dev",
        "region": "us-east-1",
        "userPoolId": "us-east-1_Pool1",
        "clientId": "client1",
        "identityProvider": "cognito",
        "tokenIssuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool1",
    },
    "test",
)


def jwt_with(claims: dict) -> str:
    enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()  # noqa: E731
    return f"{enc({'alg': 'RS256', 'kid': 'k'})}.{enc(claims)}.c2ln"


def access_token(**claims) -> str:
    return jwt_with(
        {
            "iss": CFG.token_issuer,
            "client_id": "client1",
            "username": "alice",
            "exp": 2000,
            "token_use": "access",
            **claims,
        }
    )


def test_session_from_tokens_reads_who_and_until_when():
    s = sessions.session_from_tokens(access_token(), "r1")
    assert (s.username, s.expires_at, s.issuer, s.client_id, s.refresh_token) == (
        "alice",
        2000,
        CFG.token_issuer,
        "client1",
        "r1",
    )


@pytest.mark.parametrize(
    "claims, user",
    [
        ({"username": None, "cognito:username": "bob"}, "bob"),
        ({"username": None, "preferred_username": "carol"}, "carol"),
        ({"username": "", "sub": "1234"}, "1234"),
    ],
)
def test_username_claims_in_order(claims, user):
    assert sessions.session_from_tokens(access_token(**claims), None).username == user


@pytest.mark.parametrize(
    "token, message",
    [
        ("a.b", "three dot-separated parts"),
        ("a.!!!.c", "not a JWT payload"),
        (jwt_with(["list"]), "not an object"),
        (access_token(exp="soon"), "numeric exp"),
        (access_token(exp=True), "numeric exp"),
        (jwt_with({"exp": 1}), "names no user"),
    ],
)
def test_bad_tokens(token, message):
    with pytest.raises(ValueError, match=message):
        sessions.session_from_tokens(token, None)


def test_needs_refresh_with_margin():
    s = sessions.session_from_tokens(access_token(exp=1000), None)
    assert not sessions.needs_refresh(s, now=900)
    assert sessions.needs_refresh(s, now=941)
    assert sessions.needs_refresh(s, now=1000)


def test_belongs_to_this_deployment():
    s = sessions.session_from_tokens(access_token(), None)
    assert sessions.belongs_to(s, CFG) is None
    assert "this deployment uses" in sessions.belongs_to(replace(s, issuer="https://other"), CFG)
    assert "another app client" in sessions.belongs_to(replace(s, client_id="client2"), CFG)


def test_cache_is_owner_only_and_round_trips(tmp_path):
    path = sessions.cache_file(tmp_path / "cache", CFG)
    s = sessions.session_from_tokens(access_token(), "r1")
    sessions.save(path, s)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert sessions.load(path) == s
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind
    path.chmod(0o644)
    assert sessions.load(path) == s
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # widened by someone: narrowed again
    assert sessions.remove(path) and not sessions.remove(path)


def test_unreadable_cache_means_logged_out(tmp_path):
    path = tmp_path / "session.json"
    assert sessions.load(path) is None
    path.write_text("{broken")
    assert sessions.load(path) is None
    path.write_text(json.dumps({"username": "x"}))
    assert sessions.load(path) is None


def test_one_cache_file_per_deployment(tmp_path):
    other = replace(CFG, api_url="https://other.execute-api.us-east-1.amazonaws.com/dev")
    assert sessions.cache_file(tmp_path, CFG) != sessions.cache_file(tmp_path, other)
    assert sessions.cache_file(tmp_path, CFG) == sessions.cache_file(tmp_path, replace(CFG, source="elsewhere"))
