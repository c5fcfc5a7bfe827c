"""A bounded cache whose entries expire: users, LOBs, domains and per-account clients."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


def now() -> float:
    """Wall-clock seconds (credential expiry is wall-clock); tests move it."""
    return time.time()


class TTLCache(Generic[V]):
    """At most ``max_size`` entries, each for ``ttl`` seconds (or its own expiry); least recently used out first."""

    def __init__(self, ttl: float, max_size: int, clock: Callable[[], float] = lambda: now()) -> None:
        self.ttl, self.max_size, self._clock = ttl, max_size, clock
        self._items: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()

    def get(self, key: Hashable) -> V | None:
        item = self._items.get(key)
        if item is None:
            return None
        if item[0] <= self._clock():
            del self._items[key]
            return None
        self._items.move_to_end(key)
        return item[1]

    def put(self, key: Hashable, value: V, expires_at: float | None = None) -> None:
        expires_at = self._clock() + self.ttl if expires_at is None else expires_at
        if expires_at <= self._clock():
            return
        self._items[key] = (expires_at, value)
        self._items.move_to_end(key)
        while len(self._items) > self.max_size:
            self._items.popitem(last=False)

    def discard(self, key: Hashable) -> None:
        self._items.pop(key, None)

    def __len__(self) -> int:
        return len(self._items)
