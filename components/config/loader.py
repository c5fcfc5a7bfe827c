"""The loader: a stack's whole config map in, a validated `LoadedStack` out, or every problem at once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..paths import PROJECT_DIR
from .problems import NAMESPACE, ConfigError, Problem
from .rules import RoutedRange, check_lob, overlap_problems, routed_ranges, user_problems
from .shared import SharedStackConfig
from .sources import SECRET_KEYS, plain_values, project_values, stack_file
from .validation import StackConfig, check_foreign_keys, validate_values


@dataclass(frozen=True)
class LoadedStack:
    """A validated stack config, with what it needs to know about the other stacks."""

    stack: str
    file: str
    config: StackConfig
    # Shared stack: every range the TGW routes (for security groups).
    routed: tuple[RoutedRange, ...] = ()
    # Secret keys (namespace stripped) the stack holds; their values come from pulumi.Config.
    secrets: frozenset[str] = frozenset()


def _secrets(
    config: dict[str, Any], file: str, is_secret: Callable[[str], bool] | None
) -> tuple[set[str], list[Problem]]:
    """The secret keys present, each of which must really be stored as a secret."""
    present: set[str] = set()
    problems: list[Problem] = []
    for name in SECRET_KEYS:
        key = f"{NAMESPACE}{name}"
        if key not in config:
            continue
        value = config[key]
        if (isinstance(value, dict) and "secure" in value) or (is_secret and is_secret(key)):
            present.add(name)
        else:
            problems.append(Problem(file, key, f"must be stored as a secret: pulumi config set --secret {key} <value>"))
    return present, problems


def load(
    stack: str,
    config: dict[str, Any],
    project_dir: Path = PROJECT_DIR,
    is_secret: Callable[[str], bool] | None = None,
) -> LoadedStack:
    """Validate a stack's whole config map (as the Pulumi runtime or the stack file holds it)."""
    file = stack_file(stack, project_dir).name
    problems = check_foreign_keys(config, file)
    secrets, secret_problems = _secrets(config, file, is_secret)
    problems += secret_problems
    try:
        cfg = validate_values(project_values(plain_values(config)), file)
    except ConfigError as exc:
        raise ConfigError(problems + exc.problems) from None
    if isinstance(cfg, SharedStackConfig):
        ranges, range_problems = routed_ranges(cfg, file, project_dir)
        problems += range_problems + overlap_problems(ranges)
        problems += user_problems(cfg, file, secrets, project_dir)
        loaded = LoadedStack(stack, file, cfg, routed=tuple(ranges), secrets=frozenset(secrets))
    else:
        _, lob_problems = check_lob(stack, cfg, file, project_dir)
        problems += lob_problems
        loaded = LoadedStack(stack, file, cfg)
    if problems:
        raise ConfigError(problems)
    return loaded
