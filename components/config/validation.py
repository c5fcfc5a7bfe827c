"""Validation of one stack's values into its model, and keys that no model would read."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from .lob import LobStackConfig
from .problems import NAMESPACE, PROJECT, ConfigError, Problem, key_path, messages, nearest
from .shared import SharedStackConfig
from .sources import RETIRED_KEYS, SECRET_KEYS

StackConfig = SharedStackConfig | LobStackConfig
MODELS: dict[str, type[SharedStackConfig] | type[LobStackConfig]] = {"shared": SharedStackConfig, "lob": LobStackConfig}


def validate_values(values: dict[str, Any], file: str) -> StackConfig:
    """Validate one stack's `studio-access:` values (namespace stripped) into its model."""
    role = values.get("role")
    if role not in MODELS:
        got = "missing" if role is None else f"{role!r} is not"
        raise ConfigError([Problem(file, key_path(("role",)), f"{got} one of: shared, lob")])
    model = MODELS[role]
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise ConfigError(
            [Problem(file, key_path(err["loc"]), msg) for err in exc.errors() for msg in messages(model, err)]
        ) from None


# Namespaces a stack file may use besides this project's: the engine's own settings.
ENGINE_NAMESPACE = "pulumi:"


def _project_keys() -> list[str]:
    keys = {f.alias or n for m in MODELS.values() for n, f in m.model_fields.items()}
    return sorted(NAMESPACE + k for k in keys | set(SECRET_KEYS))


def check_foreign_keys(config: dict[str, Any], file: str) -> list[Problem]:
    """Keys this project would silently ignore: `aws:` settings, other namespaces, typos of ours."""
    problems = []
    for key in sorted(config):
        if key.startswith(NAMESPACE) and key[len(NAMESPACE) :] in RETIRED_KEYS:
            problems.append(Problem(file, key, RETIRED_KEYS[key[len(NAMESPACE) :]]))
            continue
        if key.startswith(NAMESPACE) or key.startswith(ENGINE_NAMESPACE):
            continue
        if key.startswith("aws:"):
            problems.append(
                Problem(
                    file,
                    key,
                    "not used: default AWS providers are disabled; set studio-access:aws "
                    "(region, accountId, profile or assumeRoleArn) instead",
                )
            )
            continue
        namespace, _, rest = key.rpartition(":")
        ours = not namespace or nearest(namespace, [PROJECT]) is not None
        near = nearest(NAMESPACE + rest, _project_keys()) if ours else None
        what = f"unknown namespace {namespace}:" if namespace else "a key without a namespace"
        fix = f"did you mean {near}?" if near else f"this project reads only {NAMESPACE}... keys"
        problems.append(Problem(file, key, f"{what}; nothing reads it ({fix})"))
    return problems
