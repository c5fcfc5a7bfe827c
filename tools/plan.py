"""The offline plan: every stack of the project, run under Pulumi mocks, in dependency order.

    python -m tools.plan [--stack NAME ...] [--json FILE] [--quiet]

No Pulumi CLI and no cloud: each `Pulumi.<stack>.yaml` is validated and its program run as an
update (not a preview, so every computed input appears in full), with mocks that answer like
AWS in that stack's account. A `StackReference` is answered with the outputs that the
referenced stack's own run exported; reading an output it does not export fails with both
stacks and the output named. The policy pack (`policy/`) is applied to every resource, and each
stack ends with its fixed monthly cost while idle (`tools/cost.py`, prices in `tools/prices/`).

Exit codes: 0 plan complete, 1 the program or a mandatory policy failed, 2 bad configuration.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pulumi

from components import config
from components.config import PROJECT, ConfigError, LoadedStack
from components.paths import PROGRAM, PROJECT_DIR
from tools import cost, graph, harness
from tools.cost import StackCost
from tools.harness import Registration
from tools.mocks import PlanMocks


class PlanError(Exception):
    """A stack's program failed under the mocks."""


@dataclass
class StackPlan:
    stack: str
    loaded: LoadedStack
    resources: list[Registration] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    violations: list[Any] = field(default_factory=list)  # the pack's violations (policy.runner)
    cost: StackCost | None = None  # the idle cost estimate (tools/cost.py), once the stack is planned

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "resources": [self._resource_json(r) for r in self.resources],
            "outputs": self.outputs,
        }
        if self.cost is not None:
            doc["cost"] = self.cost.to_json()
        return doc

    def _resource_json(self, r: Registration) -> dict[str, Any]:
        doc = {
            "type": r.type,
            "name": r.name,
            "urn": r.urn,
            "parent": r.parent,
            "provider": r.provider,
            "id": r.id,
            "dependencies": r.dependencies,
            "inputs": _jsonable(r.inputs),
        }
        if self.cost is not None and r.urn in self.cost.resources:
            doc["cost"] = self.cost.resources[r.urn].to_json()
        return doc


def _jsonable(value: Any) -> Any:
    """Inputs as JSON: assets and archives by their path relative to the project."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, (pulumi.FileArchive, pulumi.FileAsset)):
        path = Path(value.path)
        shown = path.relative_to(PROJECT_DIR) if path.is_relative_to(PROJECT_DIR) else path
        return {type(value).__name__: shown.as_posix()}
    return value


# --------------------------------------------------------------------------- running the stacks


def runtime_values(file_config: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """A stack file's config as the Pulumi CLI hands it to the program: JSON text for objects."""
    values: dict[str, str] = {}
    secrets: list[str] = []
    for key, value in file_config.items():
        if isinstance(value, dict) and set(value) == {"secure"}:
            values[key] = "[secret]"
            secrets.append(key)
        elif isinstance(value, (dict, list)):
            values[key] = json.dumps(value)
        elif isinstance(value, bool):
            values[key] = "true" if value else "false"
        else:
            values[key] = str(value)
    return values, secrets


def run_stack(
    loaded: LoadedStack,
    file_config: dict[str, Any],
    stack_outputs: dict[str, dict[str, Any]],
    project_dir: Path = PROJECT_DIR,
    org: str = graph.ORGANIZATION,
) -> StackPlan:
    """Run the real program (`__main__.py`) for one stack under the mocks, in a fresh context."""
    cfg = loaded.config
    mocks = PlanMocks(
        stack=loaded.stack, account_id=cfg.aws.account_id, region=cfg.aws.region, stack_outputs=stack_outputs
    )
    values, secrets = runtime_values(file_config)
    try:
        run = harness.run_program(
            PROGRAM,
            mocks,
            project=PROJECT,
            stack=loaded.stack,
            organization=org,
            root_directory=project_dir,
            config=values,
            secrets=secrets,
        )
    except ConfigError:
        raise
    except Exception as exc:  # the program's own error, reported with the stack's name
        raise PlanError(f"stack {loaded.stack}: {exc}") from exc
    return StackPlan(loaded.stack, loaded, run.registrations, run.outputs)


def plan(stacks: list[str] | None = None, project_dir: Path = PROJECT_DIR) -> dict[str, StackPlan]:
    """Plan the named stacks (default: all) and the stacks they reference, in order."""
    # Lambda packages from the sources alone: no dependency download on every plan.
    os.environ.setdefault("STUDIO_ACCESS_PACKAGE_DEPS", "0")
    known = graph.discover(project_dir)
    wanted = stacks or known
    unknown = graph.unknown_stacks(wanted, known)
    if unknown:
        raise ConfigError(unknown)
    loaded = graph.load_all(known if stacks is None else graph.closure(wanted, project_dir), project_dir)
    org = graph.organization(loaded) or graph.ORGANIZATION
    results: dict[str, StackPlan] = {}
    exported: dict[str, dict[str, Any]] = {}
    for stack in graph.order(loaded):
        file_config = config.read_stack_file(config.stack_file(stack, project_dir))
        result = run_stack(loaded[stack], file_config, exported, project_dir, org)
        results[stack] = result
        exported[graph.fqn(stack, org)] = result.outputs
    apply_policies(results)
    for result in results.values():
        try:
            result.cost = cost.estimate(result.stack, result.loaded.config.aws.region, result.resources)
        except cost.PriceFileError as exc:
            raise PlanError(f"cost estimate: {exc}") from exc
    return results


# --------------------------------------------------------------------------- the policy pack


def _policy_runner() -> ModuleType:
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


def main(argv: list[str] | None = None, project_dir: Path = PROJECT_DIR) -> int:
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

    runner = _policy_runner()
    shown = {s: r for s, r in results.items() if not args.stack or s in args.stack}
    mandatory = 0
    for stack, result in shown.items():
        aws = result.loaded.config.aws
        print(f"\n=== stack {stack} (account {aws.account_id}, {aws.region})")
        if not args.quiet:
            print("\n".join(tree(result)))
        print("\n".join(summary(result)))
        print(f"  outputs: {', '.join(sorted(result.outputs))}")
        if result.violations:
            print("  policy violations:")
        # Mandatory first; within a level, in the pack's rule order.
        for v in sorted(result.violations, key=lambda v: v.enforcement != "mandatory"):
            print("    " + runner.format_violation(v))
            mandatory += v.enforcement == "mandatory"
        if result.cost is not None:
            print("\n".join(result.cost.report()))
    total = sum(len(r.violations) for r in shown.values())
    print(
        f"\npolicy pack: {runner.RULE_COUNT} rules run on {sum(len(r.resources) for r in shown.values())} resources, "
        f"{total} violations ({mandatory} mandatory)"
    )
    costs = {s: r.cost for s, r in shown.items() if r.cost is not None}
    print(cost.total_report(costs))
    if args.json:
        doc = {"stacks": {s: r.to_json() for s, r in shown.items()}, "cost": cost.total(costs)}
        Path(args.json).write_text(json.dumps(doc, indent=2, sort_keys=True, default=str))
        print(f"wrote {args.json}")
    print(f"planned {len(shown)} stacks in {time.perf_counter() - started:.1f}s")
    if mandatory:
        print(f"plan failed: {mandatory} mandatory policy violation(s), listed above", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
