"""kms-proof-key-signer-only: the proofs' key lets the authorizer's role alone sign."""

from __future__ import annotations

import json
from typing import Any

import pytest

from contracts import tags
from policy.kms import check_proof_key_signer_only, key_policy_problems
from policy.resource_types import FUNCTION, KMS_KEY
from tests.policy.support import doc, res

ACCOUNT = "111111111111"
SIGNER = f"arn:aws:iam::{ACCOUNT}:role/access-authorizer-0a1b2c3"
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
ADMIN = {
    "Sid": "AccountAdministersTheKey",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": ["kms:DescribeKey", "kms:GetPublicKey", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"],
    "Resource": "*",
}
SIGN = {
    "Sid": "TheAuthorizerSigns",
    "Effect": "Allow",
    "Principal": {"AWS": SIGNER},
    "Action": "kms:Sign",
    "Resource": "*",
}
DENY = {
    "Sid": "NobodyElseSigns",
    "Effect": "Deny",
    "Principal": {"AWS": "*"},
    "Action": "kms:Sign",
    "Resource": "*",
    "Condition": {"ArnNotEquals": {"aws:PrincipalArn": SIGNER}},
}


def key(*statements: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {
        "customerMasterKeySpec": "RSA_2048",
        "keyUsage": "SIGN_VERIFY",
        "policy": doc(*statements),
        "tags": {tags.PROOF_KEY_TAG: tags.PROOF_KEY},
        **props,
    }


def test_the_programs_policy_passes():
    assert key_policy_problems(key(ADMIN, SIGN, DENY)) == ([], [SIGNER])


@pytest.mark.parametrize(
    "admin_actions",
    [["kms:*"], ["kms:Sign"], ["kms:S*"], ["*"], ["kms:DescribeKey", "kms:Sign*"]],
)
def test_the_account_never_gets_sign_however_spelled(admin_actions):
    problems, _ = key_policy_problems(key({**ADMIN, "Action": admin_actions}, SIGN, DENY))
    assert any("only the authorizer's role may sign" in p for p in problems), problems


@pytest.mark.parametrize(
    "principal",
    [
        {"AWS": "*"},
        "*",
        {"AWS": ACCOUNT},
        {"AWS": f"arn:aws:iam::{ACCOUNT}:role/*"},
        {"Service": "lambda.amazonaws.com"},
    ],
)
def test_the_signer_is_one_named_role(principal):
    problems, _ = key_policy_problems(key(ADMIN, {**SIGN, "Principal": principal}, DENY))
    assert problems


def test_two_signers_and_conditions_are_refused():
    other = f"arn:aws:iam::{ACCOUNT}:role/other"
    problems, signers = key_policy_problems(key(ADMIN, SIGN, {**SIGN, "Sid": "Two", "Principal": {"AWS": other}}, DENY))
    assert signers == sorted([SIGNER, other]) and any("2 roles" in p for p in problems)
    problems, _ = key_policy_problems(key(ADMIN, {**SIGN, "Condition": {"Bool": {"aws:ViaAWSService": "false"}}}, DENY))
    assert any("under conditions" in p for p in problems)
    problems, _ = key_policy_problems(key(ADMIN, {**SIGN, "NotAction": "kms:Decrypt"}, DENY))
    assert problems


@pytest.mark.parametrize(
    "deny",
    [
        None,  # no Deny at all
        {**DENY, "Condition": {"ArnNotEquals": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/other"}}},
        {**DENY, "Condition": {"ArnEquals": {"aws:PrincipalArn": SIGNER}}},
        {**DENY, "Condition": {"ArnNotEquals": {"aws:PrincipalArn": SIGNER}, "Bool": {"aws:SecureTransport": "false"}}},
        {**DENY, "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}},
        {**DENY, "Action": "kms:Verify"},
        {**DENY, "Resource": KEY_ARN + "-other"},
        {**DENY, "Effect": "Allow"},
    ],
)
def test_everyone_else_is_denied_sign_by_principal_arn(deny):
    statements = [ADMIN, SIGN] + ([deny] if deny else [])
    problems, _ = key_policy_problems(key(*statements))
    assert any("no Deny of kms:Sign" in p for p in problems), problems


def test_a_key_without_a_policy_or_of_another_kind():
    assert key_policy_problems(key(ADMIN, SIGN, DENY, policy=None))[0]
    assert key_policy_problems(key(ADMIN, SIGN, DENY, customerMasterKeySpec="ECC_NIST_P256"))[0]
    assert key_policy_problems(key(ADMIN, SIGN, DENY, policy="{not json"))[0]
    assert any("no role may sign" in p for p in key_policy_problems(key(ADMIN, DENY))[0])


def _stack(key_props: dict[str, Any], role: str = SIGNER, key_id: str = KEY_ARN) -> list:
    authorizer = {
        "role": role,
        "tags": {tags.FUNCTION_TAG: tags.AUTHORIZER_FUNCTION},
        "environment": {"variables": {"PROOF_KEY_ID": key_id}},
    }
    return [
        res(KMS_KEY, "access-proof", {**key_props, "arn": KEY_ARN}, id_=KEY_ARN.rsplit("/", 1)[1]),
        res(FUNCTION, "access-authorizer", authorizer),
    ]


def test_the_stack_check_ties_the_key_to_the_authorizer():
    assert check_proof_key_signer_only(_stack(key(ADMIN, SIGN, DENY))) == []
    found = check_proof_key_signer_only(_stack(key(ADMIN, SIGN, DENY), role=f"arn:aws:iam::{ACCOUNT}:role/other"))
    assert [(r.name, "not the authorizer function's role" in m) for r, m in found] == [("access-proof", True)]
    found = check_proof_key_signer_only(_stack(key(ADMIN, SIGN, DENY), key_id="alias/elsewhere"))
    assert [(r.name, "PROOF_KEY_ID" in m) for r, m in found] == [("access-authorizer", True)]


def test_any_signing_key_of_the_stack_is_held_to_it_tagged_or_not():
    untagged = key(ADMIN, {**SIGN, "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}}, DENY, tags={})
    found = check_proof_key_signer_only([res(KMS_KEY, "another", untagged)])
    assert found and all(r.name == "another" for r, _ in found)
    symmetric = {"keyUsage": "ENCRYPT_DECRYPT", "policy": json.dumps({"Statement": []})}
    assert check_proof_key_signer_only([res(KMS_KEY, "data-key", symmetric)]) == []
