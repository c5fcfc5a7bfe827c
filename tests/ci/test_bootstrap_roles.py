"""The CI roles (bootstrap/): the preview and deploy roles each stack's workflow jobs assume, checked offline.

The deploy tool itself is tested by layer in test_tools_deploy_*.py, the workflows in test_workflows.py.
"""

from __future__ import annotations

import fnmatch
import json
import shutil

import pytest
import yaml

from components.paths import PROJECT_DIR
from testkit import cfn
from tests.conftest import EXAMPLE, FIXTURES
from tools import plan as plan_tool

BOOTSTRAP = PROJECT_DIR / "bootstrap"
REPO = "acme/studio-access"
ACCOUNTS = {"shared": "111111111111", "lob": "222222222222"}
OIDC = "token.actions.githubusercontent.com"


def boundary_arn(account: str, stack: str) -> str:
    """The boundary bootstrap/ creates, as the program names it by default (AwsTarget.boundary_arn)."""
    return f"arn:aws:iam::{account}:policy/studio-access-boundary-{stack}"


def render(template: dict, params: dict, account: str) -> dict:
    """The template's resources rendered by testkit.cfn, a Ref to a resource giving its ARN."""
    stack = params.get("StackName", template["Parameters"].get("StackName", {}).get("Default"))
    refs = {
        "GitHubOidcProvider": f"arn:aws:iam::{account}:oidc-provider/{OIDC}",
        "ReadPolicy": f"arn:aws:iam::{account}:policy/read",
        "DeployPolicy": f"arn:aws:iam::{account}:policy/deploy",
        "BoundaryPolicy": boundary_arn(account, stack),
    }
    return cfn.render(template, params, account, refs=refs)


def _template(kind: str) -> dict:
    return yaml.safe_load((BOOTSTRAP / f"{kind}.yaml").read_text())  # plain YAML: a !Sub tag would fail here


def _params(kind: str, **extra) -> dict:
    base = {"GitHubRepository": REPO}
    if kind == "lob":
        base |= {"StackName": "lob-a", "LobName": "lob-a"}
    return base | extra


def _statements(doc: dict) -> list[dict]:
    return [doc["Statement"]] if isinstance(doc["Statement"], dict) else doc["Statement"]


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _policy(resources: dict, name: str) -> list[dict]:
    return _statements(resources[name]["Properties"]["PolicyDocument"])


def _matches(patterns, value: str) -> bool:
    return any(fnmatch.fnmatchcase(value.lower(), p.lower()) for p in _as_list(patterns))


# Condition keys whose value the tests model as part of a request (`context`); conditions on any
# other key (the region, KMS's service) are taken as met.
MODELED_KEYS = {"iam:permissionsboundary", "ram:shareowneraccountid"}


def _condition_met(condition: dict | None, context: dict[str, str]) -> bool:
    """StringEquals/StringLike/StringNotEquals on the modeled keys, as IAM evaluates them; an absent
    key fails a positive operator and meets a negated one."""
    values = {k.lower(): v for k, v in context.items()}
    for operator, block in (condition or {}).items():
        for key, wanted in block.items():
            if key.lower() not in MODELED_KEYS:
                continue
            got = values.get(key.lower())
            matched = got is not None and _matches(wanted, got)
            if operator in ("StringEquals", "StringLike") and not matched:
                return False
            if operator in ("StringNotEquals", "StringNotLike") and matched:
                return False
    return True


def allows(
    statements: list[dict], action: str, resource: str | None = None, context: dict[str, str] | None = None
) -> bool:
    """True when an Allow grants `action` (on `resource`, when given) and no Deny takes it away, for a
    request carrying `context` (the modeled condition keys)."""
    context = context or {}

    def hit(s):
        return (
            _matches(s["Action"], action)
            and (resource is None or _matches(s["Resource"], resource))
            and _condition_met(s.get("Condition"), context)
        )

    return any(hit(s) for s in statements if s["Effect"] == "Allow") and not any(
        hit(s) for s in statements if s["Effect"] == "Deny" and resource is not None
    )


