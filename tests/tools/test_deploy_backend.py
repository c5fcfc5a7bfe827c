"""The seam to Pulumi (`tools/deploy/backend.py`), checked without the `pulumi` CLI.

The real backend's calls into `pulumi.automation` are checked with those functions replaced.
"""

from __future__ import annotations

import pytest
from pulumi import automation as auto

from components import outputs
from components.paths import PROJECT_DIR
from tests.tools.fakes import fqn
from tools.deploy import backend as deploy_backend


def test_the_real_backend_selects_in_the_project_folder(monkeypatch):
    calls = []

    def fake(kind):
        def call(**kwargs):
            calls.append((kind, kwargs))
            if kwargs["stack_name"].endswith("missing"):
                raise auto.StackNotFoundError(auto.CommandResult("", "no stack named missing", 255))
            return "stack"

        return call

    monkeypatch.setattr(auto, "create_or_select_stack", fake("create_or_select"))
    monkeypatch.setattr(auto, "select_stack", fake("select"))
    backend = deploy_backend.AutomationBackend()
    assert backend.select(fqn("shared"), create=True) == "stack"
    assert backend.select(fqn("lob-a"), create=False, env={"AWS_PROFILE": "lob-a-admin"}) == "stack"
    with pytest.raises(deploy_backend.StackMissing):
        backend.select(fqn("missing"), create=False)
    assert calls[0] == ("create_or_select", {"stack_name": fqn("shared"), "work_dir": str(PROJECT_DIR), "opts": None})
    kind, kwargs = calls[1]
    assert kind == "select" and kwargs["stack_name"] == fqn("lob-a") and kwargs["work_dir"] == str(PROJECT_DIR)
    assert kwargs["opts"].env_vars == {"AWS_PROFILE": "lob-a-admin"}


def test_secret_outputs_are_never_shown():
    values = {
        outputs.API_URL: auto.OutputValue("https://x", secret=False),
        "token": auto.OutputValue("hunter2", secret=True),
    }
    assert deploy_backend.plain_outputs(values) == {outputs.API_URL: "https://x", "token": "[secret]"}
