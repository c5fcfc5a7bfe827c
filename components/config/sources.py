"""Where config comes from: stack files (as written) and the Pulumi runtime (JSON text), and file-level checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from ..paths import PROJECT_DIR
from .problems import NAMESPACE, PROJECT, ConfigError, Problem

__all__ = ["NAMESPACE", "PROJECT", "decode_runtime_value", "project_values", "read_stack_file", "stack_file"]

# Keys read with require_secret, never validated or printed as plain values.
SECRET_KEYS: tuple[str, ...] = ()
# Keys this project no longer reads, each refused with what to do instead (never read, even as text).
RETIRED_KEYS = {
    "temporaryPassword": (
        "no longer used: one first password shared by every user is refused; remove it "
        "(pulumi config rm studio-access:temporaryPassword) and give each user an email "
        "(Cognito mails each person their own temporary password)"
    ),
}


def stack_file(stack: str, project_dir: Path = PROJECT_DIR) -> Path:
    return project_dir / f"Pulumi.{stack}.yaml"


def read_stack_file(path: Path) -> dict[str, Any]:
    """The `config:` map of a stack file, keys as written (`studio-access:hub`, `aws:region`, ...)."""
    try:
        doc = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError([Problem(path.name, "(file)", f"not valid YAML: {exc}")]) from None
    if not isinstance(doc, dict):
        raise ConfigError([Problem(path.name, "(file)", "a stack file is a YAML mapping")])
    config = doc.get("config") or {}
    if not isinstance(config, dict):
        raise ConfigError([Problem(path.name, "config", "must be a mapping of keys to values")])
    return config


def decode_runtime_value(value: Any) -> Any:
    """Pulumi hands structured config to the program as JSON text; scalars stay text."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def project_values(config: dict[str, Any]) -> dict[str, Any]:
    """Only this project's keys, without the namespace; JSON text decoded."""
    return {
        key[len(NAMESPACE) :]: decode_runtime_value(value) for key, value in config.items() if key.startswith(NAMESPACE)
    }


def plain_values(config: dict[str, Any]) -> dict[str, Any]:
    """The config without its secret keys (those are read with require_secret, never validated as text)."""
    return {k: v for k, v in config.items() if k[len(NAMESPACE) :] not in (*SECRET_KEYS, *RETIRED_KEYS)}


def unquoted_account_ids(text: str) -> list[tuple[str, str]]:
    """`(key path, value)` of every `accountId` written as a plain (unquoted) YAML scalar.

    YAML readers differ on such a value (a number, octal with a leading zero, or text), so the
    file itself must say it is text.
    """
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return []  # read_stack_file names the syntax error
    found: list[tuple[str, str]] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = f"{path}.{key.value}" if path else str(key.value)
                if key.value == "accountId" and isinstance(value, yaml.ScalarNode) and value.style is None:
                    found.append((name, value.value))
                walk(value, name)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, f"{path}[{i}]")

    walk(root, "")
    return found


def check_stack_file_settings(path: Path) -> list[Problem]:
    """Settings a stack file must carry for a real `pulumi up` (not seen by the program itself)."""
    config = read_stack_file(path)
    problems = []
    disabled = config.get("pulumi:disable-default-providers")
    if not isinstance(disabled, list) or not ({"aws", "*"} & set(disabled)):
        problems.append(
            Problem(
                path.name,
                "pulumi:disable-default-providers",
                "must list aws, so no resource can fall back to ambient credentials",
            )
        )
    for key, value in unquoted_account_ids(path.read_text()):
        key = key.removeprefix("config.")
        problems.append(
            Problem(
                path.name,
                key.replace(".", ":", 1) if key.startswith(PROJECT + ".") else key,
                f"{value} is not quoted: YAML may read it as a number (leading zeros lost, or octal); "
                f'write accountId: "{value}"',
            )
        )
    return problems
