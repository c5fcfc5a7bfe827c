"""The access proxy (shared stack) and the access role (each LOB), on the actual arguments."""

from __future__ import annotations

import json

import pytest

from components import outputs
from contracts import authorizer_env, presigned_url_env, tags
from tests.conftest import ROOT, one, resources
from tools import mock_keys

SG_OUT = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"


def _doc(text: str) -> list[dict]:
    return json.loads(text)["Statement"]


def _actions(statement: dict) -> list[str]:
    action = statement["Action"]
    return action if isinstance(action, list) else [action]


def _all_statements(result):
    for r in result.resources:
        if r.type == "aws:iam/rolePolicy:RolePolicy":
            yield from _doc(r.inputs["policy"])


@pytest.fixture
def shared(planned):
    return planned["shared"]


def _function(shared, kind):
    return one(shared, "aws:lambda/function:Function", f"access-{kind}")


# --------------------------------------------------------------------------- API


def test_rest_api_is_private_and_bound_to_the_central_execute_api_endpoint(shared):
    api = one(shared, "aws:apigateway/restApi:RestApi", "access-api").inputs
    vpce = shared.outputs["endpointIds"]["execute-api"]
    assert api["endpointConfiguration"] == {"types": "PRIVATE", "vpcEndpointIds": [vpce]}
    allow, deny = _doc(api["policy"])
    assert allow == {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "execute-api:Invoke",
        "Resource": "execute-api:/*",
        "Condition": {"StringEquals": {"aws:SourceVpce": vpce}},
    }
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"StringNotEquals": {"aws:SourceVpce": vpce}}


def test_request_authorizer_on_the_authorization_header(shared):
    authorizer = one(shared, "aws:apigateway/authorizer:Authorizer", "access-jwt").inputs
    assert authorizer["type"] == "REQUEST"
    assert authorizer["identitySource"] == "method.request.header.Authorization"
    assert authorizer["authorizerResultTtlInSeconds"] == 120
    assert authorizer["authorizerUri"] == _function(shared, "authorizer").outputs["invokeArn"]


def test_get_user_id_is_proxied_to_the_function_behind_the_authorizer(shared):
    resource = one(shared, "aws:apigateway/resource:Resource", "access-user")
    assert resource.inputs["pathPart"] == "{user_id}"
    method = one(shared, "aws:apigateway/method:Method", "access-get-user").inputs
    authorizer = one(shared, "aws:apigateway/authorizer:Authorizer", "access-jwt")
    assert (method["httpMethod"], method["authorization"], method["authorizerId"]) == ("GET", "CUSTOM", authorizer.id)
    integration = one(shared, "aws:apigateway/integration:Integration", "access-get-user").inputs
    assert integration["type"] == "AWS_PROXY" and integration["integrationHttpMethod"] == "POST"
    assert integration["uri"] == _function(shared, "presigned-url").outputs["invokeArn"]
    assert integration["timeoutMilliseconds"] < 29000


def test_deployment_is_redone_when_the_api_changes(shared, project):
    deployment = one(shared, "aws:apigateway/deployment:Deployment", "access-api")
    assert len(deployment.inputs["triggers"]["fingerprint"]) == 64
    method = one(shared, "aws:apigateway/method:Method", "access-get-user")
    assert method.urn in deployment.dependencies
    project.edit("shared", lambda c: c["studio-access:access"]["api"].update(authorizerTtlSeconds=60))
    changed = one(project.plan(["shared"])["shared"], "aws:apigateway/deployment:Deployment", "access-api")
    assert changed.inputs["triggers"] != deployment.inputs["triggers"]


def test_stage_logs_traces_and_throttles(shared):
    stage = one(shared, "aws:apigateway/stage:Stage", "access-api")
    assert stage.inputs["stageName"] == "dev" and stage.inputs["xrayTracingEnabled"] is True
    access_logs = one(shared, "aws:cloudwatch/logGroup:LogGroup", "access-api-access")
    assert stage.inputs["accessLogSettings"]["destinationArn"] == access_logs.outputs["arn"]
    assert "$context.requestId" in stage.inputs["accessLogSettings"]["format"]
    assert access_logs.inputs["retentionInDays"] == 30
    settings = one(shared, "aws:apigateway/methodSettings:MethodSettings", "access-api").inputs["settings"]
    assert settings["loggingLevel"] == "ERROR" and settings["dataTraceEnabled"] is False
    assert (settings["throttlingRateLimit"], settings["throttlingBurstLimit"]) == (10.0, 20)


