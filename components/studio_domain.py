"""A LOB account's VPC-only SageMaker Studio domain, attached to the shared hub.

The LOB VPC attaches to the shared Transit Gateway (accepting the RAM share first when the
account is outside the organization), sends everything else to the TGW, resolves the central
endpoints' names through the shared forwarding rules, and reaches S3 through its own gateway
endpoint (gateway endpoints are not reachable through a TGW), whose policy admits this LOB's
bucket and the AWS-owned buckets Studio reads, nothing else. The domain is `VpcOnly` with IAM
auth and the user profile name as source identity; its execution role reads this domain, changes
only the person's own spaces (and the apps of their private spaces and of shared spaces) on the
allowed instance types, and their own prefix of the one bucket, nothing more. Idle JupyterLab and
Code Editor apps shut down by themselves. The domain is protected (`protect`): a change that would
replace or delete it fails unless the operator consented by name (docs/lifecycle.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_aws as aws

from . import iam, security
from .network_hub import ENDPOINTS
from .vpc import TgwVpc, TgwVpcArgs, VpcLayout

# What Studio's execution role may read of this domain's own resources.
DOMAIN_READ_ACTIONS = [
    "sagemaker:DescribeApp",
    "sagemaker:DescribeDomain",
    "sagemaker:DescribeSpace",
    "sagemaker:DescribeUserProfile",
    "sagemaker:ListTags",
]
# Spaces a person creates, changes and deletes: only their own (the private-space conditions of
# AWS's "Give your users access to spaces"), private or shared.
SPACE_ACTIONS = ["sagemaker:CreateSpace", "sagemaker:DeleteSpace", "sagemaker:UpdateSpace"]
APP_ACTIONS = ["sagemaker:CreateApp", "sagemaker:DeleteApp"]
# The instance types an app (and a space's default) may use: the configured ones, and `system`,
# the instance-less type of the default apps (JupyterServer). Every value of the request's
# `sagemaker:InstanceTypes` must be one of them (AWS's pattern for limiting Studio's instances).
INSTANCE_TYPES_KEY = "sagemaker:InstanceTypes"
ALWAYS_ALLOWED_INSTANCE_TYPES = ("system",)
# What the domain's fields are that the provider cannot change in place: a change replaces it.
AUTH_MODE = "IAM"
APP_NETWORK_ACCESS_TYPE = "VpcOnly"
# List calls have no resource-level permissions in IAM: they take "*" or nothing.
LIST_ACTIONS = ["sagemaker:ListApps", "sagemaker:ListSpaces", "sagemaker:ListUserProfiles"]
BUCKET_OBJECT_ACTIONS = ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
# Each person's part of the bucket: the domain sets the user profile name as the source identity
# of the execution role's sessions (ExecutionRoleIdentityConfig USER_PROFILE_NAME).
PERSON = "${aws:SourceIdentity}"
USER_PREFIX = "users/"
# Studio's security group between its own members: NFS to the home EFS and the app port range
# (AWS: "Connect Studio notebooks in a VPC to external resources"), TCP only.
STUDIO_PORTS: tuple[tuple[str, int, int], ...] = (("nfs", 2049, 2049), ("apps", 8192, 65535))
# What the S3 gateway endpoint lets through, besides the LOB's bucket: AWS-owned buckets Studio
# reads (JumpStart's models, notebooks and scripts), read only. {region} is the LOB's region.
AWS_OWNED_BUCKETS: tuple[str, ...] = ("jumpstart-cache-prod-{region}", "jumpstart-private-cache-prod-{region}")
STUDIO_BUCKET_ENDPOINT_ACTIONS = [
    "s3:AbortMultipartUpload",
    "s3:DeleteObject",
    "s3:GetBucketLocation",
    "s3:GetObject",
    "s3:ListBucket",
    "s3:ListBucketMultipartUploads",
    "s3:ListMultipartUploadParts",
    "s3:PutObject",
]
AWS_OWNED_ENDPOINT_ACTIONS = ["s3:GetObject", "s3:ListBucket"]


def aws_owned_buckets(region: str) -> list[str]:
    """The AWS-owned buckets the LOB VPC's S3 endpoint admits (read only), in `region`."""
    return [b.format(region=region) for b in AWS_OWNED_BUCKETS]


