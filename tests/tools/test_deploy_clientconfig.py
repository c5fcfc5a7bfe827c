"""The client's config file from the shared stack's outputs (`tools/deploy/clientconfig.py`)."""

from __future__ import annotations

import pytest
from pulumi import automation as auto

from components import outputs
from tests.tools.fakes import SHARED_OUTPUTS
from tools.deploy.clientconfig import client_config


def test_client_config_from_the_shared_outputs():
    values = {k: auto.OutputValue(v, secret=False) for k, v in SHARED_OUTPUTS.items()}
    assert client_config(values) == {
        "apiUrl": "https://abc123.execute-api.us-east-1.amazonaws.com/dev",
        "region": "us-east-1",
        "identityProvider": "cognito",
        "tokenIssuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool",
        "userPoolId": "us-east-1_Pool",
        "clientId": "client123",
    }


def test_client_config_for_an_oidc_issuer_has_no_pool():
    values = {**SHARED_OUTPUTS, outputs.IDENTITY_PROVIDER: "oidc", outputs.TOKEN_ISSUER: "https://login.example.com"}
    del values[outputs.USER_POOL_ID], values[outputs.USER_POOL_CLIENT_ID]
    assert client_config(values) == {
        "apiUrl": SHARED_OUTPUTS[outputs.API_URL],
        "region": "us-east-1",
        "identityProvider": "oidc",
        "tokenIssuer": "https://login.example.com",
    }


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda v: v.pop(outputs.API_URL), "lack apiUrl"),
        (lambda v: v.pop(outputs.USER_POOL_CLIENT_ID), "lack userPoolClientId"),
        (lambda v: v.update({outputs.USER_POOL_ID: auto.OutputValue("x", secret=True)}), "userPoolId are secret"),
        (lambda v: v.update({outputs.IDENTITY_PROVIDER: "saml"}), "expected cognito or oidc"),
    ],
)
def test_client_config_refuses_incomplete_outputs(change, message):
    values = dict(SHARED_OUTPUTS)
    change(values)
    with pytest.raises(ValueError) as err:
        client_config(values)
    assert message in str(err.value)


def test_the_shared_program_exports_what_the_client_config_needs(planned):
    cfg = client_config(planned["shared"].outputs)
    assert cfg["apiUrl"].startswith("https://") and cfg["apiUrl"].endswith("/dev")
    assert cfg["tokenIssuer"] == f"https://cognito-idp.us-east-1.amazonaws.com/{cfg['userPoolId']}"
