"""Shared fixtures: the tests' own organizations (stack files under tests/fixtures/), a copy to edit,
and the offline plan.

Tests never read the project's own `Pulumi.*.yaml` to assert on ids, names or counts: those files
are the user's, and every team replaces them. `tests/test_user_stacks.py` checks the user's files
only for what must hold for any valid config (they validate, plan, and pass the policy pack).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from components import config
from components.paths import PROJECT_DIR
from tools import plan as plan_tool

ROOT = PROJECT_DIR
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The sample's organization (shared + lob-a + lob-b), the default input of component and plan tests.
EXAMPLE = FIXTURES / "two-lobs"


class Project:
    """A temporary copy of a fixture organization's stack files, editable key by key."""

    def __init__(self, path: Path, source: Path = EXAMPLE):
        self.path = path
        for f in source.glob("Pulumi*.yaml"):
            shutil.copy(f, path / f.name)

    def file(self, stack: str) -> Path:
        return self.path / f"Pulumi.{stack}.yaml"

    def read(self, stack: str) -> dict:
        return yaml.safe_load(self.file(stack).read_text())["config"]

    def write(self, stack: str, cfg: dict) -> None:
        self.file(stack).write_text(yaml.safe_dump({"config": cfg}, sort_keys=False))

    def edit(self, stack: str, fn) -> None:
        cfg = self.read(stack)
        fn(cfg)
        self.write(stack, cfg)

    def load(self, stack: str) -> config.LoadedStack:
        return config.load(stack, config.read_stack_file(self.file(stack)), self.path)

    def problems(self, stack: str) -> list[tuple[str, str, str]]:
        with pytest.raises(config.ConfigError) as err:
            self.load(stack)
        return err.value.problems

    def plan(self, stacks=None):
        return plan_tool.plan(stacks, self.path)


@pytest.fixture
def project(tmp_path) -> Project:
    return Project(tmp_path)


@pytest.fixture(scope="session")
def planned():
    """The offline plan of the example fixture organization (all stacks)."""
    return plan_tool.plan(None, EXAMPLE)


def resources(result, type_: str) -> list:
    return [r for r in result.resources if r.type == type_]


def one(result, type_: str, name: str):
    found = [r for r in result.resources if r.type == type_ and r.name == name]
    assert len(found) == 1, f"{type_} {name}: {len(found)} found"
    return found[0]
