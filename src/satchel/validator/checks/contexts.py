"""Contexts: all known, a VC context first, and the Open Badges / CLR contexts their type needs.

Like 1EdTech's validator (ContextPropertyProbe), an OB 3.0 credential must carry an OB 3.0
context and a CLR 2.0 credential a CLR 2.0 context as well; an alias or an older version of
those contexts, or VC 1.1 under an OB 3.0 credential, is accepted with a warning naming the
current context.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from satchel.contexts import VC_V1_CONTEXT, VC_V2_CONTEXT, bundled_urls
from satchel.validator.checks.types import CredentialKind, credential_kind, uses_open_badges_context
from satchel.validator.context import CheckContext
from satchel.validator.report import Outcome

VC_V1, VC_V2 = VC_V1_CONTEXT, VC_V2_CONTEXT

OB_CURRENT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# URL -> what it is relative to the current context, for the warning.
OB_LEGACY = {
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json": "an unversioned alias",
    "https://purl.imsglobal.org/spec/ob/v3p0/context/ob_v3p0.jsonld": "a pre-release alias",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json": "an older version",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json": "an older version",
}
CLR_CURRENT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
CLR_LEGACY = {"https://purl.imsglobal.org/spec/clr/v2p0/context.json": "an unversioned alias"}


async def check_contexts(ctx: CheckContext) -> None:
    contexts = ctx.document.get("@context")
    if contexts is None:
        ctx.add(
            "contexts", Outcome.FAILED, "The document has no @context.", error_code="PARSING_ERROR"
        )
        return
    listed = contexts if isinstance(contexts, list) else [contexts]
    problem = _structural_problem(listed) or _required_context_problem(ctx.document, listed)
    if problem is not None:
        message, details = problem
        ctx.add("contexts", Outcome.FAILED, message, error_code="PARSING_ERROR", details=details)
        return
    warnings, legacy = _legacy_warnings(ctx.document, listed)
    if any(not isinstance(c, str) for c in listed):
        warnings.append("The document defines terms in an embedded @context.")
    if warnings:
        details = {"legacyContexts": legacy} if legacy else {}
        ctx.add("contexts", Outcome.WARNING, " ".join(warnings), details=details)
        return
    version = "2.0" if listed[0] == VC_V2 else "1.1"
    ctx.add("contexts", Outcome.PASSED, f"All {len(listed)} contexts are known (VC {version}).")


def _structural_problem(listed: Sequence[Any]) -> tuple[str, dict[str, Any]] | None:
    if not listed or listed[0] not in (VC_V1, VC_V2):
        return f"The first @context must be {VC_V2} (VC 2.0) or {VC_V1} (VC 1.1).", {}
    known = bundled_urls()
    unknown = [c for c in listed if isinstance(c, str) and c not in known]
    if unknown:
        return (
            f"Unknown JSON-LD context {unknown[0]!r}: Satchel only uses contexts it ships, "
            "so the meaning of this document cannot be established.",
            {"unknownContexts": unknown},
        )
    return None


def _required_context_problem(
    document: dict[str, Any], listed: Sequence[Any]
) -> tuple[str, dict[str, Any]] | None:
    kind = credential_kind(document)
    if not kind.is_open_badge:
        return None
    if not _has_any(listed, OB_CURRENT, OB_LEGACY):
        return (
            f"This is {kind.label} but it does not use the Open Badges 3.0 context "
            f"({OB_CURRENT}), so its Open Badges terms have no defined meaning.",
            {"requiredContext": OB_CURRENT},
        )
    if kind is CredentialKind.CLR and not _has_any(listed, CLR_CURRENT, CLR_LEGACY):
        return (
            f"This is {kind.label} but it does not use the CLR 2.0 context ({CLR_CURRENT}), "
            "so its CLR terms have no defined meaning.",
            {"requiredContext": CLR_CURRENT},
        )
    return None


def _has_any(listed: Sequence[Any], current: str, legacy: dict[str, str]) -> bool:
    return any(c == current or c in legacy for c in listed if isinstance(c, str))


def _legacy_warnings(
    document: dict[str, Any], listed: Sequence[Any]
) -> tuple[list[str], list[str]]:
    """Warnings for a legacy VC / OB / CLR context under an Open Badges credential."""
    warnings: list[str] = []
    legacy: list[str] = []
    kind = credential_kind(document)
    if listed[0] == VC_V1 and (kind.is_open_badge or uses_open_badges_context(document)):
        spec = "CLR 2.0" if kind is CredentialKind.CLR else "Open Badges 3.0"
        legacy.append(VC_V1)
        warnings.append(f"It uses VC 1.1 ({VC_V1}); {spec} is now defined on VC 2.0 ({VC_V2}).")
    for url in listed:
        for table, current, name in (
            (OB_LEGACY, OB_CURRENT, "Open Badges 3.0"),
            (CLR_LEGACY, CLR_CURRENT, "CLR 2.0"),
        ):
            if isinstance(url, str) and url in table:
                legacy.append(url)
                warnings.append(
                    f"{url} is {table[url]} of the {name} context; the current one is {current}."
                )
    return warnings, legacy
