"""KMS (promise 20): the key that signs the authorizer's proofs of a signed-in person lets only the
authorizer's role sign.

The presigned-URL function believes a proof because only the authorizer could have made it. That
holds only while the key policy keeps `kms:Sign` to the authorizer's role: no Allow of it to the
account (which would hand it to every IAM policy of the account), to `*` or to anyone else, and an
explicit Deny of it to every other `aws:PrincipalArn` (which also beats grants and statements added
later); and while the authorizer signs with that key."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from contracts import authorizer_env, tags

from ._props import get, has_wildcard, strings, tags_of
from ._references import index, referenced
from .iam_documents import IAM_ARN, Document, condition_values, covers_action, effect
from .model import MANDATORY, Resource, Rule
from .resource_types import FUNCTION, KMS_KEY

SIGN: Final = "kms:Sign"
# The tags (key, value) this rule tells the proofs' key and the authorizer apart by.
KEYED_TAGS: Final = ((tags.PROOF_KEY_TAG, tags.PROOF_KEY), (tags.FUNCTION_TAG, tags.AUTHORIZER_FUNCTION))
_NOT_EQUALS: Final = {"arnnotequals", "arnnotlike", "stringnotequals", "stringnotlike"}
_ROLE_ARN_PART: Final = ":role/"


def _is_proof_key(props: Mapping[str, object]) -> bool:
    """A key the proofs may be signed with: tagged as the proofs' key, or any signing key."""
    return tags_of(props).get(tags.PROOF_KEY_TAG) == tags.PROOF_KEY or get(props, "keyUsage") == "SIGN_VERIFY"


def _aws_principals(statement: Mapping[str, object]) -> list[str] | None:
    """The statement's AWS principals; None for "*" or a principal of another kind."""
    principal = statement.get("Principal")
    if principal == "*":
        return None
    if not isinstance(principal, Mapping) or set(principal) != {"AWS"}:
        return None
    return strings(principal["AWS"])


def _signers(label: str, statement: Mapping[str, object], problems: list[str]) -> list[str]:
    """The roles an Allow of kms:Sign names; anything wider is a problem."""
    if "NotPrincipal" in statement or "NotAction" in statement:
        problems.append(f"{label} allows kms:Sign with NotPrincipal/NotAction: name the authorizer's role")
        return []
    principals = _aws_principals(statement)
    if principals is None:
        problems.append(f"{label} allows kms:Sign to every principal, or to a principal that is not an IAM role")
        return []
    found = []
    for principal in principals:
        if has_wildcard(principal) or not IAM_ARN.match(principal) or _ROLE_ARN_PART not in principal:
            problems.append(
                f"{label} allows kms:Sign to {principal!r}: only the authorizer's role may sign (an account or "
                "its root lets every IAM policy of the account hand out signing)"
            )
        else:
            found.append(principal)
    if statement.get("Condition"):
        problems.append(f"{label} allows kms:Sign under conditions: name the role, nothing else")
    return found


def _denies_everyone_else(statement: Mapping[str, object], signer: str) -> bool:
    """A Deny of kms:Sign to every principal whose aws:PrincipalArn is not ``signer``."""
    if effect(statement) != "deny" or not covers_action(statement, SIGN) or "NotPrincipal" in statement:
        return False
    principal = statement.get("Principal")
    if principal != "*" and not (isinstance(principal, Mapping) and strings(principal.get("AWS")) == ["*"]):
        return False
    if "NotResource" in statement or "*" not in strings(statement.get("Resource")):
        return False
    conditions = condition_values(statement, "aws:PrincipalArn")
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping) or len(condition) != 1 or len(conditions) != 1:
        return False  # another condition would narrow the Deny
    operator, values = conditions[0]
    return operator.lower() in _NOT_EQUALS and values == [signer]


