"""VPC rules (`policy/vpc.py`): flow logs of all traffic, default security groups without rules."""

from __future__ import annotations

from policy.resource_types import DEFAULT_SECURITY_GROUP, FLOW_LOG, VPC
from tests.policy.support import by_name, res

LOGS = "arn:aws:logs:us-east-1:111111111111:log-group:/studio-access/vpc-flow-logs/x"


def _vpc():
    return res(VPC, "net-vpc", {"cidrBlock": "10.0.0.0/16"}, id_="vpc-1")


def test_a_vpc_with_flow_logs_of_all_traffic_passes():
    flow_log = res(FLOW_LOG, "net-flow-logs", {"vpcId": "vpc-1", "trafficType": "ALL", "logDestination": LOGS})
    assert by_name("vpc-flow-logs").stack_check([_vpc(), flow_log]) == []


def test_a_vpc_without_flow_logs_or_with_partial_ones_fails():
    stack_check = by_name("vpc-flow-logs").stack_check
    [(where, problem)] = stack_check([_vpc()])
    assert where.name == "net-vpc" and "no flow logs" in problem
    rejected = res(FLOW_LOG, "net-flow-logs", {"vpcId": "vpc-1", "trafficType": "REJECT", "logDestination": LOGS})
    [(where, problem)] = stack_check([_vpc(), rejected])
    assert where.name == "net-flow-logs" and "records REJECT traffic" in problem
    nowhere = res(FLOW_LOG, "net-flow-logs", {"vpcId": "vpc-1", "trafficType": "ALL"})
    [(_, problem)] = stack_check([_vpc(), nowhere])
    assert "to no destination" in problem


def test_a_default_group_without_rules_passes_and_one_with_rules_or_none_fails():
    stack_check = by_name("vpc-default-sg-closed").stack_check
    closed = res(DEFAULT_SECURITY_GROUP, "net-default", {"vpcId": "vpc-1"})
    assert stack_check([_vpc(), closed]) == []
    assert stack_check([_vpc(), res(DEFAULT_SECURITY_GROUP, "net-default", {"vpcId": "vpc-1", "ingress": []})]) == []
    [(where, problem)] = stack_check([_vpc()])
    assert where.name == "net-vpc" and "as AWS made it" in problem
    open_ = res(
        DEFAULT_SECURITY_GROUP,
        "net-default",
        {"vpcId": "vpc-1", "egress": [{"protocol": "-1", "cidrBlocks": ["0.0.0.0/0"]}]},
    )
    [(where, problem)] = stack_check([_vpc(), open_])
    assert where.name == "net-default" and "egress[0]" in problem
