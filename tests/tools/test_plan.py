"""The offline plan (`tools/plan.py`): every stack, in order, with StackReferences answered by the referenced run.

The stack graph it runs in is tested in test_tools_graph.py, the harness it runs with in test_tools_harness.py.
"""

from __future__ import annotations

import json

import pytest

from components import config, outputs
from tests.conftest import EXAMPLE
from tools import plan as plan_tool


def test_plans_every_stack_shared_first(planned):
    assert list(planned) == ["shared", "lob-a", "lob-b"]


def test_the_done_criteria_resource_counts(planned):
    def count(stack, type_):
        return sum(r.type == type_ for r in planned[stack].resources)

    shared = {  # central and access VPCs
        "aws:ec2/vpc:Vpc": 2,
        "aws:ec2/subnet:Subnet": 8,
        "aws:ec2transitgateway/transitGateway:TransitGateway": 1,
        "aws:ec2transitgateway/vpcAttachment:VpcAttachment": 2,
        "aws:ec2/route:Route": 2,
        "aws:ram/resourceShare:ResourceShare": 1,
        "aws:ram/principalAssociation:PrincipalAssociation": 2,
        "aws:ec2/vpcEndpoint:VpcEndpoint": 6,  # five interface endpoints, DynamoDB gateway
        "aws:route53/zone:Zone": 5,  # four service names and the API's host
        "aws:route53/record:Record": 5,
        "aws:route53/resolverEndpoint:ResolverEndpoint": 2,
        "aws:route53/resolverRule:ResolverRule": 5,
        "aws:ec2transitgateway/routeTable:RouteTable": 2,  # hub and spokes
        "aws:ec2/flowLog:FlowLog": 2,
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": 2,
    }
    assert {t: count("shared", t) for t in shared} == shared
    lob = {
        "aws:ec2/vpc:Vpc": 1,
        "aws:ec2/subnet:Subnet": 4,
        "aws:ec2transitgateway/vpcAttachment:VpcAttachment": 1,
        "aws:ec2/route:Route": 1,
        "aws:route53/resolverRuleAssociation:ResolverRuleAssociation": 4,  # the service names, not the API host
        "aws:ec2/vpcEndpoint:VpcEndpoint": 1,
        "aws:ec2/securityGroup:SecurityGroup": 1,
        "aws:iam/role:Role": 3,  # execution role, access role, flow logs role
        "aws:ec2/flowLog:FlowLog": 1,
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": 1,
        "aws:sagemaker/domain:Domain": 1,
        "aws:sagemaker/userProfile:UserProfile": 1,
    }
    for stack in ("lob-a", "lob-b"):
        assert {t: count(stack, t) for t in lob} == lob


def test_every_resource_uses_its_stacks_explicit_provider(planned):
    for stack, result in planned.items():
        providers = [r for r in result.resources if r.type == "pulumi:providers:aws"]
        assert len(providers) == 1
        provider = providers[0]
        assert provider.inputs["allowedAccountIds"] == json.dumps(
            [result.loaded.config.aws.account_id]
        ) or provider.inputs["allowedAccountIds"] == [result.loaded.config.aws.account_id]
        assert provider.inputs["region"] == "us-east-1"
        tags = (
            json.loads(provider.inputs["defaultTags"])
            if isinstance(provider.inputs["defaultTags"], str)
            else provider.inputs["defaultTags"]
        )
        assert tags["tags"]["project"] == "studio-access" and tags["tags"]["stack"] == stack
        ref = f"{provider.urn}::{provider.id}"
        custom = [r for r in result.resources if r.custom and not r.type.startswith("pulumi:")]
        assert custom and all(r.provider == ref for r in custom), [r.name for r in custom if r.provider != ref]


def test_lob_default_tags_name_the_lob(planned):
    provider = next(r for r in planned["lob-b"].resources if r.type == "pulumi:providers:aws")
    tags = provider.inputs["defaultTags"]
    tags = json.loads(tags) if isinstance(tags, str) else tags
    assert tags["tags"]["lob"] == "lob-b"


def test_every_output_a_lob_reads_is_exported_by_shared(planned):
    exported = set(planned["shared"].outputs)
    assert set(outputs.READ_BY_LOB) <= exported


def test_ids_and_arns_are_in_each_stacks_own_account(planned):
    for result in planned.values():
        account = result.loaded.config.aws.account_id
        arns = [r.outputs["arn"] for r in result.resources if r.custom and r.outputs.get("arn")]
        accounts = {a.split(":")[4] for a in arns} - {""}  # S3 and Route 53 ARNs carry no account
        assert len(arns) > 10 and accounts == {account}


