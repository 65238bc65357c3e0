"""What both adapters share: document checks, the filter language, text terms, cursors.

Filter language (anything else raises :class:`InvalidQueryError`)::

    {"field": value}                      equality (None: missing or null); on a list field,
                                          "contains"
    {"field": {"$in": [v, ...]}}          any of (on a list field: contains any)
    {"field": {"$gt"|"$gte"|"$lt"|"$lte": v}}   ranges on strings (ISO dates) and numbers
    {"field": {"$prefix": "abc"}}         string prefix (case-sensitive)
    {"$text": "some words"}               every word must appear in a text field, the last one
                                          as a prefix; case- and accent-insensitive

Several operators on one field, and several fields, are combined with AND.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from satchel.wallet.storage.port import (
    ID_FIELD,
    MAX_PAGE_SIZE,
    RESERVED_FIELDS,
    VERSION_FIELD,
    Collection,
    Document,
    FieldType,
    Filter,
    InvalidDocumentError,
    InvalidQueryError,
    Sort,
)

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_DEPTH = 90  # MongoDB refuses documents nested beyond 100 levels
RANGE_OPS = ("$gt", "$gte", "$lt", "$lte")
TEXT_KEY = "$text"
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Condition:
    field: str
    op: str  # "eq", "in", "$gt", "$gte", "$lt", "$lte", "prefix"
    value: Any


@dataclass(frozen=True)
class ParsedFilter:
    conditions: tuple[Condition, ...]
    text_terms: tuple[str, ...]  # normalised words; the last one is matched as a prefix

    @property
    def has_equality(self) -> bool:
        """True when an equality on a scalar field narrows the candidates (drives SQL plans)."""
        return any(c.op == "eq" and c.value is not None for c in self.conditions)


# ---- documents ------------------------------------------------------------------------------


def check_new_document(spec: Collection, doc: Mapping[str, Any]) -> Document:
    """Validate a document to insert; returns a shallow copy without store-owned fields."""
    if not isinstance(doc, Mapping):
        raise InvalidDocumentError("a document must be a mapping")
    doc_id = doc.get(ID_FIELD)
    if not isinstance(doc_id, str) or not doc_id:
        raise InvalidDocumentError("a document needs a non-empty string _id")
    clean = {key: value for key, value in doc.items() if key != VERSION_FIELD}
    check_document(spec, clean)
    return clean


def check_document(spec: Collection, doc: Mapping[str, Any]) -> None:
    for key in doc:
        if key in RESERVED_FIELDS:
            raise InvalidDocumentError(f"{key} is kept by the store and cannot be written")
    _check_value(doc, depth=0)
    for name, kind in spec.fields.items():
        _check_field_type(name, kind, doc.get(name))
    for name in spec.text_fields:
        value = doc.get(name)
        if value is not None and not _is_text(value):
            raise InvalidDocumentError(f"text field {name} must be a string or list of strings")


def _is_text(value: Any) -> bool:
    if isinstance(value, str):
        return True
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _check_value(value: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise InvalidDocumentError(f"a document may nest at most {MAX_DEPTH} levels")
    if value is None or isinstance(value, bool | bytes):
        return
    if isinstance(value, str):
        _check_string(value)
    elif isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            raise InvalidDocumentError("integers must fit in 64 bits")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidDocumentError("numbers must be finite")
    elif isinstance(value, list):
        for item in value:
            _check_value(item, depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_key(key)
            _check_value(item, depth + 1)
    else:
        raise InvalidDocumentError(f"values of type {type(value).__name__} cannot be stored")


def _check_key(key: Any) -> None:
    if not isinstance(key, str) or not key:
        raise InvalidDocumentError("document keys must be non-empty strings")
    if key.startswith("$") or "\x00" in key:
        raise InvalidDocumentError(f"document key {key!r} may not start with $ or contain NUL")
    _check_string(key)


def _check_string(value: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidDocumentError("strings must be valid Unicode (no lone surrogates)") from exc


def _check_field_type(name: str, kind: FieldType, value: Any) -> None:
    if value is None:
        return
    if not _has_type(kind, value):
        raise InvalidDocumentError(f"field {name} must be of type {kind.value}")


def _has_type(kind: FieldType, value: Any) -> bool:
    if kind is FieldType.STRING:
        return isinstance(value, str)
    if kind is FieldType.BOOLEAN:
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind is FieldType.INTEGER:
        return isinstance(value, int)
    if kind is FieldType.NUMBER:
        return isinstance(value, int | float)
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def merge_update(
    spec: Collection,
    current: Document,
    set_fields: Mapping[str, Any] | None,
    unset: Sequence[str],
) -> Document:
    """The document after an update (top-level set/unset), validated."""
    changes = dict(set_fields or {})
    for key in (*changes, *unset):
        if key == ID_FIELD or key in RESERVED_FIELDS:
            raise InvalidDocumentError(f"{key} cannot be changed")
        _check_key(key)
    merged = {k: v for k, v in current.items() if k != VERSION_FIELD and k not in unset}
    merged.update(changes)
    check_document(spec, merged)
    return merged


# ---- text -----------------------------------------------------------------------------------


def normalise_words(text: str) -> list[str]:
    """Words of ``text``, case-folded and without accents ("Élan" and "elan" are the same)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _WORD.findall(unicodedata.normalize("NFKC", bare))


