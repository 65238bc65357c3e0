"""The per-URL cache of status lists that were fetched, verified and decoded.

What is cached is the *result* of the expensive work (fetch, proof verification, GZIP
expansion), never raw bytes, so a hit costs nothing but reading bits. Lifetime:

- ``Cache-Control: no-store`` or ``no-cache`` on the list's response: not cached;
- otherwise ``max-age`` if given, else :data:`DEFAULT_TTL_SECONDS`; a Bitstring list's own
  ``ttl`` (milliseconds, Bitstring Status List v1.0 §2.2) shortens it; never longer than
  :data:`MAX_TTL_SECONDS`.

Failures are not cached: a list that could not be fetched or verified is tried again on the
next verification (the fetcher's time limit bounds what that costs), so a host that recovers
is believed at once. Concurrent verifications that need the same cold list share one load.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

DEFAULT_TTL_SECONDS = 300.0
MAX_TTL_SECONDS = 24 * 3600.0
DEFAULT_MAX_ENTRIES = 512

_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d{1,10})\"?\s*(?:,|$)")
_NO_STORE = re.compile(r"(?:^|,)\s*(no-store|no-cache)\s*(?:[=,]|$)")

T = TypeVar("T")
CacheKey = tuple[str, str]  # (list kind, URL)


@dataclass(frozen=True)
class Loaded:
    """What a loader returns: the value and how long it may be kept (None: the default)."""

    value: object
    ttl: float | None


def ttl_from_headers(headers: Mapping[str, str]) -> float | None:
    """Seconds the response may be kept: 0 for no-store/no-cache, max-age, or None (unsaid)."""
    directives = ",".join(v for k, v in headers.items() if k.lower() == "cache-control").lower()
    if _NO_STORE.search(directives):
        return 0.0
    found = _MAX_AGE.search(directives)
    return float(found.group(1)) if found else None


class StatusListCache:
    """Bounded LRU of verified lists keyed by (kind, URL), each with its own expiry."""

    def __init__(
        self,
        *,
        default_ttl: float = DEFAULT_TTL_SECONDS,
        max_ttl: float = MAX_TTL_SECONDS,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.default_ttl = default_ttl
        self.max_ttl = max_ttl
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[CacheKey, tuple[float, object]] = OrderedDict()
        self._loading: dict[CacheKey, asyncio.Future[object]] = {}

    @property
    def size(self) -> int:
        """How many lists are held (expired ones included until they are next asked for).

        Deliberately not ``__len__``: an empty cache must still be truthy, since callers write
        ``status_cache or StatusListCache()``.
        """
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()

    def get(self, key: CacheKey) -> object | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] <= self._clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry[1]

    def put(self, key: CacheKey, value: object, ttl: float | None) -> None:
        lifetime = min(self.default_ttl if ttl is None else ttl, self.max_ttl)
        if lifetime <= 0 or self.max_entries <= 0:
            self._entries.pop(key, None)
            return
        self._entries[key] = (self._clock() + lifetime, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    async def get_or_load(
        self, key: CacheKey, kind: type[T], loader: Callable[[], Awaitable[Loaded]]
    ) -> tuple[T, bool]:
        """The cached value of type ``kind`` and True, or a fresh load and False.

        A load already running for ``key`` (in this event loop) is awaited instead of
        started again; its exception, if any, is raised to every waiter and nothing is kept.
        """
        cached = self.get(key)
        if isinstance(cached, kind):
            return cached, True
        running = self._loading.get(key)
        if running is not None and running.get_loop() is asyncio.get_running_loop():
            try:
                return _of_kind(await asyncio.shield(running), kind), False
            except asyncio.CancelledError:
                if not running.cancelled():
                    raise  # this waiter itself was cancelled
                # the task that was loading was cancelled: load here instead
        future: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        self._loading[key] = future
        try:
            loaded = await loader()
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when nobody waits
            raise
        finally:
            if self._loading.get(key) is future:
                del self._loading[key]
        self.put(key, loaded.value, loaded.ttl)
        future.set_result(loaded.value)
        return _of_kind(loaded.value, kind), False


def _of_kind(value: object, kind: type[T]) -> T:
    if not isinstance(value, kind):
        raise TypeError(f"status cache loader returned {type(value).__name__}, not {kind}")
    return value
