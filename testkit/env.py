"""The functions' environments by their contracts' names (`contracts/*_env.py`)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from types import ModuleType

from contracts.env import Var


def of(contract: ModuleType, **values: str) -> dict[str, str]:
    """An environment named by a contract's variables: ``of(authorizer_env, token_issuer="https://...")``."""
    env = {}
    for key, value in values.items():
        var = getattr(contract, key.upper(), None)
        if not isinstance(var, Var):
            raise KeyError(f"{contract.__name__} has no variable {key.upper()}")
        env[var.name] = value
    return env


def names(*contracts: ModuleType) -> list[str]:
    """Every variable name of the contracts (to clear them before a test sets its own)."""
    return [var.name for contract in contracts for var in contract.ALL]


@contextlib.contextmanager
def patched(values: Mapping[str, str], unset: tuple[str, ...] = ()) -> Iterator[None]:
    """``os.environ`` with ``values`` set and ``unset`` removed, restored afterwards (outside pytest)."""
    saved = {k: os.environ.get(k) for k in (*values, *unset)}
    for k in unset:
        os.environ.pop(k, None)
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
