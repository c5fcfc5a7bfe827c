"""How a function's environment variable is described: its name, default and bounds."""

from __future__ import annotations

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

    @property
    def is_int(self) -> bool:
        return self.low is not None and self.high is not None
