"""Each rule of the pack: a resource that passes and one that fails, with the engine's camelCase props."""

from __future__ import annotations

import json

import pytest

from policy import rules
from policy.rules import Resource

ACCOUNT = "111111111111"
VPCE = "vpce-0123456789abcdef0"


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def by_name(name: str) -> rules.Rule:
    return next(r for r in rules.RULES if r.name == name)


def check(name: str, resource_type: str, props: dict) -> list[str]:
    return by_name(name).resource_check(resource_type, props)


def res(type_: str, name: str, props: dict, id_: str | None = None, deps: tuple[str, ...] = ()) -> Resource:
    return Resource(type_, name, f"urn:pulumi:s::p::{type_}::{name}", props, id_, deps)


def test_the_pack_covers_every_numbered_promise_with_unique_names():
    assert {r.issue for r in rules.RULES} == set(range(1, 17))
    assert len({r.name for r in rules.RULES}) == len(rules.RULES)
    advisory = {r.name for r in rules.RULES if r.enforcement == rules.ADVISORY}
    assert advisory == {"dynamodb-deletion-protection", "cognito-mfa", "tgw-auto-accept-named-principals", "sg-public-ingress-bastion-only"}


# --------------------------------------------------------------------------- 1, 2


API_POLICY = doc(
    {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
     "Condition": {"StringEquals": {"aws:SourceVpce": VPCE}}},
    {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
     "Condition": {"StringNotEquals": {"aws:SourceVpce": VPCE}}},
)


def test_private_api_bound_to_its_endpoint_passes():
    props = {"endpointConfiguration": {"types": "PRIVATE", "vpcEndpointIds": [VPCE]}, "policy": API_POLICY}
    assert check("api-private-source-vpce", rules.REST_API, props) == []
    # the list form of `types`, and a policy given as an object
    props = {"endpointConfiguration": {"types": ["PRIVATE"]}, "policy": json.loads(API_POLICY)}
    assert check("api-private-source-vpce", rules.REST_API, props) == []


@pytest.mark.parametrize("types", [None, "EDGE", "REGIONAL", ["PRIVATE", "REGIONAL"]])
def test_api_that_is_not_private_fails(types):
    props = {"policy": API_POLICY} | ({"endpointConfiguration": {"types": types}} if types else {})
    [problem] = check("api-private-source-vpce", rules.REST_API, props)
    assert "use PRIVATE" in problem


def test_api_policy_allowing_invoke_without_source_vpce_fails():
    open_policy = doc({"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"})
    [problem] = check("api-private-source-vpce", rules.REST_API, {"endpointConfiguration": {"types": "PRIVATE"}, "policy": open_policy})
    assert "has no aws:SourceVpce condition" in problem and "statement 0" in problem
    # the same document in a separate RestApiPolicy resource
    assert check("api-private-source-vpce", rules.REST_API_POLICY, {"restApiId": "abc", "policy": open_policy})


@pytest.mark.parametrize(
    "condition, why",
    [
        ({"StringEqualsIfExists": {"aws:SourceVpce": VPCE}}, "IfExists"),
        ({"StringLike": {"aws:sourcevpce": "vpce-*"}}, "matches any endpoint"),
        ({"StringEquals": {"aws:SourceVpc": "vpc-1"}}, "no aws:SourceVpce condition"),
    ],
)
def test_api_policy_with_a_weak_endpoint_condition_fails(condition, why):
    policy = doc({"Effect": "Allow", "Principal": "*", "Action": ["execute-api:*"], "Resource": "*", "Condition": condition})
    [problem] = check("api-private-source-vpce", rules.REST_API, {"endpointConfiguration": {"types": "PRIVATE"}, "policy": policy})
    assert why in problem


