"""Running the waves (`tools/deploy/runner.py`) against a fake backend: order, concurrency, failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from components import outputs
from components.config import LoadedStack
from tests.conftest import EXAMPLE
from tests.tools.fakes import ALL, SHARED_OUTPUTS, FakeBackend, concurrent, fqn, quiet
from tools import graph
from tools.deploy import runner
from tools.deploy.selection import SelectionError


@pytest.fixture(scope="module")
def loaded() -> dict[str, LoadedStack]:
    return graph.load_project(EXAMPLE)


def test_up_runs_shared_first_then_the_lob_stacks_at_once(loaded):
    backend = FakeBackend(hooks=concurrent("lob-a", "lob-b"))
    outcome = runner.run("up", loaded, backend, policy_pack=Path("/p/policy"), printer=quiet())
    shared_done = backend.index("end", "up", fqn("shared"))
    assert all(backend.index("start", "up", fqn(s)) > shared_done for s in ("lob-a", "lob-b"))
    assert sorted(outcome.results) == ["lob-a", "lob-b", "shared"]
    assert outcome.outputs["shared"][outputs.API_URL] == SHARED_OUTPUTS[outputs.API_URL]
    assert backend.selects == [(fqn("shared"), True), (fqn("lob-a"), True), (fqn("lob-b"), True)]


def test_destroy_runs_in_reverse(loaded):
    deployed = {name: {"x": 1} for name in ALL}
    backend = FakeBackend(deployed=deployed, hooks=concurrent("lob-a", "lob-b"))
    runner.run("destroy", loaded, backend, printer=quiet())
    shared_start = backend.index("start", "destroy", fqn("shared"))
    assert all(backend.index("end", "destroy", fqn(s)) < shared_start for s in ("lob-a", "lob-b"))
    assert all(create is False for _, create in backend.selects)


@pytest.mark.parametrize(
    "action, expected",
    [
        ("up", {"policy_packs": ["/p/policy"], "show_secrets": False}),
        ("preview", {"policy_packs": ["/p/policy"]}),
        ("destroy", {"show_secrets": False}),
    ],
)
def test_the_arguments_each_operation_gets(loaded, action, expected):
    backend = FakeBackend(existing=ALL, deployed={n: SHARED_OUTPUTS for n in ALL})
    runner.run(action, loaded, backend, policy_pack=Path("/p/policy"), printer=quiet())
    assert {name for _, name, _ in backend.calls} == set(ALL)
    for _, _, kwargs in backend.calls:
        assert callable(kwargs.pop("on_output"))
        assert kwargs == expected
    assert all(create is (action == "up") for _, create in backend.selects)


def test_output_lines_are_prefixed_with_their_stack(loaded):
    lines = []
    runner.run("preview", loaded, FakeBackend(existing=ALL), printer=runner.Printer(lines.append))
    assert "[lob-a] preview organization/studio-access/lob-a running" in lines
    assert lines[0] == "wave 1/2: preview shared"


def test_a_failed_stack_stops_later_waves_and_is_named(loaded):
    def boom():
        raise RuntimeError("AccessDenied: ec2:CreateVpc")

    backend = FakeBackend(hooks={fqn("shared"): boom})
    with pytest.raises(runner.DeployError) as err:
        runner.run("up", loaded, backend, printer=quiet())
    assert "up failed for shared" in str(err.value) and "AccessDenied: ec2:CreateVpc" in str(err.value)
    assert "not started: lob-a, lob-b" in str(err.value)
    assert backend.started("up") == [fqn("shared")]


def test_a_failure_in_a_wave_lets_the_rest_of_the_wave_finish(loaded):
    def boom():
        raise RuntimeError("quota")

    backend = FakeBackend(hooks={fqn("lob-a"): boom})
    with pytest.raises(runner.DeployError) as err:
        runner.run("up", loaded, backend, printer=quiet())
    assert "up failed for lob-a" in str(err.value) and "not started" not in str(err.value)
    assert ("end", "up", fqn("lob-b")) in backend.events


def test_preview_of_a_stack_that_was_never_created_says_how_to_create_it(loaded):
    with pytest.raises(SelectionError) as err:
        runner.run("preview", loaded, FakeBackend(existing=[fqn("shared")]), printer=quiet())
    assert "pulumi stack init organization/studio-access/lob-a" in str(err.value)
