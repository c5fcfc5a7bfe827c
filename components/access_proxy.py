"""The access proxy of the shared-services account, composed of its parts.

A private REST API (reachable only through the central `execute-api` endpoint) with a Lambda
REQUEST authorizer that verifies the identity provider's JWT and signs a proof of its decision
with a KMS key only its role may use, in front of the presigned-URL function. That function
runs in the access VPC (attached to the TGW, resolving STS and the SageMaker API to the central
endpoints), verifies the proof with the key's public key, reads the users and LOBs tables
through a gateway endpoint, assumes the LOB's access role as the person and answers with a
short-lived Studio URL.

The parts, one module each: `access_mappings` (tables, items, DynamoDB endpoint),
`access_identity` (Cognito or an OIDC issuer), `access_function` (a Lambda function, used
twice), `access_proof` (the proofs' KMS key), `access_api` (the private REST API). This module
wires them: the access VPC, the presigned-URL function's security group and policy, and each
function's environment.

Why the parts are not ComponentResources: a resource's URN holds the types of its parents, so
moving, say, the users table under a `Mappings` component would change its URN, and `pulumi up`
on a deployed stack would replace the table (its items gone) unless every resource carried an
alias. The parts instead create their resources with `parent=` this component, under the names
they always had: the URNs, and the offline plan, are unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from contracts import authorizer_env, tags
from contracts import presigned_url_env as env

from . import security
from .access_api import ApiSettings, PrivateApi, PrivateApiArgs
from .access_function import FunctionArgs, FunctionVpc, LambdaFunction, RoleDependent
from .access_identity import CognitoArgs, Identity, IdentityArgs, OidcArgs, TokenChecks
from .access_mappings import LobAccount, Mappings, MappingsArgs, UserMapping
from .access_proof import SIGN_ACTION, ProofKey, ProofKeyArgs
from .paths import FUNCTIONS_DIR
from .vpc import TgwVpc, TgwVpcArgs, VpcLayout


@dataclass(frozen=True, kw_only=True)
class AccessProxyArgs:
    region: str
    account_id: str
    network: VpcLayout
    transit_gateway_id: pulumi.Input[str]
    central_vpc_cidr: str
    # Private hosted zones of the hub the access VPC must resolve (STS, SageMaker API).
    hosted_zone_ids: Mapping[str, pulumi.Input[str]]
    execute_api_endpoint_id: pulumi.Input[str]
    lobs: tuple[LobAccount, ...]
    users: tuple[UserMapping, ...]
    # The identity provider's groups -> the LOBs each opens (the LOBs table's mapping item).
    group_lobs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    identity: CognitoArgs | OidcArgs
    token_checks: TokenChecks
    # The role the presigned-URL function assumes in every LOB account.
    access_role_name: str
    url_expires_seconds: int
    cache_ttl_seconds: int
    # None: SageMaker's default session length.
    session_expiration_seconds: int | None = None
    log_retention_days: int
    table_deletion_protection: bool
    api: ApiSettings


def access_role_arn(account_id: str, role_name: str) -> str:
    return f"arn:aws:iam::{account_id}:role/{role_name}"


class AccessProxy(pulumi.ComponentResource):
    network: TgwVpc
    mappings: Mappings
    identity: Identity
    authorizer: LambdaFunction
    proof_key: ProofKey
    presigned_url: LambdaFunction
    function_security_group: aws.ec2.SecurityGroup
    private_api: PrivateApi
    token_issuer: pulumi.Output[str]
    api_url: pulumi.Output[str]

    def __init__(self, name: str, args: AccessProxyArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("studio-access:access_proxy:AccessProxy", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        # --- network: the access VPC on the TGW, resolving STS and SageMaker API centrally
        self.network = TgwVpc(
            name, TgwVpcArgs(layout=args.network, transit_gateway_id=args.transit_gateway_id), opts=child
        )
        vpc_id = self.network.vpc.id
        for key, zone_id in args.hosted_zone_ids.items():
            aws.route53.ZoneAssociation(
                f"{name}-{key}", zone_id=zone_id, vpc_id=vpc_id, vpc_region=args.region, opts=child
            )

        self.mappings = Mappings(
            name,
            MappingsArgs(
                region=args.region,
                vpc_id=vpc_id,
                route_table_id=self.network.private_route_table.id,
                lobs=args.lobs,
                users=args.users,
                group_lobs=args.group_lobs,
                deletion_protection=args.table_deletion_protection,
            ),
            parent=self,
        )
        # The sign-in page's URL is the API's, which exists only below; the Cognito client (its
        # callback) waits for it, the API does not wait for the client: no cycle.
        page_url: pulumi.Output[str]
        resolve_page_url: Callable[[pulumi.Output[str]], None]
        page_url, resolve_page_url = pulumi.deferred_output()
        self.identity = Identity(
            name,
            IdentityArgs(region=args.region, provider=args.identity, checks=args.token_checks, page_url=page_url),
            parent=self,
        )
        self.token_issuer = self.identity.issuer

        def proof_key(role: aws.iam.Role) -> RoleDependent:
            """The proofs' key, which only this role may sign with; the role's policy names it too
            (a permissions boundary limits grants to the role's ARN)."""
            self.proof_key = ProofKey(name, ProofKeyArgs(account_id=args.account_id, signer_role_arn=role.arn), self)
            return RoleDependent(
                statements=[
                    {"Sid": "SignProofs", "Effect": "Allow", "Action": SIGN_ACTION, "Resource": self.proof_key.key.arn}
                ],
                environment={authorizer_env.PROOF_KEY_ID.name: self.proof_key.key.arn},
            )

        self.authorizer = LambdaFunction(
            name,
            FunctionArgs(
                kind=tags.AUTHORIZER_FUNCTION,
                source=FUNCTIONS_DIR / "authorizer",
                environment={
                    **self.identity.authorizer_environment,
                    # A proof lives as long as API Gateway caches the authorizer's answer.
                    authorizer_env.PROOF_TTL_SECONDS.name: str(args.api.authorizer_ttl_seconds),
                },
                timeout=5,
                memory=256,
                log_retention_days=args.log_retention_days,
                with_role=proof_key,
            ),
            parent=self,
        )
        self.function_security_group = self._function_security_group(name, args)
        self.presigned_url = LambdaFunction(
            name,
            FunctionArgs(
                kind=tags.PRESIGNED_URL_FUNCTION,
                source=FUNCTIONS_DIR / "presigned_url",
                environment=self._presigned_url_environment(args),
                timeout=10,
                memory=512,
                log_retention_days=args.log_retention_days,
                vpc=FunctionVpc(
                    subnet_ids=[s.id for s in self.network.private_subnets],
                    security_group_ids=[self.function_security_group.id],
                ),
                statements=self._presigned_url_statements(args),
            ),
            parent=self,
        )

        self.private_api = PrivateApi(
            name,
            PrivateApiArgs(
                region=args.region,
                account_id=args.account_id,
                settings=args.api,
                log_retention_days=args.log_retention_days,
                execute_api_endpoint_id=args.execute_api_endpoint_id,
                authorizer_name=self.authorizer.function.name,
                authorizer_invoke_arn=self.authorizer.function.invoke_arn,
                backend_name=self.presigned_url.function.name,
                backend_invoke_arn=self.presigned_url.function.invoke_arn,
                sign_in=self.identity.sign_in,
            ),
            parent=self,
        )
        resolve_page_url(self.private_api.page_url)
        self.api_url = self.private_api.url
        self.register_outputs(
            {
                "apiId": self.private_api.api.id,
                "apiUrl": self.api_url,
                "usersTable": self.mappings.users_table.name,
                "lobsTable": self.mappings.lobs_table.name,
                "presignedUrlRoleArn": self.presigned_url.role.arn,
                "proofKeyArn": self.proof_key.key.arn,
            }
        )

    def _function_security_group(self, name: str, args: AccessProxyArgs) -> aws.ec2.SecurityGroup:
        """The presigned-URL function's group: HTTPS out to the central VPC and DynamoDB, nothing in."""
        group = security.security_group(
            f"{name}-presigned-url",
            self.network.vpc.id,
            "Presigned-URL function: HTTPS to the central endpoints and DynamoDB",
            self,
        )
        security.rules(
            f"{name}-presigned-url-central",
            "out",
            group,
            protocols=["tcp"],
            port=443,
            cidrs=[args.central_vpc_cidr],
            description="STS and SageMaker API through the central endpoints",
            parent=self,
        )
        security.rules(
            f"{name}-presigned-url-dynamodb",
            "out",
            group,
            protocols=["tcp"],
            port=443,
            prefix_lists=[self.mappings.endpoint.prefix_list_id],
            description="DynamoDB through the gateway endpoint",
            parent=self,
        )
        return group

    def _presigned_url_environment(self, args: AccessProxyArgs) -> dict[str, pulumi.Input[str]]:
        """What the presigned-URL function reads (contracts.presigned_url_env)."""
        environment: dict[str, pulumi.Input[str]] = {
            env.USERS_TABLE.name: self.mappings.users_table.name,
            env.LOBS_TABLE.name: self.mappings.lobs_table.name,
            env.ACCESS_ROLE_NAME.name: args.access_role_name,
            env.URL_EXPIRES_SECONDS.name: str(args.url_expires_seconds),
            env.CACHE_TTL_SECONDS.name: str(args.cache_ttl_seconds),
            env.PROOF_PUBLIC_KEY.name: self.proof_key.public_key,
        }
        if args.session_expiration_seconds:
            environment[env.SESSION_EXPIRATION_SECONDS.name] = str(args.session_expiration_seconds)
        return environment

    def _presigned_url_statements(self, args: AccessProxyArgs) -> list[dict[str, Any]]:
        """The presigned-URL role: read the two tables, assume the LOBs' access roles as the
        person (SourceIdentity), run in the VPC."""
        return [
            {
                "Sid": "ReadMappings",
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem"],
                "Resource": self.mappings.table_arns,
            },
            {
                "Sid": "AssumeLobAccessRoles",
                "Effect": "Allow",
                "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"],
                "Resource": sorted(access_role_arn(lob.account_id, args.access_role_name) for lob in args.lobs),
            },
            {
                # Lambda manages the function's network interfaces with its role; IAM has no
                # ARN for an interface that does not exist yet (as in AWSLambdaVPCAccessExecutionRole).
                "Sid": "VpcNetworkInterfaces",
                "Effect": "Allow",
                "Action": [
                    "ec2:AssignPrivateIpAddresses",
                    "ec2:CreateNetworkInterface",
                    "ec2:DeleteNetworkInterface",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeSubnets",
                    "ec2:UnassignPrivateIpAddresses",
                ],
                "Resource": "*",
            },
        ]
