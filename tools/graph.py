"""The stack graph: a project folder's stacks, their validated config, and the order they run in.

One owner for what the plan and the deploy both need. A project's stacks are its
`Pulumi.<stack>.yaml` files beside `Pulumi.yaml`; a LOB stack depends on the stack its
`studio-access:lob.sharedStack` names, and that is the only edge: the order comes from the stacks'
config, never from a list. A cycle, or a reference to a stack without a stack file, is a
ConfigError naming the stacks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from components import config
from components.config import PROJECT, ConfigError, LoadedStack, LobStackConfig
from components.paths import PROJECT_DIR

# The organization of a self-managed backend (and the plan's when no LOB stack names one).
ORGANIZATION = "organization"


def discover(project_dir: Path = PROJECT_DIR) -> list[str]:
    """The stacks of a project folder: one per `Pulumi.<stack>.yaml` beside `Pulumi.yaml`.

    A folder that is not this project, or that holds no stack file, is an error: planning or
    deploying nothing must never look like success.
    """
    project_file = project_dir / "Pulumi.yaml"
    if not project_file.is_file():
        raise ConfigError(
            [
                (
                    str(project_dir),
                    "(project)",
                    "no Pulumi.yaml here: not a Pulumi project folder (check --project-dir)",
                )
            ]
        )
    stacks = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in project_dir.glob("Pulumi.*.yaml"))
    if not stacks:
        raise ConfigError(
            [
                (
                    str(project_dir),
                    "(project)",
                    "no stack files (Pulumi.<stack>.yaml): copy the example's and set your accounts",
                )
            ]
        )
    return stacks


def unknown_stacks(wanted: Iterable[str], known: list[str]) -> list[tuple[str, str, str]]:
    """A problem per stack name that has no stack file, listing the stacks that exist."""
    return [
        (f"Pulumi.{s}.yaml", "(file)", f"no stack {s} in this project (stacks: {', '.join(known)})")
        for s in wanted
        if s not in known
    ]


def load_all(stacks: Iterable[str], project_dir: Path = PROJECT_DIR) -> dict[str, LoadedStack]:
    """Validate every named stack; all problems of all stacks in one ConfigError."""
    loaded: dict[str, LoadedStack] = {}
    problems: list[tuple[str, str, str]] = []
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


def load_project(project_dir: Path = PROJECT_DIR) -> dict[str, LoadedStack]:
    """Every stack file of the project, validated (all problems at once)."""
    return load_all(discover(project_dir), project_dir)


def dependencies(loaded: LoadedStack) -> list[str]:
    """The stacks this stack references (a LOB stack: its shared stack)."""
    cfg = loaded.config
    return [cfg.lob.shared_stack_name] if isinstance(cfg, LobStackConfig) else []


def closure(stacks: Iterable[str], project_dir: Path = PROJECT_DIR) -> list[str]:
    """The stacks and, transitively, the stacks they reference (validated on the way)."""
    seen: list[str] = []
    todo = list(stacks)
    while todo:
        stack = todo.pop()
        if stack in seen:
            continue
        seen.append(stack)
        todo += dependencies(load_all([stack], project_dir)[stack])
    return seen


def organization(loaded: Mapping[str, LoadedStack]) -> str | None:
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
                    f"LOB stacks name different organizations ({named}); "
                    "one project deploys to one backend organization",
                )
            ]
        )
    return next(iter(orgs), None)


def fqn(stack: str, org: str) -> str:
    """A stack's fully qualified name, `<org>/studio-access/<stack>`."""
    return f"{org}/{PROJECT}/{stack}"


def order(loaded: Mapping[str, LoadedStack]) -> list[str]:
    """Stacks after the stacks they reference; a cycle or an unknown stack is an error."""
    done: list[str] = []
    visiting: list[str] = []

    def visit(stack: str) -> None:
        if stack in done:
            return
        if stack in visiting:
            cycle = " -> ".join([*visiting, stack])
            raise ConfigError([(f"Pulumi.{stack}.yaml", "(stack references)", f"cycle: {cycle}")])
        if stack not in loaded:
            raise ConfigError(
                [
                    (
                        f"Pulumi.{visiting[-1]}.yaml",
                        "(stack references)",
                        f"references stack {stack}, which has no stack file",
                    )
                ]
            )
        visiting.append(stack)
        for dep in dependencies(loaded[stack]):
            visit(dep)
        visiting.pop()
        done.append(stack)

    for stack in sorted(loaded):
        visit(stack)
    return done


def waves(loaded: Mapping[str, LoadedStack]) -> list[list[str]]:
    """Stacks grouped so that each comes after every stack it references; a wave runs at once.

    `order` validates the graph; a stack's wave is one past the deepest of its references.
    """
    level: dict[str, int] = {}
    for stack in order(loaded):
        level[stack] = 1 + max((level[d] for d in dependencies(loaded[stack])), default=-1)
    grouped: list[list[str]] = [[] for _ in range(max(level.values(), default=-1) + 1)]
    for stack in sorted(level):
        grouped[level[stack]].append(stack)
    return grouped