def test_execution_logging_has_the_account_cloudwatch_role_first(shared):
    account = one(shared, "aws:apigateway/account:Account", "access-apigateway-account")
    role = one(shared, "aws:iam/role:Role", "access-apigateway-logs")
    assert account.inputs["cloudwatchRoleArn"] == role.outputs["arn"]
    assert _doc(role.inputs["assumeRolePolicy"]) == [
        {"Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ]
    assert account.urn in one(shared, "aws:apigateway/stage:Stage", "access-api").dependencies
    assert account.urn in one(shared, "aws:apigateway/methodSettings:MethodSettings", "access-api").dependencies


def test_account_logging_role_can_be_left_to_someone_else(project):
    project.edit(
        "shared",
        lambda c: c["studio-access:access"]["api"].update(
            accountLoggingRole="existing", accountLoggingRoleArn="arn:aws:iam::111111111111:role/apigw-logs"
        ),
    )
    result = project.plan(["shared"])["shared"]
    assert resources(result, "aws:apigateway/account:Account") == []


def test_invoke_permissions_scoped_to_this_api(shared):
    api = one(shared, "aws:apigateway/restApi:RestApi", "access-api")
    authorizer = one(shared, "aws:apigateway/authorizer:Authorizer", "access-jwt")
    perms = {r.name: r.inputs for r in resources(shared, "aws:lambda/permission:Permission")}
    execution = api.outputs["executionArn"]
    assert perms["access-authorizer-invoke"]["sourceArn"] == f"{execution}/authorizers/{authorizer.id}"
    assert perms["access-authorizer-invoke"]["function"] == _function(shared, "authorizer").outputs["name"]
    assert perms["access-presigned-url-invoke"]["sourceArn"] == f"{execution}/dev/GET/*"
    assert all(p["principal"] == "apigateway.amazonaws.com" for p in perms.values())


# --------------------------------------------------------------------------- functions


# The variables the example's functions are given (names from contracts/, which the handlers read).
A, P = authorizer_env, presigned_url_env
AUTHORIZER_ENV = {
    v.name
    for v in (
        A.TOKEN_ISSUER,
        A.ALLOWED_CLIENT_IDS,
        A.TOKEN_USE,
        A.USERNAME_CLAIM,
        A.LEEWAY_SECONDS,
        A.PROOF_KEY_ID,
        A.PROOF_TTL_SECONDS,
        A.GROUPS_CLAIM,
    )
}
PRESIGNED_ENV = {
    v.name
    for v in (
        P.USERS_TABLE,
        P.LOBS_TABLE,
        P.ACCESS_ROLE_NAME,
        P.URL_EXPIRES_SECONDS,
        P.CACHE_TTL_SECONDS,
        P.SESSION_EXPIRATION_SECONDS,
        P.PROOF_PUBLIC_KEY,
    )
}


def test_function_environment_matches_what_the_handlers_read(shared):
    env = _function(shared, "authorizer").inputs["environment"]["variables"]
    pool = one(shared, "aws:cognito/userPool:UserPool", "access-users")
    client = one(shared, "aws:cognito/userPoolClient:UserPoolClient", "access-client")
    assert set(env) == AUTHORIZER_ENV
    issuer = env[A.TOKEN_ISSUER.name]
    assert issuer == f"https://cognito-idp.us-east-1.amazonaws.com/{pool.id}" == shared.outputs["tokenIssuer"]
    assert env[A.ALLOWED_CLIENT_IDS.name] == client.id and env[A.TOKEN_USE.name] == "access"
    key = one(shared, "aws:kms/key:Key", "access-proof")
    assert env[A.PROOF_KEY_ID.name] == key.outputs["arn"] and env[A.PROOF_TTL_SECONDS.name].isdigit()
    env = _function(shared, "presigned-url").inputs["environment"]["variables"]
    assert env[P.PROOF_PUBLIC_KEY.name] == mock_keys.key_pair(f"shared/{key.outputs['arn']}").public_der_b64()
    assert set(env) == PRESIGNED_ENV
    assert (
        env[P.USERS_TABLE.name] == shared.outputs["usersTable"]
        and env[P.LOBS_TABLE.name] == shared.outputs["lobsTable"]
    )
    assert (env[P.ACCESS_ROLE_NAME.name], env[P.URL_EXPIRES_SECONDS.name], env[P.CACHE_TTL_SECONDS.name]) == (
        "SagemakerStudioAccessRole",
        "20",
        "60",
    )
    assert env[P.SESSION_EXPIRATION_SECONDS.name] == "28800"  # 8 hours, always set (SageMaker's own default: 12)


def test_functions_runtime_architecture_tracing_logs(shared):
    for kind in tags.FUNCTIONS:
        fn = _function(shared, kind).inputs
        assert fn["runtime"] == "python3.14" and fn["architectures"] == ["arm64"]
        assert fn["tracingConfig"] == {"mode": "Active"}
        assert fn["tags"] == {tags.FUNCTION_TAG: kind}
        group = one(shared, "aws:cloudwatch/logGroup:LogGroup", f"access-{kind}")
        assert fn["loggingConfig"]["logGroup"] == group.inputs["name"] and group.inputs["retentionInDays"] == 30
        assert fn["loggingConfig"]["logFormat"] == "JSON"
        assert fn["code"].path == str(ROOT / "build" / f"shared-{kind}.zip")
        assert len(fn["sourceCodeHash"]) == 44


def test_only_the_presigned_url_function_runs_in_the_access_vpc(shared):
    assert "vpcConfig" not in _function(shared, "authorizer").inputs
    vpc = _function(shared, "presigned-url").inputs["vpcConfig"]
    names = {r.id: r.name for r in shared.resources}
    assert sorted(names[s] for s in vpc["subnetIds"]) == ["access-private-0", "access-private-1"]
    group = one(shared, "aws:ec2/securityGroup:SecurityGroup", "access-presigned-url")
    assert vpc["securityGroupIds"] == [group.id]
    out = [r.inputs for r in resources(shared, SG_OUT) if r.inputs["securityGroupId"] == group.id]
    dynamodb = one(shared, "aws:ec2/vpcEndpoint:VpcEndpoint", "access-dynamodb")
    assert sorted((r["fromPort"], r.get("cidrIpv4") or r.get("prefixListId")) for r in out) == sorted(
        [(443, "10.0.0.0/16"), (443, dynamodb.outputs["prefixListId"])]
    )
    assert not [
        r
        for r in resources(shared, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if r.inputs["securityGroupId"] == group.id
    ]


def _role_policy(shared, kind):
    return {s["Sid"]: s for s in _doc(one(shared, "aws:iam/rolePolicy:RolePolicy", f"access-{kind}").inputs["policy"])}


def test_authorizer_role_writes_its_logs_and_traces_only(shared):
    statements = _role_policy(shared, "authorizer")
    assert set(statements) == {"OwnLogs", "Traces", "SignProofs"}
    assert statements["SignProofs"]["Resource"] == one(shared, "aws:kms/key:Key", "access-proof").outputs["arn"]
    group = one(shared, "aws:cloudwatch/logGroup:LogGroup", "access-authorizer")
    assert statements["OwnLogs"]["Resource"] == group.outputs["arn"] + ":*"


def test_presigned_url_role_reads_tables_and_assumes_only_the_lob_access_roles(shared):
    statements = _role_policy(shared, "presigned-url")
    assert statements["ReadMappings"]["Action"] == ["dynamodb:GetItem"]
    tables = [one(shared, "aws:dynamodb/table:Table", f"access-{t}").outputs["arn"] for t in ("users", "lobs")]
    assert statements["ReadMappings"]["Resource"] == tables
    assert statements["AssumeLobAccessRoles"]["Resource"] == [
        "arn:aws:iam::222222222222:role/SagemakerStudioAccessRole",
        "arn:aws:iam::333333333333:role/SagemakerStudioAccessRole",
    ]
    every = [a for s in _all_statements(shared) for a in _actions(s)]
    assert "sagemaker:CreatePresignedDomainUrl" not in every  # nothing in the shared account presigns
    assert all(a != "*" and not a.endswith(":*") for a in every)
    assert all(s["Resource"] != "*" for s in _all_statements(shared) if "sts:AssumeRole" in _actions(s))


# --------------------------------------------------------------------------- tables, identity


def test_tables_and_their_items_from_config(shared):
    for kind in ("users", "lobs"):
        table = one(shared, "aws:dynamodb/table:Table", f"access-{kind}").inputs
        assert table["hashKey"] == "PK" and table["billingMode"] == "PAY_PER_REQUEST"
        assert table["pointInTimeRecovery"] == {"enabled": True}
        assert table["serverSideEncryption"] == {"enabled": True}
        assert table["deletionProtectionEnabled"] is True
    items = {
        r.name: (r.inputs["tableName"], json.loads(r.inputs["item"]))
        for r in resources(shared, "aws:dynamodb/tableItem:TableItem")
    }
    users, lobs = shared.outputs["usersTable"], shared.outputs["lobsTable"]
    assert items == {
        "access-lob-lob-a": (lobs, {"PK": {"S": "lob-a"}, "ACCOUNT_ID": {"S": "222222222222"}}),
        "access-lob-lob-b": (lobs, {"PK": {"S": "lob-b"}, "ACCOUNT_ID": {"S": "333333333333"}}),
        "access-user-user-lob-a": (users, {"PK": {"S": "user-lob-a"}, "LOB": {"S": "lob-a"}}),
        "access-user-user-lob-b": (users, {"PK": {"S": "user-lob-b"}, "LOB": {"S": "lob-b"}}),
    }


def test_dynamodb_gateway_endpoint_reads_only_the_two_tables(shared):
    endpoint = one(shared, "aws:ec2/vpcEndpoint:VpcEndpoint", "access-dynamodb").inputs
    assert endpoint["vpcEndpointType"] == "Gateway"
    assert endpoint["routeTableIds"] == [one(shared, "aws:ec2/routeTable:RouteTable", "access-private").id]
    (statement,) = _doc(endpoint["policy"])
    assert statement["Action"] == ["dynamodb:GetItem"] and len(statement["Resource"]) == 2


def test_access_vpc_resolves_sts_and_sagemaker_api_through_the_hub(shared):
    vpc = one(shared, "aws:ec2/vpc:Vpc", "access-vpc")
    assert vpc.inputs["cidrBlock"] == "10.17.0.0/16"
    zones = {r.outputs["zoneId"]: r.name for r in resources(shared, "aws:route53/zone:Zone")}
    assoc = resources(shared, "aws:route53/zoneAssociation:ZoneAssociation")
    assert sorted(zones[a.inputs["zoneId"]] for a in assoc) == ["hub-sagemaker-api", "hub-sts"]
    assert all(a.inputs["vpcId"] == vpc.id for a in assoc)
    route = one(shared, "aws:ec2/route:Route", "access-default-to-tgw")
    assert one(shared, "aws:ec2transitgateway/vpcAttachment:VpcAttachment", "access-tgw").urn in route.dependencies


def test_cognito_pool_client_and_users(shared):
    pool = one(shared, "aws:cognito/userPool:UserPool", "access-users").inputs
    assert pool["passwordPolicy"]["minimumLength"] == 12
    assert pool["adminCreateUserConfig"] == {"allowAdminCreateUserOnly": True}
    assert pool["deletionProtection"] == "ACTIVE"
    client = one(shared, "aws:cognito/userPoolClient:UserPoolClient", "access-client").inputs
    assert client["generateSecret"] is False and client["allowedOauthFlows"] == ["code"]  # the sign-in page's
    assert client["explicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    users = {r.inputs["username"]: r.inputs for r in resources(shared, "aws:cognito/user:User")}
    assert set(users) == {"user-lob-a", "user-lob-b"}
    for name, user in users.items():
        assert user["desiredDeliveryMediums"] == ["EMAIL"] and user["attributes"]["email"] == f"{name}@example.com"
        assert not {"temporaryPassword", "password", "messageAction"} & set(user)


def test_the_plan_shows_the_identity_and_session_defaults(shared):
    """Issue 13's defaults, on the planned inputs of the example (which sets none of them)."""
    pool = one(shared, "aws:cognito/userPool:UserPool", "access-users").inputs
    assert pool["mfaConfiguration"] == "ON" and pool["softwareTokenMfaConfiguration"] == {"enabled": True}
    assert "smsConfiguration" not in pool
    assert pool["userPoolAddOns"] == {"advancedSecurityMode": "ENFORCED"} and pool["userPoolTier"] == "PLUS"
    assert pool["tags"][tags.THREAT_PROTECTION_TAG] == "ENFORCED"
    risk = one(shared, "aws:cognito/riskConfiguration:RiskConfiguration", "access-risk").inputs
    assert risk["compromisedCredentialsRiskConfiguration"]["actions"] == {"eventAction": "BLOCK"}
    client = one(shared, "aws:cognito/userPoolClient:UserPoolClient", "access-client").inputs
    assert (client["accessTokenValidity"], client["idTokenValidity"], client["refreshTokenValidity"]) == (30, 30, 1440)
    assert client["tokenValidityUnits"] == {"accessToken": "minutes", "idToken": "minutes", "refreshToken": "minutes"}
    assert client["enableTokenRevocation"] is True
    authorizer = one(shared, "aws:apigateway/authorizer:Authorizer", "access-jwt").inputs
    assert authorizer["authorizerResultTtlInSeconds"] <= client["accessTokenValidity"] * 60
    presigned = _function(shared, "presigned-url").inputs["environment"]["variables"]
    assert presigned[P.SESSION_EXPIRATION_SECONDS.name] == str(8 * 3600)


def test_threat_protection_turned_off_by_config_is_declared_and_off_the_plus_plan(project):
    project.edit("shared", lambda c: c["studio-access:identity"].update(threatProtection="OFF"))
    result = project.plan(["shared"])["shared"]
    pool = one(result, "aws:cognito/userPool:UserPool", "access-users").inputs
    assert pool["userPoolAddOns"] == {"advancedSecurityMode": "OFF"} and pool["userPoolTier"] == "ESSENTIALS"
    assert pool["tags"][tags.THREAT_PROTECTION_TAG] == "OFF"
    assert resources(result, "aws:cognito/riskConfiguration:RiskConfiguration") == []
    # The plan goes through, and says so: an advisory line, no mandatory one.
    assert [(v.rule, v.enforcement) for v in result.violations] == [("cognito-threat-protection-opt-out", "advisory")]


def test_shorter_lifetimes_from_config(project):
    def edit(c):
        c["studio-access:identity"].update(accessTokenValidityMinutes=15, refreshTokenValidityMinutes=480)
        c["studio-access:access"].update(sessionExpirationSeconds=3600)
        c["studio-access:access"]["api"].update(authorizerTtlSeconds=60)

    project.edit("shared", edit)
    result = project.plan(["shared"])["shared"]
    client = one(result, "aws:cognito/userPoolClient:UserPoolClient", "access-client").inputs
    assert (client["accessTokenValidity"], client["refreshTokenValidity"]) == (15, 480)
    authorizer = one(result, "aws:apigateway/authorizer:Authorizer", "access-jwt").inputs
    assert authorizer["authorizerResultTtlInSeconds"] == 60
    env = one(result, "aws:lambda/function:Function", "access-presigned-url").inputs["environment"]["variables"]
    assert env[P.SESSION_EXPIRATION_SECONDS.name] == "3600"


def test_a_user_without_email_is_refused_and_no_shared_password_exists(project):
    project.edit("shared", lambda c: c["studio-access:users"][0].pop("email"))
    problems = project.problems("shared")
    assert [k for _, k, _ in problems] == ["studio-access:users[0].email"]
    project.edit("shared", lambda c: c.update({"studio-access:temporaryPassword": {"secure": "v1:AAAA"}}))
    keys = {k for _, k, _ in project.problems("shared")}
    assert keys == {"studio-access:users[0].email", "studio-access:temporaryPassword"}


def test_password_auth_only_when_config_asks(project):
    project.edit("shared", lambda c: c["studio-access:identity"].update(allowPasswordAuth=True))
    client = one(project.plan(["shared"])["shared"], "aws:cognito/userPoolClient:UserPoolClient", "access-client")
    assert "ALLOW_USER_PASSWORD_AUTH" in client.inputs["explicitAuthFlows"]


def test_oidc_issuer_instead_of_cognito(project):
    project.edit(
        "shared",
        lambda c: c.update(
            {
                "studio-access:identity": {
                    "provider": "oidc",
                    "issuer": "https://idp.example.com/oauth2",
                    "audience": "api://studio",
                    "usernameClaim": "preferred_username",
                    "allowMutableUsernameClaim": "preferred_username",
                }
            }
        ),
    )
    result = project.plan(["shared"])["shared"]
    assert resources(result, "aws:cognito/userPool:UserPool") == [] and resources(result, "aws:cognito/user:User") == []
    env = one(result, "aws:lambda/function:Function", "access-authorizer").inputs["environment"]["variables"]
    assert env["TOKEN_ISSUER"] == "https://idp.example.com/oauth2" and env["AUDIENCE"] == "api://studio"
    assert env["USERNAME_CLAIM"] == "preferred_username" and env["TOKEN_USE"] == ""
    assert result.outputs["identityProvider"] == "oidc" and "userPoolId" not in result.outputs


def test_oidc_email_as_username_checks_email_verified_and_rfc9068_type(project):
    identity = {
        "provider": "oidc",
        "issuer": "https://idp.example.com/oauth2",
        "audience": "api://studio",
        "usernameClaim": "email",
        "allowMutableUsernameClaim": "email",
        "requireAccessTokenType": True,
    }
    project.edit("shared", lambda c: c.update({"studio-access:identity": identity}))
    result = project.plan(["shared"])["shared"]
    env = one(result, "aws:lambda/function:Function", "access-authorizer").inputs["environment"]["variables"]
    assert env[A.USERNAME_CLAIM.name] == "email" and env[A.REQUIRE_EMAIL_VERIFIED.name] == "true"
    assert env[A.REQUIRED_TOKEN_TYPE.name] == "at+jwt"
    assert result.violations == []


def test_oidc_without_audience_or_clients_is_refused(project):
    project.edit(
        "shared",
        lambda c: c.update({"studio-access:identity": {"provider": "oidc", "issuer": "https://idp.example.com"}}),
    )
    assert any("needs audience or clientIds" in m for _, _, m in project.problems("shared"))


def test_user_whose_profile_the_lob_does_not_create(project):
    project.edit("shared", lambda c: c["studio-access:users"][1].update(profile="someone-else"))
    problems = project.problems("shared")
    assert ("Pulumi.shared.yaml", "studio-access:users[1].profile") in {(f, k) for f, k, _ in problems}


def test_user_of_an_unknown_lob(project):
    project.edit("shared", lambda c: c["studio-access:users"][1].update(lob="lob-z"))
    assert any("maps to LOB lob-z, which lobs does not list" in m for _, _, m in project.problems("shared"))


@pytest.mark.parametrize("value", [4, 301])
def test_url_expiry_outside_what_sagemaker_accepts(project, value):
    project.edit("shared", lambda c: c["studio-access:access"].update(urlExpiresSeconds=value))
    assert any(k == "studio-access:access.urlExpiresSeconds" for _, k, _ in project.problems("shared"))


# --------------------------------------------------------------------------- the LOB access role


@pytest.fixture(params=["lob-a", "lob-b"])
def lob(request, planned):
    return request.param, planned[request.param]


def test_access_role_trusted_only_by_the_presigned_url_role(lob, shared):
    name, result = lob
    role = one(result, "aws:iam/role:Role", f"{name}-access-role")
    assert role.inputs["name"] == "SagemakerStudioAccessRole" == shared.outputs[outputs.ACCESS_ROLE_NAME]
    assert _doc(role.inputs["assumeRolePolicy"]) == [
        {
            "Sid": "ThePresignedUrlFunctionAsAPerson",
            "Effect": "Allow",
            "Principal": {"AWS": shared.outputs["presignedUrlRoleArn"]},
            "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"],
            "Condition": {"StringLike": {"sts:SourceIdentity": "*"}},
        }
    ]
    assert "managedPolicyArns" not in role.inputs
    assert result.outputs["accessRoleArn"] == role.outputs["arn"]


def test_access_role_presigns_only_this_domains_profiles_through_the_central_endpoints(lob, shared):
    name, result = lob
    policy = one(result, "aws:iam/rolePolicy:RolePolicy", f"{name}-access-policy")
    statements = {s["Sid"]: s for s in _doc(policy.inputs["policy"])}
    domain = one(result, "aws:sagemaker/domain:Domain", f"{name}-domain")
    account = result.outputs["accountId"]
    profiles = f"arn:aws:sagemaker:us-east-1:{account}:user-profile/{domain.id}/*"
    assert statements["PresignThisDomainsProfiles"]["Action"] == ["sagemaker:CreatePresignedDomainUrl"]
    assert statements["PresignThisDomainsProfiles"]["Resource"] == profiles
    endpoints = sorted([shared.outputs["sagemakerApiEndpointId"], shared.outputs["studioEndpointId"]])
    for statement in statements.values():
        assert sorted(statement["Condition"]["StringEquals"]["aws:sourceVpce"]) == endpoints
        assert all(a != "*" and not a.endswith(":*") for a in _actions(statement))
    assert [s["Sid"] for s in statements.values() if s["Resource"] == "*"] == ["ListDomainsAndSpaces"]
    assert (
        statements["TellSharedAndOwnSpaces"]["Resource"] == f"arn:aws:sagemaker:us-east-1:{account}:space/{domain.id}/*"
    )
