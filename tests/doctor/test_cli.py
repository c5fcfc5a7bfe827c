"""The command line's refusals: each a one-line reason and exit 2, before any AWS call or plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.doctor import cli


def run(project: Path, *argv: str, capsys: pytest.CaptureFixture[str], **kw) -> tuple[int, str]:
    def no_plan(stacks, project_dir):
        raise AssertionError("planned before the command line was checked")

    code = cli.main(list(argv), project_dir=project, planner=no_plan, **kw)
    captured = capsys.readouterr()
    assert captured.out == ""
    return code, captured.err.strip()


@pytest.fixture
def outputs(tmp_path) -> list[str]:
    args = []
    for stack in ("shared", "lob-a", "lob-b"):
        path = tmp_path / f"{stack}.json"
        path.write_text(json.dumps({"accountId": "x"}))
        args += ["--outputs", f"{stack}={path}"]
    return args


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--stack", "lob-z"], "no stack file for lob-z (known stacks: lob-a, lob-b, shared)"),
        (["--profile", "lob-a"], "--profile 'lob-a': expected STACK=VALUE, e.g. --profile lob-a=lob-a-readonly"),
        (["--profile", "lob-z=p"], "--profile 'lob-z=p': no stack file for lob-z"),
        (["--outputs", "lob-a=/nonexistent.json"], "--outputs lob-a=/nonexistent.json: No such file or directory"),
        (
            ["--role-arn", "lob-a=arn:aws:iam::333333333333:role/studio-access-doctor"],
            "not a role in the stack's account 222222222222",
        ),
    ],
)
def test_a_bad_command_line_is_one_line_and_exit_2(project, capsys, argv, message):
    code, err = run(project.path, *argv, capsys=capsys)
    assert code == 2
    assert message in err and len(err.splitlines()) == 1


def test_outputs_that_are_not_json(project, tmp_path, capsys):
    bad = tmp_path / "shared.json"
    bad.write_text("Current stack outputs (3):")  # pulumi stack output without --json
    code, err = run(project.path, "--outputs", f"shared={bad}", capsys=capsys)
    assert code == 2 and "not JSON" in err and "pulumi stack output --json" in err


def test_without_the_pulumi_cli_each_missing_outputs_file_is_named(project, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli.shutil, "which", lambda name: None)
    shared = tmp_path / "shared.json"
    shared.write_text("{}")
    code, err = run(project.path, "--outputs", f"shared={shared}", capsys=capsys)
    assert code == 2
    assert "the pulumi CLI is not on PATH" in err
    assert "--outputs lob-a=<pulumi stack output --json -s organization/studio-access/lob-a>" in err
    assert "--outputs shared=" not in err


def test_a_plan_file_that_lacks_a_stack(project, tmp_path, outputs, capsys):
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"stacks": {"shared": {"resources": [], "outputs": {}}}}))
    code, err = run(project.path, *outputs, "--plan", str(plan), capsys=capsys)
    assert code == 2 and "the plan has no stack lob-a, lob-b" in err


def test_bad_stack_files_are_the_config_error(project, capsys):
    project.edit("lob-a", lambda c: c["studio-access:aws"].update(accountId="12"))
    code, err = run(project.path, capsys=capsys)
    assert code == 2 and "Pulumi.lob-a.yaml" in err
