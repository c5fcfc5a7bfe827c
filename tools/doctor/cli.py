"""Check a deployed system link by link, read-only, in every account; name what is broken and the fix.

    python -m tools.doctor [--stack NAME ...] [--outputs STACK=FILE ...]
                           [--profile STACK=PROFILE ...] [--role-arn STACK=ARN ...]
                           [--plan FILE] [--json] [--project-dir DIR]

What should be there comes from the stack files (the offline plan, `tools.plan`, or a
`plan --json` file given with `--plan`); what is there, from each stack's outputs (`--outputs`
files written by `pulumi stack output --json`, else the Pulumi backend through the Automation
API, which needs the `pulumi` CLI) and from Describe/Get/List/Simulate calls in each account.

Exit codes: 0 every link ok; 1 a link is broken; 2 bad command line or configuration; 3 nothing
broken, but some links could not be checked.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import boto3

from components.config import ConfigError, LoadedStack
from components.paths import PROJECT_DIR
from tools import graph
from tools.deploy.backend import AutomationBackend, Backend
from tools.deploy.selection import Target, targets

from . import report
from .accounts import Access, Account, SessionFactory, open_account
from .expect import config_values
from .links import Unreadable
from .run import StackRun, diagnose
from .sources import UsageError, from_backend, parse_pairs, read_file

Planner = Callable[[list[str], Path], Mapping[str, Mapping[str, Any]]]


def offline_plan(stacks: list[str], project_dir: Path) -> dict[str, dict[str, Any]]:
    """{stack: {"resources", "outputs"}}: the stacks (and those they reference) run under the mocks
    as `tools.plan` runs them, without the policy pack (the doctor needs what the program creates,
    not the pack's verdict on it)."""
    from components import config
    from tools import plan as plan_tool

    os.environ.setdefault("STUDIO_ACCESS_PACKAGE_DEPS", "0")  # as tools.plan: the sources alone
    loaded = graph.load_all(graph.closure(stacks, project_dir), project_dir)
    org = graph.organization(loaded) or graph.ORGANIZATION
    plans: dict[str, dict[str, Any]] = {}
    exported: dict[str, dict[str, Any]] = {}
    for stack in graph.order(loaded):
        file_config = config.read_stack_file(config.stack_file(stack, project_dir))
        try:
            result = plan_tool.run_stack(loaded[stack], file_config, exported, project_dir, org)
        except plan_tool.PlanError as exc:
            raise UsageError(f"the offline plan failed, so the doctor does not know what to expect: {exc}") from exc
        plans[stack] = result.to_json()
        exported[graph.fqn(stack, org)] = result.outputs
    return plans


def plan_file(path: Path) -> dict[str, dict[str, Any]]:
    try:
        stacks = json.loads(path.read_text())["stacks"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"--plan {path}: not a plan file (python -m tools.plan --json FILE): {exc}") from exc
    return dict(stacks)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tools.doctor", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--stack", action="append", help="check this stack (repeatable; default: every stack)")
    parser.add_argument(
        "--outputs",
        action="append",
        default=[],
        metavar="STACK=FILE",
        help="the stack's outputs from `pulumi stack output --json` (repeatable; default: read from the backend)",
    )
    parser.add_argument(
        "--profile",
        action="append",
        default=[],
        metavar="STACK=PROFILE",
        help="the AWS CLI profile for this stack's account (repeatable)",
    )
    parser.add_argument(
        "--role-arn",
        action="append",
        default=[],
        metavar="STACK=ARN",
        help="a role to assume in this stack's account, e.g. the doctor role of bootstrap/doctor.yaml (repeatable)",
    )
    parser.add_argument("--plan", type=Path, help="a plan file (python -m tools.plan --json FILE) instead of planning")
    parser.add_argument("--json", action="store_true", help="print the links as JSON (for CI)")
    parser.add_argument("--project-dir", type=Path, help="another folder of stack files")
    return parser


