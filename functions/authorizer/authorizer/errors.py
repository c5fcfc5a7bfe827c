"""The two ways the authorizer says no: a bad environment, a refused request."""

from __future__ import annotations


class ConfigError(ValueError):
    """The function's environment is invalid."""


class Refused(Exception):
    """A request that must be refused; ``reason`` is logged, never returned."""

    def __init__(self, reason: str, kid: object = None, sub: object = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kid = kid
        self.sub = sub
