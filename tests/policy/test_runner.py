"""The runner: the pack over the offline plan's resources, and every rule biting on the real program's shapes."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable

import pytest

from contracts.tags import ENDPOINT_CLIENT_LOB_VPC, ENDPOINT_POLICY_AWS_DEFAULT, ENDPOINT_POLICY_TAG, PURPOSE_TAG
from policy import rules, runner
from policy.budgets import BUDGET
from policy.resource_types import (
    AUTHORIZER,
    COGNITO_USER,
    DEFAULT_SECURITY_GROUP,
    DOMAIN,
    FLOW_LOG,
    FUNCTION,
    HOSTED_ZONE,
    INGRESS_RULE,
    INTEGRATION,
    KMS_KEY,
    LOG_GROUP,
    METHOD,
    METHOD_SETTINGS,
    RAM_PRINCIPAL,
    RAM_SHARE,
    REST_API,
    ROLE,
    ROLE_POLICY,
    STAGE,
    TABLE,
    TGW_DEFAULT_ASSOCIATION,
    TGW_DEFAULT_PROPAGATION,
    TGW_ROUTE_TABLE,
    USER_POOL,
    USER_POOL_CLIENT,
    VPC_ENDPOINT,
    VPC_ENDPOINT_POLICY,
)

ORG = "arn:aws:organizations::111111111111:organization/o-exampleorgid"


def _find(resources: list[dict], type_: str, name: str = "") -> dict:
    found = [r for r in resources if r["type"] == type_ and name in r["name"]]
    assert found, f"no {type_} named like {name!r} in the plan"
    return found[0]


def _edit_policy(resource: dict, key: str, edit: Callable[[dict], None]) -> None:
    document = json.loads(resource["inputs"][key])
    edit(document)
    resource["inputs"][key] = json.dumps(document)


def _statement(document: dict, sid: str) -> dict:
    return next(s for s in document["Statement"] if s.get("Sid") == sid)


def _set(type_: str, name: str, **inputs):
    def mutate(resources):
        _find(resources, type_, name)["inputs"].update(inputs)

    return mutate


def _drop(type_: str, name: str, key: str):
    def mutate(resources):
        _find(resources, type_, name)["inputs"].pop(key)

    return mutate


def _policy(type_: str, name: str, key: str, edit: Callable[[dict], None]):
    return lambda resources: _edit_policy(_find(resources, type_, name), key, edit)


def _idle(domain: str, *where: str, **settings):
    """A domain's idle settings at `where` changed (a None value drops the key)."""

    def mutate(resources):
        idle = _find(resources, DOMAIN, domain)["inputs"]
        for key in (*where, "appLifecycleManagement", "idleSettings"):
            idle = idle[key]
        idle.update({k: v for k, v in settings.items() if v is not None})
        for key in [k for k, v in settings.items() if v is None]:
            idle.pop(key)

    return mutate


def _org_share(allow_external: bool):
    def mutate(resources):
        _find(resources, RAM_PRINCIPAL, "hub-share-")["inputs"]["principal"] = ORG
        _find(resources, RAM_SHARE, "hub-share")["inputs"]["allowExternalPrincipals"] = allow_external

    return mutate


def _open_api(document: dict) -> None:
    document["Statement"] = [{k: v for k, v in document["Statement"][0].items() if k != "Condition"}]


def _same_group(endpoint: str, other: str):
    """The endpoint behind another endpoint's security group."""

    def mutate(resources):
        groups = _find(resources, VPC_ENDPOINT, other)["inputs"]["securityGroupIds"]
        _find(resources, VPC_ENDPOINT, endpoint)["inputs"]["securityGroupIds"] = list(groups)

    return mutate


def _default_propagation_to(table: str):
    """New attachments propagate into the table they associate with: the sample's flat TGW."""

    def mutate(resources):
        table_id = _find(resources, TGW_ROUTE_TABLE, table)["id"]
        _find(resources, TGW_DEFAULT_PROPAGATION)["inputs"]["transitGatewayRouteTableId"] = table_id

    return mutate


def _drop_resources(*types: str):
    """Remove every resource of these types from the stack."""

    def mutate(resources):
        resources[:] = [r for r in resources if r["type"] not in types]

    return mutate


