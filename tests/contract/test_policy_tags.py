"""The tag contract: every tag the pack keys on comes from `contracts.tags`, and a component sets it.

Renaming a tag on one side only fails here: a pack that spells a tag itself (or keys on a name the
contract lacks) fails the first tests; a component that stops setting it, or sets another name or
value, fails the plan tests; the last tests show the pack's verdict turns on the tag in the plan.
"""

from __future__ import annotations

import ast
import copy
from pathlib import Path
from typing import Any

import pytest

from contracts import tags
from policy import rules, runner
from policy.resource_types import FUNCTION, INGRESS_RULE
from tests.conftest import FIXTURES
from tools import plan as plan_tool

POLICY_DIR = Path(rules.__file__).resolve().parent
CONTRACT = {name: value for name, value in vars(tags).items() if name.isupper() and isinstance(value, str)}
TAG_KEYS = {
    tags.FUNCTION_TAG,
    tags.PURPOSE_TAG,
    tags.THREAT_PROTECTION_TAG,
    tags.ENDPOINT_POLICY_TAG,
    tags.PROOF_KEY_TAG,
    tags.ROLE_TAG,
}


def _tag_pairs(resources: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {
        (key, value)
        for r in resources
        for key, value in (r["inputs"].get("tags") or {}).items()
        if isinstance(value, str)
    }


@pytest.fixture(scope="module")
def onprem() -> dict[str, list[dict[str, Any]]]:
    """The offline plan of the organization with the on-premises simulator (the bastion's tag)."""
    return {stack: result.to_json()["resources"] for stack, result in plan_tool.plan(None, FIXTURES / "onprem").items()}


@pytest.fixture(scope="module")
def example(planned) -> dict[str, list[dict[str, Any]]]:
    return {stack: result.to_json()["resources"] for stack, result in planned.items()}


def test_the_pack_keys_on_tags_of_the_contract():
    assert rules.KEYED_TAGS, "the pack keys on no tag: then this test and KEYED_TAGS go"
    for key, value in rules.KEYED_TAGS:
        assert key in TAG_KEYS, f"the pack keys on {key!r}, not a tag key of contracts/tags.py"
        assert value in CONTRACT.values(), f"the pack looks for {key}={value!r}, not a value of contracts/tags.py"
    assert {key for key, _ in rules.KEYED_TAGS} == TAG_KEYS


def test_no_policy_module_spells_a_tag_itself():
    """The pack imports its tags from contracts.tags; a literal copy would not follow a rename."""
    for path in sorted(POLICY_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
                assert text not in CONTRACT.values(), (
                    f"{path.name}:{node.lineno} spells {text!r}; import it from contracts.tags"
                )
                spelled = [key for key in TAG_KEYS if key in text]
                assert not spelled, (
                    f"{path.name}:{node.lineno} spells the tag key {spelled[0]!r}; import it from contracts.tags"
                )


def test_every_tag_the_pack_keys_on_is_set_by_a_component(example, onprem):
    planned = _tag_pairs([r for resources in (*example.values(), *onprem.values()) for r in resources])
    for key, value in rules.KEYED_TAGS:
        assert (key, value) in planned, (
            f"no planned resource is tagged {key}={value}: the pack's rule keyed on it never applies"
        )


def test_every_function_says_which_function_it_is(example):
    functions = [r for resources in example.values() for r in resources if r["type"] == FUNCTION]
    kinds = [(r["inputs"].get("tags") or {}).get(tags.FUNCTION_TAG) for r in functions]
    assert sorted(kinds) == sorted(tags.FUNCTIONS), [r["name"] for r in functions]


def test_the_presigned_url_function_is_told_apart_by_its_tag(example):
    resources = copy.deepcopy(example["shared"])
    [function] = [
        r
        for r in resources
        if r["type"] == FUNCTION and r["inputs"]["tags"].get(tags.FUNCTION_TAG) == tags.PRESIGNED_URL_FUNCTION
    ]
    function["inputs"].pop("vpcConfig")
    outside_vpc = [v for v in runner.evaluate("shared", resources) if v.rule == "lambda-runtime-tracing-vpc"]
    assert [(v.resource, "not in a VPC" in v.message) for v in outside_vpc] == [(function["name"], True)]
    function["inputs"]["tags"].pop(tags.FUNCTION_TAG)
    assert [v for v in runner.evaluate("shared", resources) if v.rule == "lambda-runtime-tracing-vpc"] == []


def test_the_bastion_rule_is_told_apart_by_its_tag(onprem):
    resources = copy.deepcopy(onprem["shared"])
    [bastion] = [
        r
        for r in resources
        if r["type"] == INGRESS_RULE and (r["inputs"].get("tags") or {}).get(tags.PURPOSE_TAG) == tags.BASTION_SSH
    ]
    assert runner.evaluate("shared", resources) == []
    bastion["inputs"]["tags"].pop(tags.PURPOSE_TAG)
    public = [v for v in runner.evaluate("shared", resources) if v.rule == "sg-public-ingress-bastion-only"]
    assert [v.resource for v in public] == [bastion["name"]]
