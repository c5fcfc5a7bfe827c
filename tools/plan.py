"""The offline plan: every stack of the project, run under Pulumi mocks, in dependency order.

    python -m tools.plan [--stack NAME ...] [--json FILE] [--quiet]

No Pulumi CLI and no cloud: each `Pulumi.<stack>.yaml` is validated and its program run as an
update (not a preview, so every computed input appears in full), with mocks that answer like
AWS in that stack's account. A `StackReference` is answered with the outputs that the
referenced stack's own run exported; reading an output it does not export fails with both
stacks and the output named. The policy pack (`policy/`) is applied to every resource.

Exit codes: 0 plan complete, 1 the program or a mandatory policy failed, 2 bad configuration.
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import json
import os
import runpy
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional

import pulumi
from pulumi.runtime.mocks import set_mocks
from pulumi.runtime.settings import get_root_resource
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from components import config
from components.config import PROJECT, ConfigError, LoadedStack, LobStackConfig
from tools.mocks import PlanMocks, RecordingMonitor, Registration

PROGRAM = config.PROJECT_DIR / "__main__.py"
# The organization of a self-managed backend (and the plan's when no LOB stack names one).
ORGANIZATION = "organization"


class PlanError(Exception):
    """A stack's program failed under the mocks."""


@dataclass
class StackPlan:
    stack: str
    loaded: LoadedStack
    resources: list[Registration] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    violations: list = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "resources": [
                {
                    "type": r.type,
                    "name": r.name,
                    "urn": r.urn,
                    "parent": r.parent,
                    "provider": r.provider,
                    "id": r.id,
                    "dependencies": r.dependencies,
                    "inputs": _jsonable(r.inputs),
                }
                for r in self.resources
            ],
            "outputs": self.outputs,
        }


def _jsonable(value: Any) -> Any:
    """Inputs as JSON: assets and archives by their path relative to the project."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, (pulumi.FileArchive, pulumi.FileAsset)):
        path = Path(value.path)
        shown = path.relative_to(config.PROJECT_DIR) if path.is_relative_to(config.PROJECT_DIR) else path
        return {type(value).__name__: shown.as_posix()}
    return value


# --------------------------------------------------------------------------- stacks and order


def discover(project_dir: Path = config.PROJECT_DIR) -> list[str]:
    """The stacks of a project folder: one per `Pulumi.<stack>.yaml` beside `Pulumi.yaml`.

    A folder that is not this project, or that holds no stack file, is an error: planning or
    deploying nothing must never look like success.
    """
    project_file = project_dir / "Pulumi.yaml"
    if not project_file.is_file():
        raise ConfigError([(str(project_dir), "(project)", "no Pulumi.yaml here: not a Pulumi project folder (check --project-dir)")])
    stacks = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in project_dir.glob("Pulumi.*.yaml"))
    if not stacks:
        raise ConfigError(
            [(str(project_dir), "(project)", "no stack files (Pulumi.<stack>.yaml): copy the example's and set your accounts")]
        )
    return stacks


def unknown_stacks(wanted: list[str], known: list[str]) -> list[tuple[str, str, str]]:
    """A problem per stack name that has no stack file, listing the stacks that exist."""
    return [
        (f"Pulumi.{s}.yaml", "(file)", f"no stack {s} in this project (stacks: {', '.join(known)})")
        for s in wanted
        if s not in known
    ]


def runtime_values(file_config: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """A stack file's config as the Pulumi CLI hands it to the program: JSON text for objects."""
    values, secrets = {}, []
    for key, value in file_config.items():
        if isinstance(value, dict) and set(value) == {"secure"}:
            values[key], _ = "[secret]", secrets.append(key)
        elif isinstance(value, (dict, list)):
            values[key] = json.dumps(value)
        elif isinstance(value, bool):
            values[key] = "true" if value else "false"
        else:
            values[key] = str(value)
    return values, secrets


def load_all(stacks: list[str], project_dir: Path = config.PROJECT_DIR) -> dict[str, LoadedStack]:
    """Validate every named stack; all problems of all stacks in one ConfigError."""
    loaded, problems = {}, []
    for stack in stacks:
        path = config.stack_file(stack, project_dir)
        try:
            problems += config.check_stack_file_settings(path)
            loaded[stack] = config.load(stack, config.read_stack_file(path), project_dir)
        except ConfigError as exc:
            problems += exc.problems
    if problems:
        raise ConfigError(list(dict.fromkeys(problems)))
    return loaded


