"""The stack graph (`tools/graph.py`): a project's stacks, their config, their order and waves."""

from __future__ import annotations

import pytest

from components import config
from tests.conftest import EXAMPLE
from tools import graph


def test_every_stack_file_of_a_project_is_planned():
    assert graph.discover(EXAMPLE) == sorted(
        p.name[len("Pulumi.") : -len(".yaml")] for p in EXAMPLE.glob("Pulumi.*.yaml")
    )


def test_causes_come_before_effects_and_each_once(project):
    """One bad shared value: its line first, then one line per LOB stack that it stops."""
    project.edit("shared", lambda c: c["studio-access:hub"].update(onPremCidrs=["192.168.10.1/24"]))
    with pytest.raises(config.ConfigError) as err:
        graph.load_all(graph.discover(project.path), project.path)
    problems = err.value.problems
    assert problems[0] == (
        "Pulumi.shared.yaml",
        "studio-access:hub.onPremCidrs[0]",
        "'192.168.10.1/24' has host bits set; did you mean 192.168.10.0/24?",
    )
    assert [f for f, _, _ in problems[1:]] == ["Pulumi.lob-a.yaml", "Pulumi.lob-b.yaml"]
    assert all(config.SHARED_INVALID in m for _, _, m in problems[1:])


def test_order_refuses_a_reference_to_an_unknown_stack(planned):
    loaded = {"lob-a": planned["lob-a"].loaded}
    with pytest.raises(config.ConfigError) as err:
        graph.order(loaded)
    assert "references stack shared, which has no stack file" in str(err.value)


def test_the_closure_of_a_stack_holds_the_stacks_it_references():
    assert sorted(graph.closure(["lob-b"], EXAMPLE)) == ["lob-b", "shared"]
    assert graph.closure(["shared"], EXAMPLE) == ["shared"]


def test_unknown_stacks_are_named_with_the_stacks_that_exist():
    assert graph.unknown_stacks(["shared", "lob-z"], ["lob-a", "shared"]) == [
        ("Pulumi.lob-z.yaml", "(file)", "no stack lob-z in this project (stacks: lob-a, shared)")
    ]
