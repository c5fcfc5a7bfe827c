"""Config file validation and where the files live."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from studio_access_client import paths
from studio_access_client.config import load_config, parse_config
from studio_access_client.errors import ConfigError

GOOD = {
    "apiUrl": "https://abc123.execute-api.us-east-1.amazonaws.com/dev/",
    "region": "us-east-1",
    "userPoolId": "us-east-1_AbCdEf123",
    "clientId": "4tq1example0client0id",
    "identityProvider": "cognito",
    "tokenIssuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123",
}


def problems(**changes) -> str:
    data = {k: v for k, v in {**GOOD, **changes}.items() if v is not ...}
    with pytest.raises(ConfigError) as err:
        parse_config(data, "team.json")
    assert err.value.exit_code == 2
    return err.value.message


def test_good_config():
    cfg = parse_config({**GOOD, "extraKey": 1}, "team.json")  # unknown keys are ignored
    assert cfg.api_url == "https://abc123.execute-api.us-east-1.amazonaws.com/dev"  # trailing / dropped
    assert (cfg.region, cfg.user_pool_id, cfg.identity_provider) == ("us-east-1", "us-east-1_AbCdEf123", "cognito")


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"apiUrl": ...}, "apiUrl: missing"),
        ({"apiUrl": "http://abc.execute-api.us-east-1.amazonaws.com/dev"}, "apiUrl: 'http://abc.execute-api"),
        ({"apiUrl": "abc.execute-api.us-east-1.amazonaws.com"}, "is not an absolute URL"),
        ({"apiUrl": "https://h/dev?x=1"}, "must not have a query"),
        ({"apiUrl": 42}, "apiUrl: must be a URL"),
        ({"region": "US East"}, "region: 'US East' is not an AWS region"),
        ({"userPoolId": "AbCdEf123"}, "userPoolId: 'AbCdEf123' is not a Cognito user pool id"),
        ({"userPoolId": "eu-west-1_AbC"}, "userPoolId: 'eu-west-1_AbC' is in eu-west-1, but region is 'us-east-1'"),
        ({"clientId": ...}, "clientId: missing"),
        ({"clientId": "bad id!"}, "clientId: 'bad id!' is not a Cognito app client id"),
        ({"identityProvider": "saml"}, "identityProvider: 'saml' is not one of cognito, oidc"),
        ({"tokenIssuer": "http://issuer.example"}, "tokenIssuer: 'http://issuer.example' must use https"),
    ],
)
def test_each_bad_value_is_named(changes, expected):
    message = problems(**changes)
    assert message.startswith("config file team.json: ")
    assert expected in message


def test_all_problems_at_once():
    message = problems(region="x", clientId=...)
    assert "region:" in message and "clientId: missing" in message


def test_plain_http_only_for_loopback():
    for url in ("http://127.0.0.1:8080/dev", "http://localhost:1/dev", "http://[::1]:9/dev"):
        assert parse_config({**GOOD, "apiUrl": url}, "f").api_url == url
    assert "must use https" in problems(apiUrl="http://10.0.0.1/dev")


def test_oidc_needs_no_pool():
    cfg = parse_config({**GOOD, "identityProvider": "oidc", "userPoolId": None, "clientId": ""}, "f")
    assert cfg.user_pool_id is None and cfg.client_id is None


def test_not_an_object():
    with pytest.raises(ConfigError, match="must be a JSON object"):
        parse_config([GOOD], "f")


def test_load_config_messages(tmp_path):
    missing = tmp_path / "nope.json"
    with pytest.raises(ConfigError) as err:
        load_config(missing, "STUDIO_ACCESS_CONFIG")
    assert str(missing) in err.value.message and "STUDIO_ACCESS_CONFIG" in err.value.message
    assert "Ask the platform team" in err.value.message
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ConfigError, match="not valid JSON"):
        load_config(bad, "--config")
    good = tmp_path / "good.json"
    good.write_text(json.dumps(GOOD))
    assert load_config(good, "--config").source == str(good)


def test_config_location_precedence():
    home = Path("/home/u")
    env = {"STUDIO_ACCESS_CONFIG": "/etc/team.json", "XDG_CONFIG_HOME": "/xdg"}
    assert paths.config_candidates("~/mine.json", env, "linux", home)[0] == Path("~/mine.json").expanduser()
    assert paths.config_candidates(None, env, "linux", home) == (Path("/etc/team.json"), "STUDIO_ACCESS_CONFIG")
    assert paths.config_candidates(None, {"XDG_CONFIG_HOME": "/xdg"}, "linux", home) == (
        Path("/xdg/studio-access/config.json"),
        "default location",
    )


@pytest.mark.parametrize(
    "platform, env, config, cache",
    [
        ("linux", {}, "/home/u/.config/studio-access", "/home/u/.cache/studio-access"),
        ("linux", {"XDG_CONFIG_HOME": "/c", "XDG_CACHE_HOME": "/k"}, "/c/studio-access", "/k/studio-access"),
        ("darwin", {}, "/home/u/Library/Application Support/studio-access", "/home/u/Library/Caches/studio-access"),
        ("win32", {"APPDATA": "/r", "LOCALAPPDATA": "/l"}, "/r/studio-access", "/l/studio-access/Cache"),
        ("linux", {"STUDIO_ACCESS_CACHE_DIR": "/tmp/sa"}, "/home/u/.config/studio-access", "/tmp/sa"),
    ],
)
def test_user_directories(platform, env, config, cache):
    home = Path("/home/u")
    assert paths.user_config_dir(env, platform, home) == Path(config)
    assert paths.user_cache_dir(env, platform, home) == Path(cache)