@pytest.mark.parametrize("kind, stack", [("shared", "shared"), ("lob", "lob-a")])
@pytest.mark.parametrize("existing_provider", [False, True])
def test_ci_roles_trust_only_this_repository_and_its_environment(kind, stack, existing_provider):
    account = ACCOUNTS[kind]
    provider = f"arn:aws:iam::{account}:oidc-provider/{OIDC}"
    extra = {"OidcProviderArn": provider} if existing_provider else {}
    res = render(_template(kind), _params(kind, **extra), account)
    assert ("GitHubOidcProvider" in res) is not existing_provider
    if not existing_provider:
        assert res["GitHubOidcProvider"]["Properties"]["Url"] == f"https://{OIDC}"
        assert res["GitHubOidcProvider"]["Properties"]["ClientIdList"] == ["sts.amazonaws.com"]
    subjects = {"PreviewRole": f"repo:{REPO}:pull_request", "DeployRole": f"repo:{REPO}:environment:{stack}"}
    for role, subject in subjects.items():
        (statement,) = _statements(res[role]["Properties"]["AssumeRolePolicyDocument"])
        assert statement == {
            "Effect": "Allow",
            "Principal": {"Federated": provider},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {f"{OIDC}:aud": "sts.amazonaws.com", f"{OIDC}:sub": subject}},
        }
        assert res[role]["Properties"]["RoleName"] == f"studio-access-ci-{role[:-4].lower()}-{stack}"


@pytest.mark.parametrize("kind", ["shared", "lob"])
def test_ci_role_policies_have_no_wildcard_actions_and_scope_what_they_can(kind):
    res = render(_template(kind), _params(kind, StateBucketName="state-bucket"), ACCOUNTS[kind])
    documents = [_policy(res, "ReadPolicy"), _policy(res, "DeployPolicy")]
    documents += [
        _statements(p["PolicyDocument"])
        for role in ("PreviewRole", "DeployRole")
        for p in res[role]["Properties"]["Policies"]
    ]
    assert len(documents) == 4
    for statements in documents:
        for s in statements:
            for action in _as_list(s["Action"]):
                _service, _, name = action.partition(":")
                assert action != "*" and name not in ("", "*"), action
                if "*" in name:  # a verb prefix, for reads only
                    assert name.startswith(("Describe", "Get", "List")), action
            if s["Effect"] == "Allow" and "*" in _as_list(s["Resource"]):
                # On "*": reads, region- or service-conditioned creates, and the two creates IAM cannot scope.
                reads = all(a.split(":")[1].startswith(("Describe", "Get", "List")) for a in _as_list(s["Action"]))
                assert reads or "Condition" in s or s["Sid"] in ("HostedZones", "CreateUserPool"), s["Sid"]


@pytest.mark.parametrize("kind", ["shared", "lob"])
def test_the_preview_role_only_reads(kind):
    res = render(_template(kind), _params(kind, StateBucketName="state-bucket"), ACCOUNTS[kind])
    read = _policy(res, "ReadPolicy")
    for s in read:
        for action in _as_list(s["Action"]):
            # ViewBudget: AWS Budgets' read of a budget, its notifications and subscribers.
            reads = ("Describe", "Get", "List", "GET", "AdminGet", "AdminListGroupsForUser", "ViewBudget")
            assert action.split(":")[1].startswith(reads), action
    (state,) = res["PreviewRole"]["Properties"]["Policies"]
    writes = [s for s in _statements(state["PolicyDocument"]) if "s3:PutObject" in s["Action"]]
    assert [s["Resource"] for s in writes] == ["arn:aws:s3:::state-bucket/.pulumi/locks/*"]
    assert res["PreviewRole"]["Properties"]["ManagedPolicyArns"] == [f"arn:aws:iam::{ACCOUNTS[kind]}:policy/read"]


def test_without_a_state_bucket_there_is_no_state_policy():
    res = render(_template("lob"), _params("lob"), ACCOUNTS["lob"])
    assert res["PreviewRole"]["Properties"]["Policies"] == [] == res["DeployRole"]["Properties"]["Policies"]