def _zone_named(zone: str, name: str):
    """The sample's zone: the whole execute-api domain."""

    def mutate(resources):
        _find(resources, HOSTED_ZONE, zone)["inputs"]["name"] = name

    return mutate


def _opt_out(endpoint: str):
    def mutate(resources):
        inputs = _find(resources, VPC_ENDPOINT, endpoint)["inputs"]
        inputs.pop("policy")
        inputs["tags"][ENDPOINT_POLICY_TAG] = ENDPOINT_POLICY_AWS_DEFAULT

    return mutate


def _authorizer_signs_with(key_id: str):
    def mutate(resources):
        _find(resources, FUNCTION, "access-authorizer")["inputs"]["environment"]["variables"]["PROOF_KEY_ID"] = key_id

    return mutate


def _signer(role: str):
    """Signing handed to another role (its Allow and its Deny both name it)."""

    def edit(document: dict) -> None:
        _statement(document, "TheAuthorizerSigns")["Principal"] = {"AWS": role}
        _statement(document, "NobodyElseSigns")["Condition"] = {"ArnNotEquals": {"aws:PrincipalArn": role}}

    def mutate(resources):
        _edit_policy(_find(resources, KMS_KEY, "access-proof"), "policy", edit)

    return mutate


def _create_profiles(document: dict) -> dict:
    """An Allow of CreateUserProfile on the domain's profiles (the ones the role presigns), unconditioned."""
    (presign,) = [st for st in document["Statement"] if st.get("Sid") == "PresignThisDomainsProfiles"]
    return {"Effect": "Allow", "Action": "sagemaker:CreateUserProfile", "Resource": presign["Resource"]}


