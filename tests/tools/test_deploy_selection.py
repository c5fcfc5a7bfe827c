"""What `--stack` and `--profile` may pick (`tools/deploy/selection.py`), checked before anything runs."""

from __future__ import annotations

import pytest

from components import outputs
from components.config import LoadedStack
from tests.conftest import EXAMPLE
from tests.tools.fakes import ALL, SHARED_OUTPUTS, FakeBackend, fqn, quiet
from tools import graph
from tools.deploy import cli
from tools.deploy.runner import run
from tools.deploy.selection import SelectionError


@pytest.fixture(scope="module")
def loaded() -> dict[str, LoadedStack]:
    return graph.load_project(EXAMPLE)


def test_stack_picks_some_and_reads_the_rest_from_the_backend(loaded):
    backend = FakeBackend(deployed={fqn("shared"): SHARED_OUTPUTS})
    run("up", loaded, backend, picked=["lob-a"], printer=quiet())
    assert [name for _, name, _ in backend.calls] == [fqn("lob-a")]


@pytest.mark.parametrize(
    "deployed, message",
    [
        (
            {},
            "stack lob-a reads stack organization/studio-access/shared, which is not picked and does not exist: deploy it first or add --stack shared",
        ),
        ({fqn("shared"): {outputs.API_URL: "x"}}, "lacks outputs " + ", ".join(outputs.READ_BY_LOB)),
    ],
)
def test_stack_refuses_a_pick_whose_dependency_is_not_deployed(loaded, deployed, message):
    backend = FakeBackend(existing=deployed, deployed=deployed)
    for action in ("up", "preview"):
        with pytest.raises(SelectionError) as err:
            run(action, loaded, backend, picked=["lob-a"], printer=quiet())
        assert message in str(err.value)
    assert backend.calls == []


def test_stack_with_its_dependency_picked_runs_both_in_order(loaded):
    backend = FakeBackend()
    run("up", loaded, backend, picked=["lob-b", "shared"], printer=quiet())
    assert [name for _, name, _ in backend.calls] == [fqn("shared"), fqn("lob-b")]


def test_destroying_a_stack_that_others_still_read_is_refused(loaded):
    backend = FakeBackend(deployed={n: {"x": 1} for n in ALL})
    with pytest.raises(SelectionError) as err:
        run("destroy", loaded, backend, picked=["shared"], printer=quiet())
    assert "stack shared is read by stack organization/studio-access/lob-a, which is still deployed" in str(err.value)
    assert "add --stack lob-b" in str(err.value)
    assert backend.calls == []


def test_destroying_a_stack_nobody_reads_any_more_runs(loaded):
    backend = FakeBackend(deployed={fqn("shared"): {"x": 1}}, existing=[fqn("lob-a")])
    run("destroy", loaded, backend, picked=["shared"], printer=quiet())
    assert [name for _, name, _ in backend.calls] == [fqn("shared")]


def test_stack_with_an_unknown_name_is_refused(loaded, capsys):
    with pytest.raises(SelectionError) as err:
        run("up", loaded, FakeBackend(), picked=["lob-z"], printer=quiet())
    assert "no stack file for lob-z (known stacks: lob-a, lob-b, shared)" in str(err.value)
    assert (
        cli.main(["preview", "--stack", "lob-z", "--no-policy-pack"], project_dir=EXAMPLE) == 2
    )  # before the CLI is looked for
    assert "no stack file for lob-z" in capsys.readouterr().err


def test_profiles_reach_only_their_stacks(loaded):
    backend = FakeBackend()
    run("up", loaded, backend, printer=quiet(), profiles={"lob-a": "lob-a-admin", "shared": "shared-admin"})
    assert backend.envs == {
        fqn("shared"): {"AWS_PROFILE": "shared-admin"},
        fqn("lob-a"): {"AWS_PROFILE": "lob-a-admin"},
        fqn("lob-b"): None,
    }


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--profile", "lob-z=x"], "--profile for lob-z, which has no stack file"),
        (["--profile", "lob-a"], "--profile 'lob-a': expected STACK=PROFILE"),
    ],
)
def test_bad_profiles_are_refused_before_anything_runs(project, capsys, argv, message):
    backend = FakeBackend()
    assert cli.main(["up", "--no-policy-pack", *argv], project_dir=project.path, backend=backend) == 2
    assert message in capsys.readouterr().err and backend.calls == []
