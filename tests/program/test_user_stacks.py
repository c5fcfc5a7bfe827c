"""The user's own stack files (the project's `Pulumi.*.yaml` and `examples/*/`), checked only for what
must hold for any valid configuration: every file validates, every stack plans, the policy pack passes.

Teams replace these files with their own accounts, organization, LOBs and networks; nothing here
depends on the values they hold.
"""

from __future__ import annotations

import pytest

from components import config
from tests.conftest import ROOT
from tools import graph
from tools import plan as plan_tool

PROJECTS = [ROOT, *sorted(p.parent for p in (ROOT / "examples").glob("*/Pulumi.yaml"))]


@pytest.fixture(scope="module", params=PROJECTS, ids=lambda p: p.relative_to(ROOT).as_posix() or ".")
def user_project(request):
    return request.param


def test_every_stack_file_validates_with_the_settings_a_real_deploy_needs(user_project):
    stacks = graph.discover(user_project)
    assert stacks, f"{user_project}: no Pulumi.<stack>.yaml"
    for stack in stacks:
        assert config.check_stack_file_settings(config.stack_file(stack, user_project)) == []
    assert set(graph.load_all(stacks, user_project)) == set(stacks)


def test_every_stack_plans_and_passes_the_policy_pack(user_project):
    planned = plan_tool.plan(None, user_project)
    assert set(planned) == set(graph.discover(user_project))
    for stack, result in planned.items():
        assert result.resources, stack
        assert [v for v in result.violations if v.enforcement == "mandatory"] == [], stack