# (rule, stack, resource the violation lands on, planted breach)
BREACHES = [
    (
        "api-private-source-vpce",
        "shared",
        "access-api",
        _set(REST_API, "access-api", endpointConfiguration={"types": "REGIONAL"}),
    ),
    ("api-private-source-vpce", "shared", "access-api", _policy(REST_API, "access-api", "policy", _open_api)),
    (
        "api-authorizers-logs-tracing",
        "shared",
        "access-get-user",
        lambda rs: _find(rs, METHOD, "access-get-user")["inputs"].pop("authorizerId"),
    ),
    (
        "api-unauthenticated-page-only",
        "shared",
        "access-get-user",
        _set(METHOD, "access-get-user", authorization="NONE"),
    ),
    (
        "api-unauthenticated-page-only",
        "shared",
        "access-get-page",
        lambda rs: _find(rs, INTEGRATION, "access-get-page")["inputs"].update(
            type="AWS_PROXY", uri=_find(rs, INTEGRATION, "access-get-user")["inputs"]["uri"]
        ),
    ),
    ("api-unauthenticated-page-only", "shared", "access-get-page", _set(METHOD, "access-get-page", httpMethod="POST")),
    ("api-authorizers-logs-tracing", "shared", "access-api", _set(STAGE, "access-api", xrayTracingEnabled=False)),
    (
        "api-authorizers-logs-tracing",
        "shared",
        "access-api",
        lambda rs: _find(rs, METHOD_SETTINGS, "access-api")["inputs"]["settings"].update(dataTraceEnabled=True),
    ),
    (
        "lambda-runtime-tracing-vpc",
        "shared",
        "access-authorizer",
        _set(FUNCTION, "access-authorizer", runtime="python3.11"),
    ),
    (
        "lambda-runtime-tracing-vpc",
        "shared",
        "access-presigned-url",
        _drop(FUNCTION, "access-presigned-url", "vpcConfig"),
    ),
    (
        "lambda-log-group-retention",
        "shared",
        "access-authorizer",
        _set(FUNCTION, "access-authorizer", loggingConfig={"logFormat": "JSON", "logGroup": "/elsewhere"}),
    ),
    (
        "lambda-env-no-secrets",
        "shared",
        "access-authorizer",
        lambda rs: _find(rs, FUNCTION, "access-authorizer")["inputs"]["environment"]["variables"].update(
            SIGNING_KEY="x"
        ),
    ),
    (
        "dynamodb-pitr-encryption",
        "shared",
        "access-users",
        _set(TABLE, "access-users", pointInTimeRecovery={"enabled": False}),
    ),
    (
        "dynamodb-deletion-protection",
        "shared",
        "access-lobs",
        _set(TABLE, "access-lobs", deletionProtectionEnabled=False),
    ),
    (
        "iam-no-wildcard-actions",
        "shared",
        "access-presigned-url",
        _policy(
            ROLE_POLICY,
            "access-presigned-url",
            "policy",
            lambda d: _statement(d, "ReadMappings").update(Action="dynamodb:*"),
        ),
    ),
    (
        "iam-sensitive-actions-scoped",
        "shared",
        "access-presigned-url",
        _policy(
            ROLE_POLICY,
            "access-presigned-url",
            "policy",
            lambda d: _statement(d, "AssumeLobAccessRoles").update(Resource="*"),
        ),
    ),
    (
        "iam-trust-specific-principals",
        "lob-a",
        "lob-a-access-role",
        _policy(
            ROLE, "lob-a-access-role", "assumeRolePolicy", lambda d: d["Statement"][0].update(Principal={"AWS": "*"})
        ),
    ),
    (
        "iam-presign-source-vpce",
        "lob-a",
        "lob-a-access-policy",
        _policy(
            ROLE_POLICY,
            "lob-a-access-policy",
            "policy",
            lambda d: _statement(d, "PresignThisDomainsProfiles").pop("Condition"),
        ),
    ),
    (
        "sagemaker-domain-vpc-only",
        "lob-b",
        "lob-b-domain",
        _set(DOMAIN, "lob-b-domain", appNetworkAccessType="PublicInternetOnly"),
    ),
    (
        "sg-no-internet-ingress",
        "lob-a",
        "lob-a-studio-nfs-in",
        _set(INGRESS_RULE, "lob-a-studio-nfs-in", cidrIpv6="::/0", referencedSecurityGroupId=None),
    ),
    (
        "sg-public-ingress-bastion-only",
        "shared",
        "hub-resolver-in-onprem-tcp-0",
        _set(INGRESS_RULE, "hub-resolver-in-onprem-tcp-0", cidrIpv4="198.51.100.0/24"),
    ),
    ("endpoint-has-security-groups", "shared", "hub-sts", _set(VPC_ENDPOINT, "hub-sts", securityGroupIds=[])),
    (
        "endpoint-sg-not-all-ports",
        "shared",
        "hub-studio-endpoint-on-premises-tcp-0",
        _set(INGRESS_RULE, "hub-studio-endpoint-on-premises-tcp-0", ipProtocol="-1", fromPort=None, toPort=None),
    ),
    (
        "endpoint-own-security-group",
        "shared",
        "hub-sagemaker-api-endpoint",
        _same_group("hub-studio", "hub-sagemaker-api"),
    ),
    (
        "endpoint-sg-clients",
        "shared",
        "hub-studio-endpoint-on-premises-tcp-0",
        _set(INGRESS_RULE, "hub-studio-endpoint-on-premises-tcp-0", cidrIpv4="10.100.0.0/16"),
    ),
    (
        "endpoint-sg-clients",
        "shared",
        "hub-studio-endpoint-on-premises-tcp-0",
        _set(
            INGRESS_RULE,
            "hub-studio-endpoint-on-premises-tcp-0",
            cidrIpv4="10.100.0.0/16",
            tags={PURPOSE_TAG: ENDPOINT_CLIENT_LOB_VPC},
        ),
    ),
    (
        "cognito-password-no-implicit",
        "shared",
        "access-users",
        _set(USER_POOL, "access-users", passwordPolicy={"minimumLength": 8.0}),
    ),
    (
        "cognito-password-no-implicit",
        "shared",
        "access-client",
        _set(USER_POOL_CLIENT, "access-client", allowedOauthFlows=["implicit"], allowedOauthFlowsUserPoolClient=True),
    ),
    ("cognito-mfa-required", "shared", "access-users", _set(USER_POOL, "access-users", mfaConfiguration="OPTIONAL")),
    (
        "cognito-threat-protection",
        "shared",
        "access-users",
        _set(USER_POOL, "access-users", userPoolAddOns={"advancedSecurityMode": "OFF"}),
    ),
    (
        "cognito-threat-protection-opt-out",
        "shared",
        "access-users",
        _set(USER_POOL, "access-users", userPoolAddOns={"advancedSecurityMode": "AUDIT"}),
    ),
    (
        "cognito-token-lifetimes",
        "shared",
        "access-client",
        _set(USER_POOL_CLIENT, "access-client", accessTokenValidity=90),
    ),
    (
        "cognito-own-first-password",
        "shared",
        "access-user-lob-a",
        _set(COGNITO_USER, "access-user-lob-a", temporaryPassword="Shared-Pass-1"),
    ),
    (
        "authorizer-cache-within-token-lifetime",
        "shared",
        "access-jwt",
        _set(AUTHORIZER, "access-jwt", authorizerResultTtlInSeconds=3600),
    ),
    (
        "authorizer-email-verified",
        "shared",
        "access-authorizer",
        lambda rs: _find(rs, FUNCTION, "access-authorizer")["inputs"]["environment"]["variables"].update(
            USERNAME_CLAIM="email"
        ),
    ),
    (
        "studio-session-max-8h",
        "shared",
        "access-presigned-url",
        lambda rs: _find(rs, FUNCTION, "access-presigned-url")["inputs"]["environment"]["variables"].pop(
            "SESSION_EXPIRATION_SECONDS"
        ),
    ),
    ("log-group-retention", "shared", "access-api-access", _drop(LOG_GROUP, "access-api-access", "retentionInDays")),
    ("ram-org-share-internal", "shared", "hub-share", _org_share(True)),
    ("tgw-auto-accept-named-principals", "shared", "hub-tgw", _org_share(False)),
    # issue 14, the platform part
    ("api-account-logging-role-first", "shared", "access-api", lambda rs: _without_account_dependency(rs, STAGE)),
    (
        "iam-role-permissions-boundary",
        "lob-a",
        "lob-a-execution",
        _drop(ROLE, "lob-a-execution", "permissionsBoundary"),
    ),
    (
        "sagemaker-execution-identity",
        "lob-a",
        "lob-a-domain",
        _set(DOMAIN, "lob-a-domain", domainSettings={"executionRoleIdentityConfig": "DISABLED"}),
    ),
    (
        "sagemaker-private-spaces",
        "lob-a",
        "lob-a-execution",
        _policy(ROLE_POLICY, "lob-a-execution", "policy", lambda d: _statement(d, "OwnSpaces").pop("Condition")),
    ),
    (
        "studio-sg-ports",
        "lob-a",
        "lob-a-studio-apps-in",
        _set(INGRESS_RULE, "lob-a-studio-apps-in", ipProtocol="-1", fromPort=None, toPort=None),
    ),
    # issue 16: idle shutdown, instance types, budgets
    (
        "sagemaker-idle-shutdown",
        "lob-a",
        "lob-a-domain",
        _idle("lob-a-domain", "defaultUserSettings", "codeEditorAppSettings", lifecycleManagement="DISABLED"),
    ),
    (
        "sagemaker-idle-shutdown",
        "lob-b",
        "lob-b-domain",
        _idle("lob-b-domain", "defaultSpaceSettings", "jupyterLabAppSettings", maxIdleTimeoutInMinutes=None),
    ),
    (
        "sagemaker-app-instance-types",
        "lob-a",
        "lob-a-execution",
        _policy(
            ROLE_POLICY,
            "lob-a-execution",
            "policy",
            lambda d: _statement(d, "SharedSpaceApps")["Condition"].pop("ForAllValues:StringEquals"),
        ),
    ),
    (
        "sagemaker-app-instance-types",
        "lob-b",
        "lob-b-execution",
        _policy(
            ROLE_POLICY,
            "lob-b-execution",
            "policy",
            lambda d: _statement(d, "OwnProfileApps")["Condition"].update(
                {
                    "ForAnyValue:StringEquals": _statement(d, "OwnProfileApps")["Condition"].pop(
                        "ForAllValues:StringEquals"
                    )
                }
            ),
        ),
    ),
    (
        "budget-alerts-subscribed",
        "lob-a",
        "lob-a-budget",
        lambda rs: [
            n.pop("subscriberEmailAddresses") for n in _find(rs, BUDGET, "lob-a-budget")["inputs"]["notifications"]
        ],
    ),
    ("budget-alerts-subscribed", "shared", "shared-budget", _set(BUDGET, "shared-budget", notifications=[])),
    ("tgw-segmented", "shared", "hub-tgw", _default_propagation_to("hub-spokes-table")),
    ("tgw-segmented", "shared", "hub-tgw", _drop_resources(TGW_DEFAULT_ASSOCIATION, TGW_DEFAULT_PROPAGATION)),
    ("dns-api-host-only", "shared", "hub-api-host", _zone_named("hub-api-host", "execute-api.us-east-1.amazonaws.com")),
    (
        "endpoint-data-perimeter",
        "shared",
        "hub-sts",
        _policy(VPC_ENDPOINT, "hub-sts", "policy", lambda d: d["Statement"][0].pop("Condition")),
    ),
    ("endpoint-data-perimeter", "shared", "hub-execute-api", _drop_resources(VPC_ENDPOINT_POLICY)),
    ("endpoint-policy-opt-out", "shared", "hub-studio", _opt_out("hub-studio")),
    ("vpc-flow-logs", "shared", "hub-central-flow-logs", _set(FLOW_LOG, "hub-central-flow-logs", trafficType="REJECT")),
    ("vpc-flow-logs", "lob-a", "lob-a-vpc", _drop_resources(FLOW_LOG)),
    (
        "vpc-default-sg-closed",
        "shared",
        "access-default",
        _set(
            DEFAULT_SECURITY_GROUP,
            "access-default",
            ingress=[{"protocol": "-1", "self": True, "fromPort": 0, "toPort": 0}],
        ),
    ),
    ("vpc-default-sg-closed", "lob-b", "lob-b-vpc", _drop_resources(DEFAULT_SECURITY_GROUP)),
    (
        "s3-gateway-named-buckets",
        "lob-a",
        "lob-a-s3",
        _policy(VPC_ENDPOINT, "lob-a-s3", "policy", lambda d: _statement(d, "StudioBucket").update(Resource="*")),
    ),
    (
        "iam-access-role-source-identity",
        "lob-a",
        "lob-a-access-role",
        _policy(ROLE, "lob-a-access-role", "assumeRolePolicy", lambda d: d["Statement"][0].pop("Condition")),
    ),
    (
        "iam-access-role-source-identity",
        "lob-b",
        "lob-b-access-role",
        _policy(
            ROLE, "lob-b-access-role", "assumeRolePolicy", lambda d: d["Statement"][0].update(Action="sts:AssumeRole")
        ),
    ),
    (
        "kms-proof-key-signer-only",
        "shared",
        "access-proof",
        _policy(
            KMS_KEY,
            "access-proof",
            "policy",
            lambda d: _statement(d, "AccountAdministersTheKey")["Action"].append("kms:Sign"),
        ),
    ),
    (
        "kms-proof-key-signer-only",
        "shared",
        "access-proof",
        _policy(
            KMS_KEY,
            "access-proof",
            "policy",
            lambda d: _statement(d, "AccountAdministersTheKey").update(Action="kms:*"),
        ),
    ),
    (
        "kms-proof-key-signer-only",
        "shared",
        "access-proof",
        _policy(
            KMS_KEY,
            "access-proof",
            "policy",
            lambda d: d.update(Statement=[s for s in d["Statement"] if s.get("Sid") != "NobodyElseSigns"]),
        ),
    ),
    ("kms-proof-key-signer-only", "shared", "access-proof", _signer("arn:aws:iam::111111111111:role/someone-else")),
    ("kms-proof-key-signer-only", "shared", "access-proof", _drop(KMS_KEY, "access-proof", "policy")),
    (
        "kms-proof-key-signer-only",
        "shared",
        "access-authorizer",
        _authorizer_signs_with("arn:aws:kms:us-east-1:111111111111:key/00000000-0000-0000-0000-000000000000"),
    ),
    # just-in-time profiles (issue 15): creation without the person's tag; tagging profiles at any time
    (
        "sagemaker-profiles-for-the-sessions-person",
        "lob-a",
        "lob-a-access-policy",
        _policy(ROLE_POLICY, "lob-a-access-policy", "policy", lambda d: d["Statement"].append(_create_profiles(d))),
    ),
    (
        "sagemaker-profiles-for-the-sessions-person",
        "lob-a",
        "lob-a-access-policy",
        _policy(
            ROLE_POLICY,
            "lob-a-access-policy",
            "policy",
            lambda d: d["Statement"].append({**_create_profiles(d), "Action": "sagemaker:AddTags"}),
        ),
    ),
]


