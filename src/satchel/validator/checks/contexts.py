"""Contexts: known, a VC context first."""

from __future__ import annotations

from satchel.contexts import bundled_urls
from satchel.validator.context import CheckContext
from satchel.validator.report import Outcome

VC_V1 = "https://www.w3.org/2018/credentials/v1"
VC_V2 = "https://www.w3.org/ns/credentials/v2"


async def check_contexts(ctx: CheckContext) -> None:
    contexts = ctx.document.get("@context")
    if contexts is None:
        ctx.add(
            "contexts", Outcome.FAILED, "The document has no @context.", error_code="PARSING_ERROR"
        )
        return
    listed = contexts if isinstance(contexts, list) else [contexts]
    if not listed or listed[0] not in (VC_V1, VC_V2):
        ctx.add(
            "contexts",
            Outcome.FAILED,
            f"The first @context must be {VC_V2} (VC 2.0) or {VC_V1} (VC 1.1).",
            error_code="PARSING_ERROR",
        )
        return
    known = bundled_urls()
    unknown = [c for c in listed if isinstance(c, str) and c not in known]
    if unknown:
        ctx.add(
            "contexts",
            Outcome.FAILED,
            f"Unknown JSON-LD context {unknown[0]!r}: Satchel only uses contexts it ships, "
            "so the meaning of this document cannot be established.",
            error_code="PARSING_ERROR",
            details={"unknownContexts": unknown},
        )
        return
    if any(not isinstance(c, str) for c in listed):
        ctx.add("contexts", Outcome.WARNING, "The document defines terms in an embedded @context.")
        return
    version = "2.0" if listed[0] == VC_V2 else "1.1"
    ctx.add("contexts", Outcome.PASSED, f"All {len(listed)} contexts are known (VC {version}).")