def key_policy_problems(props: Mapping[str, object]) -> tuple[list[str], list[str]]:
    """(what is wrong with the key's policy, the roles it lets sign)."""
    problems: list[str] = []
    if get(props, "keyUsage") != "SIGN_VERIFY" or not str(get(props, "customerMasterKeySpec") or "").startswith("RSA_"):
        problems.append(
            "the proofs' key must be an RSA signing key (customerMasterKeySpec RSA_*, keyUsage SIGN_VERIFY): "
            "the presigned-URL function verifies RSASSA-PKCS1-v1_5"
        )
    document = Document("policy", get(props, "policy"))
    parsed, error = document.parse()
    if error or parsed is None:
        problems.append(error or "no key policy: KMS's default lets the account's IAM policies grant kms:Sign")
        return problems, []
    statements = document.statements()
    signers: set[str] = set()
    for label, statement in statements:
        if effect(statement) == "allow" and covers_action(statement, SIGN):
            signers.update(_signers(label, statement, problems))
    if len(signers) > 1:
        problems.append(f"kms:Sign is allowed to {len(signers)} roles ({', '.join(sorted(signers))}): only one signs")
    for signer in signers:
        if not any(_denies_everyone_else(s, signer) for _, s in statements):
            problems.append(
                f"no Deny of kms:Sign to every principal whose aws:PrincipalArn is not {signer} "
                '(Principal "*", Resource "*", ArnNotEquals on aws:PrincipalArn alone)'
            )
    if not signers:
        problems.append("no role may sign: the authorizer cannot make proofs")
    return problems, sorted(signers)


def check_proof_key_signer_only(resources: Sequence[Resource]) -> list[tuple[Resource, str]]:
    """Each signing key: only one role signs, and everyone else is denied; the authorizer's role is
    that one, and the authorizer signs with such a key."""
    found: list[tuple[Resource, str]] = []
    by_key = index(resources)
    authorizers = [
        r
        for r in resources
        if r.type == FUNCTION and tags_of(r.props).get(tags.FUNCTION_TAG) == tags.AUTHORIZER_FUNCTION
    ]
    authorizer_roles = {str(get(fn.props, "role")) for fn in authorizers if isinstance(get(fn.props, "role"), str)}
    keys = [r for r in resources if r.type == KMS_KEY and _is_proof_key(r.props)]
    for key in keys:
        problems, signers = key_policy_problems(key.props)
        found += [(key, problem) for problem in problems]
        for signer in signers:
            if authorizer_roles and signer not in authorizer_roles:
                found.append((key, f"kms:Sign is allowed to {signer}, which is not the authorizer function's role"))
    for fn in authorizers:
        key_id = get(fn.props, "environment", "variables", authorizer_env.PROOF_KEY_ID.name)
        target = None
        if isinstance(key_id, str):  # by ARN (a stack's outputs) or by the key id the ARN ends with (inputs)
            target = by_key.get(key_id) or by_key.get(key_id.rsplit(":key/", 1)[-1])
        if target is None:
            # A key whose id and ARN the pack is not shown (a resource policy's inputs): the key
            # the function's environment depends on stands for it.
            unnamed = [
                k
                for k in referenced(fn, by_key, "environment", KMS_KEY)
                if not (k.id or get(k.props, "id") or get(k.props, "arn"))
            ]
            target = unnamed[0] if len(unnamed) == 1 else None
        if target is None or target.type != KMS_KEY or not _is_proof_key(target.props):
            found.append(
                (
                    fn,
                    f"{authorizer_env.PROOF_KEY_ID.name} does not name a signing key of this stack: the pack "
                    "cannot tell who else may sign its proofs",
                )
            )
    return found


KMS_PROOF_KEY_SIGNER_ONLY: Final = Rule(
    name="kms-proof-key-signer-only",
    issue=20,
    enforcement=MANDATORY,
    description="The key that signs the authorizer's proofs is an RSA signing key whose policy allows kms:Sign "
    "to the authorizer's role alone and denies it to every other aws:PrincipalArn; the authorizer signs with it.",
    guards="a proof of a signed-in person made by someone else (an administrator, the deploy role, any IAM policy "
    "of the account), and with it a Studio URL for anyone",
    stack_check=check_proof_key_signer_only,
)

RULES: Final = (KMS_PROOF_KEY_SIGNER_ONLY,)