def _without_account_dependency(resources: list[dict], type_: str) -> None:
    account = _find(resources, "aws:apigateway/account:Account")["urn"]
    stage = _find(resources, type_, "access-api")
    stage["dependencies"] = [d for d in stage.get("dependencies", []) if d != account]


@pytest.fixture(scope="module")
def plan_resources(planned) -> dict[str, list[dict]]:
    return {stack: result.to_json()["resources"] for stack, result in planned.items()}


def test_every_rule_has_a_planted_breach_below():
    assert {b[0] for b in BREACHES} == {r.name for r in rules.RULES}


@pytest.mark.parametrize("rule, stack, resource, breach", BREACHES, ids=[f"{b[0]}:{b[2]}" for b in BREACHES])
def test_a_breach_planted_in_the_real_plan_is_caught(plan_resources, rule, stack, resource, breach):
    resources = copy.deepcopy(plan_resources[stack])
    assert [v for v in runner.evaluate(stack, resources) if v.rule == rule] == []
    breach(resources)
    hits = [v for v in runner.evaluate(stack, resources) if v.rule == rule]
    assert hits, f"{rule} did not notice"
    assert {v.resource for v in hits} == {resource}
    expected = next(r.enforcement for r in rules.RULES if r.name == rule)
    assert all(v.enforcement == expected and v.stack == stack for v in hits)


