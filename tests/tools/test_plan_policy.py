"""The offline plan applies the policy pack to every resource of every stack."""

from __future__ import annotations

import pytest

from components import security
from tests.conftest import EXAMPLE
from tools import plan as plan_tool


def test_every_stack_passes_the_pack(planned):
    for stack, result in planned.items():
        mandatory = [v for v in result.violations if v.enforcement == "mandatory"]
        assert mandatory == [], f"{stack}: {mandatory}"


def test_the_plan_reports_how_many_rules_ran(capsys):
    from policy import runner

    assert plan_tool.main(["--quiet"], EXAMPLE) == 0
    out = capsys.readouterr().out
    assert f"policy pack: {runner.RULE_COUNT} rules run on " in out
    assert runner.RULE_COUNT >= 16


def test_a_planted_public_ingress_fails_the_plan_with_the_rules_message(monkeypatch, capsys):
    """Plant a breach in the program (config validation refuses 0.0.0.0/0 before the pack could)."""
    original = security.rules

    def leaky(name, direction, group, **kwargs):
        if name == "hub-sts-endpoint-on-premises":
            kwargs["cidrs"] = [*kwargs["cidrs"], "0.0.0.0/0"]
        return original(name, direction, group, **kwargs)

    monkeypatch.setattr(security, "rules", leaky)
    assert plan_tool.main(["--stack", "shared", "--quiet"], EXAMPLE) == 1
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if "0.0.0.0/0" in line and "[mandatory]" in line]
    assert lines, out[-2000:]
    assert "stack=shared" in lines[0] and "hub-sts-endpoint-on-premises-tcp-" in lines[0]


def test_a_planted_old_runtime_fails_the_plan_with_the_rules_message(monkeypatch, capsys):
    from components import packaging

    monkeypatch.setattr(packaging, "LAMBDA_RUNTIME", "python3.11")
    assert plan_tool.main(["--stack", "shared", "--quiet"], EXAMPLE) == 1
    captured = capsys.readouterr()
    lines = [line for line in captured.out.splitlines() if "lambda-runtime-tracing-vpc" in line]
    assert len(lines) == 2 and all("[mandatory]" in line and "python3.11" in line for line in lines)
    assert "plan failed: 2 mandatory policy violation(s)" in captured.err


def test_an_advisory_violation_is_printed_but_does_not_fail_the_plan(project, capsys):
    project.edit("shared", lambda cfg: cfg["studio-access:hub"].update(endpointPolicies={"sts": False}))
    assert plan_tool.main(["--quiet"], project.path) == 0
    out = capsys.readouterr().out
    [line] = [line for line in out.splitlines() if "endpoint-policy-opt-out" in line]
    assert line.strip().startswith("[advisory]") and "stack=shared" in line and "resource=hub-sts " in line
    assert "1 violations (0 mandatory)" in out


def test_a_pack_that_does_not_load_fails_the_plan(monkeypatch, capsys):
    import sys

    import policy

    monkeypatch.delattr(policy, "runner")
    monkeypatch.setitem(sys.modules, "policy.runner", None)
    assert plan_tool.main(["--stack", "shared", "--quiet"], EXAMPLE) == 1
    assert "plan failed: the policy pack (policy/) does not load" in capsys.readouterr().err


def test_a_rule_that_breaks_fails_the_plan_naming_it(monkeypatch, capsys):
    from policy import rules

    def broken(resources):
        raise ValueError("boom")

    rule = rules.Rule("broken", 1, rules.MANDATORY, "d", "g", stack_check=broken)
    monkeypatch.setattr(rules, "RULES", (*rules.RULES, rule))
    assert plan_tool.main(["--stack", "shared", "--quiet"], EXAMPLE) == 1
    assert (
        "plan failed: policy pack: policy broken failed on stack shared: ValueError('boom')" in capsys.readouterr().err
    )


def _oidc(project):
    def edit(cfg):
        cfg["studio-access:identity"] = {
            "provider": "oidc",
            "issuer": "https://login.example.com",
            "audience": "studio-access",
        }
        for user in cfg.get("studio-access:users", []):
            user.pop("email", None)

    project.edit("shared", edit)


def _local_runtime(project):
    project.edit("lob-a", lambda cfg: cfg["studio-access:lob"].update(runtimeEndpoint="local"))


def _external_accounts(project):
    project.edit("shared", lambda cfg: cfg["studio-access:ram"].update(allowExternalPrincipals=True))
    for lob in ("lob-a", "lob-b"):
        project.edit(lob, lambda cfg: cfg["studio-access:lob"].update(acceptRamShare=True))


def _simulator(project):
    project.edit("shared", lambda cfg: cfg["studio-access:onPrem"].update(enabled=True))


@pytest.mark.parametrize(
    "variant", [_oidc, _local_runtime, _external_accounts, _simulator], ids=lambda f: f.__name__[1:]
)
def test_every_supported_configuration_passes_the_pack(project, variant):
    variant(project)
    results = project.plan()
    mandatory = {s: [v for v in r.violations if v.enforcement == "mandatory"] for s, r in results.items()}
    assert mandatory == {s: [] for s in results}