@pytest.mark.parametrize("kind, lob", [("shared", None), ("lob", "lob-a"), ("lob", "studio")])
def test_the_deploy_role_cannot_change_the_ci_roles(kind, lob):
    params = _params(kind) | ({"LobName": lob} if lob else {})
    deploy_policy = _policy(render(_template(kind), params, ACCOUNTS[kind]), "DeployPolicy")
    for role in ("studio-access-ci-deploy-x", "studio-access-ci-preview-x"):
        arn = f"arn:aws:iam::{ACCOUNTS[kind]}:role/{role}"
        assert not any(
            allows(deploy_policy, a, arn) for a in ("iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:PassRole")
        )


# What creating and deleting each resource type of the program takes (the provider's main calls).
TYPE_ACTIONS = {
    "aws:ec2/route:Route": ["ec2:CreateRoute", "ec2:DeleteRoute"],
    "aws:ec2/routeTable:RouteTable": ["ec2:CreateRouteTable", "ec2:DeleteRouteTable"],
    "aws:ec2/routeTableAssociation:RouteTableAssociation": ["ec2:AssociateRouteTable", "ec2:DisassociateRouteTable"],
    "aws:ec2/securityGroup:SecurityGroup": [
        "ec2:CreateSecurityGroup",
        "ec2:DeleteSecurityGroup",
        "ec2:RevokeSecurityGroupEgress",
    ],
    "aws:ec2/subnet:Subnet": ["ec2:CreateSubnet", "ec2:DeleteSubnet"],
    "aws:ec2/vpc:Vpc": ["ec2:CreateVpc", "ec2:DeleteVpc", "ec2:ModifyVpcAttribute", "ec2:CreateTags"],
    "aws:ec2/vpcEndpoint:VpcEndpoint": ["ec2:CreateVpcEndpoint", "ec2:DeleteVpcEndpoints", "ec2:ModifyVpcEndpoint"],
    "aws:ec2/eip:Eip": ["ec2:AllocateAddress", "ec2:ReleaseAddress"],
    "aws:ec2/instance:Instance": ["ec2:RunInstances", "ec2:TerminateInstances", "ssm:GetParameter"],
    "aws:ec2/internetGateway:InternetGateway": [
        "ec2:CreateInternetGateway",
        "ec2:AttachInternetGateway",
        "ec2:DetachInternetGateway",
        "ec2:DeleteInternetGateway",
    ],
    "aws:ec2/natGateway:NatGateway": ["ec2:CreateNatGateway", "ec2:DeleteNatGateway"],
    "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": [
        "ec2:CreateVpcPeeringConnection",
        "ec2:AcceptVpcPeeringConnection",
        "ec2:DeleteVpcPeeringConnection",
    ],
    "aws:ec2transitgateway/transitGateway:TransitGateway": [
        "ec2:CreateTransitGateway",
        "ec2:DeleteTransitGateway",
        "iam:CreateServiceLinkedRole",
    ],
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment": [
        "ec2:CreateTransitGatewayVpcAttachment",
        "ec2:DeleteTransitGatewayVpcAttachment",
    ],
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": [
        "ec2:AuthorizeSecurityGroupEgress",
        "ec2:RevokeSecurityGroupEgress",
    ],
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": [
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupIngress",
    ],
    "aws:iam/role:Role": ["iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:TagRole"],
    # every VPC's flow logs and closed default security group; the segmented Transit Gateway
    "aws:ec2/flowLog:FlowLog": ["ec2:CreateFlowLogs", "ec2:DeleteFlowLogs", "iam:PassRole"],
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": [
        "ec2:RevokeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:DescribeSecurityGroups",
    ],
    "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy": ["ec2:ModifyVpcEndpoint"],
    "aws:ec2transitgateway/routeTable:RouteTable": [
        "ec2:CreateTransitGatewayRouteTable",
        "ec2:DeleteTransitGatewayRouteTable",
    ],
    "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation": [
        "ec2:AssociateTransitGatewayRouteTable",
        "ec2:DisassociateTransitGatewayRouteTable",
    ],
    "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation": [
        "ec2:EnableTransitGatewayRouteTablePropagation",
        "ec2:DisableTransitGatewayRouteTablePropagation",
    ],
    "aws:ec2transitgateway/defaultRouteTableAssociation:DefaultRouteTableAssociation": ["ec2:ModifyTransitGateway"],
    "aws:ec2transitgateway/defaultRouteTablePropagation:DefaultRouteTablePropagation": ["ec2:ModifyTransitGateway"],
    "aws:iam/rolePolicy:RolePolicy": ["iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:GetRolePolicy"],
    "aws:route53/resolverRuleAssociation:ResolverRuleAssociation": [
        "route53resolver:AssociateResolverRule",
        "route53resolver:DisassociateResolverRule",
    ],
    "aws:route53/record:Record": ["route53:ChangeResourceRecordSets", "route53:GetChange"],
    "aws:route53/resolverEndpoint:ResolverEndpoint": [
        "route53resolver:CreateResolverEndpoint",
        "route53resolver:DeleteResolverEndpoint",
        "ec2:CreateNetworkInterface",
    ],
    "aws:route53/resolverRule:ResolverRule": [
        "route53resolver:CreateResolverRule",
        "route53resolver:DeleteResolverRule",
        "route53resolver:PutResolverRulePolicy",
    ],
    "aws:route53/zone:Zone": ["route53:CreateHostedZone", "route53:DeleteHostedZone"],
    "aws:route53/zoneAssociation:ZoneAssociation": [
        "route53:AssociateVPCWithHostedZone",
        "route53:DisassociateVPCFromHostedZone",
    ],
    "aws:ram/resourceShare:ResourceShare": ["ram:CreateResourceShare", "ram:DeleteResourceShare"],
    "aws:ram/principalAssociation:PrincipalAssociation": [
        "ram:AssociateResourceShare",
        "ram:DisassociateResourceShare",
    ],
    "aws:ram/resourceAssociation:ResourceAssociation": ["ram:AssociateResourceShare", "ram:DisassociateResourceShare"],
    "aws:ram/resourceShareAccepter:ResourceShareAccepter": [
        "ram:AcceptResourceShareInvitation",
        "ram:GetResourceShareInvitations",
        "ram:DisassociateResourceShare",
    ],
    "aws:s3/bucket:Bucket": ["s3:CreateBucket", "s3:DeleteBucket", "s3:GetBucketTagging"],
    "aws:s3/bucketPolicy:BucketPolicy": ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy"],
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ["s3:PutBucketPublicAccessBlock"],
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": [
        "s3:PutEncryptionConfiguration"
    ],
    "aws:sagemaker/domain:Domain": [
        "sagemaker:CreateDomain",
        "sagemaker:DeleteDomain",
        "sagemaker:DescribeDomain",
        "iam:PassRole",
        "elasticfilesystem:CreateFileSystem",
    ],
    "aws:sagemaker/userProfile:UserProfile": ["sagemaker:CreateUserProfile", "sagemaker:DeleteUserProfile"],
    "aws:apigateway/account:Account": ["apigateway:PATCH", "iam:PassRole"],
    "aws:apigateway/restApi:RestApi": ["apigateway:POST", "apigateway:PUT", "apigateway:DELETE", "apigateway:GET"],
    "aws:apigateway/authorizer:Authorizer": ["apigateway:POST", "apigateway:DELETE"],
    "aws:apigateway/deployment:Deployment": ["apigateway:POST", "apigateway:DELETE"],
    "aws:apigateway/integration:Integration": ["apigateway:PUT", "apigateway:DELETE"],
    "aws:apigateway/integrationResponse:IntegrationResponse": ["apigateway:PUT", "apigateway:DELETE"],
    "aws:apigateway/methodResponse:MethodResponse": ["apigateway:PUT", "apigateway:DELETE"],
    "aws:apigateway/method:Method": ["apigateway:PUT", "apigateway:DELETE"],
    "aws:apigateway/methodSettings:MethodSettings": ["apigateway:PATCH"],
    "aws:apigateway/resource:Resource": ["apigateway:POST", "apigateway:DELETE"],
    "aws:apigateway/stage:Stage": ["apigateway:POST", "apigateway:PATCH", "apigateway:DELETE"],
    "aws:cloudwatch/logGroup:LogGroup": [
        "logs:CreateLogGroup",
        "logs:DeleteLogGroup",
        "logs:PutRetentionPolicy",
        "logs:DescribeLogGroups",
    ],
    "aws:cognito/userPool:UserPool": [
        "cognito-idp:CreateUserPool",
        "cognito-idp:DeleteUserPool",
        "cognito-idp:SetUserPoolMfaConfig",
    ],
    "aws:cognito/userPoolClient:UserPoolClient": [
        "cognito-idp:CreateUserPoolClient",
        "cognito-idp:DeleteUserPoolClient",
    ],
    "aws:cognito/user:User": ["cognito-idp:AdminCreateUser", "cognito-idp:AdminDeleteUser", "cognito-idp:AdminGetUser"],
    "aws:cognito/userPoolDomain:UserPoolDomain": [
        "cognito-idp:CreateUserPoolDomain",
        "cognito-idp:DeleteUserPoolDomain",
        "cognito-idp:DescribeUserPoolDomain",
    ],
    "aws:cognito/managedLoginBranding:ManagedLoginBranding": [
        "cognito-idp:CreateManagedLoginBranding",
        "cognito-idp:DeleteManagedLoginBranding",
        "cognito-idp:DescribeManagedLoginBrandingByClient",
    ],
    "aws:cognito/userGroup:UserGroup": ["cognito-idp:CreateGroup", "cognito-idp:DeleteGroup", "cognito-idp:GetGroup"],
    "aws:cognito/userInGroup:UserInGroup": [
        "cognito-idp:AdminAddUserToGroup",
        "cognito-idp:AdminRemoveUserFromGroup",
        "cognito-idp:AdminListGroupsForUser",
    ],
    # Threat protection's actions: set (and, set empty, removed) and read back.
    "aws:cognito/riskConfiguration:RiskConfiguration": [
        "cognito-idp:SetRiskConfiguration",
        "cognito-idp:DescribeRiskConfiguration",
    ],
    "aws:dynamodb/table:Table": [
        "dynamodb:CreateTable",
        "dynamodb:DeleteTable",
        "dynamodb:UpdateContinuousBackups",
        "dynamodb:DescribeTable",
    ],
    "aws:dynamodb/tableItem:TableItem": ["dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:GetItem"],
    "aws:kms/key:Key": [
        "kms:CreateKey",
        "kms:PutKeyPolicy",
        "kms:ScheduleKeyDeletion",
        "kms:DescribeKey",
        "kms:GetKeyPolicy",
        "kms:GetPublicKey",
    ],
    "aws:lambda/function:Function": [
        "lambda:CreateFunction",
        "lambda:DeleteFunction",
        "lambda:GetFunction",
        "iam:PassRole",
    ],
    "aws:lambda/permission:Permission": ["lambda:AddPermission", "lambda:RemovePermission"],
    # A budget and its notifications are all ModifyBudget; the provider's default tags go on with it.
    "aws:budgets/budget:Budget": ["budgets:ModifyBudget", "budgets:ViewBudget", "budgets:TagResource"],
}
NAMED = {  # resource type: the ARN its name (the mock's id) lands in, and an action on it
    "aws:iam/role:Role": (
        "arn:aws:iam::{account}:role/{id}",
        ["iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRole"],
    ),
    "aws:lambda/function:Function": (
        "arn:aws:lambda:us-east-1:{account}:function:{id}",
        ["lambda:CreateFunction", "lambda:DeleteFunction"],
    ),
    "aws:dynamodb/table:Table": (
        "arn:aws:dynamodb:us-east-1:{account}:table/{id}",
        ["dynamodb:CreateTable", "dynamodb:PutItem", "dynamodb:GetItem"],
    ),
    "aws:cloudwatch/logGroup:LogGroup": (
        "arn:aws:logs:us-east-1:{account}:log-group:{id}",
        ["logs:CreateLogGroup", "logs:PutRetentionPolicy"],
    ),
    "aws:s3/bucket:Bucket": ("arn:aws:s3:::{id}", ["s3:CreateBucket", "s3:PutBucketPolicy", "s3:GetBucketPolicy"]),
}