def test_one_proper_binding_is_enough_since_conditions_all_apply():
    condition = {"StringEquals": {"aws:SourceVpce": VPCE}, "StringLikeIfExists": {"aws:SourceVpce": "*"}}
    policy = doc({"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "*", "Condition": condition})
    assert check("api-private-source-vpce", rules.REST_API, {"endpointConfiguration": {"types": "PRIVATE"}, "policy": policy}) == []


def test_a_deny_that_does_not_cover_the_allowed_resources_does_not_bind_them():
    policy = doc(
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/dev/GET/*",
         "Condition": {"StringNotEquals": {"aws:SourceVpce": VPCE}}},
    )
    assert check("api-private-source-vpce", rules.REST_API, {"endpointConfiguration": {"types": "PRIVATE"}, "policy": policy})


def test_unconditional_allow_is_fine_when_a_deny_outside_the_endpoint_backs_it():
    policy = doc(
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "*"},
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:SourceVpce": [VPCE]}}},
    )
    assert check("api-private-source-vpce", rules.REST_API, {"endpointConfiguration": {"types": "PRIVATE"}, "policy": policy}) == []


def test_methods_with_an_authorizer_pass_and_open_methods_fail():
    name = "api-authorizers-logs-tracing"
    assert check(name, rules.METHOD, {"httpMethod": "GET", "authorization": "CUSTOM", "authorizerId": "abc"}) == []
    assert check(name, rules.METHOD, {"httpMethod": "GET", "authorization": "AWS_IAM"}) == []
    [problem] = check(name, rules.METHOD, {"httpMethod": "GET", "authorization": "NONE"})
    assert "authorization NONE" in problem
    [problem] = check(name, rules.METHOD, {"httpMethod": "POST", "authorization": "CUSTOM"})
    assert "without an authorizerId" in problem


def test_execution_logs_must_not_hold_full_requests():
    name = "api-authorizers-logs-tracing"
    settings = {"loggingLevel": "ERROR", "dataTraceEnabled": False, "metricsEnabled": True}
    assert check(name, rules.METHOD_SETTINGS, {"methodPath": "*/*", "stageName": "dev", "settings": settings}) == []
    [problem] = check(name, rules.METHOD_SETTINGS, {"methodPath": "*/*", "settings": settings | {"dataTraceEnabled": True}})
    assert "bearer tokens" in problem


def test_stages_need_access_logs_and_tracing():
    name = "api-authorizers-logs-tracing"
    good = {"stageName": "dev", "xrayTracingEnabled": True,
            "accessLogSettings": {"destinationArn": "arn:aws:logs:us-east-1:1:log-group:x", "format": "{}"}}
    assert check(name, rules.STAGE, good) == []
    problems = check(name, rules.STAGE, {"stageName": "dev"})
    assert len(problems) == 2 and "access logs" in problems[0] and "X-Ray" in problems[1]


# --------------------------------------------------------------------------- 3, 4

FUNCTION = {
    "runtime": "python3.14",
    "tracingConfig": {"mode": "Active"},
    "loggingConfig": {"logFormat": "JSON", "logGroup": "/studio-access/shared/presigned-url"},
    "tags": {"studio-access:function": "presigned-url"},
    "vpcConfig": {"subnetIds": ["subnet-1", "subnet-2"], "securityGroupIds": ["sg-1"]},
    "environment": {"variables": {"USERS_TABLE": "users", "TOKEN_ISSUER": "https://cognito-idp.x/pool", "TOKEN_USE": "access"}},
}


def test_a_current_traced_function_in_a_vpc_passes():
    assert check("lambda-runtime-tracing-vpc", rules.FUNCTION, FUNCTION) == []
    assert check("lambda-runtime-tracing-vpc", rules.FUNCTION, FUNCTION | {"runtime": "python3.12"}) == []


@pytest.mark.parametrize("runtime", ["python3.11", "python3.9", "nodejs22.x", None])
def test_an_old_or_non_python_runtime_fails(runtime):
    props = {k: v for k, v in FUNCTION.items() if k != "runtime"} | ({"runtime": runtime} if runtime else {})
    [problem] = check("lambda-runtime-tracing-vpc", rules.FUNCTION, props)
    assert "python3.12 or newer" in problem


def test_untraced_function_fails():
    [problem] = check("lambda-runtime-tracing-vpc", rules.FUNCTION, FUNCTION | {"tracingConfig": {"mode": "PassThrough"}})
    assert "PassThrough, not Active" in problem


def test_presigned_url_function_outside_a_vpc_fails_but_the_authorizer_may_be():
    no_vpc = {k: v for k, v in FUNCTION.items() if k != "vpcConfig"}
    [problem] = check("lambda-runtime-tracing-vpc", rules.FUNCTION, no_vpc)
    assert "not in a VPC" in problem
    authorizer = no_vpc | {"tags": {"studio-access:function": "authorizer"}}
    assert check("lambda-runtime-tracing-vpc", rules.FUNCTION, authorizer) == []


def test_function_log_group_declared_with_retention_passes_and_missing_or_unretained_fails():
    fn = res(rules.FUNCTION, "fn", FUNCTION)
    group = res(rules.LOG_GROUP, "logs", {"name": "/studio-access/shared/presigned-url", "retentionInDays": 30})
    stack_check = by_name("lambda-log-group-retention").stack_check
    assert stack_check([fn, group]) == []
    [(where, problem)] = stack_check([fn])
    assert where is fn and "not declared in this stack" in problem
    forever = res(rules.LOG_GROUP, "logs", {"name": "/studio-access/shared/presigned-url"})
    [(_, problem)] = stack_check([fn, forever])
    assert "no retention" in problem
    # Without a logging config, Lambda's default group /aws/lambda/<name> is the one to declare.
    default = res(rules.FUNCTION, "fn", {"name": "fn-1", "runtime": "python3.13"})
    assert stack_check([default, res(rules.LOG_GROUP, "g", {"name": "/aws/lambda/fn-1", "retentionInDays": 7})]) == []


@pytest.mark.parametrize("key", ["DB_PASSWORD", "clientSecret", "API_KEY", "GITHUB_TOKEN", "accessToken", "PRIVATE_KEY", "AWS_SECRET_ACCESS_KEY"])
def test_environment_variables_named_like_secrets_fail(key):
    props = FUNCTION | {"environment": {"variables": {key: "x"}}}
    [problem] = check("lambda-env-no-secrets", rules.FUNCTION, props)
    assert key in problem and "named like a secret" in problem


@pytest.mark.parametrize(
    "value, what",
    [
        ("AKIAIOSFODNN7EXAMPLE", "AWS access key id"),
        ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS secret access key"),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl", "JSON web token"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIE", "private key"),
        ("postgres://admin:hunter2@db.internal:5432/app", "URL with a password"),
        ("ghp_" + "a1B2" * 9, "GitHub token"),
    ],
)
def test_environment_values_shaped_like_secrets_fail_without_echoing_them(value, what):
    props = FUNCTION | {"environment": {"variables": {"SETTING": value}}}
    [problem] = check("lambda-env-no-secrets", rules.FUNCTION, props)
    assert what in problem and value not in problem


def test_ordinary_environment_passes():
    env = {"USERS_TABLE": "access-users-a1c4e87", "TOKEN_ISSUER": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab",
           "TOKEN_USE": "access", "ALLOWED_CLIENT_IDS": "76y0swa6uveenpstq0jp0gqpdd", "DB_PASSWORD_SECRET_ARN": "arn:aws:secretsmanager:x",
           "CACHE_TTL_SECONDS": "60", "JWKS_URL": "https://issuer.example.com/.well-known/jwks.json"}
    assert check("lambda-env-no-secrets", rules.FUNCTION, FUNCTION | {"environment": {"variables": env}}) == []


# --------------------------------------------------------------------------- 5

TABLE = {"pointInTimeRecovery": {"enabled": True}, "serverSideEncryption": {"enabled": True}, "deletionProtectionEnabled": True}


def test_tables_with_recovery_and_encryption_pass_and_without_fail():
    assert check("dynamodb-pitr-encryption", rules.TABLE, TABLE) == []
    problems = check("dynamodb-pitr-encryption", rules.TABLE, {"pointInTimeRecovery": {"enabled": False}})
    assert len(problems) == 2 and "point-in-time" in problems[0] and "encryption" in problems[1]


def test_table_deletion_protection_is_advisory():
    assert by_name("dynamodb-deletion-protection").enforcement == rules.ADVISORY
    assert check("dynamodb-deletion-protection", rules.TABLE, TABLE) == []
    assert check("dynamodb-deletion-protection", rules.TABLE, TABLE | {"deletionProtectionEnabled": False})


# --------------------------------------------------------------------------- 6-9

LAMBDA_VPC = {"Sid": "VpcNetworkInterfaces", "Effect": "Allow", "Action": ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface"], "Resource": "*"}


def test_named_actions_pass_even_on_star_resources():
    assert check("iam-no-wildcard-actions", rules.ROLE_POLICY, {"policy": doc(LAMBDA_VPC)}) == []


@pytest.mark.parametrize("action", ["*", "sagemaker:*", ["dynamodb:GetItem", "s3:*"], "*:Get*", "SageMaker:**"])
def test_star_and_service_wide_actions_fail(action):
    policy = doc({"Effect": "Allow", "Action": action, "Resource": "arn:aws:s3:::b"})
    for resource_type, props in [
        (rules.ROLE_POLICY, {"policy": policy}),
        (rules.MANAGED_POLICY, {"policy": json.loads(policy)}),
        (rules.ROLE, {"inlinePolicies": [{"name": "x", "policy": policy}]}),
    ]:
        [problem] = check("iam-no-wildcard-actions", resource_type, props)
        assert "name the actions" in problem


def test_wildcards_in_deny_statements_are_fine_and_not_action_allows_fail():
    deny_all = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    assert check("iam-no-wildcard-actions", rules.BUCKET_POLICY, {"policy": doc(deny_all)}) == []
    [problem] = check("iam-no-wildcard-actions", rules.ROLE_POLICY, {"policy": doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})})
    assert "NotAction" in problem


def test_full_access_managed_policies_fail():
    name = "iam-no-wildcard-actions"
    attach = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
    assert check(name, attach, {"role": "r", "policyArn": "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"})
    assert check(name, rules.ROLE, {"managedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"]})
    assert check(name, attach, {"role": "r", "policyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}) == []


def test_invalid_policy_json_is_reported():
    [problem] = check("iam-no-wildcard-actions", rules.ROLE_POLICY, {"policy": "{not json"})
    assert "not valid JSON" in problem


def test_assume_role_and_presign_on_named_resources_pass():
    policy = doc(
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": ["arn:aws:iam::222222222222:role/SagemakerStudioAccessRole"]},
        {"Effect": "Allow", "Action": ["sagemaker:CreatePresignedDomainUrl"],
         "Resource": "arn:aws:sagemaker:us-east-1:222222222222:user-profile/d-abc/*",
         "Condition": {"StringEquals": {"aws:sourceVpce": [VPCE]}}},
        {"Effect": "Allow", "Action": "sagemaker:ListDomains", "Resource": "*"},
    )
    assert check("iam-sensitive-actions-scoped", rules.ROLE_POLICY, {"policy": policy}) == []


@pytest.mark.parametrize(
    "action, resource",
    [
        ("sts:AssumeRole", "*"),
        (["sts:AssumeRole"], ["arn:aws:iam::*:role/SagemakerStudioAccessRole"]),
        ("sts:Assume*", "arn:aws:iam::222222222222:role/*"),
        ("sagemaker:CreatePresignedDomainUrl", "*"),
        ("sagemaker:CreatePresigned*", "arn:aws:sagemaker:us-east-1:222222222222:user-profile/*"),
    ],
)
def test_assume_role_or_presign_on_every_resource_fails(action, resource):
    policy = doc({"Effect": "Allow", "Action": action, "Resource": resource, "Condition": {"StringEquals": {"aws:sourceVpce": VPCE}}})
    problems = check("iam-sensitive-actions-scoped", rules.ROLE_POLICY, {"policy": policy})
    assert problems and all("name the roles or profiles" in p for p in problems)


def test_specific_trust_passes():
    for principal in ({"Service": "lambda.amazonaws.com"}, {"AWS": "arn:aws:iam::111111111111:role/fn"}, {"AWS": ["222222222222"]}):
        trust = doc({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})
        assert check("iam-trust-specific-principals", rules.ROLE, {"assumeRolePolicy": trust}) == []


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111111111111:role/fn", "arn:aws:iam::*:root"]}, "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": {"Service": "*.amazonaws.com"}, "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": {"AWS": "fn-role"}, "Action": "sts:AssumeRole"},
    ],
)
def test_open_trust_fails(statement):
    problems = check("iam-trust-specific-principals", rules.ROLE, {"assumeRolePolicy": doc(statement)})
    assert problems and "assumeRolePolicy statement 0" in problems[0]


def test_presign_bound_to_endpoints_passes_and_unbound_fails():
    name = "iam-presign-source-vpce"
    bound = {"Effect": "Allow", "Action": "sagemaker:CreatePresignedDomainUrl", "Resource": "arn:aws:sagemaker:r:2:user-profile/d/*",
             "Condition": {"StringEquals": {"aws:sourceVpce": [VPCE, "vpce-0fedcba9876543210"]}}}
    assert check(name, rules.ROLE_POLICY, {"policy": doc(bound)}) == []
    unbound = {k: v for k, v in bound.items() if k != "Condition"}
    [problem] = check(name, rules.ROLE_POLICY, {"policy": doc(unbound)})
    assert "aws:sourceVpce" in problem
    # inline in the role, and through a wildcard action
    [problem] = check(name, rules.ROLE, {"inlinePolicies": [{"policy": doc(unbound | {"Action": "sagemaker:CreatePresigned*"})}]})
    assert "inlinePolicies[0].policy" in problem
    # a Deny outside the endpoints is an equivalent binding
    deny = {"Effect": "Deny", "Action": "sagemaker:CreatePresignedDomainUrl", "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:SourceVpce": VPCE}}}
    assert check(name, rules.ROLE_POLICY, {"policy": doc(unbound, deny)}) == []


