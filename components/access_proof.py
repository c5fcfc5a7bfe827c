"""The key that signs the authorizer's proofs of a signed-in person (`contracts/proof.py`).

An asymmetric KMS key (RSA_2048, SIGN_VERIFY, RSASSA_PKCS1_V1_5_SHA_256) whose key policy lets
only the authorizer's role call `kms:Sign`:

- the account administers the key with a named list of actions (`ADMIN_ACTIONS`): never `kms:*`,
  never `kms:Sign` or `kms:CreateGrant`, so no IAM policy in the account can hand signing to
  anyone;
- the authorizer's role, by its ARN, may `kms:Sign`;
- an explicit Deny of `kms:Sign` to every principal whose `aws:PrincipalArn` is not that role
  (whatever an IAM policy, a grant or a later statement says).

The presigned-URL function verifies proofs with the key's public key, read with
`kms:GetPublicKey` at deploy time (`aws.kms.get_public_key_output`) and passed in its
environment: public, it lets nobody sign. The policy pack's `kms-proof-key-signer-only` holds
every key tagged `contracts.tags.PROOF_KEY` to this shape.

A part of `AccessProxy`, not a component of its own (see `components/access_proxy.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import pulumi
import pulumi_aws as aws

from contracts import proof, tags

from . import iam

# What the account may do with the key: manage it (Pulumi reads and updates it with these), read
# its public key. Not kms:Sign, not kms:CreateGrant (a grant could delegate Sign).
ADMIN_ACTIONS: Final = (
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:EnableKey",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:GetPublicKey",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
)
SIGN_ACTION: Final = "kms:Sign"


@dataclass(frozen=True, kw_only=True)
class ProofKeyArgs:
    account_id: str
    # The only principal that may sign: the authorizer function's role.
    signer_role_arn: pulumi.Input[str]
    deletion_window_days: int = 30


def key_policy(account_id: str, signer_role_arn: pulumi.Input[str]) -> pulumi.Output[str]:
    """The key policy: the account administers, only the signer's role signs."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "AccountAdministersTheKey",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
            "Action": list(ADMIN_ACTIONS),
            "Resource": "*",
        },
        {
            "Sid": "TheAuthorizerSigns",
            "Effect": "Allow",
            "Principal": {"AWS": signer_role_arn},
            "Action": SIGN_ACTION,
            "Resource": "*",
        },
        {
            "Sid": "NobodyElseSigns",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": SIGN_ACTION,
            "Resource": "*",
            "Condition": {"ArnNotEquals": {"aws:PrincipalArn": signer_role_arn}},
        },
    ]
    return iam.document(*statements)


class ProofKey:
    """The signing key and its public key (base64 DER), under `parent`."""

    key: aws.kms.Key
    public_key: pulumi.Output[str]

    def __init__(self, name: str, args: ProofKeyArgs, parent: pulumi.Resource) -> None:
        self.key = aws.kms.Key(
            f"{name}-proof",
            description="studio-access: signs the authorizer's proofs of a signed-in person (only its role may sign)",
            customer_master_key_spec=proof.KEY_SPEC,
            key_usage=proof.KEY_USAGE,
            deletion_window_in_days=args.deletion_window_days,
            policy=key_policy(args.account_id, args.signer_role_arn),
            tags={tags.PROOF_KEY_TAG: tags.PROOF_KEY},
            opts=pulumi.ResourceOptions(parent=parent),
        )
        self.public_key = aws.kms.get_public_key_output(
            key_id=self.key.arn, opts=pulumi.InvokeOutputOptions(parent=parent)
        ).public_key
