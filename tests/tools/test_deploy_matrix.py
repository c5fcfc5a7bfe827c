"""The CI workflows' stack matrices (`tools/deploy/matrix.py`), from the stack files."""

from __future__ import annotations

import json

import pytest

from components.config import LoadedStack
from tests.conftest import EXAMPLE
from tests.tools.fakes import add_lob, fqn
from tools import graph
from tools.deploy import cli
from tools.deploy.matrix import matrix, variable_suffix


@pytest.fixture(scope="module")
def loaded() -> dict[str, LoadedStack]:
    return graph.load_project(EXAMPLE)


def test_the_matrix_covers_every_stack_file(loaded):
    m = matrix(loaded)
    assert sorted(e["stack"] for e in m["all"]["include"]) == graph.discover(EXAMPLE)
    assert [e["stack"] for e in m["first"]["include"]] == ["shared"]
    assert [e["stack"] for e in m["second"]["include"]] == ["lob-a", "lob-b"]
    assert m["all"]["include"][1] == {
        "stack": "lob-a",
        "fqn": fqn("lob-a"),
        "var": "LOB_A",
        "region": "us-east-1",
        "account": "222222222222",
    }


def test_a_new_lob_file_joins_the_matrix(project):
    add_lob(project, "lob-c", "444444444444", 130)
    m = matrix(graph.load_project(project.path))
    assert [e["stack"] for e in m["second"]["include"]] == ["lob-a", "lob-b", "lob-c"]
    assert sorted(e["stack"] for e in m["all"]["include"]) == graph.discover(project.path)


def test_the_matrix_step_writes_github_outputs(tmp_path):
    out = tmp_path / "github_output"
    out.write_text("earlier=1\n")
    assert cli.main(["matrix", "--github-output", str(out)], project_dir=EXAMPLE) == 0
    lines = dict(line.split("=", 1) for line in out.read_text().splitlines())
    assert lines["earlier"] == "1" and lines["second-count"] == "2" and lines["first-count"] == "1"
    assert [e["stack"] for e in json.loads(lines["all"])["include"]] == ["shared", "lob-a", "lob-b"]


def test_variable_names_for_stacks():
    assert [variable_suffix(s) for s in ("shared", "lob-a", "lob.b2")] == ["SHARED", "LOB_A", "LOB_B2"]