@pytest.fixture(scope="module")
def every_kind_of_stack(tmp_path_factory):
    """Plans that between them build every resource type: the project, the simulator, a LOB outside the organization."""
    outside = tmp_path_factory.mktemp("outside")
    for f in EXAMPLE.glob("Pulumi*.yaml"):
        shutil.copy(f, outside / f.name)
    shared = yaml.safe_load((outside / "Pulumi.shared.yaml").read_text())
    shared["config"]["studio-access:ram"]["allowExternalPrincipals"] = True
    (outside / "Pulumi.shared.yaml").write_text(yaml.safe_dump(shared))
    for lob in ("lob-a", "lob-b"):
        doc = yaml.safe_load((outside / f"Pulumi.{lob}.yaml").read_text())
        # lob-a also makes profiles just in time: the access role's CreateUserProfile must fit the boundary
        doc["config"]["studio-access:lob"].update(
            acceptRamShare=True, runtimeEndpoint="local", justInTimeProfiles=lob == "lob-a"
        )
        (outside / f"Pulumi.{lob}.yaml").write_text(yaml.safe_dump(doc))
    plans = [plan_tool.plan(None, FIXTURES / "onprem"), plan_tool.plan(None, outside)]
    return [(p.loaded.config.role, p) for results in plans for p in results.values()]