def organization(loaded: Mapping[str, LoadedStack]) -> Optional[str]:
    """The org every LOB stack's `sharedStack` names (None when there is no LOB stack).

    Pulumi Cloud organizations (`acme/studio-access/shared`) and self-managed backends
    (`organization/studio-access/shared`) alike: the stack files say which, nothing is assumed.
    """
    orgs: dict[str, list[str]] = {}
    for stack, item in sorted(loaded.items()):
        if isinstance(item.config, LobStackConfig):
            orgs.setdefault(item.config.lob.shared_stack.split("/")[0], []).append(stack)
    if len(orgs) > 1:
        named = "; ".join(f"{org}: {', '.join(stacks)}" for org, stacks in sorted(orgs.items()))
        raise ConfigError(
            [
                (
                    "(stack files)",
                    f"{config.NAMESPACE}lob.sharedStack",
                    f"LOB stacks name different organizations ({named}); one project deploys to one backend organization",
                )
            ]
        )
    return next(iter(orgs), None)


def dependencies(loaded: LoadedStack) -> list[str]:
    cfg = loaded.config
    return [cfg.lob.shared_stack_name] if isinstance(cfg, LobStackConfig) else []


def order(loaded: dict[str, LoadedStack]) -> list[str]:
    """Stacks after the stacks they reference; a cycle or an unknown stack is an error."""
    done: list[str] = []
    visiting: list[str] = []

    def visit(stack: str) -> None:
        if stack in done:
            return
        if stack in visiting:
            raise ConfigError([(f"Pulumi.{stack}.yaml", "(stack references)", f"cycle: {' -> '.join(visiting + [stack])}")])
        if stack not in loaded:
            raise ConfigError([(f"Pulumi.{visiting[-1]}.yaml", "(stack references)", f"references stack {stack}, which has no stack file")])
        visiting.append(stack)
        for dep in dependencies(loaded[stack]):
            visit(dep)
        visiting.pop()
        done.append(stack)

    for stack in sorted(loaded):
        visit(stack)
    return done


# --------------------------------------------------------------------------- running a stack


def _resolve(value: Any) -> Any:
    return _sync_await(pulumi.Output.from_input(value).future())


def run_stack(
    loaded: LoadedStack,
    file_config: dict[str, Any],
    stack_outputs: dict[str, dict],
    project_dir: Path = config.PROJECT_DIR,
    org: str = ORGANIZATION,
) -> StackPlan:
    """Run the real program (`__main__.py`) for one stack under the mocks, in a fresh context."""
    return contextvars.Context().run(_run_stack, loaded, file_config, stack_outputs, project_dir, org)


def _run_stack(loaded, file_config, stack_outputs, project_dir, org=ORGANIZATION) -> StackPlan:
    cfg = loaded.config
    mocks = PlanMocks(
        stack=loaded.stack,
        account_id=cfg.aws.account_id,
        region=cfg.aws.region,
        stack_outputs=stack_outputs,
    )
    monitor = RecordingMonitor(mocks)
    asyncio.set_event_loop(asyncio.new_event_loop())
    set_mocks(mocks, project=PROJECT, stack=loaded.stack, preview=False, monitor=monitor, organization=org)
    settings = pulumi.runtime.settings.SETTINGS
    settings.root_directory = str(project_dir)
    # Their defaults are shared by every context: a failed earlier run must not leave tasks here.
    settings.outputs = set()
    settings.lock = threading.Lock()
    values, secrets = runtime_values(file_config)
    pulumi.runtime.set_all_config(values, secrets)
    root = get_root_resource()
    result: dict[str, Any] = {}

    def body() -> None:
        runpy.run_path(str(PROGRAM), run_name="__main__")
        result["outputs"] = _resolve(root.outputs)

    try:
        _sync_await(run_pulumi_func(body))
    except ConfigError:
        raise
    except Exception as exc:  # the program's own error, reported with the stack's name
        raise PlanError(f"stack {loaded.stack}: {exc}") from exc
    # Registration order depends on the event loop; the plan is sorted, so two runs compare equal.
    registrations = sorted(monitor.registrations, key=lambda r: r.urn)
    return StackPlan(loaded.stack, loaded, registrations, result.get("outputs", {}))


def fqn(stack: str, org: Optional[str] = None) -> str:
    return f"{org or ORGANIZATION}/{PROJECT}/{stack}"


def plan(stacks: Optional[list[str]] = None, project_dir: Path = config.PROJECT_DIR) -> dict[str, StackPlan]:
    """Plan the named stacks (default: all) and the stacks they reference, in order."""
    # Lambda packages from the sources alone: no dependency download on every plan.
    os.environ.setdefault("STUDIO_ACCESS_PACKAGE_DEPS", "0")
    known = discover(project_dir)
    wanted = stacks or known
    unknown = unknown_stacks(wanted, known)
    if unknown:
        raise ConfigError(unknown)
    loaded = load_all(known if stacks is None else _closure(wanted, project_dir), project_dir)
    org = organization(loaded) or ORGANIZATION
    results: dict[str, StackPlan] = {}
    exported: dict[str, dict] = {}
    for stack in order(loaded):
        file_config = config.read_stack_file(config.stack_file(stack, project_dir))
        result = run_stack(loaded[stack], file_config, exported, project_dir, org)
        results[stack] = result
        exported[fqn(stack, org)] = result.outputs
    apply_policies(results)
    return results


