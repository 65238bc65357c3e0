"""Make pyld's processed-context cache actually hit for the contexts credentials use.

Two pure computations pyld repeats on every expansion, measured as ~60% of an eddsa-rdfc-2022
verification (bench/verify.py):

1. A non-propagating context (every type-scoped context in the VC 2.0 context) is applied to
   a fresh clone of the active context carrying a random ``_uuid``, so pyld's cache of
   processed contexts, keyed by that uuid, never hits: the scoped context is processed again,
   term by term, each time. We hand pyld one memoized wrapper per source context instead,
   built exactly as pyld builds the clone (same mappings, ``previousContext`` = source) and
   frozen, so any attempt to mutate it would raise rather than corrupt the cache.
2. Embedded context objects are keyed for the cache by their RFC 8785 serialisation, computed
   in pure Python each time. The key only identifies a context, so a canonical ``json.dumps``
   (C implementation) serves equally: equal contexts give equal keys, and it never conflates
   two different ones.

Installed once, at import of :mod:`satchel.contexts`, like the document loader.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from frozendict import frozendict
from pyld import context_resolver, jsonld

MAX_WRAPPERS = 4096

_original_process_context = jsonld.JsonLdProcessor._process_context
_wrappers: OrderedDict[str, frozendict[str, Any]] = OrderedDict()
_lock = threading.Lock()


def _non_propagating_wrapper(processor: Any, source: frozendict[str, Any]) -> frozendict[str, Any]:
    key = source["_uuid"]
    with _lock:
        wrapper = _wrappers.get(key)
        if wrapper is not None:
            _wrappers.move_to_end(key)
            return wrapper
    child = processor._clone_active_context(source)
    child["previousContext"] = source
    child["_uuid"] = f"{key}#non-propagating"
    wrapper = frozendict(child)
    with _lock:
        _wrappers[key] = wrapper
        while len(_wrappers) > MAX_WRAPPERS:
            _wrappers.popitem(last=False)
    return wrapper


def _declares_propagate(local_ctx: Any) -> bool:
    """Whether pyld might override ``propagate`` from the context itself (then: no shortcut)."""
    first = local_ctx[0] if isinstance(local_ctx, list) and local_ctx else local_ctx
    if isinstance(first, Mapping) and isinstance(first.get("@context"), Mapping | list):
        return True
    return not isinstance(first, Mapping) or "@propagate" in first


def _process_context(
    self: Any,
    active_ctx: Any,
    local_ctx: Any,
    options: Any,
    override_protected: bool = False,
    propagate: bool = True,
    validate_scoped: bool = True,
    cycles: Any = None,
) -> Any:
    if (
        not propagate
        and isinstance(active_ctx, frozendict)
        and "_uuid" in active_ctx
        and not active_ctx.get("previousContext")
        and not _declares_propagate(local_ctx)
    ):
        active_ctx = _non_propagating_wrapper(self, active_ctx)
    return _original_process_context(
        self, active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
    )


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def _context_key(context: Any) -> bytes:
    return json.dumps(
        context, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain
    ).encode("utf-8")


def install() -> None:
    jsonld.JsonLdProcessor._process_context = _process_context
    context_resolver.canonicalize = _context_key
