"""StudioDomain alone: VpcOnly, reaching only the hub, S3 and itself; a least-privilege execution role."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import IPv4Network as Net
from typing import Any

import pytest

from components.network_hub import ENDPOINTS
from components.studio_domain import IdleShutdown, StudioDomain, StudioDomainArgs
from components.vpc import VpcLayout
from tests.components.conftest import ACCOUNT, REGION, SG, SG_IN, SG_OUT, Graph, by_sid, new_graph, statements

RULE_IDS = {key: f"rslvr-rr-{index:017d}" for index, key in enumerate(ENDPOINTS)}
ARGS = StudioDomainArgs(
    region=REGION,
    account_id=ACCOUNT,
    network=VpcLayout(
        cidr=Net("10.80.0.0/16"),
        private_subnets=(Net("10.80.1.0/24"), Net("10.80.2.0/24")),
        attachment_subnets=(Net("10.80.3.0/28"), Net("10.80.3.16/28")),
        zones=("us-east-1a", "us-east-1b"),
    ),
    domain_name="red-studio",
    user_profiles=("ann", "bob"),
    transit_gateway_id="tgw-0d0d0d0d0d0d0d0d0",
    ram_share_arn="arn:aws:ram:us-east-1:999999999999:resource-share/abc",
    resolver_rule_ids=RULE_IDS,
    central_vpc_cidr="10.60.0.0/16",
)
DOMAIN = "aws:sagemaker/domain:Domain"


def _studio(**changes: Any) -> StudioDomain:
    return StudioDomain("red", replace(ARGS, **changes))


def test_domain_is_vpc_only_with_iam_auth_in_the_private_subnets(graph: Graph) -> None:
    graph.build(_studio)
    domain = graph.one(DOMAIN, "red-domain").inputs
    assert (domain["domainName"], domain["authMode"], domain["appNetworkAccessType"]) == (
        "red-studio",
        "IAM",
        "VpcOnly",
    )
    assert sorted(graph.by_id(s).name for s in domain["subnetIds"]) == ["red-private-0", "red-private-1"]
    group = graph.one(SG, "red-studio")
    assert domain["defaultUserSettings"]["securityGroups"] == [group.id]
    assert domain["retentionPolicy"] == {"homeEfsFileSystem": "Retain"}
    profiles = graph.of_type("aws:sagemaker/userProfile:UserProfile")
    assert sorted(p.inputs["userProfileName"] for p in profiles) == ["ann", "bob"]


def test_studio_group_goes_out_only_to_the_hub_s3_and_itself(graph: Graph) -> None:
    graph.build(_studio)
    group = graph.one(SG, "red-studio")
    prefix_list = graph.one("aws:ec2/vpcEndpoint:VpcEndpoint", "red-s3").outputs["prefixListId"]
    egress = sorted(
        (
            r["ipProtocol"],
            r.get("fromPort"),
            r.get("cidrIpv4") or r.get("prefixListId") or r["referencedSecurityGroupId"],
        )
        for r in graph.rules(SG_OUT, group)
    )
    assert egress == sorted(
        [
            ("tcp", 2049, group.id),
            ("tcp", 8192, group.id),
            ("tcp", 443, "10.60.0.0/16"),
            ("tcp", 443, prefix_list),
        ]
    )


def test_studio_members_reach_each_other_only_on_nfs_and_the_app_ports(graph: Graph) -> None:
    graph.build(_studio)
    group = graph.one(SG, "red-studio")
    for kind in (SG_IN, SG_OUT):
        own = [r for r in graph.rules(kind, group) if r.get("referencedSecurityGroupId") == group.id]
        assert sorted((r["ipProtocol"], r["fromPort"], r["toPort"]) for r in own) == [
            ("tcp", 2049, 2049),
            ("tcp", 8192, 65535),
        ]
    assert all(r["ipProtocol"] != "-1" for r in graph.rules(SG_IN, group) + graph.rules(SG_OUT, group))


def test_every_shared_rule_associated_after_the_share(graph: Graph) -> None:
    graph.build(_studio)
    vpc = graph.one("aws:ec2/vpc:Vpc", "red-vpc")
    associations = graph.of_type("aws:route53/resolverRuleAssociation:ResolverRuleAssociation")
    assert {a.inputs["resolverRuleId"] for a in associations} == set(RULE_IDS.values())
    assert all(a.inputs["vpcId"] == vpc.id for a in associations)
    assert graph.of_type("aws:ram/resourceShareAccepter:ResourceShareAccepter") == []


def test_outside_the_organization_the_share_is_accepted_before_attaching(graph: Graph) -> None:
    graph.build(lambda: _studio(accept_ram_share=True))
    accepter = graph.one("aws:ram/resourceShareAccepter:ResourceShareAccepter", "red-share")
    assert accepter.inputs["shareArn"] == ARGS.ram_share_arn
    assert accepter.urn in graph.one("aws:ec2transitgateway/vpcAttachment:VpcAttachment", "red-tgw").dependencies
    for association in graph.of_type("aws:route53/resolverRuleAssociation:ResolverRuleAssociation"):
        assert accepter.urn in association.dependencies


def test_a_local_runtime_endpoint_replaces_the_central_rule(graph: Graph) -> None:
    graph.build(lambda: _studio(runtime_endpoint="local"))
    associations = graph.of_type("aws:route53/resolverRuleAssociation:ResolverRuleAssociation")
    assert RULE_IDS["sagemaker-runtime"] not in {a.inputs["resolverRuleId"] for a in associations}
    endpoint = graph.one("aws:ec2/vpcEndpoint:VpcEndpoint", "red-sagemaker-runtime").inputs
    assert endpoint["privateDnsEnabled"] is True
    runtime_group = graph.one(SG, "red-runtime")
    studio_group = graph.one(SG, "red-studio")
    assert endpoint["securityGroupIds"] == [runtime_group.id]
    ingress = graph.rules(SG_IN, runtime_group)
    assert [(r["fromPort"], r["referencedSecurityGroupId"]) for r in ingress] == [(443, studio_group.id)]


def test_execution_role_is_least_privilege(graph: Graph) -> None:
    graph.build(_studio)
    role = graph.one("aws:iam/role:Role", "red-execution")
    assert statements(role.inputs["assumeRolePolicy"]) == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "sagemaker.amazonaws.com"},
            # SageMaker sets the user profile name as source identity (ExecutionRoleIdentityConfig).
            "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"],
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        }
    ]
    found = by_sid(graph.one("aws:iam/rolePolicy:RolePolicy", "red-execution").inputs["policy"])
    domain = graph.one(DOMAIN, "red-domain")
    prefix = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"
    assert found["ThisDomainReads"]["Resource"] == [
        domain.outputs["arn"],
        *(f"{prefix}:{kind}/{domain.id}/*" for kind in ("user-profile", "space", "app")),
    ]
    assert all(a.startswith(("sagemaker:Describe", "sagemaker:List")) for a in found["ThisDomainReads"]["Action"])
    assert [sid for sid, s in found.items() if s["Resource"] == "*"] == ["Lists"]


def test_the_domain_names_the_person_on_the_execution_roles_sessions(graph: Graph) -> None:
    graph.build(_studio)
    domain = graph.one(DOMAIN, "red-domain").inputs
    assert domain["domainSettings"] == {"executionRoleIdentityConfig": "USER_PROFILE_NAME"}


def test_spaces_and_private_apps_change_only_for_their_owner(graph: Graph) -> None:
    graph.build(_studio)
    found = by_sid(graph.one("aws:iam/rolePolicy:RolePolicy", "red-execution").inputs["policy"])
    domain = graph.one(DOMAIN, "red-domain")
    caller = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:user-profile/{domain.id}/${{sagemaker:UserProfileName}}"
    writes = {"sagemaker:CreateSpace", "sagemaker:UpdateSpace", "sagemaker:DeleteSpace"}
    apps = {"sagemaker:CreateApp", "sagemaker:DeleteApp"}
    for sid, statement in found.items():
        actions = set(statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]])
        condition = statement.get("Condition", {})
        if actions & writes:
            # Only the caller's own spaces (private or shared): another person's are not theirs to change.
            assert sid == "OwnSpaces" and actions == writes
            assert condition["ArnLike"] == {"sagemaker:OwnerUserProfileArn": caller}
        if actions & apps and sid != "OwnProfileApps":
            sharing = condition["StringEquals"]["sagemaker:SpaceSharingType"]
            # A private space's apps: only its owner; a shared space's: the domain's users (AWS's model).
            assert (sharing, condition.get("ArnLike")) in (
                (["Private"], {"sagemaker:OwnerUserProfileArn": caller}),
                (["Shared"], None),
            ), sid
    profile_apps = found["OwnProfileApps"]
    assert (
        profile_apps["Resource"]
        == f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:app/{domain.id}/${{sagemaker:UserProfileName}}/*"
    )
    assert profile_apps["Condition"]["Null"] == {"sagemaker:OwnerUserProfileArn": "true"}
    assert found["TagOnCreate"]["Condition"] == {"Null": {"sagemaker:TaggingAction": "false"}}


def test_each_person_reaches_only_their_own_prefix_of_the_bucket(graph: Graph) -> None:
    graph.build(_studio)
    found = by_sid(graph.one("aws:iam/rolePolicy:RolePolicy", "red-execution").inputs["policy"])
    bucket = graph.one("aws:s3/bucket:Bucket", "red-studio").outputs["bucket"]
    assert found["OwnPrefixObjects"]["Resource"] == f"arn:aws:s3:::{bucket}/users/${{aws:SourceIdentity}}/*"
    assert found["OwnPrefixList"]["Resource"] == f"arn:aws:s3:::{bucket}"
    assert found["OwnPrefixList"]["Condition"] == {
        "StringLike": {"s3:prefix": ["users/${aws:SourceIdentity}/", "users/${aws:SourceIdentity}/*"]}
    }
    s3 = [s for s in found.values() if any(a.startswith("s3:") for a in s["Action"] if isinstance(s["Action"], list))]
    s3 += [s for s in found.values() if isinstance(s["Action"], str) and s["Action"].startswith("s3:")]
    assert {s["Sid"] for s in s3} == {"OwnPrefixList", "OwnPrefixObjects"}


def test_the_s3_endpoint_admits_the_lobs_bucket_and_aws_owned_buckets_only(graph: Graph) -> None:
    graph.build(_studio)
    endpoint = graph.one("aws:ec2/vpcEndpoint:VpcEndpoint", "red-s3").inputs
    bucket = graph.one("aws:s3/bucket:Bucket", "red-studio").outputs["bucket"]
    own, owned = statements(endpoint["policy"])
    in_account = {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}
    assert own["Resource"] == [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]
    assert own["Condition"] == owned["Condition"] == in_account
    assert owned["Action"] == ["s3:GetObject", "s3:ListBucket"]  # read only: nothing leaves through them
    assert owned["Resource"] == [
        "arn:aws:s3:::jumpstart-cache-prod-us-east-1",
        "arn:aws:s3:::jumpstart-cache-prod-us-east-1/*",
        "arn:aws:s3:::jumpstart-private-cache-prod-us-east-1",
        "arn:aws:s3:::jumpstart-private-cache-prod-us-east-1/*",
    ]
    assert all(not a.endswith("*") for s in (own, owned) for a in s["Action"])


def test_created_bucket_is_private_encrypted_and_tls_only(graph: Graph) -> None:
    graph.build(_studio)
    block = graph.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "red-studio").inputs
    assert all(
        block[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    (deny,) = statements(graph.one("aws:s3/bucketPolicy:BucketPolicy", "red-studio").inputs["policy"])
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_bucket_settings_go_on_one_after_the_other(graph: Graph) -> None:
    # S3 answers OperationAborted to concurrent changes of a new bucket: block, then encryption, then policy.
    graph.build(_studio)
    block = graph.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "red-studio")
    sse_type = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    encryption = graph.one(sse_type, "red-studio")
    policy = graph.one("aws:s3/bucketPolicy:BucketPolicy", "red-studio")
    assert block.urn in encryption.dependencies
    assert {block.urn, encryption.urn} <= set(policy.dependencies)


def test_the_bucket_is_emptied_on_destroy_only_when_asked(graph: Graph) -> None:
    graph.build(_studio)
    assert graph.one("aws:s3/bucket:Bucket", "red-studio").inputs["forceDestroy"] is False
    other = new_graph()
    other.build(lambda: _studio(studio_bucket_force_destroy=True))
    assert other.one("aws:s3/bucket:Bucket", "red-studio").inputs["forceDestroy"] is True


def test_a_given_bucket_is_used_instead_of_a_new_one(graph: Graph) -> None:
    graph.build(lambda: _studio(studio_bucket="team-red-data", home_efs_on_delete="Delete"))
    assert graph.of_type("aws:s3/bucket:Bucket") == []
    found = by_sid(graph.one("aws:iam/rolePolicy:RolePolicy", "red-execution").inputs["policy"])
    assert found["OwnPrefixList"]["Resource"] == "arn:aws:s3:::team-red-data"
    (own, _) = statements(graph.one("aws:ec2/vpcEndpoint:VpcEndpoint", "red-s3").inputs["policy"])
    assert own["Resource"] == ["arn:aws:s3:::team-red-data", "arn:aws:s3:::team-red-data/*"]
    assert graph.one(DOMAIN, "red-domain").inputs["retentionPolicy"] == {"homeEfsFileSystem": "Delete"}


# --------------------------------------------------------------------------- cost: idle shutdown, instance types

IDLE_PATHS = (
    ("defaultUserSettings", "jupyterLabAppSettings"),
    ("defaultUserSettings", "codeEditorAppSettings"),
    ("defaultSpaceSettings", "jupyterLabAppSettings"),
)


def _idle_settings(domain: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for user_or_space, app in IDLE_PATHS:
        found.append(domain[user_or_space][app]["appLifecycleManagement"]["idleSettings"])
    return found


def test_idle_apps_shut_down_with_the_configured_timeout_and_range(graph: Graph) -> None:
    graph.build(lambda: _studio(idle_shutdown=IdleShutdown(idle_timeout_minutes=90, max_idle_timeout_minutes=240)))
    domain = graph.one(DOMAIN, "red-domain").inputs
    assert (
        _idle_settings(domain)
        == [
            {
                "lifecycleManagement": "ENABLED",
                "idleTimeoutInMinutes": 90,
                "minIdleTimeoutInMinutes": 60,
                "maxIdleTimeoutInMinutes": 240,
            }
        ]
        * 3
    )


def test_idle_shutdown_is_on_by_default(graph: Graph) -> None:
    graph.build(_studio)
    settings = _idle_settings(graph.one(DOMAIN, "red-domain").inputs)
    assert {(s["lifecycleManagement"], s["idleTimeoutInMinutes"], s["maxIdleTimeoutInMinutes"]) for s in settings} == {
        ("ENABLED", 60, 480)
    }


@pytest.mark.parametrize(
    "wrong", [{"idle_timeout_minutes": 30}, {"idle_timeout_minutes": 600, "max_idle_timeout_minutes": 480}]
)
def test_idle_timeouts_out_of_order_or_below_sagemakers_minimum_are_refused(wrong: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="idle timeouts"):
        IdleShutdown(**wrong)


def test_apps_start_only_on_the_allowed_instance_types(graph: Graph) -> None:
    graph.build(lambda: _studio(app_instance_types=("ml.t3.medium", "ml.g5.xlarge")))
    found = by_sid(graph.one("aws:iam/rolePolicy:RolePolicy", "red-execution").inputs["policy"])
    allowed = {"ForAllValues:StringEquals": {"sagemaker:InstanceTypes": ["ml.t3.medium", "ml.g5.xlarge", "system"]}}
    creating = [s for s in found.values() if "sagemaker:CreateApp" in s["Action"]]
    assert {s["Sid"] for s in creating} == {"OwnPrivateSpaceApps", "SharedSpaceApps", "OwnProfileApps"}
    for statement in [*creating, found["OwnSpaces"]]:  # a space's default instance type too
        assert statement["Condition"].items() >= allowed.items(), statement["Sid"]


def test_the_domain_is_protected_and_replaced_delete_first(graph: Graph) -> None:
    studio = graph.build(_studio)
    assert studio.domain_options.protect is True
    assert studio.domain_options.delete_before_replace is True
    # still waits for its network
    route = graph.one("aws:ec2/route:Route", "red-default-to-tgw")
    assert route.urn in graph.one(DOMAIN, "red-domain").dependencies


def test_consent_lifts_the_protection(graph: Graph) -> None:
    studio = graph.build(lambda: _studio(protect_domain=False))
    assert studio.domain_options.protect is False


def test_profiles_are_deleted_before_the_domain(graph: Graph) -> None:
    graph.build(_studio)
    domain = graph.one(DOMAIN, "red-domain")
    for profile in graph.of_type("aws:sagemaker/userProfile:UserProfile"):
        # A dependency: Pulumi deletes the profile first (and replaces it with the domain).
        assert profile.inputs["domainId"] == domain.id and domain.urn in profile.dependencies
