"""Organizations other than the example: their own accounts, Pulumi org, region, LOB names and counts.

The fixtures under tests/fixtures/ are the tests' own inputs: a three-LOB organization in a Pulumi
Cloud org (`acme`, eu-west-1) and a one-LOB organization on a self-managed backend. Every LOB must
show up everywhere it belongs, whatever its name and however many there are.
"""

from __future__ import annotations

import json
import shutil

import pytest

from components import config, outputs
from tests.conftest import FIXTURES, Project, resources
from tools import graph
from tools import plan as plan_tool
from tools.deploy import selection

ORGS = ["three-lobs", "one-lob"]


@pytest.fixture(scope="module", params=ORGS)
def org(request):
    path = FIXTURES / request.param
    loaded = graph.load_all(graph.discover(path), path)
    return path, loaded, plan_tool.plan(None, path)


def _doc(value):
    return json.loads(value) if isinstance(value, str) else value


def _lobs(loaded) -> dict[str, config.LoadedStack]:
    return {s: item for s, item in loaded.items() if item.config.role == "lob"}


def test_every_stack_is_planned_shared_first_and_passes_the_pack(org):
    _path, loaded, planned = org
    assert next(iter(planned)) == "shared" and set(planned) == set(loaded)
    for stack, result in planned.items():
        assert [v for v in result.violations if v.enforcement == "mandatory"] == [], stack


def test_every_lob_account_is_a_ram_principal(org):
    _, loaded, planned = org
    principals = {
        r.inputs["principal"] for r in resources(planned["shared"], "aws:ram/principalAssociation:PrincipalAssociation")
    }
    assert principals == {item.config.aws.account_id for item in _lobs(loaded).values()}


