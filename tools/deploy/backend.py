"""The seam to Pulumi: what the deploy asks of a backend, the real one (the Automation API), its results.

The Automation API drives the `pulumi` CLI, which must be installed; the tests inject a fake
`Backend`. Everything else in `tools.deploy` talks to a backend only through `Backend` and
`StackOps`, and reads its results only through `plain_outputs` and `summary`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from components.paths import PROJECT_DIR

ACTIONS = ("up", "preview", "destroy")
SECRET = "[secret]"

OnOutput = Callable[[str], Any]


class StackMissing(Exception):
    """The backend has no such stack."""


class StackOps(Protocol):
    """What the deploy needs of a selected stack (`pulumi.automation.Stack` has all four)."""

    def up(self, *, on_output: OnOutput, policy_packs: list[str] | None = ..., show_secrets: bool = ...) -> Any: ...
    def preview(self, *, on_output: OnOutput, policy_packs: list[str] | None = ...) -> Any: ...
    def destroy(self, *, on_output: OnOutput, show_secrets: bool = ...) -> Any: ...
    def outputs(self) -> Mapping[str, Any]: ...


class Backend(Protocol):
    def select(self, name: str, *, create: bool, env: Mapping[str, str] | None = None) -> StackOps:
        """The stack `name` (fully qualified); `StackMissing` when absent and not `create`.

        `env` is added to the environment of the CLI runs for this stack (its AWS profile)."""
        ...


class AutomationBackend:
    """The real backend: a local workspace on the project folder (needs the `pulumi` CLI)."""

    def __init__(self, work_dir: Path = PROJECT_DIR):
        self.work_dir = work_dir

    def select(self, name: str, *, create: bool, env: Mapping[str, str] | None = None) -> StackOps:
        from pulumi import automation as auto

        opts = auto.LocalWorkspaceOptions(env_vars=dict(env)) if env else None
        try:
            if create:
                return auto.create_or_select_stack(stack_name=name, work_dir=str(self.work_dir), opts=opts)
            return auto.select_stack(stack_name=name, work_dir=str(self.work_dir), opts=opts)
        except auto.StackNotFoundError as exc:
            raise StackMissing(name) from exc


def operation_args(action: str, on_output: OnOutput, policy_pack: Path | None) -> dict[str, Any]:
    """The keyword arguments passed to `Stack.up/preview/destroy`."""
    args: dict[str, Any] = {"on_output": on_output}
    if action in ("up", "preview") and policy_pack is not None:
        args["policy_packs"] = [str(policy_pack)]
    if action in ("up", "destroy"):
        args["show_secrets"] = False  # the result summary reads history without secrets
    return args


def plain_outputs(values: Mapping[str, Any]) -> dict[str, Any]:
    """A stack's outputs as plain values; secret ones replaced by "[secret]" (never printed)."""
    plain = {}
    for key, value in values.items():
        if hasattr(value, "secret") and hasattr(value, "value"):  # automation.OutputValue
            plain[key] = SECRET if value.secret else value.value
        else:
            plain[key] = value
    return plain


def summary(result: Any) -> str:
    """An operation's result as `create 3, update 1` (or `no changes`)."""
    changes = getattr(result, "change_summary", None)
    if changes is None and getattr(result, "summary", None) is not None:
        changes = getattr(result.summary, "resource_changes", None)
    if not changes:
        return "no changes"
    counts = {getattr(op, "value", op): n for op, n in dict(changes).items()}
    return ", ".join(f"{op} {n}" for op, n in sorted(counts.items()))
