"""JSON schema: OB 3.0 credentials against 1EdTech's schema, and declared ``credentialSchema``s.

Only bundled schemas are used; a ``credentialSchema`` naming any other URL is reported as not
checked, never fetched. As in 1EdTech's validator, differences a JSON-LD reader does not see are
warnings: a single value where the plain-JSON schema wants a list, and every difference of a
VC 1.1 credential from the OB 3.0 schema (written for VC 2.0).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from satchel.contexts import VC_V1_CONTEXT
from satchel.validator.checks.types import CredentialKind, credential_kind
from satchel.validator.context import CheckContext
from satchel.validator.report import Outcome
from satchel.validator.schemas import (
    OB30_ACHIEVEMENT_CREDENTIAL,
    OB30_ENDORSEMENT_CREDENTIAL,
    SchemaOutcome,
    Violation,
    bundled_schemas,
    validate,
)

VC_V1 = VC_V1_CONTEXT
# credentialSchema types that mean "validate with this JSON Schema".
JSON_SCHEMA_TYPES = frozenset(
    {"1EdTechJsonSchemaValidator2019", "JsonSchema", "JsonSchemaValidator2018"}
)
CANONICAL_SCHEMAS = {
    CredentialKind.OB_ACHIEVEMENT: (OB30_ACHIEVEMENT_CREDENTIAL, "OB 3.0 AchievementCredential"),
    CredentialKind.OB_ENDORSEMENT: (OB30_ENDORSEMENT_CREDENTIAL, "OB 3.0 EndorsementCredential"),
}
LISTED_IN_MESSAGE = 3
LISTED_IN_DETAILS = 20


@dataclass(frozen=True)
class DeclaredSchema:
    """One ``credentialSchema`` entry; ``where`` names it in messages."""

    where: str
    entry: Any


async def check_schema(ctx: CheckContext) -> None:
    kind = credential_kind(ctx.document)
    declared = _declared(ctx.document)
    canonical = CANONICAL_SCHEMAS.get(kind)
    canonical_file = bundled_schemas().get(canonical[0]).file if canonical else None
    if canonical is not None:
        url, label = canonical
        also = any(_bundled_file(d.entry) == canonical_file for d in declared)
        _report(ctx, validate(url, ctx.document), f"the 1EdTech {label} JSON schema", also)
    elif kind is CredentialKind.CLR and not declared:
        ctx.add(
            "schema",
            Outcome.NOT_CHECKED,
            "No CLR 2.0 JSON schema is bundled (no faithful copy of 1EdTech's is available), "
            "so the CLR structure was not checked against one.",
        )
    elif not declared:
        ctx.add(
            "schema",
            Outcome.NOT_CHECKED,
            f"No JSON schema applies: the {ctx.target} is {kind.label}, for which Satchel has no "
            "schema, and it declares none in credentialSchema.",
        )
    for schema in declared:
        if canonical_file is None or _bundled_file(schema.entry) != canonical_file:
            _check_declared(ctx, schema)


def _declared(document: Mapping[str, Any]) -> list[DeclaredSchema]:
    entries = document.get("credentialSchema")
    if entries is None:
        return []
    if not isinstance(entries, list):
        return [DeclaredSchema("credentialSchema", entries)]
    return [DeclaredSchema(f"credentialSchema[{i}]", e) for i, e in enumerate(entries)]


def _bundled_file(entry: Any) -> str | None:
    url = entry.get("id") if isinstance(entry, Mapping) else None
    if not isinstance(url, str) or url not in bundled_schemas().urls():
        return None
    return bundled_schemas().get(url).file


def _check_declared(ctx: CheckContext, schema: DeclaredSchema) -> None:
    entry = schema.entry
    url = entry.get("id") if isinstance(entry, Mapping) else None
    schema_type = entry.get("type") if isinstance(entry, Mapping) else None
    if not isinstance(url, str) or not isinstance(schema_type, str):
        ctx.add(
            "schema",
            Outcome.FAILED,
            f"{schema.where} must be an object with an id (the schema URL) and a type.",
        )
        return
    if schema_type not in JSON_SCHEMA_TYPES:
        ctx.add(
            "schema",
            Outcome.NOT_CHECKED,
            f"{schema.where} ({url}) is of type {schema_type!r}, which Satchel does not evaluate.",
            details={"schema": url},
        )
        return
    if url not in bundled_schemas().urls():
        ctx.add(
            "schema",
            Outcome.NOT_CHECKED,
            f"{schema.where} ({url}) was not fetched: Satchel does not fetch schemas blindly, "
            "and this one is not among the schemas it ships.",
            details={"schema": url},
        )
        return
    _report(ctx, validate(url, ctx.document), f"the schema {url} declared in {schema.where}", False)


def _report(ctx: CheckContext, outcome: SchemaOutcome, label: str, declared_too: bool) -> None:
    details: dict[str, Any] = {"schema": outcome.url}
    if declared_too:
        label += " (which its credentialSchema also names)"
    if outcome.strictly_valid:
        ctx.add("schema", Outcome.PASSED, f"The {ctx.target} matches {label}.", details=details)
        return
    if outcome.compact_form:
        details["compactForm"] = _listed(outcome.compact_form)
    if outcome.valid:
        ctx.add(
            "schema",
            Outcome.WARNING,
            f"The {ctx.target} matches {label} read as JSON-LD, but not as plain JSON: "
            f"{_summary(outcome.compact_form)}. Plain-JSON consumers may misread it.",
            details=details,
        )
        return
    details["errors"] = _listed(outcome.violations)
    details["errorCount"] = len(outcome.violations)
    summary = _summary(outcome.violations)
    if _is_vc_v1(ctx.document):
        ctx.add(
            "schema",
            Outcome.WARNING,
            f"This VC 1.1 {ctx.target} differs from {label}, which is written for VC 2.0 "
            f"(only a warning for VC 1.1, as in 1EdTech's validator): {summary}.",
            details=details,
        )
        return
    ctx.add(
        "schema",
        Outcome.FAILED,
        f"The {ctx.target} does not match {label}: {summary}.",
        details=details,
    )


def _summary(violations: list[Violation]) -> str:
    shown = "; ".join(v.message for v in violations[:LISTED_IN_MESSAGE])
    more = len(violations) - LISTED_IN_MESSAGE
    return shown + (f" (and {more} more)" if more > 0 else "")


def _listed(violations: list[Violation]) -> list[dict[str, str]]:
    return [v.to_json() for v in violations[:LISTED_IN_DETAILS]]


def _is_vc_v1(document: Mapping[str, Any]) -> bool:
    contexts = document.get("@context")
    first = contexts[0] if isinstance(contexts, list) and contexts else contexts
    return first == VC_V1
