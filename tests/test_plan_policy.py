"""The offline plan applies the policy pack to every resource of every stack."""

from __future__ import annotations

from components import security
from tools import plan as plan_tool


def test_every_stack_passes_the_pack(planned):
    for stack, result in planned.items():
        mandatory = [v for v in result.violations if v.enforcement == "mandatory"]
        assert mandatory == [], f"{stack}: {mandatory}"


def test_the_plan_reports_how_many_rules_ran(capsys):
    from policy import runner

    assert plan_tool.main(["--quiet"]) == 0
    out = capsys.readouterr().out
    assert f"policy pack: {runner.RULE_COUNT} rules run on " in out
    assert runner.RULE_COUNT >= 16


def test_a_planted_public_ingress_fails_the_plan_with_the_rules_message(monkeypatch, capsys):
    """Plant a breach in the program (config validation refuses 0.0.0.0/0 before the pack could)."""
    original = security.rules

    def leaky(name, direction, group, **kwargs):
        if name == "hub-endpoints-in":
            kwargs["cidrs"] = list(kwargs["cidrs"]) + ["0.0.0.0/0"]
        return original(name, direction, group, **kwargs)

    monkeypatch.setattr(security, "rules", leaky)
    assert plan_tool.main(["--stack", "shared", "--quiet"]) == 1
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if "0.0.0.0/0" in line and "[mandatory]" in line]
    assert lines, out[-2000:]
    assert "stack=shared" in lines[0] and "hub-endpoints-in-tcp-" in lines[0]