@pytest.mark.parametrize("kind", ["shared", "lob"])
def test_the_deploy_role_can_create_and_delete_everything_its_stack_builds(kind, every_kind_of_stack):
    account = ACCOUNTS[kind]
    extra = {"SharedAccountId": ACCOUNTS["shared"]} if kind == "lob" else {}
    res = render(_template(kind), _params(kind, **extra), account)
    granted = _policy(res, "DeployPolicy") + _policy(res, "ReadPolicy")
    # What the program's requests carry: each role its stack's boundary; the share's owner.
    stack = _params(kind)["StackName"] if kind == "lob" else "shared"
    request = {"iam:PermissionsBoundary": boundary_arn(account, stack), "ram:ShareOwnerAccountId": ACCOUNTS["shared"]}
    stacks = [p for role, p in every_kind_of_stack if role == kind]
    types = {r.type for p in stacks for r in p.resources if r.custom and not r.type.startswith("pulumi:providers:")}
    unknown = sorted(types - set(TYPE_ACTIONS))
    assert not unknown, (
        f"new resource types: add what they need to bootstrap/{kind}.yaml and to TYPE_ACTIONS: {unknown}"
    )
    missing = sorted({(t, a) for t in types for a in TYPE_ACTIONS[t] if not allows(granted, a, context=request)})
    assert not missing
    for p in stacks:
        if p.stack not in ("shared", "lob-a"):
            continue
        for r in p.resources:
            if r.type in NAMED:
                pattern, actions = NAMED[r.type]
                arn = pattern.format(account=account, id=r.id)
                assert all(allows(granted, a, arn, request) for a in actions), (r.type, arn)


