"""Deploy the project's stacks to real accounts with the Pulumi Automation API, in dependency order.

    python -m tools.deploy {up,preview,destroy} [--stack NAME ...] [--client-config FILE]
    python -m tools.deploy matrix           # the CI workflows' stack matrix, as JSON
    python -m tools.deploy client-config OUTPUTS.json FILE

The order comes from the stacks' config, never from a list: a LOB stack's
`studio-access:lob.sharedStack` names the stack it reads (`tools.graph.dependencies`). Stacks run
in waves: every stack after the stacks it references, the stacks of one wave concurrently
(`shared` first, then every LOB stack at once); `destroy` runs the waves in reverse. A cycle or a
reference to a stack without a stack file is an error naming the stacks.

`--stack` picks some stacks. With `up`/`preview`, a stack they reference that is not picked must
already be deployed (its outputs are read before anything runs); with `destroy`, a stack that
references a picked one and is not picked itself must no longer be deployed. Either way nothing
runs when the check fails, and the message says which stack to add.

Every stack is selected by its fully qualified name `<org>/studio-access/<stack>`, the org being
the one the LOB stacks' `sharedStack` names, so the stack deployed is the stack the LOBs read.

The Automation API drives the `pulumi` CLI, which must be installed (the tests inject a fake
`Backend`; the I/O is `backend.AutomationBackend` and this module, the rest is pure).

Exit codes: 0 done, 1 a stack failed (the others of its wave finish, later waves do not start),
2 bad configuration or a `--stack` selection that cannot run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from components import outputs
from components.config import ConfigError, SharedStackConfig
from components.paths import BUILD_DIR, POLICY_DIR, PROJECT_DIR
from tools import graph
from tools.deploy.backend import ACTIONS, AutomationBackend, Backend, plain_outputs, summary
from tools.deploy.clientconfig import client_config_paths, write_client_config
from tools.deploy.matrix import github_outputs, matrix
from tools.deploy.runner import DeployError, run
from tools.deploy.selection import SelectionError, Target, parse_profiles, select_waves, targets

# Relative to the project folder (the policy pack) and to the working directory (the client config).
POLICY_PACK = POLICY_DIR.relative_to(PROJECT_DIR)
DEFAULT_CLIENT_CONFIG = BUILD_DIR.relative_to(PROJECT_DIR) / "studio-access.json"

NEXT_STEPS = {  # role: (label, output) shown after `up`
    "shared": [
        ("API URL", outputs.API_URL),
        ("identity provider", outputs.IDENTITY_PROVIDER),
        ("token issuer", outputs.TOKEN_ISSUER),
        ("Cognito user pool id", outputs.USER_POOL_ID),
        ("Cognito app client id", outputs.USER_POOL_CLIENT_ID),
        ("on-premises tunnel", outputs.ONPREM_TUNNEL_COMMAND),
        ("open in the desktop", outputs.ONPREM_OPEN_URL),
    ],
    "lob": [
        ("SageMaker domain id", outputs.DOMAIN_ID),
        ("user profiles", outputs.USER_PROFILE_NAMES),
        ("access role", outputs.ACCESS_ROLE_ARN),
    ],
}


def next_steps(target: Target, stack_outputs: Mapping[str, Any]) -> list[str]:
    values = plain_outputs(stack_outputs)
    lines = [f"{target.stack} ({target.fqn}, account {target.account_id}, {target.region}):"]
    for label, key in NEXT_STEPS[target.role]:
        if key in values:
            value = values[key]
            shown = ", ".join(map(str, value)) if isinstance(value, list) else value
            lines.append(f"  {label}: {shown}")
    return lines


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tools.deploy", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for action in ACTIONS:
        p = sub.add_parser(action, help=f"pulumi {action} across the stacks, in dependency order")
        p.add_argument("--stack", action="append", help="only this stack (repeatable; default: every stack)")
        p.add_argument(
            "--profile",
            action="append",
            default=[],
            metavar="STACK=PROFILE",
            help="the AWS CLI profile for this stack's account (repeatable; default: the environment's credentials)",
        )
        if action != "destroy":
            p.add_argument(
                "--no-policy-pack", action="store_true", help=f"do not run the policy pack in {POLICY_PACK}/"
            )
        if action == "up":
            p.add_argument(
                "--client-config",
                type=Path,
                default=DEFAULT_CLIENT_CONFIG,
                help="where to write the studio-access client config (default: %(default)s)",
            )
    mx = sub.add_parser("matrix", help="the CI workflows' stack matrices, as JSON")
    mx.add_argument("--github-output", type=Path, help="append them as step outputs to this file ($GITHUB_OUTPUT)")
    cc = sub.add_parser(
        "client-config", help="write the client config from `pulumi stack output --json` of the shared stack"
    )
    cc.add_argument("outputs", type=Path)
    cc.add_argument("file", type=Path)
    return parser


def main(argv: list[str] | None = None, project_dir: Path = PROJECT_DIR, backend: Backend | None = None) -> int:
    args = _parser().parse_args(argv)

    if args.command == "client-config":
        try:
            cfg = write_client_config(json.loads(args.outputs.read_text()), args.file)
        except (ValueError, OSError) as exc:
            print(f"client config: {exc}", file=sys.stderr)
            return 2
        print(f"wrote {args.file}: {json.dumps(cfg, sort_keys=True)}")
        return 0

    try:
        loaded = graph.load_project(project_dir)
        if args.command == "matrix":
            matrices = matrix(loaded)
            print(json.dumps(matrices, indent=2, sort_keys=True))
            if args.github_output:
                with args.github_output.open("a") as out:
                    out.writelines(line + "\n" for line in github_outputs(matrices))
            return 0
        policy = None
        if args.command != "destroy" and not args.no_policy_pack:
            policy = project_dir / POLICY_PACK
            if not (policy / "PulumiPolicy.yaml").is_file():
                print(
                    f"no policy pack at {policy} (PulumiPolicy.yaml); pass --no-policy-pack to run without it",
                    file=sys.stderr,
                )
                return 2
        select_waves(graph.waves(loaded), args.stack, targets(loaded))  # names checked before anything else
        if backend is None:
            if shutil.which("pulumi") is None:
                print(
                    "the pulumi CLI is not on PATH; the Automation API drives it: install it first (see the first-deploy guide)",
                    file=sys.stderr,
                )
                return 2
            backend = AutomationBackend(project_dir)
        outcome = run(args.command, loaded, backend, args.stack, policy, profiles=parse_profiles(args.profile))
    except (ConfigError, SelectionError) as exc:
        print(exc, file=sys.stderr)
        return 2
    except DeployError as exc:
        print(exc, file=sys.stderr)
        return 1

    known = targets(loaded)
    print(f"\n{args.command} done:")
    for stack, result in outcome.results.items():
        print(f"  {stack}: {summary(result)}")
    if args.command == "up":
        print("\nNext:")
        for stack, values in outcome.outputs.items():
            print("\n".join(next_steps(known[stack], values)))
        shared = [s for s in outcome.outputs if isinstance(loaded[s].config, SharedStackConfig)]
        for stack, path in client_config_paths(shared, args.client_config).items():
            try:
                write_client_config(outcome.outputs[stack], path)
            except ValueError as exc:
                print(f"client config for {stack} not written: {exc}", file=sys.stderr)
                return 1
            print(f"client config for {stack}: {path} (hand it to the people who open Studio)")
    return 0
