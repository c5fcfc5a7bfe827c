"""The stack graph (`tools/graph.py`): a project's stacks, their config, their order and waves."""

from __future__ import annotations

import pytest

from components import config
from components.config import ConfigError, LoadedStack, LobStackConfig
from tests.conftest import EXAMPLE
from tests.tools.fakes import ALL, add_lob, fqn
from tools import graph
from tools.deploy.selection import targets


@pytest.fixture(scope="module")
def loaded() -> dict[str, LoadedStack]:
    return graph.load_project(EXAMPLE)


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


def test_waves_of_the_project_come_from_its_stack_files(loaded):
    assert graph.waves(loaded) == [["shared"], ["lob-a", "lob-b"]]
    assert {s: t.depends_on for s, t in targets(loaded).items()} == {
        "shared": (),
        "lob-a": ("shared",),
        "lob-b": ("shared",),
    }
    assert {t.fqn for t in targets(loaded).values()} == set(ALL)


def test_the_order_follows_the_references_not_the_stack_names(project):
    """Rename the shared stack to `hub` and add a LOB: the waves follow the config."""
    project.file("shared").rename(project.file("hub"))
    for lob in ("lob-a", "lob-b"):
        project.edit(lob, lambda c: c["studio-access:lob"].update(sharedStack=fqn("hub")))
    add_lob(project, "lob-c", "444444444444", 130, shared="hub")
    loaded = graph.load_project(project.path)
    assert graph.waves(loaded) == [["hub"], ["lob-a", "lob-b", "lob-c"]]


def _lob_pointing_at(stack: str, target: str) -> LoadedStack:
    values = config.project_values(config.read_stack_file(config.stack_file("lob-a", EXAMPLE)))
    values["lob"] = {**values["lob"], "sharedStack": fqn(target)}
    return LoadedStack(stack, f"Pulumi.{stack}.yaml", LobStackConfig.model_validate(values))


def test_a_cycle_is_an_error_naming_the_stacks():
    loaded = {"lob-a": _lob_pointing_at("lob-a", "lob-b"), "lob-b": _lob_pointing_at("lob-b", "lob-a")}
    with pytest.raises(ConfigError) as err:
        graph.waves(loaded)
    assert "cycle: lob-a -> lob-b -> lob-a" in str(err.value)


def test_a_reference_to_an_unknown_stack_is_an_error_naming_both():
    loaded = {"lob-a": _lob_pointing_at("lob-a", "ghost")}
    with pytest.raises(ConfigError) as err:
        graph.waves(loaded)
    assert "Pulumi.lob-a.yaml" in str(err.value) and "references stack ghost, which has no stack file" in str(err.value)


def test_order_refuses_a_reference_to_an_unknown_stack(planned):
    loaded = {"lob-a": planned["lob-a"].loaded}
    with pytest.raises(config.ConfigError) as err:
        graph.order(loaded)
    assert "references stack shared, which has no stack file" in str(err.value)


def test_lob_stacks_naming_different_organizations_are_refused(project):
    project.edit("lob-b", lambda c: c["studio-access:lob"].update(sharedStack="acme/studio-access/shared"))
    with pytest.raises(ConfigError) as err:
        graph.organization(graph.load_project(project.path))
    assert "acme: lob-b" in str(err.value) and "organization: lob-a" in str(err.value)


def test_the_closure_of_a_stack_holds_the_stacks_it_references():
    assert sorted(graph.closure(["lob-b"], EXAMPLE)) == ["lob-b", "shared"]
    assert graph.closure(["shared"], EXAMPLE) == ["shared"]


def test_unknown_stacks_are_named_with_the_stacks_that_exist():
    assert graph.unknown_stacks(["shared", "lob-z"], ["lob-a", "shared"]) == [
        ("Pulumi.lob-z.yaml", "(file)", "no stack lob-z in this project (stacks: lob-a, shared)")
    ]
