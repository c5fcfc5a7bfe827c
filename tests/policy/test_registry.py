"""The registry (`policy/rules.py`): every rule once, in pack order, each beside its check in its service module."""

from __future__ import annotations

from policy import rules
from policy.model import ADVISORY

# The plan prints violations in this order, and `pulumi preview` lists the policies in it.
PACK_ORDER = [
    "api-private-source-vpce",
    "api-authorizers-logs-tracing",
    "api-unauthenticated-page-only",
    "api-account-logging-role-first",
    "lambda-runtime-tracing-vpc",
    "lambda-log-group-retention",
    "lambda-env-no-secrets",
    "dynamodb-pitr-encryption",
    "dynamodb-deletion-protection",
    "iam-no-wildcard-actions",
    "iam-sensitive-actions-scoped",
    "iam-trust-specific-principals",
    "iam-access-role-source-identity",
    "iam-presign-source-vpce",
    "iam-role-permissions-boundary",
    "sagemaker-domain-vpc-only",
    "sagemaker-execution-identity",
    "sagemaker-private-spaces",
    "studio-sg-ports",
    "sagemaker-idle-shutdown",
    "sagemaker-app-instance-types",
    "sg-no-internet-ingress",
    "sg-public-ingress-bastion-only",
    "endpoint-has-security-groups",
    "endpoint-sg-not-all-ports",
    "endpoint-own-security-group",
    "endpoint-sg-clients",
    "s3-gateway-named-buckets",
    "cognito-password-no-implicit",
    "cognito-mfa-required",
    "cognito-threat-protection",
    "cognito-threat-protection-opt-out",
    "cognito-token-lifetimes",
    "cognito-own-first-password",
    "authorizer-cache-within-token-lifetime",
    "authorizer-email-verified",
    "studio-session-max-8h",
    "log-group-retention",
    "budget-alerts-subscribed",
    "ram-org-share-internal",
    "tgw-auto-accept-named-principals",
    "tgw-segmented",
    "dns-api-host-only",
    "endpoint-data-perimeter",
    "endpoint-policy-opt-out",
    "vpc-flow-logs",
    "vpc-default-sg-closed",
    "kms-proof-key-signer-only",
    "sagemaker-profiles-for-the-sessions-person",
]


def test_the_pack_covers_every_numbered_promise_with_unique_names():
    assert {r.issue for r in rules.RULES} == set(range(1, 22))
    assert len({r.name for r in rules.RULES}) == len(rules.RULES)
    advisory = {r.name for r in rules.RULES if r.enforcement == ADVISORY}
    assert advisory == {
        "dynamodb-deletion-protection",
        "cognito-threat-protection-opt-out",
        "endpoint-policy-opt-out",
        "sg-public-ingress-bastion-only",
    }


def test_the_rules_keep_their_names_and_order():
    assert [r.name for r in rules.RULES] == PACK_ORDER


def test_the_registry_is_the_service_modules_rules_in_promise_order():
    collected = tuple(rule for module in rules.MODULES for rule in module.RULES)
    assert collected == rules.RULES
    issues = [r.issue for r in rules.RULES]
    assert issues == sorted(issues)


def test_each_rule_is_defined_beside_its_check():
    for module in rules.MODULES:
        for rule in module.RULES:
            check = rule.resource_check or rule.stack_check
            assert check is not None and (rule.resource_check is None) != (rule.stack_check is None), rule.name
            assert check.__module__ == module.__name__, (
                f"{rule.name} is in {module.__name__}, its check in {check.__module__}"
            )
            assert rule.description and rule.guards, rule.name
