"""How a function's environment variable is described: its name, default and bounds, and how it is read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Var:
    """One environment variable of a function; `default is None` and `required` mean it must be set."""

    name: str
    doc: str
    default: str | None = None
    required: bool = False
    low: int | None = None  # integer variables: inclusive bounds
    high: int | None = None

    def text(self, env: Mapping[str, str]) -> str:
        """The value without surrounding blanks; the default only when the variable is unset."""
        return env.get(self.name, self.default or "").strip()

    def integer(self, env: Mapping[str, str], problems: list[str]) -> int | None:
        """An integer variable's value; the default when unset or blank. A value that is not an
        integer (then the default is returned) or is outside the bounds adds a line to `problems`."""
        if self.low is None or self.high is None:
            raise TypeError(f"{self.name} is not an integer variable")
        default = None if self.default is None else int(self.default)
        raw = env.get(self.name, "").strip()
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            problems.append(f"{self.name}: {raw!r} is not an integer")
            return default
        if not self.low <= value <= self.high:
            problems.append(f"{self.name}: {value} is outside {self.low}-{self.high}")
        return value
