"""Turn raw input (bytes or text) into a JSON document or a compact JWT, within hard limits.

Hostile input fails here, early and clearly: oversized input, nesting deeper than any real
credential, invalid UTF-8 or JSON, and documents that are neither objects nor JWTs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from satchel.errors import InputError

MAX_INPUT_BYTES = 5 * 1024 * 1024
MAX_NESTING_DEPTH = 64

_STRING_RE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKET_RE = re.compile(r"[\[\]{}]")
_JWT_RE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


class InputTooLargeError(InputError):
    type = "input-too-large"
    title = "Input too large"
    status = 413


class MalformedInputError(InputError):
    type = "malformed-input"
    title = "Malformed input"


SOURCE_NAMES = {
    "json": "a JSON document",
    "jwt": "a compact JWT",
    "png": "a baked PNG image",
    "svg": "a baked SVG image",
    "url": "a document fetched from a URL",
}


@dataclass(frozen=True)
class ParsedInput:
    """Extracted input: ``document`` (a JSON object), ``jwt`` (a compact JWS), or ``url``.

    ``url`` alone is an OB 2.0 hosted assertion known only by its address (the old baked form);
    ``source`` says where the credential came from (json, jwt, png, svg, url) and
    ``source_url`` the address it was fetched from, if any.
    """

    document: dict[str, Any] | None = None
    jwt: str | None = None
    url: str | None = None
    source: str = "json"
    source_url: str | None = None

    def describe(self) -> str:
        form = "a compact JWT" if self.jwt else "a JSON document"
        if self.document is None and self.jwt is None:
            form = f"the address of a hosted assertion ({self.url})"
        if self.source in ("png", "svg", "url"):
            return f"{SOURCE_NAMES[self.source]} holding {form}"
        return form


def looks_like_jwt(text: str) -> bool:
    return bool(_JWT_RE.match(text))


ENVELOPED_JWT_PREFIXES = ("data:application/vc+jwt,", "data:application/jwt,")


def embedded_input(entry: Any) -> ParsedInput | None:
    """A credential embedded in a presentation (or endorsement list): object, JWT, envelope."""
    if isinstance(entry, str) and looks_like_jwt(entry):
        return ParsedInput(jwt=entry)
    if isinstance(entry, Mapping):
        if has_type(entry, "EnvelopedVerifiableCredential"):
            ident = entry.get("id", "")
            for prefix in ENVELOPED_JWT_PREFIXES:
                if isinstance(ident, str) and ident.startswith(prefix):
                    token = ident[len(prefix) :]
                    return ParsedInput(jwt=token) if looks_like_jwt(token) else None
            return None
        return ParsedInput(document=dict(entry))
    return None


def has_type(document: Mapping[str, Any], name: str) -> bool:
    types = document.get("type", [])
    return name in (types if isinstance(types, list) else [types])


def parse_input(data: bytes | str, *, max_bytes: int = MAX_INPUT_BYTES) -> ParsedInput:
    """Parse a credential or presentation given as JSON, a compact JWT, or a JSON string of one."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > max_bytes:
        raise InputTooLargeError(f"input is {len(raw)} bytes; the limit is {max_bytes}")
    try:
        text = raw.decode("utf-8-sig").strip()
    except UnicodeDecodeError as exc:
        raise MalformedInputError(f"input is not UTF-8 text: {exc.reason}") from exc
    if not text:
        raise MalformedInputError("input is empty")
    if looks_like_jwt(text):
        return ParsedInput(jwt=text, source="jwt")
    value = parse_json(text)
    if isinstance(value, str) and looks_like_jwt(value.strip()):
        return ParsedInput(jwt=value.strip(), source="jwt")
    if not isinstance(value, dict):
        raise MalformedInputError("input must be a JSON object or a compact JWT")
    return ParsedInput(document=value)


def parse_json(text: str, *, max_depth: int = MAX_NESTING_DEPTH) -> Any:
    """``json.loads`` after a depth check, so deep nesting never reaches a recursive parser."""
    # Counting brackets is C-speed; only text with more of them than the limit (strings
    # included, so an overestimate) needs the exact scan.
    if text.count("[") + text.count("{") > max_depth:
        depth = nesting_depth(text)
        if depth > max_depth:
            raise MalformedInputError(f"JSON nests {depth} levels deep; the limit is {max_depth}")
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise MalformedInputError(f"input is not valid JSON: {exc}") from exc


def nesting_depth(text: str) -> int:
    """The deepest bracket nesting in JSON text, ignoring string contents (linear, iterative)."""
    depth = deepest = 0
    for match in _BRACKET_RE.finditer(_STRING_RE.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


_WHITESPACE = re.compile(r"[ \t\n\r]*")


def _skip_space(text: str, index: int) -> int:
    match = _WHITESPACE.match(text, index)
    return match.end() if match else index


def raw_member(text: str, name: str) -> str | None:
    """The exact source text of the top-level member ``name`` of the JSON object ``text``.

    For wrappers such as ``{"credential": {...}}``: the credential is kept as the bytes the
    client sent, not as a re-serialisation. None when ``text`` is not an object holding it.
    """
    decoder = json.JSONDecoder()
    index = _skip_space(text, 0)
    if not text.startswith("{", index):
        return None
    index += 1
    found = None
    try:
        while True:
            index = _skip_space(text, index)
            if text.startswith("}", index):
                return found
            key, index = decoder.raw_decode(text, index)
            index = _skip_space(text, index)
            if not text.startswith(":", index) or not isinstance(key, str):
                return None
            start = _skip_space(text, index + 1)
            _, index = decoder.raw_decode(text, start)
            if key == name:
                found = text[start:index]
            index = _skip_space(text, index)
            if text.startswith(",", index):
                index += 1
            elif not text.startswith("}", index):
                return None
    except (ValueError, RecursionError):
        return None