def access_for(stack: str, loaded: LoadedStack, profiles: Mapping[str, str], roles: Mapping[str, str]) -> Access:
    """The command line's credentials for the stack, else its stack file's, else the environment's."""
    if stack in profiles or stack in roles:
        return Access(profile=profiles.get(stack), role_arn=roles.get(stack))
    aws = loaded.config.aws
    return Access(profile=aws.profile, role_arn=aws.assume_role_arn)


def main(
    argv: list[str] | None = None,
    project_dir: Path = PROJECT_DIR,
    backend: Backend | None = None,
    new_session: SessionFactory = boto3.Session,
    planner: Planner = offline_plan,
) -> int:
    args = _parser().parse_args(argv)
    project_dir = (args.project_dir or project_dir).resolve()
    try:
        loaded = graph.load_project(project_dir)
        known = targets(loaded)
        order = graph.order(loaded)
        picked = args.stack or order
        unknown = sorted(set(picked) - set(known))
        if unknown:
            raise UsageError(f"no stack file for {', '.join(unknown)} (known stacks: {', '.join(sorted(known))})")
        needed = [s for s in order if s in picked or any(s in known[p].depends_on for p in picked)]
        picked = [s for s in order if s in picked]
        files = parse_pairs("--outputs", args.outputs, "shared=shared.json", known)
        profiles = parse_pairs("--profile", args.profile, "lob-a=lob-a-readonly", known)
        roles = parse_pairs(
            "--role-arn", args.role_arn, "lob-a=arn:aws:iam::222222222222:role/studio-access-doctor", known
        )
        for stack, arn in roles.items():
            if arn.split(":")[4:5] != [known[stack].account_id]:
                raise UsageError(
                    f"--role-arn {stack}={arn}: not a role in the stack's account {known[stack].account_id}"
                )
        stack_outputs: dict[str, Mapping[str, Any] | Unreadable] = {
            s: read_file(s, Path(files[s])) for s in needed if s in files
        }
        rest = [s for s in needed if s not in files]
        if rest and backend is None:
            if shutil.which("pulumi") is None:
                raise UsageError(
                    "the pulumi CLI is not on PATH, so the backend cannot be read: give each stack's outputs as a file, "
                    + " ".join(f"--outputs {s}=<pulumi stack output --json -s {known[s].fqn}>" for s in rest)
                )
            backend = AutomationBackend(project_dir)
        for s in rest:
            assert backend is not None
            stack_outputs[s] = from_backend(backend, s, known[s].fqn, profiles.get(s))
        plans = plan_file(args.plan) if args.plan else planner(needed, project_dir)
        missing = [s for s in needed if s not in plans]
        if missing:
            raise UsageError(f"the plan has no stack {', '.join(missing)}")
    except (ConfigError, UsageError) as exc:
        print(exc, file=sys.stderr)
        return report.USAGE

    accounts: dict[tuple[str, str, Access], Account] = {}
    runs = {}
    for s in needed:
        target: Target = known[s]
        access = access_for(s, loaded[s], profiles, roles)
        key = (target.account_id, target.region, access)
        if key not in accounts:
            accounts[key] = open_account(target.account_id, target.region, access, new_session)
        runs[s] = StackRun(
            stack=s,
            fqn=target.fqn,
            role=target.role,
            account_id=target.account_id,
            region=target.region,
            depends_on=target.depends_on,
            plan=plans[s],
            outputs=stack_outputs[s],
            account=accounts[key],
            config=config_values(loaded[s].config.model_dump(mode="json")),
        )
    links = diagnose(runs, picked)
    if args.json:
        print(report.as_json(links))
    else:
        headings = {
            s: f"{s} ({known[s].fqn}, account {known[s].account_id}, {known[s].region}, "
            f"read with {access_for(s, loaded[s], profiles, roles).describe()})"
            for s in picked
        }
        print(report.text(links, headings))
    return report.exit_code(links)
