"""JSON-LD "safe mode" for pyld, which has none.

Plain JSON-LD silently drops what it cannot map to an absolute IRI; a Data Integrity proof over
such a document would then not cover that data. Safe mode turns every such loss into a
:class:`SafeModeError` naming the offending term and where it is. It follows jsonld.js safe
mode (the reference for the W3C DI cryptosuites), which fails on:

* a property that is undefined, mapped to null or expands to a relative IRI ("invalid property",
  "relative @vocab reference") or to a blank node ("blank node predicate");
* an ``@type`` value that is undefined / relative ("relative @type reference");
* an ``@id`` value, or an ``@id``-coerced value, that stays relative ("relative @id reference",
  "relative subject/object reference"): with no base IRI (Data Integrity uses none), pyld's
  RDF conversion drops every triple of such a node, which is data loss too.

Keywords and blank node identifiers are never flagged. Checks run inside pyld's own expansion
(with the very arguments pyld uses), so scoped and type-scoped contexts are honoured exactly.
"""

from __future__ import annotations

import re
from typing import Any

from pyld import jsonld

from satchel.contexts import load_document
from satchel.validator.rdfc import PYLD_CRASHES, CanonicalizationError, pyld_crash_error

__all__ = ["SafeModeError", "SafeProcessor", "expand_safe"]

# pyld's own absolute-IRI test (it also accepts "_:" blank node labels).
_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+\-.]*|_):[^\s]*$")


class SafeModeError(CanonicalizationError):
    """JSON-LD processing would silently lose data (safe mode)."""

    type = "jsonld-safe-mode"
    title = "JSON-LD data would be lost"
    status = 400

    def __init__(self, reason: str, term: Any, path: str) -> None:
        super().__init__(f"JSON-LD safe mode: {reason} {term!r} at {path or '(top level)'}")
        self.reason = reason
        self.term = term
        self.path = path


def _is_absolute(value: Any) -> bool:
    return isinstance(value, str) and _ABSOLUTE_IRI.match(value) is not None


def _is_keyword(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("@") and jsonld._is_keyword(value)


class SafeProcessor(jsonld.JsonLdProcessor):  # type: ignore[misc]
    """A pyld processor whose expansion (and so toRdf, normalize) raises on data loss."""

    def __init__(self) -> None:
        super().__init__()
        self._path: list[str] = []

    def _expand(
        self, active_ctx: Any, active_property: Any, element: Any, *args: Any, **kwargs: Any
    ) -> Any:
        self._path.append(active_property if isinstance(active_property, str) else "")
        try:
            return super()._expand(active_ctx, active_property, element, *args, **kwargs)
        finally:
            self._path.pop()

    def _where(self, *more: str) -> str:
        return ".".join(part for part in (*self._path, *more) if part)

    def _expand_object(
        self,
        active_ctx: Any,
        active_property: Any,
        expanded_active_property: Any,
        element: Any,
        expanded_parent: Any,
        options: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        type_scoped_ctx = kwargs.get("type_scoped_ctx", args[2] if len(args) > 2 else None)
        for key, value in element.items():
            if key != "@context":
                self._check_key(active_ctx, type_scoped_ctx, key, value, options)
        return super()._expand_object(
            active_ctx,
            active_property,
            expanded_active_property,
            element,
            expanded_parent,
            options,
            *args,
            **kwargs,
        )

    def _check_key(
        self, active_ctx: Any, type_scoped_ctx: Any, key: str, value: Any, options: Any
    ) -> None:
        expanded = self._expand_iri(active_ctx, key, vocab=True)
        if _is_keyword(expanded):
            if expanded == "@type" and not isinstance(value, dict):
                self._check_types(type_scoped_ctx, key, value, options)
            elif expanded == "@id":
                self._check_ids(active_ctx, key, value, options)
            return
        if not _is_absolute(expanded):
            raise SafeModeError("undefined term (property would be dropped)", key, self._where())
        if expanded.startswith("_:"):
            raise SafeModeError("blank node property (would be dropped)", key, self._where())

    def _check_types(self, type_scoped_ctx: Any, key: str, value: Any, options: Any) -> None:
        base = options.get("base", "")
        for item in value if isinstance(value, list) else [value]:
            if not isinstance(item, str):
                continue
            expanded = self._expand_iri(type_scoped_ctx, item, vocab=True, base=base)
            if not (_is_absolute(expanded) or _is_keyword(expanded)):
                raise SafeModeError("undefined or relative type", item, self._where(key))

    def _check_ids(self, active_ctx: Any, key: str, value: Any, options: Any) -> None:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                self._check_id(
                    self._expand_iri(active_ctx, item, base=options.get("base", "")),
                    item,
                    self._where(key),
                )

    def _check_id(self, expanded: Any, original: Any, where: str) -> None:
        if not (_is_absolute(expanded) or _is_keyword(expanded)):
            raise SafeModeError("relative IRI (its statements would be dropped)", original, where)

    def _expand_value(self, active_ctx: Any, active_property: Any, value: Any, options: Any) -> Any:
        # Values coerced by the context (@id / @vocab / typed literals) are expanded here; the
        # property is already on the path (pushed by _expand).
        result = super()._expand_value(active_ctx, active_property, value, options)
        if isinstance(result, dict):
            if "@id" in result:
                self._check_id(result["@id"], value, self._where())
            if isinstance(result.get("@type"), str) and "@value" in result:
                self._check_typed_literal(result["@type"])
        return result

    def _check_typed_literal(self, datatype: str) -> None:
        if not (_is_absolute(datatype) or _is_keyword(datatype)):
            raise SafeModeError("relative datatype", datatype, self._where())


def expand_safe(document: Any) -> list[Any]:
    """Expanded form of ``document``; raises :class:`SafeModeError` instead of losing data."""
    options = {"documentLoader": load_document, "base": None}
    try:
        expanded: list[Any] = SafeProcessor().expand(document, options)
    except jsonld.JsonLdError as error:
        raise _unwrap(error) from error
    except PYLD_CRASHES as error:
        raise pyld_crash_error(error) from error
    return expanded


def _unwrap(error: jsonld.JsonLdError) -> Exception:
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, SafeModeError | CanonicalizationError):
            return cause
        cause = cause.__cause__
    return CanonicalizationError(f"JSON-LD expansion failed: {error}")
