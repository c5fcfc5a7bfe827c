"""Each LOB stack: its VPC on the shared TGW, its resolver rules, and a VPC-only Studio domain."""

from __future__ import annotations

import json

import pytest

from components.network_hub import ENDPOINTS
from tests.conftest import one, resources

SG_IN = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG_OUT = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"


@pytest.fixture(params=["lob-a", "lob-b"])
def lob(request, planned):
    return request.param, planned[request.param]


def _names(result, ids):
    by_id = {r.id: r.name for r in result.resources}
    return sorted(by_id[i] for i in ids)


def test_domain_is_vpc_only_in_the_lob_private_subnets(lob):
    name, result = lob
    domain = one(result, "aws:sagemaker/domain:Domain", f"{name}-domain").inputs
    assert domain["appNetworkAccessType"] == "VpcOnly"
    assert domain["authMode"] == "IAM"
    assert domain["domainName"] == f"sagemaker-domain-{name}"
    assert domain["vpcId"] == one(result, "aws:ec2/vpc:Vpc", f"{name}-vpc").id
    assert _names(result, domain["subnetIds"]) == [f"{name}-private-0", f"{name}-private-1"]
    group = one(result, "aws:ec2/securityGroup:SecurityGroup", f"{name}-studio")
    assert domain["defaultUserSettings"]["securityGroups"] == [group.id]
    assert domain["defaultUserSettings"]["studioWebPortal"] == "ENABLED"
    role = one(result, "aws:iam/role:Role", f"{name}-execution")
    assert domain["defaultUserSettings"]["executionRole"] == role.outputs["arn"]


def test_one_user_profile_per_configured_user(lob):
    name, result = lob
    domain = one(result, "aws:sagemaker/domain:Domain", f"{name}-domain")
    profiles = resources(result, "aws:sagemaker/userProfile:UserProfile")
    assert [(p.inputs["userProfileName"], p.inputs["domainId"]) for p in profiles] == [(f"user-{name}", domain.id)]
    assert result.outputs["userProfileNames"] == [f"user-{name}"]


def test_attachment_to_the_shared_tgw_in_the_attachment_subnets(lob, planned):
    name, result = lob
    attachment = one(result, "aws:ec2transitgateway/vpcAttachment:VpcAttachment", f"{name}-tgw").inputs
    assert attachment["transitGatewayId"] == planned["shared"].outputs["transitGatewayId"]
    assert _names(result, attachment["subnetIds"]) == [f"{name}-attachment-0", f"{name}-attachment-1"]
    # Set from a non-owner account, these give a perpetual diff.
    assert "transitGatewayDefaultRouteTableAssociation" not in attachment
    assert "transitGatewayDefaultRouteTablePropagation" not in attachment


def test_route_to_the_tgw_depends_on_the_attachment(lob, planned):
    name, result = lob
    route = one(result, "aws:ec2/route:Route", f"{name}-default-to-tgw")
    attachment = one(result, "aws:ec2transitgateway/vpcAttachment:VpcAttachment", f"{name}-tgw")
    assert attachment.urn in route.dependencies
    assert route.inputs["transitGatewayId"] == planned["shared"].outputs["transitGatewayId"]


def test_shared_resolver_rules_associated_with_the_lob_vpc(lob, planned):
    name, result = lob
    vpc = one(result, "aws:ec2/vpc:Vpc", f"{name}-vpc")
    assoc = {r.name: r.inputs for r in resources(result, "aws:route53/resolverRuleAssociation:ResolverRuleAssociation")}
    shared_rules = planned["shared"].outputs["resolverRuleIds"]
    assert {n: a["resolverRuleId"] for n, a in assoc.items()} == {f"{name}-{k}": shared_rules[k] for k in ENDPOINTS}
    assert all(a["vpcId"] == vpc.id for a in assoc.values())


def test_s3_gateway_endpoint_on_the_private_route_table(lob):
    name, result = lob
    s3 = one(result, "aws:ec2/vpcEndpoint:VpcEndpoint", f"{name}-s3").inputs
    assert s3["serviceName"] == "com.amazonaws.us-east-1.s3" and s3["vpcEndpointType"] == "Gateway"
    assert s3["routeTableIds"] == [one(result, "aws:ec2/routeTable:RouteTable", f"{name}-private").id]