@pytest.mark.parametrize("kind", ["shared", "lob"])
def test_the_ci_roles_reach_the_stacks_own_budget_only(kind, every_kind_of_stack):
    account = ACCOUNTS[kind]
    stack = _params(kind)["StackName"] if kind == "lob" else "shared"
    res = render(_template(kind), _params(kind), account)
    read, deploy = _policy(res, "ReadPolicy"), _policy(res, "DeployPolicy")
    # the name the program gives the budget of this stack
    names = {
        r.inputs["name"]
        for role, p in every_kind_of_stack
        if role == kind and p.stack == stack
        for r in p.resources
        if r.type == "aws:budgets/budget:Budget"
    }
    assert names == {f"studio-access-{stack}"}
    ours = f"arn:aws:budgets::{account}:budget/studio-access-{stack}"
    other = f"arn:aws:budgets::{account}:budget/finance-team"
    assert allows(deploy, "budgets:ModifyBudget", ours) and allows(read, "budgets:ViewBudget", ours)
    assert not any(allows(read + deploy, a, other) for a in ("budgets:ModifyBudget", "budgets:ViewBudget"))
    assert not allows(read, "budgets:ModifyBudget", ours)


# --------------------------------------------------------------------------- the permissions boundary

ROLE_WRITES = [
    "iam:CreateRole",
    "iam:PutRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:AttachRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
]


