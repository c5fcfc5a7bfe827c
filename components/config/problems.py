"""A config problem (file, key, message), the error that carries them, and pydantic's errors in our words."""

from __future__ import annotations

import difflib
import typing
from typing import Any, NamedTuple

from pulumi.errors import RunError
from pydantic import BaseModel

PROJECT = "studio-access"
NAMESPACE = f"{PROJECT}:"


class Problem(NamedTuple):
    """One problem of one stack file: where (`file`, `key`) and what, with the fix."""

    file: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.message}"


class ConfigError(RunError):
    """A stack configuration problem; `problems` are `Problem`s (tuples of file, key, message)."""

    def __init__(self, problems: list[Problem] | list[tuple[str, str, str]]):
        self.problems = [Problem(*p) for p in problems]
        super().__init__("invalid stack configuration:\n" + "\n".join(f"  {p}" for p in self.problems))


def key_path(loc: tuple[int | str, ...]) -> str:
    """`studio-access:hub.onPremCidrs[0]` from pydantic's location `("hub", "onPremCidrs", 0)`."""
    out = NAMESPACE.rstrip(":")
    for i, part in enumerate(loc):
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += (":" if i == 0 else ".") + str(part)
    return out


def nearest(word: str, candidates: list[str]) -> str | None:
    found = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return found[0] if found else None


def _field_model(annotation: Any) -> type[BaseModel] | None:
    """The model class inside an annotation (Optional[M], list[M], tuple[M, M]), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _field_model(arg)
        if found:
            return found
    return None


def _allowed_keys(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    current: type[BaseModel] | None = model
    for part in loc[:-1]:
        if current is None:
            return []
        if isinstance(part, int):
            continue
        field = next((f for n, f in current.model_fields.items() if (f.alias or n) == part), None)
        current = _field_model(field.annotation) if field else None
    if current is None:
        return []
    return [f.alias or n for n, f in current.model_fields.items()]


def messages(model: type[BaseModel], err: Any) -> list[str]:
    """One message per problem of a pydantic error (a validator reports several as lines)."""
    if err["type"] == "extra_forbidden":
        allowed = _allowed_keys(model, err["loc"])
        near = nearest(str(err["loc"][-1]), allowed)
        hint = f"did you mean {near}? " if near else ""
        return ["unknown key: " + hint + (f"allowed: {', '.join(allowed)}" if allowed else "")]
    if err["type"] == "missing":
        return ["required key is missing"]
    msg = str(err["msg"])
    msg = msg.removeprefix("Value error, ")
    return msg.split("\n")