# --------------------------------------------------------------------------- 10


def test_domains_must_be_vpc_only():
    assert check("sagemaker-domain-vpc-only", rules.DOMAIN, {"appNetworkAccessType": "VpcOnly", "authMode": "IAM"}) == []
    [problem] = check("sagemaker-domain-vpc-only", rules.DOMAIN, {"appNetworkAccessType": "PublicInternetOnly"})
    assert "use VpcOnly" in problem
    assert check("sagemaker-domain-vpc-only", rules.DOMAIN, {"authMode": "IAM"})


# --------------------------------------------------------------------------- 11, 12

BASTION = {"studio-access:purpose": "onprem-bastion-ssh"}


def test_internal_ingress_passes():
    name = "sg-no-internet-ingress"
    assert check(name, rules.INGRESS_RULE, {"cidrIpv4": "10.17.0.0/16", "ipProtocol": "tcp", "fromPort": 443.0, "toPort": 443.0}) == []
    assert check(name, rules.INGRESS_RULE, {"referencedSecurityGroupId": "sg-1", "ipProtocol": "-1"}) == []
    assert check(name, rules.INGRESS_RULE, {"cidrIpv4": "203.0.113.10/32", "ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "tags": BASTION}) == []


@pytest.mark.parametrize(
    "resource_type, props",
    [
        (rules.INGRESS_RULE, {"cidrIpv4": "0.0.0.0/0", "ipProtocol": "tcp", "fromPort": 443, "toPort": 443}),
        (rules.INGRESS_RULE, {"cidrIpv6": "::/0", "ipProtocol": "-1"}),
        (rules.INGRESS_RULE, {"cidrIpv4": "0.0.0.0/1", "ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "tags": BASTION}),
        (rules.SECURITY_GROUP_RULE, {"type": "ingress", "cidrBlocks": ["10.0.0.0/8", "0.0.0.0/0"], "protocol": "tcp", "fromPort": 443, "toPort": 443}),
        (rules.SECURITY_GROUP, {"ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "ipv6CidrBlocks": ["::/0"]}]}),
    ],
)
def test_ingress_from_the_internet_fails_in_every_resource_shape(resource_type, props):
    problems = check("sg-no-internet-ingress", resource_type, props)
    assert problems and "internet may connect" in problems[0]


def test_egress_and_egress_type_rules_are_not_ingress():
    assert check("sg-no-internet-ingress", rules.SECURITY_GROUP_RULE, {"type": "egress", "cidrBlocks": ["0.0.0.0/0"], "protocol": "-1"}) == []
    assert check("sg-no-internet-ingress", rules.SECURITY_GROUP, {"egress": [{"protocol": "-1", "cidrBlocks": ["0.0.0.0/0"]}]}) == []


def test_the_bastion_tag_only_covers_ssh():
    [problem] = check("sg-no-internet-ingress", rules.INGRESS_RULE, {"cidrIpv4": "203.0.113.10/32", "ipProtocol": "tcp", "fromPort": 3389, "toPort": 3389, "tags": BASTION})
    assert "only for the bastion's SSH" in problem and "tcp 3389" in problem


def test_public_ingress_outside_the_bastion_is_advisory():
    name = "sg-public-ingress-bastion-only"
    assert by_name(name).enforcement == rules.ADVISORY
    ssh = {"cidrIpv4": "203.0.113.10/32", "ipProtocol": "tcp", "fromPort": 22, "toPort": 22}
    assert check(name, rules.INGRESS_RULE, ssh | {"tags": BASTION}) == []
    assert check(name, rules.INGRESS_RULE, ssh | {"cidrIpv4": "192.168.10.0/24"}) == []
    [problem] = check(name, rules.INGRESS_RULE, ssh)
    assert "203.0.113.10/32" in problem and "public range" in problem


def test_interface_endpoints_need_security_groups():
    name = "endpoint-has-security-groups"
    assert check(name, rules.VPC_ENDPOINT, {"vpcEndpointType": "Interface", "securityGroupIds": ["sg-1"]}) == []
    assert check(name, rules.VPC_ENDPOINT, {"vpcEndpointType": "Gateway"}) == []
    [problem] = check(name, rules.VPC_ENDPOINT, {"vpcEndpointType": "Interface", "securityGroupIds": []})
    assert "default security group" in problem


def test_endpoint_security_group_open_on_all_ports_fails():
    stack_check = by_name("endpoint-sg-not-all-ports").stack_check
    group = res(rules.SECURITY_GROUP, "endpoints", {"vpcId": "vpc-1"}, id_="sg-1")
    endpoint = res(rules.VPC_ENDPOINT, "sts", {"vpcEndpointType": "Interface", "securityGroupIds": ["sg-1"]})
    https = res(rules.INGRESS_RULE, "https", {"securityGroupId": "sg-1", "cidrIpv4": "10.0.0.0/8", "ipProtocol": "tcp", "fromPort": 443, "toPort": 443})
    assert stack_check([group, endpoint, https]) == []
    everything = res(rules.INGRESS_RULE, "all", {"securityGroupId": "sg-1", "cidrIpv4": "10.0.0.0/8", "ipProtocol": "-1"})
    [(where, problem)] = stack_check([group, endpoint, https, everything])
    assert where is everything and "opens all ports" in problem and "sts" in problem
    # matched through dependencies when ids are not known, and inline ingress on the group
    tcp_range = res(rules.SECURITY_GROUP_RULE, "range", {"type": "ingress", "protocol": "tcp", "fromPort": 0, "toPort": 65535, "securityGroupId": "?"}, deps=(group.urn,))
    assert len(stack_check([group, endpoint, tcp_range])) == 1
    inline = res(rules.SECURITY_GROUP, "endpoints", {"ingress": [{"protocol": "-1", "cidrBlocks": ["10.0.0.0/8"]}]}, id_="sg-1")
    assert len(stack_check([inline, endpoint])) == 1
    # the same rule on a group no endpoint uses is not this rule's business, even when its
    # source is the endpoints' group (it then depends on that group too)
    clients = res(rules.SECURITY_GROUP, "clients", {"vpcId": "vpc-1"}, id_="sg-2")
    other = res(rules.INGRESS_RULE, "all", {"securityGroupId": "sg-2", "ipProtocol": "-1", "referencedSecurityGroupId": "sg-1"},
                deps=(clients.urn, group.urn))
    assert stack_check([group, clients, endpoint, other]) == []


# --------------------------------------------------------------------------- 13, 14


def test_cognito_passwords_and_flows():
    name = "cognito-password-no-implicit"
    assert check(name, rules.USER_POOL, {"passwordPolicy": {"minimumLength": 12.0}}) == []
    [problem] = check(name, rules.USER_POOL, {"passwordPolicy": {"minimumLength": 8}})
    assert "minimumLength is 8" in problem
    assert "default 8" in check(name, rules.USER_POOL, {})[0]
    assert check(name, rules.USER_POOL_CLIENT, {"allowedOauthFlows": ["code"], "allowedOauthFlowsUserPoolClient": True}) == []
    [problem] = check(name, rules.USER_POOL_CLIENT, {"allowedOauthFlows": ["code", "implicit"]})
    assert "implicit" in problem


def test_cognito_mfa_is_advisory():
    assert by_name("cognito-mfa").enforcement == rules.ADVISORY
    assert check("cognito-mfa", rules.USER_POOL, {"mfaConfiguration": "OPTIONAL"}) == []
    assert check("cognito-mfa", rules.USER_POOL, {"mfaConfiguration": "OFF"})
    assert check("cognito-mfa", rules.USER_POOL, {})


def test_log_groups_need_retention():
    assert check("log-group-retention", rules.LOG_GROUP, {"name": "x", "retentionInDays": 30.0}) == []
    assert check("log-group-retention", rules.LOG_GROUP, {"name": "x"})
    assert check("log-group-retention", rules.LOG_GROUP, {"name": "x", "retentionInDays": 0})


# --------------------------------------------------------------------------- 15, 16

ORG = "arn:aws:organizations::111111111111:organization/o-exampleorgid"
SHARE_ARN = "arn:aws:ram:us-east-1:111111111111:resource-share/abc"


def _ram(allow_external: bool, principals: list[str], auto_accept: str = "enable"):
    tgw = res(rules.TRANSIT_GATEWAY, "tgw", {"autoAcceptSharedAttachments": auto_accept}, id_="tgw-1")
    share = res(rules.RAM_SHARE, "share", {"allowExternalPrincipals": allow_external, "name": "s"}, id_=SHARE_ARN)
    assoc = res(rules.RAM_RESOURCE, "share-tgw", {"resourceArn": "arn:aws:ec2:us-east-1:111111111111:transit-gateway/tgw-1", "resourceShareArn": SHARE_ARN})
    people = [res(rules.RAM_PRINCIPAL, f"p{i}", {"principal": p, "resourceShareArn": SHARE_ARN}) for i, p in enumerate(principals)]
    return [tgw, share, assoc, *people]


def test_organization_shares_must_not_allow_external_principals():
    stack_check = by_name("ram-org-share-internal").stack_check
    assert stack_check(_ram(False, [ORG])) == []
    assert stack_check(_ram(True, ["222222222222"])) == []  # outside an organization, by design
    [(where, problem)] = stack_check(_ram(True, [ORG]))
    assert where.name == "share" and "outside the organization" in problem


def test_tgw_auto_accept_needs_named_accounts():
    stack_check = by_name("tgw-auto-accept-named-principals").stack_check
    assert by_name("tgw-auto-accept-named-principals").enforcement == rules.ADVISORY
    assert stack_check(_ram(False, ["222222222222", "333333333333"])) == []
    assert stack_check(_ram(False, [], auto_accept="disable")) == []
    [(where, problem)] = stack_check(_ram(False, [ORG]))
    assert where.name == "tgw" and ORG in problem
    [(_, problem)] = stack_check(_ram(False, []))
    assert "shared with no principal" in problem
