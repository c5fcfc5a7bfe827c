"""Breaks planted in an emulated deployment (moto server, built from the plan), each named by the
doctor with its stack, account, resource and fix, and nothing else reported broken.

All breaks are planted in one world and the doctor runs once (a world takes seconds to build);
each sits on a different link, so one cannot hide another, and `test_nothing_else_is_broken`
shows none spills over. What moto lacks is faked for that one call only (tests/doctor/fakes.py):
the RAM invitation, the rule association and the user profile live in the world's own tables; the
domain's status is set in moto's backend (moto has no call that changes it).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from components import outputs as out
from contracts import tags

from .conftest import ACCOUNTS, Doctor, Result
from .world import REGION, World

SHARED, LOB_A, LOB_B = ACCOUNTS["shared"], ACCOUNTS["lob-a"], ACCOUNTS["lob-b"]
OTHER_ROLE = f"arn:aws:iam::{SHARED}:role/someone-else"
FAILURE = "The VPC subnet-0 has no free addresses"


def o(world: World, stack: str, key: str, sub: str | None = None) -> str:
    value = world.outputs[stack][key]
    return str(value[sub] if sub else value)


# --------------------------------------------------------------------------- the breaks


def unaccept_share(w: World) -> None:
    w.invitations[(LOB_A, o(w, "shared", out.RAM_SHARE_ARN))] = "PENDING"


def drop_rule_association(w: World) -> None:
    del w.rule_associations[(LOB_B, o(w, "lob-b", out.VPC_ID))][o(w, "shared", out.RESOLVER_RULE_IDS, "sts")]


def drop_zone_association(w: World) -> None:
    w.client("shared", "route53").disassociate_vpc_from_hosted_zone(
        HostedZoneId=o(w, "shared", out.HOSTED_ZONE_IDS, "sts"),
        VPC={"VPCRegion": REGION, "VPCId": o(w, "shared", out.ACCESS_VPC_ID)},
    )


def delete_user_item(w: World) -> None:
    w.client("shared", "dynamodb").delete_item(
        TableName=o(w, "shared", out.USERS_TABLE), Key={"PK": {"S": "user-lob-b"}}
    )


def trust_another_role(w: World) -> None:
    w.client("lob-a", "iam").update_assume_role_policy(
        RoleName=o(w, "shared", out.ACCESS_ROLE_NAME),
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"AWS": OTHER_ROLE}, "Action": "sts:AssumeRole"}],
            }
        ),
    )


def fail_domain(w: World) -> None:
    from moto.sagemaker.models import sagemaker_backends  # moto has no call that changes a domain's status

    domain = sagemaker_backends[LOB_B][REGION].domains[o(w, "lob-b", out.DOMAIN_ID)]
    domain.status, domain.failure_reason = "Failed", FAILURE


def delete_studio_record(w: World) -> None:
    r53 = w.client("shared", "route53")
    zone = o(w, "shared", out.HOSTED_ZONE_IDS, "studio")
    record = next(r for r in r53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"] if r["Type"] == "A")
    r53.change_resource_record_sets(
        HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "DELETE", "ResourceRecordSet": record}]}
    )


def drop_endpoint_condition(w: World) -> None:
    iam, role = w.client("lob-b", "iam"), o(w, "shared", out.ACCESS_ROLE_NAME)
    for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
        for statement in document["Statement"]:
            statement.pop("Condition", None)
        iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(document))


def change_function_environment(w: World) -> None:
    lam = w.client("shared", "lambda")
    name = next(
        f["FunctionName"]
        for f in lam.list_functions()["Functions"]
        if lam.list_tags(Resource=f["FunctionArn"])["Tags"].get(tags.FUNCTION_TAG) == tags.PRESIGNED_URL_FUNCTION
    )
    variables = lam.get_function_configuration(FunctionName=name)["Environment"]["Variables"]
    lam.update_function_configuration(
        FunctionName=name, Environment={"Variables": {**variables, "URL_EXPIRES_SECONDS": "300"}}
    )


def turn_private_dns_on(w: World) -> None:
    from moto.ec2.models import ec2_backends  # moto's ModifyVpcEndpoint ignores PrivateDnsEnabled

    endpoint = ec2_backends[SHARED][REGION].vpc_end_points[o(w, "shared", out.ENDPOINT_IDS, "sagemaker-runtime")]
    endpoint.private_dns_enabled = True


def move_attachment(w: World) -> None:
    from moto.ec2.models import ec2_backends  # moto's AssociateTransitGatewayRouteTable leaves what it describes

    ec2, tgw = w.client("shared", "ec2"), o(w, "shared", out.TRANSIT_GATEWAY_ID)
    attachment = ec2.describe_transit_gateway_attachments(
        Filters=[{"Name": "resource-id", "Values": [o(w, "lob-a", out.VPC_ID)]}]
    )["TransitGatewayAttachments"][0]
    other = ec2.create_transit_gateway_route_table(TransitGatewayId=tgw)["TransitGatewayRouteTable"]
    backend = ec2_backends[SHARED][REGION]
    backend.transit_gateway_attachments[
        attachment["TransitGatewayAttachmentId"]
    ].transit_gateway_route_table = backend.transit_gateways_route_tables[other["TransitGatewayRouteTableId"]]


def drop_profile(w: World) -> None:
    del w.profiles[(LOB_A, o(w, "lob-a", out.DOMAIN_ID))]["user-lob-a"]


def disable_user(w: World) -> None:
    w.client("shared", "cognito-idp").admin_disable_user(
        UserPoolId=o(w, "shared", out.USER_POOL_ID), Username="user-lob-a"
    )


@dataclass(frozen=True)
class Break:
    name: str
    plant: Callable[[World], None]
    stack: str
    link: str
    account: str
    resource: Callable[[World], str]  # a part of the link's resource
    fix: Callable[[World], list[str]]  # parts of the fix


BREAKS = [
    # the eight
    Break(
        "an unaccepted share",
        unaccept_share,
        "lob-a",
        "RAM invitation",
        LOB_A,
        lambda w: o(w, "shared", out.RAM_SHARE_ARN),
        lambda w: [f"in account {LOB_A}", "aws ram accept-resource-share-invitation", "--stack lob-a"],
    ),
    Break(
        "a missing rule association",
        drop_rule_association,
        "lob-b",
        "resolver rule association sts",
        LOB_B,
        lambda w: f"{o(w, 'shared', out.RESOLVER_RULE_IDS, 'sts')} in {o(w, 'lob-b', out.VPC_ID)}",
        lambda w: [f"in account {LOB_B}", "pulumi refresh --yes --stack organization/studio-access/lob-b"],
    ),
    Break(
        "a missing zone association",
        drop_zone_association,
        "shared",
        "access VPC zone association sts",
        SHARED,
        lambda w: o(w, "shared", out.HOSTED_ZONE_IDS, "sts"),
        lambda w: [f"in account {SHARED}", o(w, "shared", out.ACCESS_VPC_ID), 'make deploy ARGS="up --stack shared"'],
    ),
    Break(
        "a deleted user item",
        delete_user_item,
        "shared",
        "user item user-lob-b",
        SHARED,
        lambda w: f"{o(w, 'shared', out.USERS_TABLE)}/user-lob-b",
        lambda w: [f"in account {SHARED}", "--stack shared", "cut off on purpose"],
    ),
    Break(
        "a trust naming another role",
        trust_another_role,
        "lob-a",
        "access role trust",
        LOB_A,
        lambda w: o(w, "lob-a", out.ACCESS_ROLE_ARN),
        lambda w: [f"in account {LOB_A}", o(w, "shared", out.PRESIGNED_URL_ROLE_ARN), "--stack lob-a"],
    ),
    Break(
        "a domain not InService",
        fail_domain,
        "lob-b",
        "Studio domain",
        LOB_B,
        lambda w: o(w, "lob-b", out.DOMAIN_ID),
        lambda w: [f"in account {LOB_B}", FAILURE, "--stack lob-b"],
    ),
    Break(
        "an endpoint without its zone record",
        delete_studio_record,
        "shared",
        "hosted zone studio",
        SHARED,
        lambda w: o(w, "shared", out.HOSTED_ZONE_IDS, "studio"),
        lambda w: [f"in account {SHARED}", "*.studio.us-east-1.sagemaker.aws", o(w, "shared", out.STUDIO_ENDPOINT_ID)],
    ),
    Break(
        "a LOB role without the endpoint condition",
        drop_endpoint_condition,
        "lob-b",
        "access role presigns only through the central endpoints",
        LOB_B,
        lambda w: o(w, "lob-b", out.ACCESS_ROLE_ARN),
        lambda w: [f"in account {LOB_B}", "aws:sourceVpce", "--stack lob-b"],
    ),
    # more
    Break(
        "a function environment edited by hand",
        change_function_environment,
        "shared",
        "function presigned-url",
        SHARED,
        lambda w: "access-presigned-url",
        lambda w: [f"in account {SHARED}", "environment", "--stack shared"],
    ),
    Break(
        "an endpoint with private DNS on",
        turn_private_dns_on,
        "shared",
        "endpoint sagemaker-runtime",
        SHARED,
        lambda w: o(w, "shared", out.ENDPOINT_IDS, "sagemaker-runtime"),
        lambda w: [f"in account {SHARED}", "--no-private-dns-enabled"],
    ),
    Break(
        "an attachment in another route table",
        move_attachment,
        "lob-a",
        "transit gateway attachment",
        SHARED,  # the TGW's route tables are the shared account's
        lambda w: "tgw-attach-",
        lambda w: [f"in account {SHARED}", "associate-transit-gateway-route-table"],
    ),
    Break(
        "a missing user profile",
        drop_profile,
        "lob-a",
        "user profile user-lob-a",
        LOB_A,
        lambda w: f"{o(w, 'lob-a', out.DOMAIN_ID)}/user-lob-a",
        lambda w: [f"in account {LOB_A}", "--stack lob-a"],
    ),
    Break(
        "a disabled user",
        disable_user,
        "shared",
        "user user-lob-a",
        SHARED,
        lambda w: f"{o(w, 'shared', out.USER_POOL_ID)}/user-lob-a",
        lambda w: [f"in account {SHARED}", "admin-enable-user"],
    ),
]


@pytest.fixture(scope="module")
def broken(deployed: Doctor) -> tuple[Doctor, Result, Result]:
    for b in BREAKS:
        b.plant(deployed.world)
    return deployed, deployed.run(), deployed.run(json_out=False)


@pytest.mark.parametrize("b", BREAKS, ids=[b.name for b in BREAKS])
def test_each_break_is_named_with_its_account_resource_and_fix(broken, b):
    doctor, result, _ = broken
    found = [link for link in result.links if (link["stack"], link["link"]) == (b.stack, b.link)]
    assert len(found) == 1, [(link["stack"], link["link"]) for link in result.links]
    link = found[0]
    assert link["status"] == "broken", link
    assert link["account"] == b.account, link
    assert b.resource(doctor.world) in link["resource"], link
    assert link["detail"], link
    for part in b.fix(doctor.world):
        assert part in link["fix"], (part, link["fix"])


def test_nothing_else_is_broken(broken):
    _, result, _ = broken
    assert {(link["stack"], link["link"]) for link in result.not_ok()} == {(b.stack, b.link) for b in BREAKS}
    assert result.code == 1
    assert result.report["counts"]["broken"] == len(BREAKS)


def test_the_text_report_gives_each_broken_link_its_fix(broken):
    _, json_result, text = broken
    lines = text.out.splitlines()
    assert text.code == 1
    for link in json_result.broken():
        at = next(i for i, line in enumerate(lines) if line.split()[:1] == ["broken"] and f" {link['link']} " in line)
        assert lines[at + 1].strip().startswith("fix: "), lines[at : at + 2]
        assert link["fix"] in lines[at + 1]
    assert lines[-1].endswith(f"{len(BREAKS)} broken, 0 could not be checked (exit 1)")