def test_the_project_stacks_have_no_violation_at_all(plan_resources):
    for stack, resources in plan_resources.items():
        assert runner.evaluate(stack, resources) == [], stack


def test_a_violation_is_one_line_with_level_rule_stack_resource_and_why():
    resources = [
        {
            "type": INGRESS_RULE,
            "name": "open",
            "urn": "urn:x",
            "inputs": {"cidrIpv4": "0.0.0.0/0", "ipProtocol": "tcp", "fromPort": 22, "toPort": 22},
        }
    ]
    [violation] = runner.evaluate("shared", resources)
    line = runner.format_violation(violation)
    assert "\n" not in line
    assert line.startswith("[mandatory] sg-no-internet-ingress: stack=shared resource=open ")
    assert line.endswith("ingress from 0.0.0.0/0 (tcp 22): the whole internet may connect")


@pytest.mark.parametrize(
    "resources, says",
    [
        (["not a resource"], "resource #0 is a str"),
        ([{"type": LOG_GROUP, "name": "g", "inputs": {}}], "resource #0 (g) lacks urn"),
        ([{"type": LOG_GROUP, "name": "g", "urn": "u", "inputs": "x"}], "resource g has inputs of type str"),
        ([{"type": LOG_GROUP, "name": "g", "urn": "u", "inputs": {}, "dependencies": "u2"}], "not a list of URNs"),
    ],
)
def test_malformed_resources_are_refused_with_what_is_wrong(resources, says):
    with pytest.raises(runner.PolicyError, match="stack s: ") as err:
        runner.evaluate("s", resources)
    assert says in str(err.value)


def test_a_rule_that_fails_is_named_with_the_resource(monkeypatch):
    def broken(resource_type, props):
        raise KeyError("boom")

    monkeypatch.setattr(rules, "RULES", (rules.Rule("broken", 1, rules.MANDATORY, "d", "g", resource_check=broken),))
    with pytest.raises(runner.PolicyError, match=r"policy broken failed on s/g: KeyError\('boom'\)"):
        runner.evaluate("s", [{"type": LOG_GROUP, "name": "g", "urn": "u", "inputs": {}}])


def test_rule_count_is_the_number_of_policies():
    assert runner.RULE_COUNT == len(rules.RULES) >= 16
