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
`Backend`; this module's I/O is `AutomationBackend` and `main`, the rest is pure).

Exit codes: 0 done, 1 a stack failed (the others of its wave finish, later waves do not start),
2 bad configuration or a `--stack` selection that cannot run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Protocol

from components import config, outputs
from components.config import PROJECT, ConfigError, LoadedStack, LobStackConfig, SharedStackConfig
from tools import graph
from tools.graph import waves

ACTIONS = ("up", "preview", "destroy")
POLICY_DIR = "policy"
DEFAULT_CLIENT_CONFIG = Path("build") / "studio-access.json"
SECRET = "[secret]"


class SelectionError(Exception):
    """A `--stack` selection that cannot run as asked."""


class StackMissing(Exception):
    """The backend has no such stack."""


class DeployError(Exception):
    """One or more stacks failed."""


# --------------------------------------------------------------------------- the seam


class StackOps(Protocol):
    """What the deploy needs of a selected stack (`pulumi.automation.Stack` has all four)."""

    def up(self, **kwargs: Any) -> Any: ...
    def preview(self, **kwargs: Any) -> Any: ...
    def destroy(self, **kwargs: Any) -> Any: ...
    def outputs(self) -> Mapping[str, Any]: ...


class Backend(Protocol):
    def select(self, name: str, *, create: bool, env: Optional[Mapping[str, str]] = None) -> StackOps:
        """The stack `name` (fully qualified); `StackMissing` when absent and not `create`.

        `env` is added to the environment of the CLI runs for this stack (its AWS profile)."""


class AutomationBackend:
    """The real backend: a local workspace on the project folder (needs the `pulumi` CLI)."""

    def __init__(self, work_dir: Path = config.PROJECT_DIR):
        self.work_dir = work_dir

    def select(self, name: str, *, create: bool, env: Optional[Mapping[str, str]] = None) -> StackOps:
        from pulumi import automation as auto

        opts = auto.LocalWorkspaceOptions(env_vars=dict(env)) if env else None
        try:
            if create:
                return auto.create_or_select_stack(stack_name=name, work_dir=str(self.work_dir), opts=opts)
            return auto.select_stack(stack_name=name, work_dir=str(self.work_dir), opts=opts)
        except auto.StackNotFoundError as exc:
            raise StackMissing(name) from exc


# --------------------------------------------------------------------------- order


@dataclass(frozen=True)
class Target:
    stack: str  # the stack file's name: Pulumi.<stack>.yaml
    fqn: str  # what the backend is asked for
    depends_on: tuple[str, ...]
    role: str
    account_id: str
    region: str


def targets(loaded: Mapping[str, LoadedStack]) -> dict[str, Target]:
    org = graph.organization(loaded)
    result = {}
    for stack, item in loaded.items():
        cfg = item.config
        result[stack] = Target(
            stack=stack,
            fqn=f"{org}/{PROJECT}/{stack}" if org else stack,
            depends_on=tuple(graph.dependencies(item)),
            role=cfg.role,
            account_id=cfg.aws.account_id,
            region=cfg.aws.region,
        )
    return result


load_project = graph.load_project


def select_waves(all_waves: list[list[str]], picked: Optional[list[str]], known: Mapping[str, Target]) -> list[list[str]]:
    """The waves restricted to the picked stacks (all when none is picked); empty waves dropped."""
    if not picked:
        return [w for w in all_waves if w]
    unknown = sorted(set(picked) - set(known))
    if unknown:
        raise SelectionError(f"no stack file for {', '.join(unknown)} (known stacks: {', '.join(sorted(known))})")
    return [chosen for w in all_waves if (chosen := [s for s in w if s in picked])]


def outside_dependencies(picked: set[str], known: Mapping[str, Target]) -> dict[str, list[str]]:
    """{picked stack: the stacks it references that are not picked}."""
    return {s: deps for s in sorted(picked) if (deps := [d for d in known[s].depends_on if d not in picked])}


def outside_dependents(picked: set[str], known: Mapping[str, Target]) -> dict[str, list[str]]:
    """{picked stack: the stacks that reference it and are not picked}."""
    return {
        s: deps
        for s in sorted(picked)
        if (deps := sorted(t.stack for t in known.values() if s in t.depends_on and t.stack not in picked))
    }


# --------------------------------------------------------------------------- outputs