def scope_token(value: str) -> str:
    """The full-text token standing for a text-scope value (e.g. an owner id).

    A hash, so any value gives one plain alphanumeric token. A document could contain the same
    word, but the token only speeds the query: the scope's equality condition still decides.
    """
    return "scope" + hashlib.sha256(value.encode("utf-8")).hexdigest()[:32]


def text_terms(spec: Collection, doc: Mapping[str, Any]) -> list[str]:
    """The distinct normalised words of the document's text fields, sorted."""
    terms: set[str] = set()
    for name in spec.text_fields:
        value = doc.get(name)
        parts = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        for part in parts:
            terms.update(normalise_words(part))
    return sorted(terms)


# ---- filters --------------------------------------------------------------------------------


def parse_filter(spec: Collection, raw: Filter | None) -> ParsedFilter:
    if raw is None:
        return ParsedFilter((), ())
    if not isinstance(raw, Mapping):
        raise InvalidQueryError("a filter must be a mapping")
    conditions: list[Condition] = []
    terms: tuple[str, ...] = ()
    for name, value in raw.items():
        if name == TEXT_KEY:
            terms = _parse_text(spec, value)
            continue
        kind = _field_kind(spec, name)
        if isinstance(value, Mapping):
            conditions.extend(_parse_operators(name, kind, value))
        else:
            conditions.append(_equality(name, kind, value))
    return ParsedFilter(tuple(conditions), terms)


def _parse_text(spec: Collection, value: Any) -> tuple[str, ...]:
    if not spec.text_fields:
        raise InvalidQueryError(f"{spec.name} has no text fields to search")
    if not isinstance(value, str):
        raise InvalidQueryError("$text takes a string")
    return tuple(normalise_words(value))


def _field_kind(spec: Collection, name: str) -> FieldType:
    if name == ID_FIELD:
        return FieldType.STRING
    kind = spec.fields.get(name)
    if kind is None:
        raise InvalidQueryError(f"{spec.name}: {name!r} is not a declared field")
    return kind


def _scalar_kind(kind: FieldType) -> FieldType:
    return FieldType.STRING if kind is FieldType.STRING_LIST else kind


def _check_operand(name: str, kind: FieldType, value: Any) -> None:
    if value is None or not _has_type(_scalar_kind(kind), value):
        raise InvalidQueryError(f"{name} compares with values of type {kind.value}")


def _equality(name: str, kind: FieldType, value: Any) -> Condition:
    if value is None and kind is not FieldType.STRING_LIST:
        return Condition(name, "eq", None)
    _check_operand(name, kind, value)
    return Condition(name, "eq", value)


def _parse_operators(name: str, kind: FieldType, ops: Mapping[str, Any]) -> list[Condition]:
    if not ops:
        raise InvalidQueryError(f"{name}: empty operator object")
    conditions = []
    for op, operand in ops.items():
        if op == "$in":
            conditions.append(_parse_in(name, kind, operand))
        elif op in RANGE_OPS:
            if kind in (FieldType.STRING_LIST, FieldType.BOOLEAN):
                raise InvalidQueryError(f"{op} is not available on {kind.value} field {name}")
            _check_operand(name, kind, operand)
            conditions.append(Condition(name, op, operand))
        elif op == "$prefix":
            if kind is not FieldType.STRING or not isinstance(operand, str):
                raise InvalidQueryError(f"$prefix needs a string field and a string ({name})")
            conditions.append(Condition(name, "prefix", operand))
        else:
            raise InvalidQueryError(f"unknown operator {op!r} on {name}")
    return conditions


def _parse_in(name: str, kind: FieldType, operand: Any) -> Condition:
    if not isinstance(operand, list | tuple):
        raise InvalidQueryError(f"$in on {name} takes a list")
    for item in operand:
        _check_operand(name, kind, item)
    return Condition(name, "in", tuple(operand))


def prefix_upper_bound(prefix: str) -> str | None:
    """The smallest string greater than every string starting with ``prefix`` (None: none)."""
    chars = list(prefix)
    while chars:
        code = ord(chars[-1]) + 1
        if 0xD800 <= code <= 0xDFFF:  # surrogates cannot be stored: jump over them
            code = 0xE000
        if code <= 0x10FFFF:
            chars[-1] = chr(code)
            return "".join(chars)
        chars.pop()
    return None


# ---- sort, limit, cursor --------------------------------------------------------------------


def check_sort(spec: Collection, sort: Sort) -> None:
    name, direction = sort
    if direction not in ("asc", "desc"):
        raise InvalidQueryError("sort direction must be 'asc' or 'desc'")
    if _field_kind(spec, name) is FieldType.STRING_LIST:
        raise InvalidQueryError(f"cannot sort on list field {name}")


def check_limit(limit: int) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidQueryError(f"limit must be an integer from 1 to {MAX_PAGE_SIZE}")


def encode_cursor(sort: Sort, last: Mapping[str, Any]) -> str:
    """An opaque cursor after ``last``: the sort key and _id of the last item returned."""
    payload = [sort[0], sort[1], last.get(sort[0]), last[ID_FIELD]]
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: Sort) -> tuple[Any, str]:
    """(sort value, _id) from a cursor made for the same sort."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error) as exc:
        raise InvalidQueryError("the cursor is not one this store issued") from exc
    if not (isinstance(payload, list) and len(payload) == 4 and isinstance(payload[3], str)):
        raise InvalidQueryError("the cursor is not one this store issued")
    if (payload[0], payload[1]) != sort:
        raise InvalidQueryError("the cursor was issued for a different sort order")
    return payload[2], payload[3]