def _stack_role(kind: str) -> tuple[str, str, str]:
    """(account, stack, an ARN of a role the stack's program creates)."""
    account = ACCOUNTS[kind]
    if kind == "shared":
        return account, "shared", f"arn:aws:iam::{account}:role/access-authorizer-1234567"
    return account, "lob-a", f"arn:aws:iam::{account}:role/lob-a-execution-1234567"


@pytest.mark.parametrize("kind", ["shared", "lob"])
def test_roles_are_written_only_with_the_stacks_boundary(kind):
    account, stack, role = _stack_role(kind)
    res = render(_template(kind), _params(kind), account)
    deploy = _policy(res, "DeployPolicy")
    ours = {"iam:PermissionsBoundary": boundary_arn(account, stack)}
    other = {"iam:PermissionsBoundary": f"arn:aws:iam::{account}:policy/AdministratorAccessLookalike"}
    for action in ("iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary"):
        assert allows(deploy, action, role, ours), action
        assert not allows(deploy, action, role, other) and not allows(deploy, action, role, {}), action
    # Managed policies are never attached by the program, with or without the boundary.
    assert not any(allows(deploy, a, role, ours) for a in ("iam:AttachRolePolicy", "iam:DetachRolePolicy"))
    # Removing the boundary, or swapping it for another policy, is denied on every role of the account.
    any_role = f"arn:aws:iam::{account}:role/anything"
    denies = [s for s in deploy if s["Effect"] == "Deny"]
    assert any(
        _matches(s["Action"], "iam:DeleteRolePermissionsBoundary") and _matches(s["Resource"], any_role) for s in denies
    )
    for action in ROLE_WRITES:
        assert any(
            _matches(s["Action"], action)
            and _matches(s["Resource"], any_role)
            and s.get("Condition") == {"StringNotEquals": {"iam:PermissionsBoundary": boundary_arn(account, stack)}}
            for s in denies
        ), action
    # Nor can the boundary policy itself be edited or deleted.
    edits = ("iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion")
    assert all(
        any(_matches(s["Action"], a) and _matches(s["Resource"], boundary_arn(account, stack)) for s in denies)
        for a in edits
    )


@pytest.mark.parametrize("kind", ["shared", "lob"])
def test_the_boundary_is_the_policy_the_program_names_and_grants_no_iam(kind):
    account, stack, _ = _stack_role(kind)
    res = render(_template(kind), _params(kind), account)
    boundary = res["BoundaryPolicy"]["Properties"]
    assert f"arn:aws:iam::{account}:policy/{boundary['ManagedPolicyName']}" == boundary_arn(account, stack)
    statements = _statements(boundary["PolicyDocument"])
    actions = [a for s in statements for a in _as_list(s["Action"])]
    assert all(s["Effect"] == "Allow" for s in statements)
    assert not [a for a in actions if a.split(":")[0] in ("iam", "organizations", "account")]
    assert not [a for a in actions if a.split(":")[1] == "*" or a == "*"]
    assert [s["Resource"] for s in statements if "sts:AssumeRole" in _as_list(s["Action"])] in (
        [],
        ["arn:aws:iam::*:role/SagemakerStudioAccessRole"],
    )