def test_studio_security_group_egress_only_where_studio_must_go(lob):
    name, result = lob
    group = one(result, "aws:ec2/securityGroup:SecurityGroup", f"{name}-studio")
    s3 = one(result, "aws:ec2/vpcEndpoint:VpcEndpoint", f"{name}-s3")
    out = [r.inputs for r in resources(result, SG_OUT) if r.inputs["securityGroupId"] == group.id]
    peers = sorted(
        (
            r["ipProtocol"],
            r.get("fromPort"),
            r.get("cidrIpv4") or r.get("prefixListId") or r.get("referencedSecurityGroupId"),
        )
        for r in out
    )
    assert peers == sorted(
        [
            ("tcp", 2049, group.id),
            ("tcp", 8192, group.id),
            ("tcp", 443, "10.0.0.0/16"),
            ("tcp", 443, s3.outputs["prefixListId"]),
        ]
    )
    ins = [r.inputs for r in resources(result, SG_IN) if r.inputs["securityGroupId"] == group.id]
    # Within the group, NFS to the home EFS and Studio's app port range only, never every port.
    assert sorted((r["ipProtocol"], r["fromPort"], r["toPort"], r["referencedSecurityGroupId"]) for r in ins) == [
        ("tcp", 2049, 2049, group.id),
        ("tcp", 8192, 65535, group.id),
    ]
    assert not any("cidrIpv4" in r for r in ins)


def _statements(policy: str) -> list[dict]:
    return json.loads(policy)["Statement"]


def test_execution_role_is_least_privilege(lob):
    name, result = lob
    role = one(result, "aws:iam/role:Role", f"{name}-execution")
    trust = _statements(role.inputs["assumeRolePolicy"])
    assert trust == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "sagemaker.amazonaws.com"},
            "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"],
            "Condition": {"StringEquals": {"aws:SourceAccount": result.outputs["accountId"]}},
        }
    ]
    assert "managedPolicyArns" not in role.inputs
    policy = one(result, "aws:iam/rolePolicy:RolePolicy", f"{name}-execution")
    assert policy.inputs["role"] == role.id
    statements = {s["Sid"]: s for s in _statements(policy.inputs["policy"])}
    bucket = result.outputs["studioBucket"]
    domain = one(result, "aws:sagemaker/domain:Domain", f"{name}-domain")
    for s in statements.values():
        actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
        assert all(a != "*" and not a.endswith(":*") for a in actions), s
    assert statements["OwnPrefixList"]["Resource"] == f"arn:aws:s3:::{bucket}"
    assert statements["OwnPrefixObjects"]["Resource"] == f"arn:aws:s3:::{bucket}/users/${{aws:SourceIdentity}}/*"
    domain_resources = statements["ThisDomainReads"]["Resource"]
    assert domain_resources[0] == domain.outputs["arn"]
    assert all(domain.id in r for r in domain_resources)
    # Only list calls (which IAM cannot scope) use "*".
    assert [s["Sid"] for s in statements.values() if s["Resource"] == "*"] == ["Lists"]
    assert all(a.startswith("sagemaker:List") for a in statements["Lists"]["Action"])


