"""Each function's environment as the stack sets it, fed to that handler's own settings loader.

The names, defaults and bounds are `contracts/<function>_env.py`'s on both sides; these tests tie
the sides by their values: what the offline plan gives each Lambda function (plus the `AWS_REGION`
Lambda adds) must load without a problem and mean what the stack config says."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from contracts import authorizer_env, presigned_url_env, tags
from tests.conftest import EXAMPLE, Project
from tools import handlers

# The function (by its tag) -> its folder under functions/ and its environment's contract.
FUNCTIONS = {
    tags.AUTHORIZER_FUNCTION: ("authorizer", authorizer_env),
    tags.PRESIGNED_URL_FUNCTION: ("presigned_url", presigned_url_env),
}
LAMBDA_FUNCTION = "aws:lambda/function:Function"


def stack_config(path) -> dict[str, Any]:
    """The shared stack's config as written in its file, namespace prefix dropped."""
    raw = yaml.safe_load((path / "Pulumi.shared.yaml").read_text())["config"]
    return {key.split(":", 1)[1]: value for key, value in raw.items() if key.startswith("studio-access:")}


def planned_environments(result) -> dict[str, dict[str, str]]:
    """kind -> the environment variables the stack sets on that function."""
    found = {}
    for fn in (r for r in result.resources if r.type == LAMBDA_FUNCTION):
        found[fn.inputs["tags"][tags.FUNCTION_TAG]] = dict(fn.inputs["environment"]["variables"])
    assert sorted(found) == sorted(tags.FUNCTIONS)
    return found


def loaded_settings(result, config: dict[str, Any]) -> dict[str, Any]:
    """kind -> the handler's settings from the planned environment, with Lambda's AWS_REGION."""
    loaded = {}
    for kind, env in planned_environments(result).items():
        folder, _ = FUNCTIONS[kind]
        lambda_env = {**env, presigned_url_env.AWS_REGION.name: config["aws"]["region"]}
        loaded[kind] = handlers.module(folder, "settings").load_settings(lambda_env)
    return loaded


# ---------------------------------------------------------------------------- the example organization


def test_the_example_stacks_environment_loads_as_its_config_says(planned):
    shared, config = planned["shared"], stack_config(EXAMPLE)
    access = config["access"]
    loaded = loaded_settings(shared, config)

    authorizer = loaded[tags.AUTHORIZER_FUNCTION]
    assert config["identity"]["provider"] == "cognito"
    assert authorizer.issuer == shared.outputs["tokenIssuer"]
    assert authorizer.jwks_url == shared.outputs["tokenIssuer"] + "/.well-known/jwks.json"
    assert authorizer.client_ids == {shared.outputs["userPoolClientId"]}
    assert authorizer.audience is None
    assert (authorizer.token_use, authorizer.username_claim, authorizer.leeway) == ("access", "username", 0)

    presigned = loaded[tags.PRESIGNED_URL_FUNCTION]
    assert (presigned.users_table, presigned.lobs_table) == (shared.outputs["usersTable"], shared.outputs["lobsTable"])
    assert presigned.role_name == access["accessRoleName"] == shared.outputs["accessRoleName"]
    assert presigned.url_expires == access["urlExpiresSeconds"]
    assert "sessionExpirationSeconds" not in access and presigned.session_expiration == 8 * 3600  # the default
    assert "cacheTtlSeconds" not in access and presigned.cache_ttl == 60  # the config's default
    assert presigned.region == config["aws"]["region"] == shared.outputs["region"]


@pytest.mark.parametrize("kind", tags.FUNCTIONS)
def test_the_stack_sets_only_variables_the_handler_reads(planned, kind):
    _, contract = FUNCTIONS[kind]
    assert set(planned_environments(planned["shared"])[kind]) <= {var.name for var in contract.ALL}


# ---------------------------------------------------------------------------- every value from the config


OIDC = {
    "provider": "oidc",
    "issuer": "https://idp.example.com/oauth2",
    "jwksUrl": "https://keys.idp.example.com/oauth2/keys",
    "audience": "api://studio",
    "clientIds": ["spa-client", "cli-client"],
    "usernameClaim": "preferred_username",
    "allowMutableUsernameClaim": "preferred_username",
    "tokenUse": "access",
    "leewaySeconds": 30,
}
ACCESS = {
    "accessRoleName": "CustomStudioAccessRole",
    "urlExpiresSeconds": 300,
    "sessionExpirationSeconds": 7200,
    "cacheTtlSeconds": 0,
}


@pytest.fixture(scope="module")
def oidc_stack(tmp_path_factory):
    """The example's shared stack with an OIDC issuer and every function setting away from its default."""
    project = Project(tmp_path_factory.mktemp("oidc"))

    def edit(config):
        config["studio-access:identity"] = dict(OIDC)
        config["studio-access:access"].update(ACCESS)

    project.edit("shared", edit)
    return project.plan(["shared"])["shared"], stack_config(project.path)


def test_an_oidc_stacks_environment_loads_as_its_config_says(oidc_stack):
    shared, config = oidc_stack
    loaded = loaded_settings(shared, config)

    authorizer = loaded[tags.AUTHORIZER_FUNCTION]
    assert (authorizer.issuer, authorizer.jwks_url, authorizer.audience) == (
        OIDC["issuer"],
        OIDC["jwksUrl"],
        OIDC["audience"],
    )
    assert authorizer.client_ids == set(OIDC["clientIds"])
    assert authorizer.token_use == OIDC["tokenUse"] and authorizer.username_claim == OIDC["usernameClaim"]
    assert authorizer.leeway == OIDC["leewaySeconds"]

    presigned = loaded[tags.PRESIGNED_URL_FUNCTION]
    assert presigned.role_name == ACCESS["accessRoleName"]
    assert presigned.url_expires == ACCESS["urlExpiresSeconds"]
    assert presigned.session_expiration == ACCESS["sessionExpirationSeconds"]
    assert presigned.cache_ttl == ACCESS["cacheTtlSeconds"]


def test_an_oidc_stack_without_token_use_turns_the_check_off(tmp_path):
    project = Project(tmp_path)
    project.edit(
        "shared", lambda c: c.update({"studio-access:identity": {k: v for k, v in OIDC.items() if k != "tokenUse"}})
    )
    loaded = loaded_settings(project.plan(["shared"])["shared"], stack_config(project.path))
    assert loaded[tags.AUTHORIZER_FUNCTION].token_use is None


@pytest.mark.parametrize("kind", tags.FUNCTIONS)
def test_an_oidc_stack_sets_only_variables_the_handler_reads(oidc_stack, kind):
    shared, _ = oidc_stack
    _, contract = FUNCTIONS[kind]
    env = planned_environments(shared)[kind]
    assert set(env) <= {var.name for var in contract.ALL}
    if kind == tags.AUTHORIZER_FUNCTION:  # the optional ones are there when configured
        assert {authorizer_env.JWKS_URL.name, authorizer_env.AUDIENCE.name} <= set(env)
    else:
        assert presigned_url_env.SESSION_EXPIRATION_SECONDS.name in env
