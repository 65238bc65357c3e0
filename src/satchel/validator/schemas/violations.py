"""Validating a document against a bundled schema, with errors a non-expert can follow.

jsonschema reports where in the *schema* a rule failed; people need where in the *credential*
(``credentialSubject.achievement.criteria is required``). Errors under ``oneOf``/``anyOf`` are
narrowed to the alternative the value was evidently meant to be (the one its type matches).

The 1EdTech schemas describe the plain-JSON form, where every repeatable property is an array;
JSON-LD reads a single value and a one-element array the same. :func:`validate` therefore tells
the two apart: ``compact_form`` lists the places where a single value stands for an array, and
``violations`` only what is wrong even after those are read as arrays.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from satchel.validator.schemas.loader import bundled_schemas

# Bounds the array-normalising passes; each pass wraps every single value it found.
MAX_NORMALISING_PASSES = 8
_TYPE_NAMES = {
    "array": "a list",
    "object": "an object",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}

# bool before int: in Python a bool is an int.
_JSON_KINDS: tuple[tuple[str, type | tuple[type, ...]], ...] = (
    ("null", type(None)),
    ("boolean", bool),
    ("integer", int),
    ("number", float),
    ("string", str),
    ("array", list),
    ("object", dict),
)


@dataclass(frozen=True)
class Violation:
    """One broken rule: where (a dotted path into the document) and what, in plain words."""

    path: str
    message: str
    keyword: str

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message, "keyword": self.keyword}


@dataclass(frozen=True)
class SchemaOutcome:
    """``violations``: real errors; ``compact_form``: single values where arrays are expected."""

    url: str
    violations: list[Violation] = field(default_factory=list)
    compact_form: list[Violation] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.violations

    @property
    def strictly_valid(self) -> bool:
        return not self.violations and not self.compact_form


def validate(url: str, document: Any) -> SchemaOutcome:
    """Validate ``document`` against the bundled schema at ``url``.

    Raises SchemaNotBundledError for a URL Satchel does not ship.
    """
    store = bundled_schemas()
    fast = _fast_outcome(store.fast_validator(url), url, document)
    if fast is not None:
        return fast
    validator = store.validator(url)
    errors = list(validator.iter_errors(document))
    compact: list[Violation] = []
    instance = document
    for _ in range(MAX_NORMALISING_PASSES):
        singles = _single_values(errors)
        if not singles:
            break
        if instance is document:
            instance = copy.deepcopy(document)
        for leaf in singles:
            _wrap_in_list(instance, list(leaf.absolute_path))
        compact.extend(_describe_single(leaf) for leaf in singles)
        errors = list(validator.iter_errors(instance))
    leaves = [leaf for error in errors for leaf in _leaves(error)]
    return SchemaOutcome(url, _dedupe(describe(leaves)), _dedupe(compact))


def _fast_outcome(validator: Any, url: str, document: Any) -> SchemaOutcome | None:
    """The outcome from the compiled validator when it is clear-cut, else None.

    Clear-cut: valid as given, or valid once single values are read as the lists the schema
    wants (a signed credential's lone ``proof`` object is the everyday case). Anything else
    goes to the readable validator, which explains it.
    """
    if validator.is_valid(document):
        return SchemaOutcome(url)
    errors = list(validator.iter_errors(document))
    if not errors or not all(_wants_list(e) for e in errors):
        return None
    instance = copy.deepcopy(document)
    for error in errors:
        _wrap_in_list(instance, list(error.instance_path))
    if not validator.is_valid(instance):
        return None
    singles = [dotted_path(error.instance_path) for error in errors]
    compact = [
        Violation(p, f"{p} should be a list (a single value was given)", "type") for p in singles
    ]
    return SchemaOutcome(url, [], _dedupe(compact))


def _wants_list(error: Any) -> bool:
    types = getattr(error.kind, "types", None)
    return (
        type(error.kind).__name__ == "Type"
        and list(types or ()) == ["array"]
        and bool(error.instance_path)
        and not isinstance(error.instance, list)
    )


def dotted_path(parts: Iterable[Any]) -> str:
    """``credentialSubject.result[1].type``; the empty path is the document itself."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def describe(errors: Iterable[Any]) -> list[Violation]:
    """Plain-words violations for jsonschema errors (already narrowed to leaves)."""
    return [violation for error in errors for violation in _describe(error)]


def _leaves(error: Any) -> Iterator[Any]:
    """The errors that say what is wrong: ``oneOf``/``anyOf`` narrowed to the intended branch."""
    if not error.context:
        yield error
        return
    branches: dict[Any, list[Any]] = defaultdict(list)
    for sub in error.context:
        branches[sub.relative_schema_path[0]].append(sub)
    # A branch that failed only because the value has another type was not the one meant.
    meant = [
        subs
        for subs in branches.values()
        if not any(s.validator == "type" and not s.relative_path for s in subs)
    ]
    if not meant:
        yield error
        return
    for sub in min(meant, key=len):
        yield from _leaves(sub)


def _single_values(errors: Iterable[Any]) -> list[Any]:
    """Errors that are only a single value where the schema wants a list, one per place."""
    by_place: dict[tuple[Any, ...], Any] = {}
    for error in errors:
        for leaf in _leaves(error):
            if _is_single_for_array(leaf) and leaf.absolute_path:
                by_place.setdefault(tuple(leaf.absolute_path), leaf)
    return list(by_place.values())


def _is_single_for_array(error: Any) -> bool:
    if error.validator != "type":
        return False
    expected = error.validator_value
    expected = [expected] if isinstance(expected, str) else list(expected)
    return "array" in expected and not isinstance(error.instance, list)


def _wrap_in_list(document: Any, path: Sequence[Any]) -> None:
    parent = document
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = [parent[path[-1]]]


def _describe_single(error: Any) -> Violation:
    path = dotted_path(error.absolute_path)
    return Violation(path, f"{path} should be a list (a single value was given)", "type")


def _describe(error: Any) -> list[Violation]:
    path = dotted_path(error.absolute_path)
    subject = path or "the document"
    keyword = str(error.validator)
    value = error.validator_value
    if keyword == "required":
        missing = [name for name in value if name not in error.instance]
        return [
            Violation(dotted_path([*error.absolute_path, name]), _required(path, name), keyword)
            for name in missing
        ]
    return [Violation(path, _message(keyword, subject, value, error), keyword)]


def _required(path: str, name: str) -> str:
    return f"{path}.{name} is required" if path else f"{name} is required"


def _message(keyword: str, subject: str, value: Any, error: Any) -> str:
    found = _show(error.instance)
    if keyword == "type":
        expected = [value] if isinstance(value, str) else list(value)
        wanted = " or ".join(_TYPE_NAMES.get(t, t) for t in expected)
        return f"{subject} must be {wanted} (found {_kind(error.instance)})"
    if keyword in ("enum", "const"):
        allowed = [value] if keyword == "const" else list(value)
        choices = ", ".join(_show(v) for v in allowed[:8])
        if len(allowed) > 8:
            choices += ", …"
        prefix = "must be" if len(allowed) == 1 else "must be one of"
        return f"{subject} {prefix} {choices} (found {found})"
    if keyword == "contains" and isinstance(value, dict) and ("enum" in value or "const" in value):
        members = value["enum"] if "enum" in value else [value["const"]]
        names = " or ".join(_show(v) for v in members)
        return f"{subject} must include {names} (found {found})"
    if keyword == "minItems":
        return f"{subject} must have at least {value} entr{'y' if value == 1 else 'ies'}"
    if keyword == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return f"{subject} has properties the schema does not allow: {', '.join(extra)}"
    if keyword == "pattern":
        return f"{subject} ({found}) does not have the form the specification requires"
    if keyword == "format":
        return f"{subject} ({found}) is not a valid {value} (for example 2024-01-31T12:00:00Z)"
    if keyword in ("oneOf", "anyOf") and error.context:
        return f"{subject} ({found}) matches none of the forms the specification allows"
    return f"{subject}: {error.message}"


def _show(value: Any) -> str:
    """A short rendering of a found value: short strings and lists of them in full."""
    if isinstance(value, str):
        return repr(value) if len(value) <= 80 else repr(value[:77] + "...")
    if isinstance(value, list):
        if len(value) <= 4 and all(isinstance(v, str) and len(v) <= 80 for v in value):
            return repr(value)
        return f"a list of {len(value)} entr{'y' if len(value) == 1 else 'ies'}"
    if isinstance(value, dict):
        return "an object"
    return repr(value)


def _kind(value: Any) -> str:
    for name, kind in _JSON_KINDS:
        if isinstance(value, kind):
            return _TYPE_NAMES[name]
    return type(value).__name__


def _dedupe(violations: Iterable[Violation]) -> list[Violation]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for violation in violations:
        key = (violation.path, violation.message)
        if key not in seen:
            seen.add(key)
            unique.append(violation)
    return unique