def test_a_lob_reading_a_missing_output_fails_naming_both_stacks_and_the_output(planned):
    shared_outputs = {k: v for k, v in planned["shared"].outputs.items() if k != outputs.TRANSIT_GATEWAY_ID}
    loaded = planned["lob-a"].loaded
    with pytest.raises(plan_tool.PlanError) as err:
        plan_tool.run_stack(
            loaded,
            config.read_stack_file(config.stack_file("lob-a", EXAMPLE)),
            {"organization/studio-access/shared": shared_outputs},
            EXAMPLE,
        )
    message = str(err.value)
    assert (
        "stack lob-a reads output 'transitGatewayId' that stack organization/studio-access/shared does not export"
        in message
    )


def test_bad_config_creates_nothing(project):
    """The program validates before it registers anything: zero resources under the mocks."""
    project.edit("lob-a", lambda c: c["studio-access:lob"].update(vpcCidr="not-a-cidr"))
    good = config.load("lob-a", config.read_stack_file(config.stack_file("lob-a", EXAMPLE)), EXAMPLE)
    with pytest.raises(config.ConfigError):
        plan_tool.run_stack(good, project.read("lob-a"), {}, project.path)


def test_plan_of_one_lob_runs_the_shared_stack_it_references(project):
    results = project.plan(["lob-b"])
    assert list(results) == ["shared", "lob-b"]


def test_the_plan_is_deterministic(planned, project):
    again = project.plan()
    for stack, result in planned.items():
        assert json.dumps(result.to_json(), sort_keys=True) == json.dumps(again[stack].to_json(), sort_keys=True)


def test_cli_writes_the_json_schema(tmp_path, capsys):
    out = tmp_path / "plan.json"
    assert plan_tool.main(["--json", str(out), "--quiet"], EXAMPLE) == 0
    doc = json.loads(out.read_text())
    assert list(doc) == ["cost", "stacks"] and set(doc["stacks"]) == {"shared", "lob-a", "lob-b"}
    for stack in doc["stacks"].values():
        assert set(stack) == {"resources", "outputs", "cost"}  # cost: tests/tools/test_cost.py
        for r in stack["resources"]:
            assert {"type", "name", "urn", "parent", "provider", "inputs"} <= set(r)
    printed = capsys.readouterr().out
    assert "=== stack lob-b (account 333333333333, us-east-1)" in printed
    assert "aws:sagemaker/domain:Domain" in printed and "planned 3 stacks" in printed


def test_cli_prints_the_tree(capsys):
    assert plan_tool.main(["--stack", "shared"], EXAMPLE) == 0
    printed = capsys.readouterr().out
    assert "+ studio-access:network_hub:NetworkHub  hub" in printed
    assert "    + aws:ec2transitgateway/transitGateway:TransitGateway  hub-tgw" in printed
    assert "=== stack lob-a" not in printed


def test_cli_bad_config_exits_2_with_the_named_error(project, capsys):
    project.edit("shared", lambda c: c["studio-access:lobs"][0].update(accountId="123"))
    assert plan_tool.main([], project.path) == 2
    err = capsys.readouterr().err
    assert "Pulumi.shared.yaml: studio-access:lobs[0].accountId: '123' is not an AWS account id (12 digits)" in err


def test_cli_unknown_stack_lists_the_stacks_that_exist(capsys):
    assert plan_tool.main(["--stack", "lob-z"], EXAMPLE) == 2
    assert (
        "Pulumi.lob-z.yaml: (file): no stack lob-z in this project (stacks: lob-a, lob-b, shared)"
        in capsys.readouterr().err
    )


def test_cli_a_folder_that_is_not_a_project_is_an_error(tmp_path, capsys):
    (tmp_path / "Pulumi.shared.yaml").write_text("config: {}\n")
    assert plan_tool.main(["--project-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path}: (project): no Pulumi.yaml here" in err and "planned" not in err


def test_cli_a_project_without_stack_files_is_an_error(tmp_path, capsys):
    (tmp_path / "Pulumi.yaml").write_text((EXAMPLE / "Pulumi.yaml").read_text())
    assert plan_tool.main(["--project-dir", str(tmp_path)]) == 2
    assert f"{tmp_path}: (project): no stack files" in capsys.readouterr().err


def test_runtime_values_are_what_the_cli_passes():
    values, secrets = plan_tool.runtime_values(
        {"a:obj": {"x": [1]}, "a:flag": True, "a:num": 65000, "a:s": "text", "a:pw": {"secure": "v1:abc"}}
    )
    assert values == {"a:obj": '{"x": [1]}', "a:flag": "true", "a:num": "65000", "a:s": "text", "a:pw": "[secret]"}
    assert secrets == ["a:pw"]
    assert config.decode_runtime_value(values["a:obj"]) == {"x": [1]}
