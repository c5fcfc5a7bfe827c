"""The proofs' KMS key, in the composed AccessProxy: asymmetric (RSA_2048, SIGN_VERIFY), a key policy
under which only the authorizer's role signs, and its public key in the presigned-URL function's
environment (the only way that function knows the key)."""

from __future__ import annotations

from typing import Any

from components.access_proof import ADMIN_ACTIONS
from contracts import presigned_url_env, tags
from tests.components.conftest import ACCOUNT, Graph, statements
from tests.components.test_access_proxy import FUNCTION, _proxy, public_key_of

KEY = "aws:kms/key:Key"


def _key_policy(graph: Graph) -> tuple[Any, dict[str, dict[str, Any]]]:
    graph.build(_proxy)
    key = graph.one(KEY, "access-proof")
    return key, {s["Sid"]: s for s in statements(key.inputs["policy"])}


def test_an_asymmetric_signing_key_tagged_for_the_pack(graph: Graph) -> None:
    key, _ = _key_policy(graph)
    assert (key.inputs["customerMasterKeySpec"], key.inputs["keyUsage"]) == ("RSA_2048", "SIGN_VERIFY")
    assert key.inputs["deletionWindowInDays"] == 30
    assert key.inputs["tags"] == {tags.PROOF_KEY_TAG: tags.PROOF_KEY}
    assert key.parent == graph.one("studio-access:access_proxy:AccessProxy", "access").urn


def test_only_the_authorizers_role_signs(graph: Graph) -> None:
    _, found = _key_policy(graph)
    authorizer_role = graph.one("aws:iam/role:Role", "access-authorizer").outputs["arn"]
    assert set(found) == {"AccountAdministersTheKey", "TheAuthorizerSigns", "NobodyElseSigns"}
    assert found["TheAuthorizerSigns"] == {
        "Sid": "TheAuthorizerSigns",
        "Effect": "Allow",
        "Principal": {"AWS": authorizer_role},
        "Action": "kms:Sign",
        "Resource": "*",
    }
    assert found["NobodyElseSigns"] == {
        "Sid": "NobodyElseSigns",
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "kms:Sign",
        "Resource": "*",
        "Condition": {"ArnNotEquals": {"aws:PrincipalArn": authorizer_role}},
    }


def test_the_account_administers_the_key_with_named_actions_never_sign_or_grants(graph: Graph) -> None:
    _, found = _key_policy(graph)
    admin = found["AccountAdministersTheKey"]
    assert admin["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert admin["Action"] == list(ADMIN_ACTIONS)
    assert not {"kms:*", "kms:Sign", "kms:CreateGrant"} & set(admin["Action"])
    assert all("*" not in action for action in admin["Action"])


def test_the_presigned_url_function_gets_the_public_key_the_role_none_of_kms(graph: Graph) -> None:
    key, _ = _key_policy(graph)
    env = graph.one(FUNCTION, "access-presigned-url").inputs["environment"]["variables"]
    assert env[presigned_url_env.PROOF_PUBLIC_KEY.name] == public_key_of(key)
    policy = graph.one("aws:iam/rolePolicy:RolePolicy", "access-presigned-url").inputs["policy"]
    assert not [s for s in statements(policy) if any(str(a).startswith("kms:") for a in _actions(s))]


def _actions(statement: dict[str, Any]) -> list[str]:
    action = statement.get("Action", [])
    return action if isinstance(action, list) else [action]
