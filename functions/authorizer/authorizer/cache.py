"""The issuer's keys, kept per container.

Fetched on first use; refetched for an unknown kid at most once per 60 s (key rotation without a
redeploy, and no fetch loop for a flood of made-up kids), every 5 s while no key set is held, and
at the latest after an hour (a key the issuer removed stops working within the hour). A failed
fetch refuses, it never allows."""

from __future__ import annotations

import math
import time

from .errors import Refused
from .fetch import fetch_jwks
from .jwk import PublicKey
from .logs import log, loggable

REFETCH_INTERVAL_SECONDS = 60.0  # an unknown kid refetches at most this often
RETRY_AFTER_FAILURE_SECONDS = 5.0  # while no key set is held
MAX_KEY_SET_AGE_SECONDS = 3600.0  # removed keys stop working within the hour


def now() -> float:
    """The key set's clock (monotonic); tests move it."""
    return time.monotonic()


class KeySet:
    """The issuer's keys, cached per container, refetched for an unknown kid at most once per 60 s."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._keys: dict[str, PublicKey] | None = None
        self._fetched_at = 0.0
        self._last_fetch = -math.inf  # the last attempt, successful or not

    def _current(self, at: float) -> dict[str, PublicKey] | None:
        """The keys, if there are any and they are less than an hour old."""
        if self._keys is not None and at - self._fetched_at < MAX_KEY_SET_AGE_SECONDS:
            return self._keys
        return None

    def _refresh(self, at: float) -> None:
        self._last_fetch = at
        try:
            keys = fetch_jwks(self.url)
        except Exception as error:  # a failed fetch refuses, it never allows
            if self._current(at) is None:
                self._keys = None
            log("ERROR", "jwks-fetch-failed", error=type(error).__name__, detail=loggable(str(error), 200))
            return
        self._keys, self._fetched_at = keys, at
        log("INFO", "jwks-fetched", kids=sorted(keys))

    def key_for(self, kid: str, alg: str) -> PublicKey:
        """The key for ``kid`` if it may verify ``alg``; ``Refused`` if there is none."""
        at = now()
        keys = self._current(at)
        if keys is None:  # first use, an hour old, or the last fetch failed
            if at - self._last_fetch >= RETRY_AFTER_FAILURE_SECONDS:
                self._refresh(at)
            keys = self._current(at)
            if keys is None:
                raise Refused("signing keys unavailable", kid=kid)
        key = keys.get(kid)
        if key is None and at - self._last_fetch >= REFETCH_INTERVAL_SECONDS:
            self._refresh(at)  # key rotation: a new kid is picked up without a redeploy
            keys = self._current(at)
            key = keys.get(kid) if keys is not None else None
        if key is None:
            raise Refused("unknown kid", kid=kid)
        if key.alg is not None and key.alg != alg:
            raise Refused(f"header alg {alg} differs from the key's {key.alg}", kid=kid)
        if not key.fits(alg):
            raise Refused(f"header alg {alg} does not fit a {key.kty} key", kid=kid)
        return key
