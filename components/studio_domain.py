"""A LOB account's VPC-only SageMaker Studio domain, attached to the shared hub.

The LOB VPC attaches to the shared Transit Gateway (accepting the RAM share first when the
account is outside the organization), sends everything else to the TGW, resolves the central
endpoints' names through the shared forwarding rules, and reaches S3 through its own gateway
endpoint (gateway endpoints are not reachable through a TGW). The domain is `VpcOnly` with IAM
auth; its execution role can touch this domain's apps and spaces and one S3 bucket, nothing more.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_aws as aws

from . import iam, security
from .network_hub import ENDPOINTS
from .vpc import TgwVpc, TgwVpcArgs, VpcLayout

# What Studio's execution role may do on this domain's own resources.
DOMAIN_ACTIONS = [
    "sagemaker:AddTags",
    "sagemaker:CreateApp",
    "sagemaker:CreateSpace",
    "sagemaker:DeleteApp",
    "sagemaker:DeleteSpace",
    "sagemaker:DescribeApp",
    "sagemaker:DescribeDomain",
    "sagemaker:DescribeSpace",
    "sagemaker:DescribeUserProfile",
    "sagemaker:ListTags",
    "sagemaker:UpdateSpace",
]
# List calls have no resource-level permissions in IAM: they take "*" or nothing.
LIST_ACTIONS = ["sagemaker:ListApps", "sagemaker:ListSpaces", "sagemaker:ListUserProfiles"]
BUCKET_OBJECT_ACTIONS = ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"]


@dataclass(frozen=True, kw_only=True)
class StudioDomainArgs:
    region: str
    account_id: str
    network: VpcLayout
    domain_name: str
    user_profiles: tuple[str, ...]
    # Outside the organization the RAM share is an invitation, accepted here before attaching.
    accept_ram_share: bool = False
    # The SageMaker runtime endpoint: in this VPC ("local") or the hub's ("central").
    runtime_endpoint: Literal["central", "local"] = "central"
    # An existing bucket for Studio; None: a private, encrypted one is created.
    studio_bucket: str | None = None
    # What happens to the home file system when the domain goes (SageMaker's two values).
    home_efs_on_delete: Literal["Retain", "Delete"] = "Retain"
    # From the shared stack:
    transit_gateway_id: pulumi.Input[str]
    ram_share_arn: pulumi.Input[str]
    resolver_rule_ids: pulumi.Input[Mapping[str, str]]
    central_vpc_cidr: pulumi.Input[str]


def resolver_rule_keys(runtime_endpoint: str) -> list[str]:
    """Forwarding rules this VPC follows; a local runtime endpoint answers for itself."""
    return [k for k in ENDPOINTS if not (k == "sagemaker-runtime" and runtime_endpoint == "local")]


class StudioDomain(pulumi.ComponentResource):
    network: TgwVpc
    share_accepter: aws.ram.ResourceShareAccepter | None
    rule_associations: dict[str, aws.route53.ResolverRuleAssociation]
    s3_endpoint: aws.ec2.VpcEndpoint
    runtime_endpoint: aws.ec2.VpcEndpoint | None
    security_group: aws.ec2.SecurityGroup
    bucket_name: pulumi.Output[str]
    execution_role: aws.iam.Role
    domain: aws.sagemaker.Domain
    user_profiles: dict[str, aws.sagemaker.UserProfile]

    def __init__(self, name: str, args: StudioDomainArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("studio-access:studio_domain:StudioDomain", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        # Outside the organization, the share is an invitation to accept before attaching.
        self.share_accepter = (
            aws.ram.ResourceShareAccepter(f"{name}-share", share_arn=args.ram_share_arn, opts=child)
            if args.accept_ram_share
            else None
        )
        needs_share: list[pulumi.Resource] = [self.share_accepter] if self.share_accepter else []

        self.network = TgwVpc(
            name,
            TgwVpcArgs(
                layout=args.network,
                transit_gateway_id=args.transit_gateway_id,
                attachment_depends_on=needs_share,
            ),
            opts=child,
        )
        vpc_id = self.network.vpc.id
        private_subnet_ids = [s.id for s in self.network.private_subnets]

        rule_ids = pulumi.Output.from_input(args.resolver_rule_ids)

        def rule_id(key: str) -> pulumi.Output[str]:
            return rule_ids.apply(lambda ids: ids[key])

        self.rule_associations = {
            key: aws.route53.ResolverRuleAssociation(
                f"{name}-{key}",
                name=f"{name}-{key}",
                resolver_rule_id=rule_id(key),
                vpc_id=vpc_id,
                opts=pulumi.ResourceOptions(parent=self, depends_on=needs_share),
            )
            for key in resolver_rule_keys(args.runtime_endpoint)
        }

        self.s3_endpoint = aws.ec2.VpcEndpoint(
            f"{name}-s3",
            vpc_id=vpc_id,
            service_name=f"com.amazonaws.{args.region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[self.network.private_route_table.id],
            tags={"Name": f"{name}-s3"},
            opts=child,
        )

        # --- Studio's security group: apps talk to each other (and EFS), and go out only to
        # the central endpoints, S3 and, if configured, the local runtime endpoint.
        self.security_group = security.security_group(
            f"{name}-studio", vpc_id, "SageMaker Studio apps: each other, the central endpoints, S3", self
        )
        security.rules(
            f"{name}-studio-self-in",
            "in",
            self.security_group,
            protocols=["-1"],
            port=None,
            groups=[self.security_group.id],
            description="Studio apps and EFS, within the group",
            parent=self,
        )
        security.rules(
            f"{name}-studio-self-out",
            "out",
            self.security_group,
            protocols=["-1"],
            port=None,
            groups=[self.security_group.id],
            description="Studio apps and EFS, within the group",
            parent=self,
        )
        security.rules(
            f"{name}-studio-central",
            "out",
            self.security_group,
            protocols=["tcp"],
            port=443,
            cidrs=[args.central_vpc_cidr],
            description="HTTPS to the central interface endpoints",
            parent=self,
        )
        security.rules(
            f"{name}-studio-s3",
            "out",
            self.security_group,
            protocols=["tcp"],
            port=443,
            prefix_lists=[self.s3_endpoint.prefix_list_id],
            description="HTTPS to S3 through the gateway endpoint",
            parent=self,
        )
        self.runtime_endpoint = self._local_runtime_endpoint(name, args, vpc_id, private_subnet_ids)

        self.bucket_name = self._bucket(name, args.studio_bucket)
        bucket_arn = self.bucket_name.apply(lambda b: f"arn:aws:s3:::{b}")

        self.execution_role = aws.iam.Role(
            f"{name}-execution",
            description=f"SageMaker Studio execution role of {args.domain_name}",
            assume_role_policy=iam.service_trust("sagemaker.amazonaws.com", args.account_id),
            opts=child,
        )

        network_ready = [self.network.default_route, *self.rule_associations.values()]
        self.domain = aws.sagemaker.Domain(
            f"{name}-domain",
            domain_name=args.domain_name,
            auth_mode="IAM",
            app_network_access_type="VpcOnly",
            vpc_id=vpc_id,
            subnet_ids=private_subnet_ids,
            default_user_settings=aws.sagemaker.DomainDefaultUserSettingsArgs(
                execution_role=self.execution_role.arn,
                security_groups=[self.security_group.id],
                studio_web_portal="ENABLED",
                default_landing_uri="studio::",
            ),
            default_space_settings=aws.sagemaker.DomainDefaultSpaceSettingsArgs(
                execution_role=self.execution_role.arn,
                security_groups=[self.security_group.id],
            ),
            # `Retain` (default): home directories survive a domain replacement or deletion (the
            # README's clean-up removes them); `Delete`: they go with the domain.
            retention_policy=aws.sagemaker.DomainRetentionPolicyArgs(home_efs_file_system=args.home_efs_on_delete),
            opts=pulumi.ResourceOptions(parent=self, depends_on=network_ready),
        )
        self._execution_policy(name, args, bucket_arn)

        self.user_profiles = {
            profile: aws.sagemaker.UserProfile(
                f"{name}-{profile}",
                domain_id=self.domain.id,
                user_profile_name=profile,
                user_settings=aws.sagemaker.UserProfileUserSettingsArgs(
                    execution_role=self.execution_role.arn,
                    security_groups=[self.security_group.id],
                ),
                opts=child,
            )
            for profile in args.user_profiles
        }

        self.register_outputs(
            {
                "vpcId": vpc_id,
                "domainId": self.domain.id,
                "userProfileNames": list(self.user_profiles),
                "executionRoleArn": self.execution_role.arn,
            }
        )

    def _local_runtime_endpoint(
        self, name: str, args: StudioDomainArgs, vpc_id: pulumi.Input[str], subnet_ids: list[pulumi.Output[str]]
    ) -> aws.ec2.VpcEndpoint | None:
        if args.runtime_endpoint != "local":
            return None
        group = security.security_group(
            f"{name}-runtime", vpc_id, "Local SageMaker runtime endpoint: HTTPS from Studio", self
        )
        security.rules(
            f"{name}-runtime-in",
            "in",
            group,
            protocols=["tcp"],
            port=443,
            groups=[self.security_group.id],
            description="HTTPS from Studio",
            parent=self,
        )
        security.rules(
            f"{name}-studio-runtime",
            "out",
            self.security_group,
            protocols=["tcp"],
            port=443,
            groups=[group.id],
            description="HTTPS to the local runtime endpoint",
            parent=self,
        )
        return aws.ec2.VpcEndpoint(
            f"{name}-sagemaker-runtime",
            vpc_id=vpc_id,
            service_name=ENDPOINTS["sagemaker-runtime"].service_name(args.region),
            vpc_endpoint_type="Interface",
            subnet_ids=subnet_ids,
            security_group_ids=[group.id],
            private_dns_enabled=True,
            tags={"Name": f"{name}-sagemaker-runtime"},
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _bucket(self, name: str, existing: str | None) -> pulumi.Output[str]:
        """The one bucket Studio may use: configured, or created here private and encrypted."""
        if existing:
            return pulumi.Output.from_input(existing)
        child = pulumi.ResourceOptions(parent=self)
        bucket = aws.s3.Bucket(f"{name}-studio", force_destroy=False, opts=child)
        aws.s3.BucketPublicAccessBlock(
            f"{name}-studio",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-studio",
            bucket=bucket.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="AES256"
                    )
                )
            ],
            opts=child,
        )
        aws.s3.BucketPolicy(
            f"{name}-studio",
            bucket=bucket.id,
            policy=iam.document(
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [bucket.arn, pulumi.Output.concat(bucket.arn, "/*")],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ),
            opts=child,
        )
        bucket_name: pulumi.Output[str] = bucket.bucket
        return bucket_name

    def _execution_policy(self, name: str, args: StudioDomainArgs, bucket_arn: pulumi.Output[str]) -> None:
        prefix = f"arn:aws:sagemaker:{args.region}:{args.account_id}"
        domain_id = self.domain.id
        log_groups = f"arn:aws:logs:{args.region}:{args.account_id}:log-group:/aws/sagemaker/*"
        aws.iam.RolePolicy(
            f"{name}-execution",
            role=self.execution_role.id,
            policy=iam.document(
                {
                    "Sid": "ThisDomainOnly",
                    "Effect": "Allow",
                    "Action": DOMAIN_ACTIONS,
                    "Resource": [
                        self.domain.arn,
                        *(
                            pulumi.Output.concat(prefix, f":{kind}/", domain_id, "/*")
                            for kind in ("user-profile", "space", "app")
                        ),
                    ],
                },
                {"Sid": "Lists", "Effect": "Allow", "Action": LIST_ACTIONS, "Resource": "*"},
                {"Sid": "BucketList", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket_arn},
                {
                    "Sid": "BucketObjects",
                    "Effect": "Allow",
                    "Action": BUCKET_OBJECT_ACTIONS,
                    "Resource": pulumi.Output.concat(bucket_arn, "/*"),
                },
                {
                    "Sid": "Logs",
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": [log_groups, f"{log_groups}:log-stream:*"],
                },
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
