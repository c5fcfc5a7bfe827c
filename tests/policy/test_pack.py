"""The same rules as a pulumi_policy pack: the wrappers, and the pack run the way the Pulumi CLI runs it.

The pack's `__main__.py` is never imported (constructing `PolicyPack` blocks). Instead the last
tests start it as the CLI does (`python -m pulumi.policy <engine> .` in the pack's folder) and
talk to it over the analyzer gRPC protocol that `pulumi preview --policy-pack` uses.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from contracts.tags import AUTHORIZER_FUNCTION, FUNCTION_TAG, PRESIGNED_URL_FUNCTION
from policy import pack, rules
from policy.resource_types import FUNCTION, INGRESS_RULE, REST_API, SECURITY_GROUP, VPC_ENDPOINT

PACK_DIR = Path(pack.__file__).resolve().parent
OPEN_INGRESS = {"cidrIpv4": "0.0.0.0/0", "ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "securityGroupId": "sg-1"}


def _opts() -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def _policy(name: str):
    return next(p for p in pack.policies() if p.name == name)


def _pins(path: Path) -> dict[str, str]:
    found = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", path.read_text(), re.MULTILINE)
    return {name.lower(): version for name, version in found}


def test_the_packs_requirements_are_the_projects_pins():
    root = PACK_DIR.parent
    project = _pins(root / "requirements.txt") | _pins(root / "requirements-dev.txt")
    wanted = _pins(PACK_DIR / "requirements.txt")
    assert set(wanted) == {"pulumi", "pulumi-policy"}
    assert {name: project.get(name) for name in wanted} == wanted
    # and the environment PulumiPolicy.yaml names is the project's own
    assert re.search(r"^\s+virtualenv: \.\./\.venv$", (PACK_DIR / "PulumiPolicy.yaml").read_text(), re.MULTILINE)


def test_one_policy_per_rule_with_its_level_and_kind():
    built = pack.policies()
    assert [p.name for p in built] == [r.name for r in rules.RULES]
    for policy, rule in zip(built, rules.RULES, strict=True):
        level = EnforcementLevel.MANDATORY if rule.enforcement == rules.MANDATORY else EnforcementLevel.ADVISORY
        assert policy.enforcement_level == level
        assert isinstance(policy, ResourceValidationPolicy if rule.resource_check else StackValidationPolicy)


def test_a_resource_policy_reports_the_rules_messages():
    reported = []
    args = ResourceValidationArgs(INGRESS_RULE, OPEN_INGRESS, "urn:x", "open", _opts(), None)
    _policy("sg-no-internet-ingress").validate(args, lambda message, urn=None: reported.append((message, urn)))
    assert reported == [("ingress from 0.0.0.0/0 (tcp 443): the whole internet may connect", None)]


def test_a_stack_policy_reports_on_the_offending_resource_found_through_dependencies():
    def resource(type_, name, props, deps=()):
        return PolicyResource(type_, props, f"urn:{name}", name, _opts(), None, None, list(deps), {})

    group = resource(SECURITY_GROUP, "endpoints", {"vpcId": "vpc-1"})
    endpoint = resource(
        VPC_ENDPOINT, "sts", {"vpcEndpointType": "Interface", "securityGroupIds": ["unknown-in-outputs"]}, [group]
    )
    rule = resource(
        INGRESS_RULE, "all", {"securityGroupId": "?", "ipProtocol": "-1", "cidrIpv4": "10.0.0.0/8"}, [group]
    )
    reported = []
    _policy("endpoint-sg-not-all-ports").validate(
        StackValidationArgs([group, endpoint, rule]), lambda message, urn=None: reported.append((message, urn))
    )
    [(message, urn)] = reported
    assert urn == "urn:all" and message.startswith("all: opens all ports")


def test_a_stack_policy_follows_property_dependencies_before_plain_ones():
    """An ingress rule depends on its own group and on the group it admits; the engine's
    per-property dependencies say which is which."""

    def resource(type_, name, props, deps=(), by_property=None):
        return PolicyResource(type_, props, f"urn:{name}", name, _opts(), None, None, list(deps), by_property or {})

    endpoints = resource(SECURITY_GROUP, "endpoints", {})
    clients = resource(SECURITY_GROUP, "clients", {})
    endpoint = resource(
        VPC_ENDPOINT,
        "sts",
        {"vpcEndpointType": "Interface", "securityGroupIds": ["?"]},
        [endpoints],
        {"securityGroupIds": [endpoints]},
    )
    props = {"securityGroupId": "?", "referencedSecurityGroupId": "?", "ipProtocol": "-1"}
    on_clients = resource(
        INGRESS_RULE,
        "from-endpoints",
        props,
        [clients, endpoints],
        {"securityGroupId": [clients], "referencedSecurityGroupId": [endpoints]},
    )
    on_endpoints = resource(
        INGRESS_RULE,
        "from-clients",
        props,
        [clients, endpoints],
        {"securityGroupId": [endpoints], "referencedSecurityGroupId": [clients]},
    )
    reported = []
    _policy("endpoint-sg-not-all-ports").validate(
        StackValidationArgs([endpoints, clients, endpoint, on_clients, on_endpoints]),
        lambda message, urn=None: reported.append(urn),
    )
    assert reported == ["urn:from-clients"]


# --------------------------------------------------------------------------- the pack as the CLI runs it


# What the pack's folder sees when the CLI runs it: `python -m pulumi.policy <engine> .` in the folder.
# The constructor is replaced so the pack is built and reported instead of served.
_LOAD_AS_THE_CLI = """
import json, runpy, sys
import pulumi_policy
pulumi_policy.PolicyPack = lambda **kwargs: print(json.dumps([p.name for p in kwargs["policies"]]))
sys.path.insert(0, ".")  # what `-m` and runpy.run_path(".") put first
runpy.run_path(".", run_name="__main__")
loaded = {name: getattr(m, "__file__", None) for name, m in sys.modules.items()}
print(json.dumps({name: loaded[name] for name in ("contracts.tags", "policy.rules", "rules", "pack") if name in loaded}))
"""


def test_the_pack_folder_loads_as_the_cli_runs_it_with_contracts_from_the_project_root():
    done = subprocess.run(
        [sys.executable, "-c", _LOAD_AS_THE_CLI],
        cwd=PACK_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    assert done.returncode == 0, done.stderr
    names, modules = (json.loads(line) for line in done.stdout.splitlines()[-2:])
    assert names == [r.name for r in rules.RULES]
    # every module once, as the package `policy`; `contracts` from the project root beside it
    assert set(modules) == {"contracts.tags", "policy.rules"}
    assert Path(modules["contracts.tags"]) == PACK_DIR.parent / "contracts" / "tags.py"
    assert Path(modules["policy.rules"]) == PACK_DIR / "rules.py"


def _struct(props: dict) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(props)
    return s


@pytest.fixture(scope="module")
def analyzer():
    """The pack, started like the CLI's pulumi-analyzer-policy-python starts it: in the pack's
    folder, program ".", so the project (and the `policy` package) is not on the path."""
    proc = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:0", "."],
        cwd=PACK_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    try:
        port = proc.stdout.readline().strip()
        assert port.isdigit(), f"the pack did not start: {proc.stderr.read() if proc.poll() is not None else port}"
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        yield analyzer_pb2_grpc.AnalyzerStub(channel)
        channel.close()
    finally:
        proc.kill()
        proc.wait(timeout=10)


def _analyze(stub, r: dict):
    return stub.Analyze(
        analyzer_pb2.AnalyzeRequest(type=r["type"], properties=_struct(r["inputs"]), urn=r["urn"], name=r["name"]),
        timeout=10,
    ).diagnostics


def _analyze_stack(stub, resources: list[dict]):
    request = analyzer_pb2.AnalyzeStackRequest(
        resources=[
            analyzer_pb2.AnalyzerResource(
                type=r["type"],
                properties=_struct(r["inputs"]),
                urn=r["urn"],
                name=r["name"],
                dependencies=r.get("dependencies", []),
            )
            for r in resources
        ]
    )
    return stub.AnalyzeStack(request, timeout=10).diagnostics


def test_the_running_pack_lists_every_rule_with_its_level(analyzer):
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty(), timeout=10)
    assert info.name == pack.NAME
    levels = {p.name: p.enforcementLevel for p in info.policies}
    assert levels == {
        r.name: analyzer_pb2.MANDATORY if r.enforcement == rules.MANDATORY else analyzer_pb2.ADVISORY
        for r in rules.RULES
    }


def test_the_running_pack_passes_the_planned_stacks_and_fails_a_planted_breach(analyzer, planned):
    for stack, result in planned.items():
        resources = result.to_json()["resources"]
        diagnostics = [d for r in resources for d in _analyze(analyzer, r)] + list(_analyze_stack(analyzer, resources))
        assert [(d.policyName, d.message) for d in diagnostics] == [], stack

    resources = copy.deepcopy(planned["shared"].to_json()["resources"])
    ingress = next(r for r in resources if r["name"] == "hub-resolver-in-onprem-tcp-0")
    ingress["inputs"]["cidrIpv4"] = "0.0.0.0/0"
    [diagnostic] = _analyze(analyzer, ingress)
    assert diagnostic.policyName == "sg-no-internet-ingress" and diagnostic.enforcementLevel == analyzer_pb2.MANDATORY
    assert "0.0.0.0/0" in diagnostic.message

    function = next(r for r in resources if r["type"] == FUNCTION)
    function["inputs"]["loggingConfig"]["logGroup"] = "/not/declared"
    [diagnostic] = _analyze_stack(analyzer, resources)
    assert diagnostic.policyName == "lambda-log-group-retention" and diagnostic.urn == function["urn"]


def test_a_value_unknown_during_preview_is_reported_not_crashed(analyzer):
    unknown_string = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's marker for a computed string
    props = {"endpointConfiguration": {"types": "PRIVATE"}, "policy": unknown_string}
    diagnostics = _analyze(analyzer, {"type": REST_API, "inputs": props, "urn": "urn:api", "name": "api"})
    # Every rule that reads the document says so (it runs in full during `pulumi up`); nothing fails.
    assert "api-private-source-vpce" in {d.policyName for d in diagnostics}
    assert all("during preview" in d.message and d.enforcementLevel == analyzer_pb2.ADVISORY for d in diagnostics)


def test_the_running_pack_tells_functions_apart_by_the_contracts_tags(analyzer):
    """The CLI-started pack reads `contracts.tags`: the presigned-URL function must be in a VPC, the authorizer need not."""
    props = {
        "runtime": "python3.13",
        "tracingConfig": {"mode": "Active"},
        "environment": {"variables": {"SESSION_EXPIRATION_SECONDS": "28800"}},
        "tags": {FUNCTION_TAG: PRESIGNED_URL_FUNCTION},
    }
    function = {"type": FUNCTION, "inputs": props, "urn": "urn:fn", "name": "fn"}
    [diagnostic] = _analyze(analyzer, function)
    assert diagnostic.policyName == "lambda-runtime-tracing-vpc" and "not in a VPC" in diagnostic.message
    function["inputs"] = props | {"tags": {FUNCTION_TAG: AUTHORIZER_FUNCTION}}
    assert list(_analyze(analyzer, function)) == []
