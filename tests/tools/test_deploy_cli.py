"""The command line (`python -m tools.deploy`, `tools/deploy/cli.py`) with a fake backend."""

from __future__ import annotations

import json
import shutil

from components import outputs
from tests.conftest import EXAMPLE
from tests.tools.fakes import SHARED_OUTPUTS, FakeBackend, fqn
from tools.deploy import cli
from tools.deploy.clientconfig import client_config


def test_a_stack_file_naming_a_missing_shared_stack_stops_the_deploy(project):
    project.edit("lob-b", lambda c: c["studio-access:lob"].update(sharedStack=fqn("ghost")))
    backend = FakeBackend()
    assert cli.main(["up", "--no-policy-pack"], project_dir=project.path, backend=backend) == 2
    assert backend.calls == []


def test_without_the_pulumi_cli_the_tool_says_so(monkeypatch, capsys):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert cli.main(["up", "--no-policy-pack"], project_dir=EXAMPLE) == 2
    assert "the pulumi CLI is not on PATH" in capsys.readouterr().err


def test_up_without_a_policy_pack_needs_to_be_asked_for(project, capsys):
    assert cli.main(["up"], project_dir=project.path, backend=FakeBackend()) == 2
    assert "--no-policy-pack" in capsys.readouterr().err


def test_up_prints_what_comes_next_and_writes_the_client_config(project, tmp_path, capsys):
    target = tmp_path / "out" / "client.json"
    assert (
        cli.main(
            ["up", "--no-policy-pack", "--client-config", str(target)], project_dir=project.path, backend=FakeBackend()
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert f"API URL: {SHARED_OUTPUTS[outputs.API_URL]}" in printed
    assert "Cognito user pool id: us-east-1_Pool" in printed and "Cognito app client id: client123" in printed
    assert "SageMaker domain id: d-abc" in printed and "user profiles: user-lob-a" in printed
    assert "shared: create 3" in printed
    assert json.loads(target.read_text()) == client_config(SHARED_OUTPUTS)


def test_client_config_command_reads_stack_output_json(tmp_path):
    source, target = tmp_path / "outputs.json", tmp_path / "client.json"
    source.write_text(json.dumps({**SHARED_OUTPUTS, outputs.ONPREM_OPEN_URL: "ignored"}))
    assert cli.main(["client-config", str(source), str(target)], project_dir=EXAMPLE) == 0
    assert json.loads(target.read_text()) == client_config(SHARED_OUTPUTS)
    source.write_text(json.dumps({outputs.REGION: "us-east-1"}))
    assert cli.main(["client-config", str(source), str(target)], project_dir=EXAMPLE) == 2
