"""The idle cost estimate (`tools/cost.py`) in the offline plan: figures from the price file and the planned resources.

The expected figures are computed here from the planned resources' inputs and the price file,
independently of the estimator's rules.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.conftest import EXAMPLE, FIXTURES
from tools import cost
from tools import plan as plan_tool

H = 730
PRICES = json.loads((cost.PRICES_DIR / "us-east-1.json").read_text())


def price(item: str) -> float:
    """One unit's monthly price, read from the price file."""
    entry = PRICES["items"][item]
    return entry["hourly"] * H if "hourly" in entry else entry["monthly"]


def of_type(result, suffix: str) -> list:
    return [r for r in result.resources if r.type.endswith(suffix)]


def expected_monthly(result) -> float:
    """The stack's idle cost, from its planned resources and the price file."""
    total = 0.0
    for r in of_type(result, ":ResolverEndpoint"):
        total += len(r.inputs["ipAddresses"]) * price("resolver-endpoint-eni")
    for r in of_type(result, "vpcEndpoint:VpcEndpoint"):
        if r.inputs.get("vpcEndpointType") == "Interface":
            total += len(r.inputs["subnetIds"]) * price("interface-endpoint-az")
    total += len(of_type(result, "ec2transitgateway/vpcAttachment:VpcAttachment")) * price("tgw-attachment")
    total += len(of_type(result, "ec2/natGateway:NatGateway")) * price("nat-gateway")
    total += len(of_type(result, "ec2/eip:Eip")) * price("public-ipv4")
    for r in of_type(result, "ec2/instance:Instance"):
        total += price(f"ec2:{r.inputs['instanceType']}")
        total += price("public-ipv4") if r.inputs.get("associatePublicIpAddress") else 0
    zones = len(of_type(result, "route53/zone:Zone"))
    total += min(zones, 25) * price("route53-hosted-zone") + max(zones - 25, 0) * price("route53-hosted-zone-over-25")
    total += len([r for r in result.resources if r.type.startswith("aws:kms/") and r.type.endswith("Key")]) * price(
        "kms-key"
    )
    return total


def add_lob_c(project) -> None:
    """A third LOB like lob-b: its own stack file and an entry in the shared stack's list."""
    lob_c = project.read("lob-b")
    lob_c["studio-access:aws"]["accountId"] = "444444444444"
    lob_c["studio-access:lob"].update(
        name="lob-c",
        vpcCidr="10.140.0.0/16",
        privateSubnets=["10.140.10.0/24", "10.140.11.0/24"],
        attachmentSubnets=["10.140.20.0/24", "10.140.21.0/24"],
        domainName="sagemaker-domain-lob-c",
        userProfiles=["user-lob-c"],
    )
    project.write("lob-c", lob_c)
    project.edit("shared", lambda c: c["studio-access:lobs"].append({"name": "lob-c", "accountId": "444444444444"}))


# --------------------------------------------------------------------------- the price file


def test_the_price_file_names_its_region_sources_date_and_per_item_unit_price_and_note():
    assert PRICES["region"] == "us-east-1" and PRICES["read"] and PRICES["note"]
    assert all(url.startswith("https://aws.amazon.com/") for url in PRICES["sources"].values())
    for key, entry in PRICES["items"].items():
        assert entry["unit"] and entry["note"] and entry["source"] in PRICES["sources"], key
        assert ("hourly" in entry) != ("monthly" in entry), key
    book = cost.load_prices("us-east-1")
    assert book is not None and set(book.items) == set(PRICES["items"])


def test_the_known_list_prices():
    items = PRICES["items"]
    assert items["resolver-endpoint-eni"]["hourly"] == 0.125
    assert items["interface-endpoint-az"]["hourly"] == 0.01
    assert items["tgw-attachment"]["hourly"] == 0.05
    assert items["nat-gateway"]["hourly"] == 0.045
    assert items["public-ipv4"]["hourly"] == 0.005
    assert items["route53-hosted-zone"]["monthly"] == 0.5
    assert items["kms-key"]["monthly"] == 1
    assert items["ec2:t3a.nano"]["hourly"] == 0.0047
    assert items["ec2:t3a.medium"]["hourly"] == 0.056 and items["ec2:t3a.medium"]["approximately"] is True


