"""The access proxy's mappings: who may open which LOB, and where each LOB is.

Two DynamoDB tables (the schema in `contracts.tables`: users `PK`/`LOB`/`PROFILE`, LOBs
`PK`/`ACCOUNT_ID`), on demand, with point-in-time recovery and encryption; their items from the
stack config (adding a user is a config change): a users item per person row, a LOBs item per
LOB, and, when the config maps groups, the LOBs table's one group mapping item
(`contracts.tables.GROUPS_ITEM_KEY`: the identity provider's groups to LOBs); and the access
VPC's DynamoDB gateway endpoint, through which only reads of these two tables pass.

A part of `AccessProxy`, not a component of its own: its resources are children of the proxy,
so their URNs are the ones deployed stacks already have (see `components/access_proxy.py`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from contracts import tables

from . import iam


@dataclass(frozen=True, kw_only=True)
class LobAccount:
    """A row of the LOBs table: a LOB and the account its Studio domain is in."""

    name: str
    account_id: str


@dataclass(frozen=True, kw_only=True)
class UserMapping:
    """A row of the users table: a person, their LOB (None: their groups say) and, if not their
    username, their profile."""

    username: str
    lob: str | None
    profile: str | None = None


@dataclass(frozen=True, kw_only=True)
class MappingsArgs:
    region: str
    # The access VPC and the route table of the subnets the presigned-URL function runs in.
    vpc_id: pulumi.Input[str]
    route_table_id: pulumi.Input[str]
    lobs: tuple[LobAccount, ...]
    users: tuple[UserMapping, ...]
    deletion_protection: bool
    # The identity provider's groups -> the LOBs each opens (empty: no mapping item).
    group_lobs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


class Mappings:
    """The users and LOBs tables, their items, and the DynamoDB gateway endpoint, under `parent`."""

    users_table: aws.dynamodb.Table
    lobs_table: aws.dynamodb.Table
    endpoint: aws.ec2.VpcEndpoint
    # [users, LOBs]: what the function's role and the endpoint's policy allow reading.
    table_arns: list[pulumi.Output[str]]

    def __init__(self, name: str, args: MappingsArgs, parent: pulumi.Resource) -> None:
        self._name, self._parent, self._args = name, parent, args
        self.users_table = self._table("users")
        self.lobs_table = self._table("lobs")
        self.table_arns = [self.users_table.arn, self.lobs_table.arn]
        self.endpoint = aws.ec2.VpcEndpoint(
            f"{name}-dynamodb",
            vpc_id=args.vpc_id,
            service_name=f"com.amazonaws.{args.region}.dynamodb",
            vpc_endpoint_type="Gateway",
            route_table_ids=[args.route_table_id],
            # Through this endpoint, only reads of the two tables.
            policy=iam.document(
                {"Effect": "Allow", "Principal": "*", "Action": ["dynamodb:GetItem"], "Resource": self.table_arns}
            ),
            tags={"Name": f"{name}-dynamodb"},
            opts=pulumi.ResourceOptions(parent=parent),
        )
        for lob in args.lobs:
            self._item(self.lobs_table, f"lob-{lob.name}", tables.lob_item(lob.name, lob.account_id))
        if args.group_lobs:
            self._item(self.lobs_table, "groups", tables.group_map_item(args.group_lobs))
        for user in args.users:
            self._item(
                self.users_table, f"user-{user.username}", tables.user_item(user.username, user.lob, user.profile)
            )

    def _table(self, kind: str) -> aws.dynamodb.Table:
        return aws.dynamodb.Table(
            f"{self._name}-{kind}",
            billing_mode="PAY_PER_REQUEST",
            hash_key=tables.KEY,
            attributes=[aws.dynamodb.TableAttributeArgs(name=tables.KEY, type=tables.KEY_TYPE)],
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
            server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True),
            deletion_protection_enabled=self._args.deletion_protection,
            opts=pulumi.ResourceOptions(parent=self._parent),
        )

    def _item(self, table: aws.dynamodb.Table, key: str, item: dict[str, str]) -> None:
        aws.dynamodb.TableItem(
            f"{self._name}-{key}",
            table_name=table.name,
            hash_key=table.hash_key,
            item=json.dumps(tables.typed(item), sort_keys=True),
            opts=pulumi.ResourceOptions(parent=self._parent),
        )