def plain_outputs(values: Mapping[str, Any]) -> dict[str, Any]:
    """A stack's outputs as plain values; secret ones replaced by "[secret]" (never printed)."""
    plain = {}
    for key, value in values.items():
        if hasattr(value, "secret") and hasattr(value, "value"):  # automation.OutputValue
            plain[key] = SECRET if value.secret else value.value
        else:
            plain[key] = value
    return plain


CLIENT_KEYS = {  # client config key: shared stack output
    "apiUrl": outputs.API_URL,
    "region": outputs.REGION,
    "identityProvider": outputs.IDENTITY_PROVIDER,
    "tokenIssuer": outputs.TOKEN_ISSUER,
    "userPoolId": outputs.USER_POOL_ID,
    "clientId": outputs.USER_POOL_CLIENT_ID,
}
COGNITO_ONLY = ("userPoolId", "clientId")


def client_config(stack_outputs: Mapping[str, Any]) -> dict[str, str]:
    """The `studio-access` client's config from the shared stack's outputs.

    Cognito deployments carry the pool and app client ids; an OIDC deployment has neither (its
    client signs in with the issuer). A missing or secret output is an error naming it.
    """
    values = plain_outputs(stack_outputs)
    provider = values.get(outputs.IDENTITY_PROVIDER)
    wanted = [k for k in CLIENT_KEYS if provider == "cognito" or k not in COGNITO_ONLY]
    missing = [CLIENT_KEYS[k] for k in wanted if values.get(CLIENT_KEYS[k]) in (None, "")]
    if missing:
        raise ValueError(f"the shared stack's outputs lack {', '.join(missing)}: is it a shared stack, and deployed?")
    secret = [CLIENT_KEYS[k] for k in wanted if values[CLIENT_KEYS[k]] == SECRET]
    if secret:
        raise ValueError(f"outputs {', '.join(secret)} are secret; the client config holds no secrets")
    if provider not in ("cognito", "oidc"):
        raise ValueError(f"output {outputs.IDENTITY_PROVIDER} is {provider!r}, expected cognito or oidc")
    return {k: str(values[CLIENT_KEYS[k]]) for k in wanted}


def write_client_config(stack_outputs: Mapping[str, Any], path: Path) -> dict[str, str]:
    cfg = client_config(stack_outputs)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
    return cfg


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


# --------------------------------------------------------------------------- running


def operation_args(action: str, on_output: Callable[[str], Any], policy_pack: Optional[Path]) -> dict[str, Any]:
    """The keyword arguments passed to `Stack.up/preview/destroy`."""
    args: dict[str, Any] = {"on_output": on_output}
    if action in ("up", "preview") and policy_pack is not None:
        args["policy_packs"] = [str(policy_pack)]
    if action in ("up", "destroy"):
        args["show_secrets"] = False  # the result summary reads history without secrets
    return args


class Printer:
    """Line output of concurrent stacks, each line prefixed with its stack."""

    def __init__(self, write: Callable[[str], Any] = print):
        self._write = write
        self._lock = threading.Lock()

    def __call__(self, line: str) -> None:
        with self._lock:
            self._write(line)

    def for_stack(self, stack: str) -> Callable[[str], None]:
        def write(text: str) -> None:
            for line in str(text).rstrip("\n").splitlines():
                self(f"[{stack}] {line}")

        return write


@dataclass
class Outcome:
    results: dict[str, Any]
    outputs: dict[str, dict[str, Any]]


def check_selection(action: str, picked: Optional[list[str]], known: Mapping[str, Target], backend: Backend) -> None:
    """What `--stack` leaves out must already be deployed (up/preview) or gone (destroy)."""
    if not picked:
        return
    chosen = set(picked)
    problems = []
    if action in ("up", "preview"):
        for stack, deps in outside_dependencies(chosen, known).items():
            for dep in deps:
                missing = _missing_outputs(backend, known[dep].fqn, outputs.READ_BY_LOB)
                if missing is not None:
                    problems.append(
                        f"stack {stack} reads stack {known[dep].fqn}, which is not picked and {missing}: "
                        f"deploy it first or add --stack {dep}"
                    )
    else:
        for stack, dependents in outside_dependents(chosen, known).items():
            for dep in dependents:
                if _deployed(backend, known[dep].fqn):
                    problems.append(
                        f"stack {stack} is read by stack {known[dep].fqn}, which is still deployed and not picked: "
                        f"destroy it first or add --stack {dep}"
                    )
    if problems:
        raise SelectionError("\n".join(problems))


