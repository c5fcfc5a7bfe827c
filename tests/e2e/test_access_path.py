"""The whole access path on this machine: the real client signs in against moto's Cognito and
calls the test gateway, which runs the real authorizer (keys from moto's JWKS endpoint) and the
real presigned-URL function (tables, AssumeRole and ListDomains in moto's accounts)."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from moto.utilities.utils import load_resource
from studio_access_client import session as sessions
from studio_access_client.session import token_claims

from testkit.aws import ROLE_NAME as ACCESS_ROLE
from testkit.tokens import Key, rsa_key, rsa_key_from_jwk, sign, with_claims

from .conftest import LOBS, PASSWORD, TEMPORARY_PASSWORD, domain_id

NEW_PASSWORD = "Brand-New-Passw0rd-2026!"


def studio_url_parts(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    assert parts.scheme == "https", url
    return {"host": parts.hostname, **{k: v[0] for k, v in parse_qs(parts.query).items()}}


def assert_own_studio(url: str, user: str, lob: str) -> None:
    got = studio_url_parts(url)
    assert got["account"] == LOBS[lob][0]
    assert got["domain"] == domain_id(lob)
    assert got["host"] == f"{domain_id(lob)}.studio.us-east-1.sagemaker.aws"
    assert got["profile"] == user


def moto_signed(claims: dict) -> str:
    """A token signed with moto's own private key (the one its JWKS endpoint publishes)."""
    return sign(rsa_key_from_jwk(load_resource("cognitoidp/resources/jwks-private.json")), claims)


def login(world, cache: str, user: str) -> sessions.Session:
    code, _, err = world.run(cache, "login", "--username", user, secrets=[PASSWORD])
    assert code == 0, err
    return cached(world, cache)


def cache_path(world, cache: str) -> Path:
    (path,) = world.cache_dir(cache).glob("session-*.json")
    return path


def cached(world, cache: str) -> sessions.Session:
    return sessions.load(cache_path(world, cache))


def write_cache(world, cache: str, session: sessions.Session) -> None:
    sessions.save(cache_path(world, cache), session)


# ------------------------------------------------------------------ the two LOB users


def test_user_lob_a_changes_the_temporary_password_and_gets_its_own_studio(world):
    code, _, err = world.run(
        "a", "login", "--username", "user-lob-a", secrets=[TEMPORARY_PASSWORD, NEW_PASSWORD, NEW_PASSWORD]
    )
    assert code == 0, err
    assert "choose a new password" in err and "Logged in as user-lob-a" in err
    user = world.idp().admin_get_user(UserPoolId=world.pool_id, Username="user-lob-a")
    assert user["UserStatus"] == "CONFIRMED"

    code, out, err = world.run("a", "open", "--print")
    assert code == 0, err
    assert_own_studio(out.strip(), "user-lob-a", "lob-a")  # lob-a: domain found with ListDomains
    assert world.fakes.presigned_calls[-1]["ExpiresInSeconds"] == 20

    # Password auth checks the password (moto's SRP does not): the new one works, the old does not.
    code, _, err = world.run("a-pw", "login", "-u", "user-lob-a", "--flow", "password", secrets=[TEMPORARY_PASSWORD])
    assert code == 3 and "sign-in refused" in err
    code, _, err = world.run("a-pw", "login", "-u", "user-lob-a", "--flow", "password", secrets=[NEW_PASSWORD])
    assert code == 0, err


def test_user_lob_b_gets_its_own_studio_with_space_and_landing(world):
    login(world, "b", "user-lob-b")
    code, out, err = world.run("b", "open", "--print", "--space", "team-space", "--landing", "app:JupyterLab:")
    assert code == 0, err
    url = out.strip()
    assert_own_studio(url, "user-lob-b", "lob-b")  # lob-b: DOMAIN_ID from the LOBs table
    assert studio_url_parts(url)["space"] == "team-space"
    assert studio_url_parts(url)["landing"] == "app:JupyterLab:"

    code, _, err = world.run("b", "open", "--print", "--space", "team space")  # not a SageMaker space name
    assert code == 2 and "refused the request" in err

    opened: list[str] = []
    code, out, err = world.run("b", "open", browser=lambda u: opened.append(u) or True)
    assert code == 0, err
    assert out == "" and len(opened) == 1
    assert_own_studio(opened[0], "user-lob-b", "lob-b")


