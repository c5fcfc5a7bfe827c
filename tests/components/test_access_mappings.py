"""The access proxy's mappings alone: the tables, their items from the Args, reads-only endpoint."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pulumi

from components.access_mappings import LobAccount, Mappings, MappingsArgs, UserMapping
from contracts import tables
from tests.components.conftest import REGION, Graph, Parent, statements

ARGS = MappingsArgs(
    region=REGION,
    vpc_id="vpc-0a0a0a0a0a0a0a0a0",
    route_table_id="rtb-0b0b0b0b0b0b0b0b0",
    lobs=(LobAccount(name="red", account_id="444444444444"), LobAccount(name="blue", account_id="555555555555")),
    users=(UserMapping(username="ann", lob="red"), UserMapping(username="bob", lob="blue", profile="bob-blue")),
    deletion_protection=True,
)


def _mappings(**changes: Any) -> Parent:
    return Parent(lambda parent: Mappings("access", replace(ARGS, **changes), parent=parent))


def test_tables_keyed_by_the_contract_with_recovery_and_encryption(graph: Graph) -> None:
    graph.build(_mappings)
    for kind in ("users", "lobs"):
        table = graph.one("aws:dynamodb/table:Table", f"access-{kind}").inputs
        assert table["hashKey"] == tables.KEY
        assert table["attributes"] == [{"name": tables.KEY, "type": tables.KEY_TYPE}]
        assert table["billingMode"] == "PAY_PER_REQUEST"
        assert table["pointInTimeRecovery"] == {"enabled": True}
        assert table["serverSideEncryption"] == {"enabled": True}
        assert table["deletionProtectionEnabled"] is True


def test_deletion_protection_as_given(graph: Graph) -> None:
    graph.build(lambda: _mappings(deletion_protection=False))
    assert graph.one("aws:dynamodb/table:Table", "access-users").inputs["deletionProtectionEnabled"] is False


def test_one_item_per_lob_and_user_in_the_contracts_form(graph: Graph) -> None:
    graph.build(_mappings)
    users = graph.one("aws:dynamodb/table:Table", "access-users").outputs["name"]
    lobs = graph.one("aws:dynamodb/table:Table", "access-lobs").outputs["name"]
    items = {
        r.name: (r.inputs["tableName"], json.loads(r.inputs["item"]))
        for r in graph.of_type("aws:dynamodb/tableItem:TableItem")
    }
    assert items == {
        "access-lob-red": (lobs, tables.typed(tables.lob_item("red", "444444444444"))),
        "access-lob-blue": (lobs, tables.typed(tables.lob_item("blue", "555555555555"))),
        "access-user-ann": (users, tables.typed(tables.user_item("ann", "red"))),
        "access-user-bob": (users, tables.typed(tables.user_item("bob", "blue", "bob-blue"))),
    }
    assert items["access-user-bob"][1][tables.USER_PROFILE] == {"S": "bob-blue"}
    assert tables.USER_PROFILE not in items["access-user-ann"][1]


def test_gateway_endpoint_on_the_given_route_table_reads_only_the_two_tables(graph: Graph) -> None:
    graph.build(_mappings)
    endpoint = graph.one("aws:ec2/vpcEndpoint:VpcEndpoint", "access-dynamodb").inputs
    assert (endpoint["vpcId"], endpoint["routeTableIds"]) == ("vpc-0a0a0a0a0a0a0a0a0", ["rtb-0b0b0b0b0b0b0b0b0"])
    assert (endpoint["serviceName"], endpoint["vpcEndpointType"]) == (f"com.amazonaws.{REGION}.dynamodb", "Gateway")
    arns = [graph.one("aws:dynamodb/table:Table", f"access-{k}").outputs["arn"] for k in ("users", "lobs")]
    assert statements(endpoint["policy"]) == [
        {"Effect": "Allow", "Principal": "*", "Action": ["dynamodb:GetItem"], "Resource": arns}
    ]


@pulumi.runtime.test
def test_table_arns_are_what_the_function_may_read(graph: Graph) -> pulumi.Output[None]:
    mappings: Mappings = _mappings().part

    def check(values: list[Any]) -> None:
        arns, users, lobs = values
        assert arns == [users, lobs]

    return pulumi.Output.all(
        pulumi.Output.all(*mappings.table_arns), mappings.users_table.arn, mappings.lobs_table.arn
    ).apply(check)


def test_everything_is_a_child_of_the_given_parent(graph: Graph) -> None:
    graph.build(_mappings)
    parent = graph.one(Parent.TYPE, "parent")
    assert {r.parent for r in graph.resources if r.type != Parent.TYPE} == {parent.urn}


def test_the_group_mapping_is_one_item_of_the_lobs_table(graph: Graph) -> None:
    """issue 15: the identity provider's groups -> LOBs, one item (`contracts.tables`), only when mapped."""
    group_lobs = {"studio-red": ("red",), "studio-all": ("red", "blue")}
    graph.build(lambda: _mappings(group_lobs=group_lobs))
    lobs = graph.one("aws:dynamodb/table:Table", "access-lobs").outputs["name"]
    item = graph.one("aws:dynamodb/tableItem:TableItem", "access-groups").inputs
    assert item["tableName"] == lobs and item["hashKey"] == tables.KEY
    assert json.loads(item["item"]) == {
        "PK": {"S": tables.GROUPS_ITEM_KEY},
        "GROUPS": {"S": '{"studio-all":["blue","red"],"studio-red":["red"]}'},
    }
    assert tables.parse_group_map(json.loads(item["item"])["GROUPS"]["S"]) == {
        "studio-all": ("blue", "red"),
        "studio-red": ("red",),
    }


def test_no_groups_no_mapping_item_and_a_user_without_lob(graph: Graph) -> None:
    graph.build(lambda: _mappings(users=(UserMapping(username="cy", lob=None, profile="cy-1"),)))
    names = [i.name for i in graph.of_type("aws:dynamodb/tableItem:TableItem")]
    assert "access-groups" not in names
    item = graph.one("aws:dynamodb/tableItem:TableItem", "access-user-cy").inputs
    assert json.loads(item["item"]) == {"PK": {"S": "cy"}, "PROFILE": {"S": "cy-1"}}