def _closure(stacks: list[str], project_dir: Path) -> list[str]:
    """The stacks and, transitively, the stacks they reference (validated on the way)."""
    seen: list[str] = []
    todo = list(stacks)
    while todo:
        stack = todo.pop()
        if stack in seen:
            continue
        seen.append(stack)
        loaded = load_all([stack], project_dir)[stack]
        todo += dependencies(loaded)
    return seen


def _policy_runner():
    """The pack's runner; a pack that is missing or does not load fails the plan."""
    try:
        from policy import runner
    except Exception as exc:  # ImportError, or an error inside the pack's modules
        raise PlanError(f"the policy pack (policy/) does not load: {exc!r}") from exc
    return runner


def apply_policies(results: dict[str, StackPlan]) -> None:
    """The policy pack over every resource of every stack."""
    runner = _policy_runner()
    for result in results.values():
        try:
            result.violations = runner.evaluate(result.stack, result.to_json()["resources"])
        except runner.PolicyError as exc:
            raise PlanError(f"policy pack: {exc}") from exc


# --------------------------------------------------------------------------- printing


def tree(result: StackPlan) -> list[str]:
    children: dict[str, list[Registration]] = {}
    for r in result.resources:
        children.setdefault(r.parent, []).append(r)
    lines = [f"{PROJECT}-{result.stack} (pulumi:pulumi:Stack)"]

    def walk(parent: str, depth: int) -> None:
        for r in children.get(parent, []):
            lines.append(f"{'  ' * depth}+ {r.type}  {r.name}")
            walk(r.urn, depth + 1)

    roots = {r.parent for r in result.resources} - {r.urn for r in result.resources}
    for root in sorted(roots):
        walk(root, 1)
    return lines


def summary(result: StackPlan) -> list[str]:
    counts = Counter(r.type for r in result.resources if r.custom)
    width = max((len(t) for t in counts), default=0)
    lines = [f"  {t.ljust(width)}  {n}" for t, n in sorted(counts.items())]
    lines.append(f"  {'resources to create'.ljust(width)}  {sum(counts.values())}")
    return lines


def main(argv: Optional[list[str]] = None, project_dir: Path = config.PROJECT_DIR) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.plan", description=__doc__.split("\n\n")[0])
    parser.add_argument("--stack", action="append", help="plan this stack (repeatable; default: every stack)")
    parser.add_argument("--json", metavar="FILE", help="write resources and outputs of every stack as JSON")
    parser.add_argument("--quiet", action="store_true", help="only the summaries")
    parser.add_argument("--project-dir", type=Path, help="another folder of stack files (e.g. examples/onprem)")
    args = parser.parse_args(argv)
    project_dir = (args.project_dir or project_dir).resolve()
    started = time.perf_counter()
    try:
        results = plan(args.stack, project_dir)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    except PlanError as exc:
        print(f"plan failed: {exc}", file=sys.stderr)
        return 1

    shown = {s: r for s, r in results.items() if not args.stack or s in args.stack}
    mandatory = 0
    for stack, result in shown.items():
        print(f"\n=== stack {stack} (account {result.loaded.config.aws.account_id}, {result.loaded.config.aws.region})")
        if not args.quiet:
            print("\n".join(tree(result)))
        print("\n".join(summary(result)))
        print(f"  outputs: {', '.join(sorted(result.outputs))}")
        if result.violations:
            print("  policy violations:")
        # Mandatory first; within a level, in the pack's rule order.
        for v in sorted(result.violations, key=lambda v: v.enforcement != "mandatory"):
            print("    " + _format_violation(v))
            mandatory += v.enforcement == "mandatory"
    total = sum(len(r.violations) for r in shown.values())
    print(
        f"\npolicy pack: {_rule_count()} rules run on {sum(len(r.resources) for r in shown.values())} resources, "
        f"{total} violations ({mandatory} mandatory)"
    )
    if args.json:
        Path(args.json).write_text(
            json.dumps({"stacks": {s: r.to_json() for s, r in shown.items()}}, indent=2, sort_keys=True, default=str)
        )
        print(f"wrote {args.json}")
    print(f"planned {len(shown)} stacks in {time.perf_counter() - started:.1f}s")
    if mandatory:
        print(f"plan failed: {mandatory} mandatory policy violation(s), listed above", file=sys.stderr)
        return 1
    return 0


def _format_violation(v) -> str:
    return _policy_runner().format_violation(v)


def _rule_count() -> int:
    return _policy_runner().RULE_COUNT


if __name__ == "__main__":
    sys.exit(main())