def _missing_outputs(backend: Backend, fqn: str, needed: tuple[str, ...]) -> Optional[str]:
    try:
        have = backend.select(fqn, create=False).outputs()
    except StackMissing:
        return "does not exist"
    absent = [n for n in needed if n not in have]
    return f"lacks outputs {', '.join(absent)}" if absent else None


def _deployed(backend: Backend, fqn: str) -> bool:
    try:
        return bool(backend.select(fqn, create=False).outputs())
    except StackMissing:
        return False


def run(
    action: str,
    loaded: Mapping[str, LoadedStack],
    backend: Backend,
    picked: Optional[list[str]] = None,
    policy_pack: Optional[Path] = None,
    printer: Optional[Printer] = None,
    profiles: Optional[Mapping[str, str]] = None,
) -> Outcome:
    """Run `action` over the (picked) stacks, wave by wave; destroy in reverse."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
    printer = printer or Printer()
    known = targets(loaded)
    plan = select_waves(waves(loaded), picked, known)
    profiles = dict(profiles or {})
    unknown = sorted(set(profiles) - set(known))
    if unknown:
        raise SelectionError(f"--profile for {', '.join(unknown)}, which has no stack file (known stacks: {', '.join(sorted(known))})")
    if action == "destroy":
        plan = list(reversed(plan))
    check_selection(action, picked, known, backend)
    outcome = Outcome({}, {})
    for number, wave in enumerate(plan, start=1):
        printer(f"wave {number}/{len(plan)}: {action} {', '.join(wave)}")
        # Selecting runs `pulumi stack select`, which writes the workspace's current stack:
        # select one at a time, then run the wave's operations at once.
        try:
            selected = {
                s: backend.select(known[s].fqn, create=action == "up", env={"AWS_PROFILE": profiles[s]} if s in profiles else None)
                for s in wave
            }
        except StackMissing as exc:
            raise SelectionError(
                f"stack {exc} does not exist in the backend you are logged in to: "
                f"create it with `pulumi stack init {exc}` (see the first-deploy guide)"
            ) from None
        failures: dict[str, BaseException] = {}

        def one(stack: str) -> None:
            ops = selected[stack]
            args = operation_args(action, printer.for_stack(stack), policy_pack)
            try:
                outcome.results[stack] = getattr(ops, action)(**args)
                if action == "up":
                    outcome.outputs[stack] = plain_outputs(ops.outputs())
            except Exception as exc:  # reported below with the stack's name
                failures[stack] = exc

        with ThreadPoolExecutor(max_workers=len(wave), thread_name_prefix="deploy") as pool:
            list(pool.map(one, wave))
        if failures:
            later = [s for w in plan[number:] for s in w]
            lines = [f"{action} failed for {', '.join(sorted(failures))}"]
            lines += [f"  {s}: {type(e).__name__}: {e}" for s, e in sorted(failures.items())]
            if later:
                lines.append(f"  not started: {', '.join(later)}")
            raise DeployError("\n".join(lines))
    return outcome


def summary(result: Any) -> str:
    changes = getattr(result, "change_summary", None)
    if changes is None and getattr(result, "summary", None) is not None:
        changes = getattr(result.summary, "resource_changes", None)
    if not changes:
        return "no changes"
    counts = {getattr(op, "value", op): n for op, n in dict(changes).items()}
    return ", ".join(f"{op} {n}" for op, n in sorted(counts.items()))


# --------------------------------------------------------------------------- CI matrix


def variable_suffix(stack: str) -> str:
    """A stack name as a GitHub variable name suffix: `lob-a` -> `LOB_A`."""
    return "".join(c if c.isalnum() else "_" for c in stack).upper()


def matrix(loaded: Mapping[str, LoadedStack]) -> dict[str, Any]:
    """The workflows' matrices: every stack (previews), and the two deploy waves.

    The deploy workflow has a job for the first wave and one for the second, so a third wave
    (a stack that references a stack of the second) is an error here rather than a silent
    misorder there.
    """
    known = targets(loaded)
    grouped = waves(loaded)
    if len(grouped) > 2:
        raise ConfigError([("(stack files)", "(stack references)", f"the deploy workflow runs two waves; these stacks need {len(grouped)}: {grouped}")])

    def entry(stack: str) -> dict[str, str]:
        t = known[stack]
        return {"stack": stack, "fqn": t.fqn, "var": variable_suffix(stack), "region": t.region, "account": t.account_id}

    return {
        "all": {"include": [entry(s) for w in grouped for s in w]},
        "first": {"include": [entry(s) for s in (grouped[0] if grouped else [])]},
        "second": {"include": [entry(s) for s in (grouped[1] if len(grouped) > 1 else [])]},
    }


def github_outputs(matrices: Mapping[str, Any]) -> list[str]:
    """`name=value` lines for $GITHUB_OUTPUT: each matrix as one line of JSON, and its size."""
    lines = []
    for name, value in sorted(matrices.items()):
        lines.append(f"{name}={json.dumps(value, sort_keys=True, separators=(',', ':'))}")
        lines.append(f"{name}-count={len(value['include'])}")
    return lines


# --------------------------------------------------------------------------- command line


def _client_config_paths(shared: list[str], path: Path) -> dict[str, Path]:
    if len(shared) == 1:
        return {shared[0]: path}
    return {s: path.with_name(f"{path.stem}-{s}{path.suffix}") for s in shared}


def parse_profiles(values: list[str]) -> dict[str, str]:
    """`--profile lob-a=lob-a-admin` -> {"lob-a": "lob-a-admin"}."""
    profiles = {}
    for value in values:
        stack, sep, profile = value.partition("=")
        if not sep or not stack or not profile:
            raise SelectionError(f"--profile {value!r}: expected STACK=PROFILE, e.g. lob-a=lob-a-admin")
        profiles[stack] = profile
    return profiles


def main(argv: Optional[list[str]] = None, project_dir: Path = config.PROJECT_DIR, backend: Optional[Backend] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.deploy", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for action in ACTIONS:
        p = sub.add_parser(action, help=f"pulumi {action} across the stacks, in dependency order")
        p.add_argument("--stack", action="append", help="only this stack (repeatable; default: every stack)")
        p.add_argument("--profile", action="append", default=[], metavar="STACK=PROFILE", help="the AWS CLI profile for this stack's account (repeatable; default: the environment's credentials)")
        if action != "destroy":
            p.add_argument("--no-policy-pack", action="store_true", help=f"do not run the policy pack in {POLICY_DIR}/")
        if action == "up":
            p.add_argument("--client-config", type=Path, default=DEFAULT_CLIENT_CONFIG, help="where to write the studio-access client config (default: %(default)s)")
    mx = sub.add_parser("matrix", help="the CI workflows' stack matrices, as JSON")
    mx.add_argument("--github-output", type=Path, help="append them as step outputs to this file ($GITHUB_OUTPUT)")
    cc = sub.add_parser("client-config", help="write the client config from `pulumi stack output --json` of the shared stack")
    cc.add_argument("outputs", type=Path)
    cc.add_argument("file", type=Path)
    args = parser.parse_args(argv)

    if args.command == "client-config":
        try:
            cfg = write_client_config(json.loads(args.outputs.read_text()), args.file)
        except (ValueError, OSError) as exc:
            print(f"client config: {exc}", file=sys.stderr)
            return 2
        print(f"wrote {args.file}: {json.dumps(cfg, sort_keys=True)}")
        return 0

    try:
        loaded = load_project(project_dir)
        if args.command == "matrix":
            matrices = matrix(loaded)
            print(json.dumps(matrices, indent=2, sort_keys=True))
            if args.github_output:
                with args.github_output.open("a") as out:
                    out.writelines(line + "\n" for line in github_outputs(matrices))
            return 0
        policy = None
        if args.command != "destroy" and not args.no_policy_pack:
            policy = project_dir / POLICY_DIR
            if not (policy / "PulumiPolicy.yaml").is_file():
                print(f"no policy pack at {policy} (PulumiPolicy.yaml); pass --no-policy-pack to run without it", file=sys.stderr)
                return 2
        select_waves(waves(loaded), args.stack, targets(loaded))  # names checked before anything else
        if backend is None:
            if shutil.which("pulumi") is None:
                print("the pulumi CLI is not on PATH; the Automation API drives it: install it first (see the first-deploy guide)", file=sys.stderr)
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
        for stack, path in _client_config_paths(shared, args.client_config).items():
            try:
                write_client_config(outcome.outputs[stack], path)
            except ValueError as exc:
                print(f"client config for {stack} not written: {exc}", file=sys.stderr)
                return 1
            print(f"client config for {stack}: {path} (hand it to the people who open Studio)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