# --------------------------------------------------------------------------- the fixtures' estimates


def test_the_example_estimate_equals_the_sum_from_its_resources_and_the_price_file(planned):
    for stack, result in planned.items():
        assert result.cost is not None and result.cost.estimated, stack
        assert result.cost.monthly_usd == pytest.approx(expected_monthly(result)), stack
        # the per-resource figures add up to the stack's
        assert sum(c.monthly_usd for c in result.cost.resources.values()) == pytest.approx(result.cost.monthly_usd)
    shared = planned["shared"].cost
    by_item = {line.item: line for line in shared.items()}
    enis = sum(len(r.inputs["ipAddresses"]) for r in of_type(planned["shared"], ":ResolverEndpoint"))
    assert enis >= 4 and by_item["resolver-endpoint-eni"].quantity == enis
    assert by_item["resolver-endpoint-eni"].basis == f"{enis} ENIs x $0.125/h x 730 h"
    assert by_item["resolver-endpoint-eni"].monthly_usd == pytest.approx(enis * 0.125 * 730)


def test_the_simulator_is_priced_by_instance_type_with_its_public_addresses():
    results = plan_tool.plan(["shared"], FIXTURES / "onprem")
    shared = results["shared"]
    assert shared.cost.monthly_usd == pytest.approx(expected_monthly(shared))
    by_item = {line.item: line for line in shared.cost.items()}
    instances = of_type(shared, "ec2/instance:Instance")
    public = len(of_type(shared, "ec2/eip:Eip")) + sum(
        bool(i.inputs.get("associatePublicIpAddress")) for i in instances
    )
    assert public >= 2 and by_item["public-ipv4"].quantity == public
    for i in instances:
        assert by_item[f"ec2:{i.inputs['instanceType']}"].quantity >= 1
    assert by_item["ec2:t3a.medium"].approximately and shared.cost.approximately
    assert by_item["nat-gateway"].quantity == len(of_type(shared, "ec2/natGateway:NatGateway")) >= 1
    # the root volumes' size comes from the images: said, not guessed
    assert shared.cost.not_counted()["EC2 root volume: its size comes from the image, not from the plan"] == 2


def test_one_more_lob_raises_the_total_by_exactly_one_lobs_fixed_cost(planned, project):
    before = cost.total({s: r.cost for s, r in planned.items()})["monthlyUsd"]
    add_lob_c(project)
    results = project.plan()
    after = cost.total({s: r.cost for s, r in results.items()})["monthlyUsd"]
    one_lob = results["lob-c"].cost.monthly_usd
    assert one_lob == pytest.approx(planned["lob-b"].cost.monthly_usd) and one_lob > 0
    assert after - before == pytest.approx(one_lob)
    assert results["shared"].cost.monthly_usd == pytest.approx(planned["shared"].cost.monthly_usd)


def test_a_local_runtime_endpoint_adds_one_interface_endpoint_per_subnet(planned, project):
    project.edit("lob-a", lambda c: c["studio-access:lob"].update(runtimeEndpoint="local"))
    lob_a = project.plan(["lob-a"])["lob-a"]
    interface = [r for r in of_type(lob_a, "vpcEndpoint:VpcEndpoint") if r.inputs["vpcEndpointType"] == "Interface"]
    assert len(interface) == 1
    subnets = len(interface[0].inputs["subnetIds"])
    added = lob_a.cost.monthly_usd - planned["lob-a"].cost.monthly_usd
    assert subnets == 2 and added == pytest.approx(subnets * price("interface-endpoint-az"))
    assert lob_a.cost.resources[interface[0].urn].lines[0].basis == "2 AZs x $0.01/h x 730 h"


def test_the_figures_come_from_the_price_file(planned, tmp_path):
    doubled = json.loads(json.dumps(PRICES))
    for entry in doubled["items"].values():
        for key in ("hourly", "monthly"):
            if key in entry:
                entry[key] *= 2
    (tmp_path / "us-east-1.json").write_text(json.dumps(doubled))
    for result in planned.values():
        again = cost.estimate(result.stack, "us-east-1", result.resources, tmp_path)
        assert again.monthly_usd == pytest.approx(2 * result.cost.monthly_usd)


# --------------------------------------------------------------------------- a region without prices


