"""The harness (`tools/harness.py`): the one module that uses the Pulumi SDK's private internals."""

from __future__ import annotations

import contextvars
import re
from importlib import metadata
from typing import Any

import pulumi
import pytest

from components.paths import PROJECT_DIR
from tools import harness


def _pinned(distribution: str) -> str:
    text = (PROJECT_DIR / "requirements.txt").read_text()
    found = re.search(rf"^{re.escape(distribution)}==(\S+)", text, re.MULTILINE)
    assert found, f"requirements.txt does not pin {distribution}"
    return found[1]


@pytest.mark.parametrize("distribution", sorted(harness.WRITTEN_FOR))
def test_the_harness_was_written_for_the_pinned_sdk(distribution):
    written_for = harness.WRITTEN_FOR[distribution]
    pinned, installed = _pinned(distribution), metadata.version(distribution)
    assert written_for == pinned == installed, (
        f"tools/harness.py was written for {distribution} {written_for}; requirements.txt pins {pinned} "
        f"and {installed} is installed. The harness uses private internals of the Pulumi SDK: after an "
        f"upgrade, re-check each use its docstring lists against the new SDK, run the plan's tests, "
        f"then set harness.WRITTEN_FOR[{distribution!r}] = {pinned!r}."
    )


class _Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", {**args.inputs, "arn": f"arn:{args.name}"}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


def _run(body, stack: str = "dev", **kwargs: Any) -> harness.Run:
    return harness.run(
        body, _Mocks(), project="p", stack=stack, organization="org", root_directory=PROJECT_DIR, **kwargs
    )


def _things(*names: str) -> None:
    for name in names:
        thing = pulumi.CustomResource("test:index:Thing", name, {"size": len(name), "arn": None})
        pulumi.export(name, thing.arn)  # type: ignore[attr-defined]


def test_a_run_records_every_registration_sorted_and_the_exported_outputs():
    run = _run(lambda: _things("b", "a"))
    assert [(r.type, r.name, r.id, r.custom) for r in run.registrations] == [
        ("test:index:Thing", "a", "a-id", True),
        ("test:index:Thing", "b", "b-id", True),
    ]
    assert run.registrations[0].urn == "urn:pulumi:dev::p::pulumi:pulumi:Stack$test:index:Thing::a"
    assert run.registrations[0].inputs == {"size": 1}
    assert run.registrations[0].outputs == {"size": 1, "arn": "arn:a"}
    assert run.outputs == {"a": "arn:a", "b": "arn:b"}


def test_each_run_is_fresh_even_after_one_that_failed():
    def failing() -> None:
        _things("x")
        raise ValueError("the program broke")

    with pytest.raises(ValueError, match="the program broke"):
        _run(failing, stack="one")
    run = _run(lambda: _things("y"), stack="two")
    assert [r.urn for r in run.registrations] == ["urn:pulumi:two::p::pulumi:pulumi:Stack$test:index:Thing::y"]
    assert run.outputs == {"y": "arn:y"}


def test_a_run_sees_its_config_and_settings():
    seen: dict[str, Any] = {}

    def body() -> None:
        cfg = pulumi.Config("p")
        seen.update(
            name=cfg.get("name"),
            secret=pulumi.runtime.is_config_secret("p:pw"),
            stack=pulumi.get_stack(),
            org=pulumi.get_organization(),
            root=pulumi.get_root_directory(),
        )

    _run(body, config={"p:name": "x", "p:pw": "[secret]"}, secrets=["p:pw"])
    assert seen == {"name": "x", "secret": True, "stack": "dev", "org": "org", "root": str(PROJECT_DIR)}


def test_resolve_reads_an_output_inside_a_run():
    seen = []
    _run(lambda: seen.append(harness.resolve(pulumi.Output.from_input({"k": pulumi.Output.from_input(1)}))))
    assert seen == [{"k": 1}]


def test_installed_mocks_record_what_a_pulumi_runtime_test_registers():
    """A unit test of one component: mocks in this context, `@pulumi.runtime.test`, the monitor's record."""

    def unit_test() -> None:
        monitor = harness.install_mocks(_Mocks(), project="p", stack="unit")

        @pulumi.runtime.test
        def program() -> pulumi.Output[str]:
            thing = pulumi.CustomResource("test:index:Thing", "t", {"size": 1, "token": pulumi.Output.secret("s3")})
            return thing.urn

        program()
        [registration] = monitor.registrations
        assert registration.name == "t" and registration.outputs["arn"] == "arn:t"
        assert harness.secret_value(registration.inputs["token"]) == "s3"
        with pytest.raises(ValueError, match="not a secret"):
            harness.secret_value(registration.inputs["size"])

    contextvars.Context().run(unit_test)  # as pytest runs each test: its mocks stay in its context