def execution_trust(account_id: str) -> str:
    """SageMaker, on behalf of this account, with the user profile name as source identity."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "sagemaker.amazonaws.com"},
                    "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"],
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
                }
            ],
        }
    )


@dataclass(frozen=True, kw_only=True)
class IdleShutdown:
    """Idle shutdown of JupyterLab and Code Editor apps: the default, and the range a person may pick."""

    idle_timeout_minutes: int = 60
    min_idle_timeout_minutes: int = 60
    max_idle_timeout_minutes: int = 480

    def __post_init__(self) -> None:
        if not 60 <= self.min_idle_timeout_minutes <= self.idle_timeout_minutes <= self.max_idle_timeout_minutes:
            raise ValueError(f"idle timeouts out of order or below SageMaker's 60 minutes: {self}")


DEFAULT_APP_INSTANCE_TYPES = ("ml.t3.medium", "ml.t3.large", "ml.m5.large", "ml.m5.xlarge")


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
    # Empty the created bucket on destroy (S3 refuses to delete a bucket with objects in it).
    studio_bucket_force_destroy: bool = False
    idle_shutdown: IdleShutdown = IdleShutdown()
    # What the execution role may start apps on (besides ALWAYS_ALLOWED_INSTANCE_TYPES).
    app_instance_types: tuple[str, ...] = DEFAULT_APP_INSTANCE_TYPES
    # Pulumi's `protect` on the domain: off only when the operator consented to replace or delete it.
    protect_domain: bool = True
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

        self.bucket_name = self._bucket(name, args.studio_bucket, args.studio_bucket_force_destroy)
        bucket_arn = self.bucket_name.apply(lambda b: f"arn:aws:s3:::{b}")

        # S3 through the gateway endpoint: this LOB's bucket, and the AWS-owned buckets Studio
        # reads, by principals of this account; no other bucket (docs/platform.md).
        self.s3_endpoint = aws.ec2.VpcEndpoint(
            f"{name}-s3",
            vpc_id=vpc_id,
            service_name=f"com.amazonaws.{args.region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[self.network.private_route_table.id],
            policy=s3_endpoint_policy(args.region, args.account_id, bucket_arn),
            tags={"Name": f"{name}-s3"},
            opts=child,
        )

        # --- Studio's security group: apps talk to each other (and EFS), and go out only to
        # the central endpoints, S3 and, if configured, the local runtime endpoint.
        self.security_group = security.security_group(
            f"{name}-studio", vpc_id, "SageMaker Studio apps: each other, the central endpoints, S3", self
        )
        self._self_rules(name)
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

        self.execution_role = aws.iam.Role(
            f"{name}-execution",
            description=f"SageMaker Studio execution role of {args.domain_name}",
            assume_role_policy=execution_trust(args.account_id),
            opts=child,
        )

        network_ready = [self.network.default_route, *self.rule_associations.values()]
        # Replacing the domain loses every home directory: `protect` makes Pulumi refuse a replace
        # or delete (in preview, before anything changes) unless lob.allowDomainReplacement lifted
        # it; a replacement then deletes the old domain first (one domain per LOB, and a delete
        # that fails on people's apps stops before a second domain exists). Profiles depend on
        # the domain, so they go before it; apps and spaces people made are not in the stack
        # (docs/lifecycle.md#destroy-order).
        self.domain_options = pulumi.ResourceOptions(
            parent=self,
            depends_on=network_ready,
            protect=args.protect_domain,
            delete_before_replace=True,
        )
        idle = args.idle_shutdown
        self.domain = aws.sagemaker.Domain(
            f"{name}-domain",
            domain_name=args.domain_name,
            auth_mode=AUTH_MODE,
            app_network_access_type=APP_NETWORK_ACCESS_TYPE,
            vpc_id=vpc_id,
            subnet_ids=private_subnet_ids,
            default_user_settings=aws.sagemaker.DomainDefaultUserSettingsArgs(
                execution_role=self.execution_role.arn,
                security_groups=[self.security_group.id],
                studio_web_portal="ENABLED",
                default_landing_uri="studio::",
                jupyter_lab_app_settings=aws.sagemaker.DomainDefaultUserSettingsJupyterLabAppSettingsArgs(
                    app_lifecycle_management=aws.sagemaker.DomainDefaultUserSettingsJupyterLabAppSettingsAppLifecycleManagementArgs(
                        idle_settings=aws.sagemaker.DomainDefaultUserSettingsJupyterLabAppSettingsAppLifecycleManagementIdleSettingsArgs(
                            lifecycle_management="ENABLED",
                            idle_timeout_in_minutes=idle.idle_timeout_minutes,
                            min_idle_timeout_in_minutes=idle.min_idle_timeout_minutes,
                            max_idle_timeout_in_minutes=idle.max_idle_timeout_minutes,
                        )
                    )
                ),
                code_editor_app_settings=aws.sagemaker.DomainDefaultUserSettingsCodeEditorAppSettingsArgs(
                    app_lifecycle_management=aws.sagemaker.DomainDefaultUserSettingsCodeEditorAppSettingsAppLifecycleManagementArgs(
                        idle_settings=aws.sagemaker.DomainDefaultUserSettingsCodeEditorAppSettingsAppLifecycleManagementIdleSettingsArgs(
                            lifecycle_management="ENABLED",
                            idle_timeout_in_minutes=idle.idle_timeout_minutes,
                            min_idle_timeout_in_minutes=idle.min_idle_timeout_minutes,
                            max_idle_timeout_in_minutes=idle.max_idle_timeout_minutes,
                        )
                    )
                ),
            ),
            default_space_settings=aws.sagemaker.DomainDefaultSpaceSettingsArgs(
                execution_role=self.execution_role.arn,
                security_groups=[self.security_group.id],
                # Shared spaces' JupyterLab apps (SageMaker has no Code Editor default for spaces).
                jupyter_lab_app_settings=aws.sagemaker.DomainDefaultSpaceSettingsJupyterLabAppSettingsArgs(
                    app_lifecycle_management=aws.sagemaker.DomainDefaultSpaceSettingsJupyterLabAppSettingsAppLifecycleManagementArgs(
                        idle_settings=aws.sagemaker.DomainDefaultSpaceSettingsJupyterLabAppSettingsAppLifecycleManagementIdleSettingsArgs(
                            lifecycle_management="ENABLED",
                            idle_timeout_in_minutes=idle.idle_timeout_minutes,
                            min_idle_timeout_in_minutes=idle.min_idle_timeout_minutes,
                            max_idle_timeout_in_minutes=idle.max_idle_timeout_minutes,
                        )
                    )
                ),
            ),
            # `Retain` (default): home directories survive a domain replacement or deletion (the
            # README's clean-up removes them); `Delete`: they go with the domain.
            retention_policy=aws.sagemaker.DomainRetentionPolicyArgs(home_efs_file_system=args.home_efs_on_delete),
            # Every session of the execution role carries the user profile name as its source
            # identity: CloudTrail names the person, and the bucket policy's per-person prefix
            # and the role's S3 statements key on it.
            domain_settings=aws.sagemaker.DomainDomainSettingsArgs(execution_role_identity_config="USER_PROFILE_NAME"),
            opts=self.domain_options,
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

    def _self_rules(self, name: str) -> None:
        """Studio's members reach each other only on NFS and the app port range, both ways."""
        for port_name, first, last in STUDIO_PORTS:
            for direction, kind in (("in", aws.vpc.SecurityGroupIngressRule), ("out", aws.vpc.SecurityGroupEgressRule)):
                kind(
                    f"{name}-studio-{port_name}-{direction}",
                    security_group_id=self.security_group.id,
                    ip_protocol="tcp",
                    from_port=first,
                    to_port=last,
                    referenced_security_group_id=self.security_group.id,
                    description=f"Studio {port_name} ({first}-{last}), within the group",
                    opts=pulumi.ResourceOptions(parent=self),
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

    def _bucket(self, name: str, existing: str | None, force_destroy: bool) -> pulumi.Output[str]:
        """The one bucket Studio may use: configured, or created here private and encrypted.

        The public access block, the encryption and the policy go on one after the other: S3
        answers OperationAborted to concurrent changes of a new bucket's settings."""
        if existing:
            return pulumi.Output.from_input(existing)
        child = pulumi.ResourceOptions(parent=self)
        bucket = aws.s3.Bucket(f"{name}-studio", force_destroy=force_destroy, opts=child)
        block = aws.s3.BucketPublicAccessBlock(
            f"{name}-studio",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-studio",
            bucket=bucket.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="AES256"
                    )
                )
            ],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[block]),
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
            opts=pulumi.ResourceOptions(parent=self, depends_on=[block, encryption]),
        )
        bucket_name: pulumi.Output[str] = bucket.bucket
        return bucket_name

    def _execution_policy(self, name: str, args: StudioDomainArgs, bucket_arn: pulumi.Output[str]) -> None:
        """This domain only; spaces and private-space apps only the person's own; the person's
        own prefix of the bucket."""
        prefix = f"arn:aws:sagemaker:{args.region}:{args.account_id}"
        domain_id = self.domain.id

        def arns(kind: str, tail: str = "*") -> pulumi.Output[str]:
            return pulumi.Output.concat(prefix, f":{kind}/", domain_id, "/", tail)

        owner = {"sagemaker:OwnerUserProfileArn": arns("user-profile", "${sagemaker:UserProfileName}")}
        # Apps (and spaces' default apps) only on the allowed instance types.
        instances = {
            "ForAllValues:StringEquals": {
                INSTANCE_TYPES_KEY: [*args.app_instance_types, *ALWAYS_ALLOWED_INSTANCE_TYPES],
            }
        }
        log_groups = f"arn:aws:logs:{args.region}:{args.account_id}:log-group:/aws/sagemaker/*"
        person = pulumi.Output.concat(bucket_arn, f"/{USER_PREFIX}{PERSON}/*")
        aws.iam.RolePolicy(
            f"{name}-execution",
            role=self.execution_role.id,
            policy=iam.document(
                {
                    "Sid": "ThisDomainReads",
                    "Effect": "Allow",
                    "Action": DOMAIN_READ_ACTIONS,
                    "Resource": [self.domain.arn, *(arns(kind) for kind in ("user-profile", "space", "app"))],
                },
                {"Sid": "Lists", "Effect": "Allow", "Action": LIST_ACTIONS, "Resource": "*"},
                {
                    # Studio tags what it creates; tags only while creating.
                    "Sid": "TagOnCreate",
                    "Effect": "Allow",
                    "Action": "sagemaker:AddTags",
                    "Resource": [arns("space"), arns("app")],
                    "Condition": {"Null": {"sagemaker:TaggingAction": "false"}},
                },
                {
                    "Sid": "OwnSpaces",
                    "Effect": "Allow",
                    "Action": SPACE_ACTIONS,
                    "Resource": arns("space"),
                    "Condition": {
                        "ArnLike": owner,
                        "StringEquals": {"sagemaker:SpaceSharingType": ["Private", "Shared"]},
                        **instances,
                    },
                },
                {
                    "Sid": "OwnPrivateSpaceApps",
                    "Effect": "Allow",
                    "Action": APP_ACTIONS,
                    "Resource": arns("app"),
                    "Condition": {
                        "ArnLike": owner,
                        "StringEquals": {"sagemaker:SpaceSharingType": ["Private"]},
                        **instances,
                    },
                },
                {
                    # Shared spaces are open to the domain's users (AWS's model): their apps too.
                    "Sid": "SharedSpaceApps",
                    "Effect": "Allow",
                    "Action": APP_ACTIONS,
                    "Resource": arns("app"),
                    "Condition": {"StringEquals": {"sagemaker:SpaceSharingType": ["Shared"]}, **instances},
                },
                {
                    # Apps of the person's own profile, outside any space.
                    "Sid": "OwnProfileApps",
                    "Effect": "Allow",
                    "Action": APP_ACTIONS,
                    "Resource": arns("app", "${sagemaker:UserProfileName}/*"),
                    "Condition": {"Null": {"sagemaker:OwnerUserProfileArn": "true"}, **instances},
                },
                {
                    "Sid": "OwnPrefixList",
                    "Effect": "Allow",
                    "Action": "s3:ListBucket",
                    "Resource": bucket_arn,
                    "Condition": {"StringLike": {"s3:prefix": [f"{USER_PREFIX}{PERSON}/", f"{USER_PREFIX}{PERSON}/*"]}},
                },
                {"Sid": "OwnPrefixObjects", "Effect": "Allow", "Action": BUCKET_OBJECT_ACTIONS, "Resource": person},
                {
                    "Sid": "Logs",
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": [log_groups, f"{log_groups}:log-stream:*"],
                },
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )


def s3_endpoint_policy(region: str, account_id: str, bucket_arn: pulumi.Input[str]) -> pulumi.Output[str]:
    """The LOB's S3 gateway endpoint: its bucket, and the AWS-owned buckets Studio reads (read
    only), for principals of this account; no other bucket."""
    in_account = {"StringEquals": {"aws:PrincipalAccount": account_id}}
    owned = [f"arn:aws:s3:::{b}" for b in aws_owned_buckets(region)]
    return iam.document(
        {
            "Sid": "StudioBucket",
            "Effect": "Allow",
            "Principal": "*",
            "Action": STUDIO_BUCKET_ENDPOINT_ACTIONS,
            "Resource": [bucket_arn, pulumi.Output.concat(bucket_arn, "/*")],
            "Condition": in_account,
        },
        {
            "Sid": "AwsOwnedReadOnly",
            "Effect": "Allow",
            "Principal": "*",
            "Action": AWS_OWNED_ENDPOINT_ACTIONS,
            "Resource": [r for b in owned for r in (b, f"{b}/*")],
            "Condition": in_account,
        },
    )