def test_a_region_without_a_price_file_is_reported_and_not_guessed(capsys, tmp_path):
    out = tmp_path / "plan.json"
    assert plan_tool.main(["--project-dir", str(FIXTURES / "one-lob"), "--quiet", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.count("no price file for eu-west-1: cost not estimated") == 2
    assert "fixed monthly cost while idle, all stacks: not estimated (no price file for eu-west-1)" in printed
    assert "$" not in printed
    doc = json.loads(out.read_text())
    assert doc["cost"]["monthlyUsd"] == 0 and doc["cost"]["stacks"] == {}
    assert set(doc["cost"]["notEstimated"]) == {"shared", "research"}
    for stack in doc["stacks"].values():
        assert stack["cost"]["notEstimated"] == "no price file for eu-west-1: cost not estimated"
        assert "monthlyUsd" not in stack["cost"]
        costs = [r["cost"] for r in stack["resources"] if "cost" in r]
        assert not any("monthlyUsd" in c for c in costs if "notEstimated" in c)
        assert any(c.get("notEstimated") for c in costs)


def test_an_estimate_with_no_price_file_in_the_prices_folder(planned, tmp_path):
    estimate = cost.estimate("shared", "us-east-1", planned["shared"].resources, tmp_path)
    assert not estimate.estimated and estimate.monthly_usd == 0 and estimate.items() == []
    assert estimate.report()[0] == "  no price file for us-east-1: cost not estimated"


# --------------------------------------------------------------------------- the plan's output


def test_the_plan_prints_each_stacks_cost_and_the_total(capsys, tmp_path, planned):
    out = tmp_path / "plan.json"
    assert plan_tool.main(["--quiet", "--json", str(out)], EXAMPLE) == 0
    printed = capsys.readouterr().out
    totals = {s: r.cost.monthly_usd for s, r in planned.items()}
    for stack, value in totals.items():
        assert f"total {stack}" in printed and f"${value:,.2f}" in printed
    assert "Route 53 Resolver endpoint ENIs" in printed and "usage-based, no figure:" in printed
    assert "Lambda: requests and GB-seconds" in printed and "Cognito: monthly active users" in printed
    assert f"fixed monthly cost while idle, all stacks: ${sum(totals.values()):,.2f}" in printed

    doc = json.loads(out.read_text())
    assert doc["cost"]["monthlyUsd"] == pytest.approx(sum(totals.values()))
    assert doc["cost"]["stacks"] == pytest.approx(totals) and doc["cost"]["hoursPerMonth"] == 730
    shared = doc["stacks"]["shared"]
    assert shared["cost"]["monthlyUsd"] == pytest.approx(totals["shared"])
    assert shared["cost"]["priceFile"] == "tools/prices/us-east-1.json" and shared["cost"]["pricesRead"]
    priced = [r for r in shared["resources"] if r.get("cost", {}).get("items")]
    assert sum(r["cost"]["monthlyUsd"] for r in priced) == pytest.approx(totals["shared"])
    endpoint = next(r for r in shared["resources"] if r["type"].endswith(":ResolverEndpoint"))
    [item] = endpoint["cost"]["items"]
    assert item["item"] == "resolver-endpoint-eni" and item["basis"].startswith("2 ENIs x $0.125/h")
    table = next(r for r in shared["resources"] if r["type"] == "aws:dynamodb/table:Table")
    assert table["cost"] == {
        "monthlyUsd": 0,
        "usageBased": "DynamoDB on demand: requests, plus storage and backups per GB",
    }
    vpc = next(r for r in shared["resources"] if r["type"] == "aws:ec2/vpc:Vpc")
    assert vpc["cost"] == {"monthlyUsd": 0}
    provider = next(r for r in shared["resources"] if r["type"] == "pulumi:providers:aws")
    assert "cost" not in provider


# --------------------------------------------------------------------------- rules by type, on literal resources


@dataclass
class Fake:
    type: str
    inputs: dict[str, Any] = field(default_factory=dict)
    urn: str = ""
    id: str = ""
    custom: bool = True


def estimate(*resources: Fake) -> cost.StackCost:
    for n, r in enumerate(resources):
        r.urn = r.urn or f"urn:{n}"
    return cost.estimate("s", "us-east-1", list(resources))


def test_counts_are_read_from_the_inputs():
    result = estimate(
        Fake("aws:route53/resolverEndpoint:ResolverEndpoint", {"ipAddresses": [{}, {}, {}]}),
        Fake("aws:ec2/vpcEndpoint:VpcEndpoint", {"vpcEndpointType": "Interface", "subnetIds": ["a", "b", "c"]}),
        Fake("aws:ec2/vpcEndpoint:VpcEndpoint", {"vpcEndpointType": "Gateway"}),
    )
    by_item = {line.item: line for line in result.items()}
    assert by_item["resolver-endpoint-eni"].quantity == 3
    assert by_item["interface-endpoint-az"].basis == "3 AZs x $0.01/h x 730 h"
    assert result.monthly_usd == pytest.approx(3 * 0.125 * H + 3 * 0.01 * H)


def test_kms_keys_cost_the_same_whatever_their_type():
    result = estimate(
        Fake("aws:kms/key:Key", {"customerMasterKeySpec": "SYMMETRIC_DEFAULT"}),
        Fake("aws:kms/key:Key", {"keySpec": "HMAC_256", "keyUsage": "GENERATE_VERIFY_MAC"}),
        Fake("aws:kms/replicaKey:ReplicaKey"),
        Fake("aws:kms/alias:Alias"),
    )
    assert result.monthly_usd == pytest.approx(3.0)


def test_hosted_zones_beyond_25_take_the_second_price():
    result = estimate(*[Fake("aws:route53/zone:Zone") for _ in range(27)])
    assert result.monthly_usd == pytest.approx(25 * 0.5 + 2 * price("route53-hosted-zone-over-25"))


def test_an_instance_in_a_public_subnet_has_a_public_address():
    result = estimate(
        Fake("aws:ec2/subnet:Subnet", {"mapPublicIpOnLaunch": True}, id="subnet-1"),
        Fake("aws:ec2/instance:Instance", {"instanceType": "t3a.nano", "subnetId": "subnet-1"}),
        Fake(
            "aws:ec2/instance:Instance",
            {"instanceType": "t3a.nano", "associatePublicIpAddress": False, "rootBlockDevice": {"volumeSize": 10}},
        ),
    )
    by_item = {line.item: line for line in result.items()}
    assert by_item["public-ipv4"].quantity == 1 and by_item["ec2:t3a.nano"].quantity == 2
    assert by_item["ebs:gp3"].basis == "10 GB x $0.08/month"


def test_what_has_no_price_is_named_not_counted():
    result = estimate(
        Fake("aws:ec2/instance:Instance", {"instanceType": "m7i.48xlarge", "rootBlockDevice": {"volumeSize": 8}}),
        Fake("aws:lb/loadBalancer:LoadBalancer"),
        Fake("aws:ec2/vpcEndpoint:VpcEndpoint", {"vpcEndpointType": "GatewayLoadBalancer"}),
        Fake("aws:dynamodb/table:Table", {"billingMode": "PROVISIONED"}),
        Fake("aws:ec2/securityGroup:SecurityGroup"),
        Fake("aws:iam/role:Role"),
        Fake("studio-access:vpc:TgwVpc", custom=False),
    )
    assert result.not_counted() == {
        "DynamoDB provisioned capacity: no price rule (tools/cost.py)": 1,
        "VPC endpoint of type GatewayLoadBalancer: no price rule (tools/cost.py)": 1,
        "aws:lb/loadBalancer:LoadBalancer: no price rule": 1,
        "no price for ec2:m7i.48xlarge in tools/prices/us-east-1.json": 1,
    }
    assert result.items()[0].item == "ebs:gp3" and len(result.items()) == 1  # the volume is, the instance is not
    assert "urn:6" not in result.resources  # component resources carry no cost
    assert result.resources["urn:4"].to_json() == {"monthlyUsd": 0}


def test_a_price_file_for_another_region_is_refused(tmp_path):
    (tmp_path / "eu-west-1.json").write_text(json.dumps({**PRICES, "region": "us-east-1"}))
    with pytest.raises(cost.PriceFileError, match="region is 'us-east-1', the file name says 'eu-west-1'"):
        cost.load_prices("eu-west-1", tmp_path)