@pytest.mark.parametrize("kind", ["shared", "lob"])
def test_the_boundary_allows_everything_the_stacks_roles_are_given(kind, every_kind_of_stack):
    """A role's permissions are its policy AND the boundary: each planned Allow must fit the boundary."""
    missing = set()
    for role_kind, planned in every_kind_of_stack:
        if role_kind != kind:
            continue
        params = _params(kind, **({"StackName": planned.stack} if kind == "lob" else {}))
        rendered = render(_template(kind), params, planned.outputs["accountId"])
        boundary = _statements(rendered["BoundaryPolicy"]["Properties"]["PolicyDocument"])
        for r in planned.resources:
            if r.type != "aws:iam/rolePolicy:RolePolicy":
                continue
            for s in _statements(json.loads(r.inputs["policy"])):
                if s["Effect"] != "Allow":
                    continue
                for action in _as_list(s["Action"]):
                    missing |= {
                        (r.name, action, resource)
                        for resource in _as_list(s["Resource"])
                        if not allows(boundary, action, resource)
                    }
    assert not missing, f"add to bootstrap/{kind}.yaml BoundaryPolicy: {sorted(missing)}"


def test_every_planned_role_carries_its_stacks_boundary(every_kind_of_stack):
    for _, planned in every_kind_of_stack:
        account = planned.outputs["accountId"]
        for r in planned.resources:
            if r.type == "aws:iam/role:Role":
                assert r.inputs["permissionsBoundary"] == boundary_arn(account, planned.stack), r.name


# --------------------------------------------------------------------------- RAM invitations


def test_only_the_shared_accounts_invitation_can_be_accepted():
    account = ACCOUNTS["lob"]
    invitation = "arn:aws:ram:us-east-1:999999999999:resource-share-invitation/abc"
    res = render(_template("lob"), _params("lob", SharedAccountId=ACCOUNTS["shared"]), account)
    deploy = _policy(res, "DeployPolicy")
    accept = "ram:AcceptResourceShareInvitation"
    assert allows(deploy, accept, invitation, {"ram:ShareOwnerAccountId": ACCOUNTS["shared"]})
    assert not allows(deploy, accept, invitation, {"ram:ShareOwnerAccountId": "999999999999"})
    assert not allows(deploy, accept, invitation, {})
    leave = "ram:DisassociateResourceShare"
    assert allows(deploy, leave, f"arn:aws:ram:us-east-1:{ACCOUNTS['shared']}:resource-share/x")
    assert not allows(deploy, leave, "arn:aws:ram:us-east-1:999999999999:resource-share/x")
    # Inside the organization there is no invitation: nothing to accept at all.
    inside = _policy(render(_template("lob"), _params("lob"), account), "DeployPolicy")
    assert not allows(inside, accept) and not allows(inside, leave)


# --------------------------------------------------------------------------- job_workflow_ref


@pytest.mark.parametrize("kind, stack", [("shared", "shared"), ("lob", "lob-a")])
def test_the_trust_can_name_the_workflow_file_and_branch(kind, stack):
    account = ACCOUNTS[kind]
    res = render(_template(kind), _params(kind, SubjectClaims="job_workflow_ref", DeployBranch="release"), account)
    (deploy,) = _statements(res["DeployRole"]["Properties"]["AssumeRolePolicyDocument"])
    assert deploy["Condition"] == {
        "StringEquals": {
            f"{OIDC}:aud": "sts.amazonaws.com",
            f"{OIDC}:sub": f"repo:{REPO}:environment:{stack}:job_workflow_ref:{REPO}/.github/workflows/up.yml@refs/heads/release",
        }
    }
    (preview,) = _statements(res["PreviewRole"]["Properties"]["AssumeRolePolicyDocument"])
    assert preview["Condition"] == {
        "StringEquals": {f"{OIDC}:aud": "sts.amazonaws.com"},
        "StringLike": {
            f"{OIDC}:sub": f"repo:{REPO}:pull_request:job_workflow_ref:{REPO}/.github/workflows/preview.yml@refs/pull/*/merge"
        },
    }
    # The workflow files the trust names exist, and up.yml is the one that runs `pulumi up`.
    workflows = PROJECT_DIR / ".github" / "workflows"
    assert (workflows / "preview.yml").exists() and "command: up" in (workflows / "up.yml").read_text()
