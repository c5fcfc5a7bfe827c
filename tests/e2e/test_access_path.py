"""The whole access path on this machine: the real client, moto's Cognito, the test gateway,
the real authorizer and presigned-URL handlers, emulated LOB accounts."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from .conftest import LOBS, PASSWORD, TEMPORARY_PASSWORD, domain_id


def studio_url_parts(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    assert parts.scheme == "https"
    return {"host": parts.hostname, **{k: v[0] for k, v in parse_qs(parts.query).items()}}


def test_smoke(world):
    code, out, err = world.run("b", "login", "--username", "user-lob-b", secrets=[PASSWORD])
    assert code == 0, err
    code, out, err = world.run("b", "open", "--print")
    assert code == 0, err
    print(out)