def test_every_lob_vpc_reaches_the_endpoints(org):
    _, loaded, planned = org
    for key in ("sagemaker-api", "sagemaker-runtime", "sts"):
        admitted = {
            r.inputs["cidrIpv4"]
            for r in resources(planned["shared"], "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
            if r.name.startswith(f"hub-{key}-endpoint-")
        }
        for item in _lobs(loaded).values():
            assert str(item.config.lob.vpc_cidr) in admitted, key
        for cidr in planned["shared"].loaded.config.hub.on_prem_cidrs:
            assert str(cidr) in admitted, key


def test_every_lob_attaches_to_the_shared_transit_gateway_and_routes_to_it(org):
    _, loaded, planned = org
    tgw = planned["shared"].outputs[outputs.TRANSIT_GATEWAY_ID]
    for stack in _lobs(loaded):
        attachments = resources(planned[stack], "aws:ec2transitgateway/vpcAttachment:VpcAttachment")
        assert [a.inputs["transitGatewayId"] for a in attachments] == [tgw]
        routes = [r.inputs for r in resources(planned[stack], "aws:ec2/route:Route")]
        assert {"destinationCidrBlock": "0.0.0.0/0", "transitGatewayId": tgw} in [
            {k: r.get(k) for k in ("destinationCidrBlock", "transitGatewayId")} for r in routes
        ]


def test_the_presigned_function_may_assume_exactly_each_lobs_access_role(org):
    _, loaded, planned = org
    policy = next(
        r for r in resources(planned["shared"], "aws:iam/rolePolicy:RolePolicy") if r.name == "access-presigned-url"
    )
    statement = next(s for s in _doc(policy.inputs["policy"])["Statement"] if s.get("Sid") == "AssumeLobAccessRoles")
    assert statement["Action"] == ["sts:AssumeRole", "sts:SetSourceIdentity"]
    name = planned["shared"].loaded.config.access.access_role_name
    assert sorted(statement["Resource"]) == sorted(
        f"arn:aws:iam::{item.config.aws.account_id}:role/{name}" for item in _lobs(loaded).values()
    )


def test_every_lob_and_user_has_its_table_item(org):
    _, _loaded, planned = org
    shared = planned["shared"].loaded.config
    items = [_doc(r.inputs["item"]) for r in resources(planned["shared"], "aws:dynamodb/tableItem:TableItem")]
    lob_items = {i["PK"]["S"]: i["ACCOUNT_ID"]["S"] for i in items if "ACCOUNT_ID" in i}
    user_items = {
        i["PK"]["S"]: i.get("LOB", {}).get("S") for i in items if i["PK"]["S"] in {u.username for u in shared.users}
    }
    assert lob_items == {lob.name: lob.account_id for lob in shared.lobs}
    assert user_items == {u.username: u.lob for u in shared.users}  # a user without lob: an item without LOB
    groups = [i for i in items if i["PK"]["S"] == "#groups"]
    mapping = {group: sorted(lobs) for group, lobs in shared.group_lobs().items()}
    assert [json.loads(g["GROUPS"]["S"]) for g in groups] == ([mapping] if shared.groups else [])


def test_each_stack_runs_in_its_own_account_and_region(org):
    _, loaded, planned = org
    for stack, result in planned.items():
        provider = next(r for r in result.resources if r.type == "pulumi:providers:aws")
        assert _doc(provider.inputs["allowedAccountIds"]) == [loaded[stack].config.aws.account_id]
        assert provider.inputs["region"] == loaded[stack].config.aws.region


def test_the_deploy_tool_names_the_stacks_in_the_org_of_the_stack_files(org):
    _path, loaded, _ = org
    org_name = next(iter(_lobs(loaded).values())).config.lob.shared_stack.split("/")[0]
    targets = selection.targets(loaded)
    assert {t.fqn for t in targets.values()} == {f"{org_name}/studio-access/{s}" for s in loaded}
    assert graph.waves(loaded)[0] == ["shared"]


def test_adding_a_lob_by_the_recipe_plans_it_everywhere(tmp_path):
    """The rollout guide's recipe: a new `Pulumi.<lob>.yaml` and an entry in the shared stack's `lobs`."""
    project = Project(tmp_path, FIXTURES / "one-lob")
    lob = project.read("research")
    lob["studio-access:aws"]["accountId"] = "525252525252"
    lob["studio-access:lob"].update(
        name="fraud",
        vpcCidr="10.62.0.0/16",
        privateSubnets=["10.62.10.0/24", "10.62.11.0/24"],
        attachmentSubnets=["10.62.20.0/24", "10.62.21.0/24"],
        domainName="studio-fraud",
        userProfiles=["eve"],
    )
    project.write("fraud", lob)
    project.edit(
        "shared",
        lambda c: (
            c["studio-access:lobs"].append({"name": "fraud", "accountId": "525252525252"}),
            c["studio-access:users"].append({"username": "eve", "lob": "fraud", "email": "eve@corp.example"}),
        ),
    )
    planned = project.plan()
    assert list(planned) == ["shared", "fraud", "research"]
    shared = planned["shared"]
    assert "525252525252" in {
        r.inputs["principal"] for r in resources(shared, "aws:ram/principalAssociation:PrincipalAssociation")
    }
    assert "10.62.0.0/16" in {
        r.inputs.get("cidrIpv4") for r in resources(shared, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    }
    assert all(not v for v in (r.violations for r in planned.values()))


def test_a_self_managed_org_and_a_cloud_org_plan_alike(tmp_path):
    """The same files with `organization` replaced by a Pulumi Cloud org: same resources, same inputs."""
    source = FIXTURES / "one-lob"
    renamed = tmp_path / "cloud"
    shutil.copytree(source, renamed)
    lob_file = renamed / "Pulumi.research.yaml"
    lob_file.write_text(
        lob_file.read_text().replace("organization/studio-access/shared", "my-company/studio-access/shared")
    )
    first, second = plan_tool.plan(None, source), plan_tool.plan(None, renamed)
    for stack in first:
        assert [r["inputs"] for r in first[stack].to_json()["resources"]] == [
            r["inputs"] for r in second[stack].to_json()["resources"]
        ]