def test_console_script_signs_in_from_stdin_and_prints_the_url(world, tmp_path):
    script = Path(sys.executable).parent / "studio-access"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "NO_PROXY": "127.0.0.1",
        "STUDIO_ACCESS_CONFIG": str(world.config),
        "STUDIO_ACCESS_CACHE_DIR": str(tmp_path / "cache"),
        "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": world.endpoint,
    }  # no AWS credentials: sign-in is unsigned

    def run(*argv: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([str(script), *argv], input=stdin, env=env, capture_output=True, text=True, timeout=60)

    done = run("login", "--username", "user-lob-b", "--password-stdin", stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    done = run("open", "--print")
    assert done.returncode == 0, done.stderr
    assert_own_studio(done.stdout.strip(), "user-lob-b", "lob-b")
    assert run("whoami").stdout.strip() == "user-lob-b"


def test_tokens_are_kept_owner_only_and_logout_removes_them(world):
    login(world, "w", "user-lob-b")
    path = cache_path(world, "w")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    code, out, _ = world.run("w", "whoami")
    assert code == 0 and out.strip() == "user-lob-b"

    code, _, err = world.run("w", "logout")
    assert code == 0 and "Logged out user-lob-b" in err
    assert not path.exists()
    for command in ("open", "whoami"):
        code, _, err = world.run("w", command)
        assert code == 3 and "not logged in" in err and "studio-access login" in err


# ------------------------------------------------------------------ negative paths


def test_no_token_is_401_before_the_authorizer(world):
    calls = world.gateway.authorizer_calls
    for headers in ({}, {"Authorization": ""}):
        status, _, body = world.get("user-lob-b", headers)
        assert (status, body) == (401, {"message": "Unauthorized"})
    assert world.gateway.authorizer_calls == calls
    status, _, _ = world.get("user-lob-b", {"Authorization": "Bearer"})  # a header, but no token
    assert status == 401
    assert world.gateway.authorizer_calls == calls + 1


def test_another_users_path_is_403_even_with_the_cached_policy(world):
    s = login(world, "x", "user-lob-b")
    bearer = {"Authorization": f"Bearer {s.access_token}"}
    assert world.get("user-lob-b", bearer)[0] == 302
    calls = world.gateway.authorizer_calls
    status, hdrs, _ = world.get("user-lob-a", bearer)
    assert status == 403 and hdrs["x-amzn-errortype"] == "AccessDeniedException"
    assert world.gateway.authorizer_calls == calls  # API Gateway's cached policy decided

    write_cache(world, "x", replace(s, username="user-lob-a"))  # a client asking for another's path
    code, _, err = world.run("x", "open", "--print")
    assert code == 4
    assert "only its own user's path" in err and "studio-access login" in err


def test_expired_token_is_401_and_the_client_refreshes(world):
    s = login(world, "e", "user-lob-b")
    expired = moto_signed({**token_claims(s.access_token), "exp": int(time.time()) - 60})
    status, _, body = world.get("user-lob-b", {"Authorization": f"Bearer {expired}"})
    assert (status, body) == (401, {"message": "Unauthorized"})

    # Known to be expired: refreshed before the call, with the refresh token.
    write_cache(world, "e", replace(s, access_token=expired, expires_at=int(time.time()) - 60))
    code, out, err = world.run("e", "open", "--print")
    assert code == 0, err
    assert_own_studio(out.strip(), "user-lob-b", "lob-b")
    assert cached(world, "e").access_token != expired and cached(world, "e").expires_at > time.time()

    # Believed valid (clock skew, revocation) but refused: refreshed once on the 401, then retried.
    write_cache(world, "e", replace(s, access_token=expired, expires_at=int(time.time()) + 3600))
    code, out, err = world.run("e", "open", "--print")
    assert code == 0, err
    assert_own_studio(out.strip(), "user-lob-b", "lob-b")

    # Expired and the refresh token refused: log in again.
    write_cache(world, "e", replace(s, access_token=expired, expires_at=0, refresh_token="revoked-refresh-token"))
    code, _, err = world.run("e", "open", "--print")
    assert code == 3 and "session has expired" in err and "studio-access login" in err
    write_cache(world, "e", replace(s, access_token=expired, expires_at=0, refresh_token=None))
    code, _, err = world.run("e", "open", "--print")
    assert code == 3 and "session has expired" in err


def test_tampered_token_is_401(world):
    s = login(world, "t", "user-lob-b")
    forged = with_claims(s.access_token, username="user-lob-a")
    attacker = Key("dummy", rsa_key("attacker").private)  # moto's kid, another key
    resigned = sign(attacker, {**token_claims(s.access_token), "username": "user-lob-a"})
    for token in (forged, resigned):
        status, _, body = world.get("user-lob-a", {"Authorization": f"Bearer {token}"})
        assert (status, body) == (401, {"message": "Unauthorized"})

    write_cache(world, "t", replace(s, access_token=forged, username="user-lob-a", refresh_token=None))
    code, _, err = world.run("t", "open", "--print")
    assert code == 3
    assert "did not accept your session (401" in err and "studio-access login" in err


def test_user_without_a_lob_is_403(world):
    s = login(world, "n", "user-nolob")
    status, _, body = world.get("user-nolob", {"Authorization": f"Bearer {s.access_token}"})
    assert status == 403 and body["requestId"] and body["message"]
    code, _, err = world.run("n", "open", "--print")
    assert code == 4
    assert "ask the platform team to map 'user-nolob' to a line of business" in err


@pytest.mark.parametrize(
    "user, lob", [("user-lob-c", "lob-c"), ("user-lob-d", "lob-d")], ids=["trust-refuses", "no-role"]
)
def test_lob_whose_role_cannot_be_assumed_is_502(world, user, lob):
    s = login(world, user, user)
    status, _, body = world.get(user, {"Authorization": f"Bearer {s.access_token}"})
    assert status == 502 and body["requestId"]
    account = LOBS[lob][0]
    assert account not in json.dumps(body) and "arn:" not in json.dumps(body)
    assert f"arn:aws:iam::{account}:role/{ACCESS_ROLE}" in [c["RoleArn"] for c in world.fakes.assume_role_calls]
    code, _, err = world.run(user, "open", "--print")
    assert code == 6
    assert "could not reach your line of business's account" in err and "platform team" in err


def test_unreachable_api_says_to_be_on_the_corporate_network(world, tmp_path):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound, never listening: every connection is refused
        config = tmp_path / "closed.json"
        config.write_text(
            json.dumps(
                {**json.loads(world.config.read_text()), "apiUrl": f"http://127.0.0.1:{closed.getsockname()[1]}/dev"}
            )
        )
        code, _, err = world.run("u", "login", "-u", "user-lob-b", secrets=[PASSWORD], config=config)
        assert code == 0, err
        code, _, err = world.run("u", "open", "--print", config=config)
    assert code == 5 and "corporate network" in err
