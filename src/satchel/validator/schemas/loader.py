"""The bundled JSON Schemas: one offline ``referencing`` registry and one cached validator per URL.

Schemas are read once, on first use; every ``$ref`` resolves inside the registry, which has no
retriever, so a reference to anything not bundled fails instead of reaching the network.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import jsonschema_rs
from jsonschema import Draft201909Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT201909

from satchel.errors import SatchelError

_DATA = resources.files("satchel.validator.schemas") / "data"

# RFC 3339 ``date-time`` and ``full-date``, the formats the OB 3.0 schemas use; jsonschema checks
# ``date-time`` only with an optional dependency, so Satchel brings its own.
_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$", re.ASCII
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


class SchemaNotBundledError(SatchelError):
    """A schema URL that Satchel does not ship; it is never fetched."""

    type = "schema-not-bundled"
    title = "Unknown JSON schema"
    status = 400

    def __init__(self, url: str) -> None:
        super().__init__(f"JSON schema {url!r} is not bundled; Satchel never fetches schemas")
        self.url = url


class SchemaIntegrityError(SatchelError):
    """A bundled schema file does not match the digest its manifest records."""

    type = "schema-integrity"
    title = "Corrupt bundled schema"

    def __init__(self, file: str) -> None:
        super().__init__(f"bundled schema {file} does not match the sha256 in its MANIFEST.json")


@dataclass(frozen=True)
class BundledSchema:
    """One manifest entry: the URL credentials use, the file and every other name it has."""

    url: str
    file: str
    sha256: str
    also_known_as: tuple[str, ...]
    contents: Mapping[str, Any]


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())

    @checker.checks("date-time")
    def is_date_time(value: object) -> bool:
        return not isinstance(value, str) or bool(_DATE_TIME.match(value))

    @checker.checks("date")
    def is_date(value: object) -> bool:
        return not isinstance(value, str) or bool(_DATE.match(value))

    return checker


class SchemaStore:
    """Every bundled schema by URL (aliases included), the registry and cached validators."""

    def __init__(self, manifest: Mapping[str, Any], read: Callable[[str], bytes]) -> None:
        self._by_url: dict[str, BundledSchema] = {}
        for url, entry in manifest["schemas"].items():
            raw = read(entry["file"])
            if hashlib.sha256(raw).hexdigest() != entry["sha256"]:
                raise SchemaIntegrityError(entry["file"])
            schema = BundledSchema(
                url=url,
                file=entry["file"],
                sha256=entry["sha256"],
                also_known_as=tuple(entry.get("also_known_as", ())),
                contents=json.loads(raw),
            )
            for name in (url, *schema.also_known_as):
                self._by_url[name] = schema
        self.registry: Registry[Any] = Registry().with_resources(
            (name, Resource.from_contents(schema.contents, default_specification=DRAFT201909))
            for name, schema in self._by_url.items()
        )
        self._urls = frozenset(self._by_url)
        self._format_checker = _format_checker()
        self._validators: dict[str, Any] = {}
        self._fast_validators: dict[str, Any] = {}

    def urls(self) -> frozenset[str]:
        """Every URL a bundled schema answers to (published URLs and their ``$id`` aliases)."""
        return self._urls

    def get(self, url: str) -> BundledSchema:
        schema = self._by_url.get(url)
        if schema is None:
            raise SchemaNotBundledError(url)
        return schema

    def validator(self, url: str) -> Any:
        """A Draft 2019-09 validator for the schema at ``url``, built once and reused."""
        schema = self.get(url)
        validator = self._validators.get(schema.url)
        if validator is None:
            validator = Draft201909Validator(
                schema.contents, registry=self.registry, format_checker=self._format_checker
            )
            self._validators[schema.url] = validator
        return validator

    def fast_validator(self, url: str) -> Any:
        """A compiled (jsonschema-rs) Draft 2019-09 validator: same schema, same format rules.

        Used only to say *that* a document is valid, fast; why one is not comes from
        :meth:`validator`, whose errors carry the paths people read.
        """
        schema = self.get(url)
        validator = self._fast_validators.get(schema.url)
        if validator is None:
            registry = jsonschema_rs.Registry(
                [(name, dict(self._by_url[name].contents)) for name in sorted(self._by_url)],
                draft=jsonschema_rs.Draft201909,
            )
            validator = jsonschema_rs.Draft201909Validator(
                dict(schema.contents),
                registry=registry,
                validate_formats=True,
                formats={"date-time": _is_date_time, "date": _is_date},
            )
            self._fast_validators[schema.url] = validator
        return validator


def _is_date_time(value: str) -> bool:
    return bool(_DATE_TIME.match(value))


def _is_date(value: str) -> bool:
    return bool(_DATE.match(value))


def _read_bundled(file: str) -> bytes:
    return (_DATA / file).read_bytes()


@functools.cache
def bundled_schemas() -> SchemaStore:
    """The process-wide store of bundled schemas (loaded and digest-checked on first use)."""
    manifest = json.loads((_DATA / "MANIFEST.json").read_text("utf-8"))
    return SchemaStore(manifest, _read_bundled)