def test_studio_bucket_is_private_encrypted_and_tls_only(lob):
    name, result = lob
    block = one(result, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", f"{name}-studio").inputs
    assert all(
        block[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    sse = one(
        result,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        f"{name}-studio",
    ).inputs
    assert sse["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"
    deny = _statements(one(result, "aws:s3/bucketPolicy:BucketPolicy", f"{name}-studio").inputs["policy"])[0]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_domain_waits_for_its_network(lob):
    name, result = lob
    domain = one(result, "aws:sagemaker/domain:Domain", f"{name}-domain")
    route = one(result, "aws:ec2/route:Route", f"{name}-default-to-tgw")
    assert route.urn in domain.dependencies
    for assoc in resources(result, "aws:route53/resolverRuleAssociation:ResolverRuleAssociation"):
        assert assoc.urn in domain.dependencies


def test_outside_the_organization_the_share_is_accepted_before_attaching(project):
    project.edit("shared", lambda c: c["studio-access:ram"].update(allowExternalPrincipals=True))
    project.edit("lob-a", lambda c: c["studio-access:lob"].update(acceptRamShare=True))
    results = project.plan(["lob-a"])
    lob = results["lob-a"]
    accepter = one(lob, "aws:ram/resourceShareAccepter:ResourceShareAccepter", "lob-a-share")
    assert accepter.inputs["shareArn"] == results["shared"].outputs["ramShareArn"]
    assert accepter.urn in one(lob, "aws:ec2transitgateway/vpcAttachment:VpcAttachment", "lob-a-tgw").dependencies
    for assoc in resources(lob, "aws:route53/resolverRuleAssociation:ResolverRuleAssociation"):
        assert accepter.urn in assoc.dependencies
    assert (
        one(results["shared"], "aws:ram/resourceShare:ResourceShare", "hub-share").inputs["allowExternalPrincipals"]
        is True
    )


def test_inside_the_organization_there_is_no_accepter(lob):
    _, result = lob
    assert resources(result, "aws:ram/resourceShareAccepter:ResourceShareAccepter") == []


def test_local_runtime_endpoint_replaces_the_central_rule(project):
    project.edit("lob-b", lambda c: c["studio-access:lob"].update(runtimeEndpoint="local"))
    lob = project.plan(["lob-b"])["lob-b"]
    endpoint = one(lob, "aws:ec2/vpcEndpoint:VpcEndpoint", "lob-b-sagemaker-runtime").inputs
    assert endpoint["serviceName"] == "com.amazonaws.us-east-1.sagemaker.runtime"
    assert endpoint["privateDnsEnabled"] is True
    names = {r.name for r in resources(lob, "aws:route53/resolverRuleAssociation:ResolverRuleAssociation")}
    assert "lob-b-sagemaker-runtime" not in names and "lob-b-sagemaker-api" in names
    runtime_group = one(lob, "aws:ec2/securityGroup:SecurityGroup", "lob-b-runtime")
    studio_group = one(lob, "aws:ec2/securityGroup:SecurityGroup", "lob-b-studio")
    ins = [r.inputs for r in resources(lob, SG_IN) if r.inputs["securityGroupId"] == runtime_group.id]
    assert [(r["fromPort"], r["referencedSecurityGroupId"]) for r in ins] == [(443, studio_group.id)]


def test_configured_bucket_is_used_instead_of_a_new_one(project):
    project.edit("lob-a", lambda c: c["studio-access:lob"].update(studioBucket="acme-lob-a-studio"))
    lob = project.plan(["lob-a"])["lob-a"]
    assert resources(lob, "aws:s3/bucket:Bucket") == []
    statements = {
        s["Sid"]: s for s in _statements(one(lob, "aws:iam/rolePolicy:RolePolicy", "lob-a-execution").inputs["policy"])
    }
    assert statements["OwnPrefixList"]["Resource"] == "arn:aws:s3:::acme-lob-a-studio"
    endpoint = one(lob, "aws:ec2/vpcEndpoint:VpcEndpoint", "lob-a-s3").inputs
    assert _statements(endpoint["policy"])[0]["Resource"] == [
        "arn:aws:s3:::acme-lob-a-studio",
        "arn:aws:s3:::acme-lob-a-studio/*",
    ]


def test_home_file_system_is_kept_unless_the_lob_asks_to_delete_it(lob, project):
    name, result = lob
    domain = one(result, "aws:sagemaker/domain:Domain", f"{name}-domain").inputs
    assert domain["retentionPolicy"] == {"homeEfsFileSystem": "Retain"}
    project.edit("lob-a", lambda c: c["studio-access:lob"].update(homeEfsOnDelete="Delete"))
    planned = project.plan(["lob-a"])["lob-a"]
    assert one(planned, "aws:sagemaker/domain:Domain", "lob-a-domain").inputs["retentionPolicy"] == {
        "homeEfsFileSystem": "Delete"
    }


def test_home_file_system_policy_is_one_of_sagemakers_two(project):
    project.edit("lob-a", lambda c: c["studio-access:lob"].update(homeEfsOnDelete="delete"))
    assert [k for _, k, _ in project.problems("lob-a")] == ["studio-access:lob.homeEfsOnDelete"]


def test_the_domain_sets_the_user_profile_name_as_source_identity(lob):
    name, result = lob
    domain = one(result, "aws:sagemaker/domain:Domain", f"{name}-domain").inputs
    assert domain["domainSettings"]["executionRoleIdentityConfig"] == "USER_PROFILE_NAME"


def test_the_s3_endpoint_admits_only_the_lobs_bucket_and_aws_owned_buckets(lob):
    name, result = lob
    endpoint = one(result, "aws:ec2/vpcEndpoint:VpcEndpoint", f"{name}-s3").inputs
    bucket = result.outputs["studioBucket"]
    buckets = sorted({r.split(":::")[1].split("/")[0] for s in _statements(endpoint["policy"]) for r in s["Resource"]})
    assert buckets == sorted([bucket, "jumpstart-cache-prod-us-east-1", "jumpstart-private-cache-prod-us-east-1"])
    assert all(
        s["Condition"] == {"StringEquals": {"aws:PrincipalAccount": result.outputs["accountId"]}}
        for s in _statements(endpoint["policy"])
    )


def test_the_studio_bucket_is_kept_on_destroy_unless_the_lob_asks(lob, project):
    name, result = lob
    assert one(result, "aws:s3/bucket:Bucket", f"{name}-studio").inputs["forceDestroy"] is False
    project.edit("lob-a", lambda c: c["studio-access:lob"].update(studioBucketForceDestroy=True))
    planned = project.plan(["lob-a"])["lob-a"]
    assert one(planned, "aws:s3/bucket:Bucket", "lob-a-studio").inputs["forceDestroy"] is True


def test_force_destroy_is_refused_for_a_bucket_the_stack_does_not_create(project):
    project.edit(
        "lob-a", lambda c: c["studio-access:lob"].update(studioBucket="acme-data", studioBucketForceDestroy=True)
    )
    [(_, key, message)] = project.problems("lob-a")
    assert key == "studio-access:lob" and "studioBucketForceDestroy" in message


def test_every_role_carries_the_stacks_permissions_boundary(planned):
    for stack, result in planned.items():
        account = result.outputs["accountId"]
        roles = resources(result, "aws:iam/role:Role")
        assert roles, stack
        for role in roles:
            expected = f"arn:aws:iam::{account}:policy/studio-access-boundary-{stack}"
            assert role.inputs.get("permissionsBoundary") == expected, (stack, role.name)


def test_a_configured_permissions_boundary_is_used_instead(project):
    arn = "arn:aws:iam::222222222222:policy/org/ml-platform-boundary"
    project.edit("lob-a", lambda c: c["studio-access:aws"].update(permissionsBoundaryArn=arn))
    lob = project.plan(["lob-a"])["lob-a"]
    assert {r.inputs["permissionsBoundary"] for r in resources(lob, "aws:iam/role:Role")} == {arn}
    project.edit("lob-a", lambda c: c["studio-access:aws"].update(permissionsBoundaryArn=arn.replace("2222", "9999")))
    [(_, key, message)] = project.problems("lob-a")
    assert key == "studio-access:aws" and "another account" in message


# --------------------------------------------------------------------------- cost (issue 16): idle shutdown, instance types

IDLE_PATHS = (
    ("defaultUserSettings", "jupyterLabAppSettings"),
    ("defaultUserSettings", "codeEditorAppSettings"),
    ("defaultSpaceSettings", "jupyterLabAppSettings"),
)


def _idle(domain: dict) -> list[dict]:
    return [domain[a][b]["appLifecycleManagement"]["idleSettings"] for a, b in IDLE_PATHS]


def test_every_domain_shuts_idle_apps_down_by_default(lob):
    name, result = lob
    domain = one(result, "aws:sagemaker/domain:Domain", f"{name}-domain").inputs
    expected = {
        "lifecycleManagement": "ENABLED",
        "idleTimeoutInMinutes": 60,
        "minIdleTimeoutInMinutes": 60,
        "maxIdleTimeoutInMinutes": 480,
    }
    assert _idle(domain) == [expected] * 3


def test_the_lobs_idle_shutdown_config_reaches_its_domain_only(project):
    project.edit(
        "lob-b",
        lambda c: c["studio-access:lob"].update(
            idleShutdown={"idleTimeoutMinutes": 120, "minIdleTimeoutMinutes": 90, "maxIdleTimeoutMinutes": 1440}
        ),
    )
    results = project.plan()
    b = one(results["lob-b"], "aws:sagemaker/domain:Domain", "lob-b-domain").inputs
    a = one(results["lob-a"], "aws:sagemaker/domain:Domain", "lob-a-domain").inputs
    assert {
        (s["idleTimeoutInMinutes"], s["minIdleTimeoutInMinutes"], s["maxIdleTimeoutInMinutes"]) for s in _idle(b)
    } == {(120, 90, 1440)}
    assert {s["idleTimeoutInMinutes"] for s in _idle(a)} == {60}


def test_apps_start_only_on_the_lobs_instance_types(lob, project):
    name, result = lob
    statements = {
        s["Sid"]: s
        for s in _statements(one(result, "aws:iam/rolePolicy:RolePolicy", f"{name}-execution").inputs["policy"])
    }
    default = ["ml.t3.medium", "ml.t3.large", "ml.m5.large", "ml.m5.xlarge", "system"]
    creating = [s for s in statements.values() if "sagemaker:CreateApp" in s["Action"]]
    assert len(creating) == 3
    for statement in creating:
        assert statement["Condition"]["ForAllValues:StringEquals"] == {"sagemaker:InstanceTypes": default}
    project.edit("lob-a", lambda c: c["studio-access:lob"].update(appInstanceTypes=["ml.t3.medium", "ml.g5.xlarge"]))
    planned = project.plan(["lob-a"])["lob-a"]
    policy = one(planned, "aws:iam/rolePolicy:RolePolicy", "lob-a-execution").inputs["policy"]
    for statement in _statements(policy):
        if "sagemaker:CreateApp" in statement["Action"]:
            assert statement["Condition"]["ForAllValues:StringEquals"]["sagemaker:InstanceTypes"] == [
                "ml.t3.medium",
                "ml.g5.xlarge",
                "system",
            ]
