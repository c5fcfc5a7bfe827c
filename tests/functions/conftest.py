"""Fixtures for the two handlers: the modules, a loopback JWKS server and KMS, the authorizer's
environment, emulated AWS for the presigned-URL function. The helpers themselves are `testkit`'s."""

from __future__ import annotations

import pytest

from contracts import authorizer_env, lambda_env, presigned_url_env
from testkit import aws as emulated_aws
from testkit import env
from testkit.jwks import JwksServer
from testkit.kms import ACCESS_KEY, KEY_ARN, SECRET_KEY, SESSION_TOKEN, FakeKms
from testkit.tokens import CLIENT_ID, ISSUER, POOL, Key, rsa_key
from tools import handlers


@pytest.fixture(scope="session")
def authorizer():
    """The authorizer's entry point (`functions/authorizer/app.py`)."""
    return handlers.load("authorizer")


@pytest.fixture(scope="session")
def presigned():
    """The presigned-URL function's entry point (`functions/presigned_url/app.py`)."""
    return handlers.load("presigned_url")


@pytest.fixture(scope="session")
def jwks_server():
    with JwksServer(path=f"/{POOL}/.well-known/jwks.json") as server:
        yield server


@pytest.fixture(scope="session")
def kms_server():
    with FakeKms() as server:
        yield server


@pytest.fixture
def key() -> Key:
    return rsa_key("key-1")


@pytest.fixture
def auth_env(monkeypatch, authorizer, jwks_server, kms_server, key):
    """The authorizer configured like the Cognito stack, its keys on the loopback server, KMS on another."""
    jwks_server.reset()
    jwks_server.set_keys(key)
    kms_server.reset()
    for name in env.names(authorizer_env, lambda_env):
        monkeypatch.delenv(name, raising=False)
    values = {
        **env.of(
            authorizer_env,
            token_issuer=ISSUER,
            jwks_url=jwks_server.url,
            allowed_client_ids=f"other-client, {CLIENT_ID}",
            proof_key_id=KEY_ARN,
            aws_region="us-east-1",
        ),
        **env.of(
            lambda_env,
            endpoint_url_kms=kms_server.url,
            access_key_id=ACCESS_KEY,
            secret_access_key=SECRET_KEY,
            session_token=SESSION_TOKEN,
        ),
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    handlers.reset("authorizer")
    yield monkeypatch
    handlers.reset("authorizer")


@pytest.fixture
def aws(monkeypatch, presigned):
    """Emulated AWS with the sample's tables, items and domains, and the function's environment."""
    sdk = (lambda_env.FUNCTION_NAME.name, lambda_env.ENDPOINT_URL.name, lambda_env.ENDPOINT_URL_STS.name)
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", *env.names(presigned_url_env), *sdk):
        monkeypatch.delenv(name, raising=False)
    for name, value in {**emulated_aws.CREDENTIALS, **emulated_aws.FUNCTION_ENV}.items():
        monkeypatch.setenv(name, value)
    with emulated_aws.emulated() as world:
        handlers.reset("presigned_url")
        try:
            yield world
        finally:
            handlers.reset("presigned_url")
