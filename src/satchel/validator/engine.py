"""The verification engine: one pipeline for every input form.

The input is extracted (JSON, JWT, baked PNG/SVG, URL), then an OB 2.0 assertion goes through
the OB 2.0 checks, and a VC (1.1 or 2.0) credential or presentation through the steps in
:mod:`satchel.validator.checks`, in their fixed order. A presentation's embedded credentials,
and a credential's endorsements, are verified by the same pipeline under their own target.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from satchel.did.resolver import DidResolver, default_resolver
from satchel.errors import InputError
from satchel.fetcher import GuardedFetcher
from satchel.validator import ob2
from satchel.validator.checks import CREDENTIAL_STEPS, PRESENTATION_STEPS
from satchel.validator.context import CheckContext
from satchel.validator.extract import extract_input
from satchel.validator.inputs import ParsedInput, embedded_input, has_type
from satchel.validator.options import VerificationOptions
from satchel.validator.proofs.vc_jwt import verify_vc_jwt
from satchel.validator.report import Check, Outcome, VerificationReport
from satchel.validator.status.cache import StatusListCache

MAX_EMBEDDED_CREDENTIALS = 100

__all__ = ["VerificationOptions", "Verifier", "embedded_input"]


class Verifier:
    """Verifies any supported input; holds the resolver, the fetcher and the status-list cache.

    Without a fetcher nothing is fetched: did:web, https keys, status lists and hosted OB 2.0
    assertions are then reported as not checkable, never as valid.
    """

    def __init__(
        self,
        resolver: DidResolver | None = None,
        *,
        fetcher: GuardedFetcher | None = None,
        status_cache: StatusListCache | None = None,
    ) -> None:
        self.fetcher = fetcher
        self.resolver = resolver or default_resolver(fetcher)
        self.status_cache = StatusListCache() if status_cache is None else status_cache

    async def verify(
        self,
        data: bytes | str | Mapping[str, Any] | ParsedInput,
        options: VerificationOptions | None = None,
    ) -> VerificationReport:
        """Verify raw input (any supported format), a parsed JSON object, or extracted input."""
        options = options or VerificationOptions()
        report = VerificationReport()
        try:
            parsed = await self._extract(data)
        except InputError as exc:
            report.unusable_input = True
            report.add(Check("parse", Outcome.FAILED, exc.detail, error_code="PARSING_ERROR"))
            return report
        report.add(
            Check(
                "parse",
                Outcome.PASSED,
                f"The input is {parsed.describe()}.",
                target=_principal_target(parsed),
            )
        )
        report.document = await self.verify_parsed(parsed, options, report)
        return report

    async def _extract(self, data: bytes | str | Mapping[str, Any] | ParsedInput) -> ParsedInput:
        if isinstance(data, ParsedInput):
            return data
        if isinstance(data, Mapping):
            return ParsedInput(document=dict(data))
        return await extract_input(data, fetcher=self.fetcher)

    async def verify_parsed(
        self,
        parsed: ParsedInput,
        options: VerificationOptions,
        report: VerificationReport,
        *,
        target: str | None = None,
        depth: int = 0,
        advisory: bool = False,
    ) -> dict[str, Any] | None:
        """Run the pipeline on extracted input, adding checks under ``target``; the document.

        ``advisory`` marks every check of this document (and of anything nested in it) as
        informing the verdict of its parent rather than deciding it, as for endorsements.
        """
        if ob2.is_ob2(parsed):
            report.kind = report.kind or "ob2-assertion"
            return await ob2.verify_ob2(parsed, self, options, report, target or "assertion")
        jwt = None
        document = parsed.document
        if parsed.jwt is not None:
            jwt = await verify_vc_jwt(
                parsed.jwt, resolver=self.resolver, now=options.now, skew=options.clock_skew
            )
            document = jwt.credential
        if document is None:
            ctx_target = target or "credential"
            report.add(_unreadable(ctx_target, jwt.result.reason if jwt else None, advisory))
            return None
        is_presentation = has_type(document, "VerifiablePresentation")
        target = target or ("presentation" if is_presentation else "credential")
        report.kind = report.kind or target
        ctx = CheckContext(
            document=document,
            target=target,
            options=options,
            verifier=self,
            report=report,
            parsed=parsed,
            jwt=jwt,
            depth=depth,
            advisory=advisory,
        )
        for step in PRESENTATION_STEPS if is_presentation else CREDENTIAL_STEPS:
            await step(ctx)
        if is_presentation:
            await self._embedded_credentials(ctx)
        return document

    async def _embedded_credentials(self, ctx: CheckContext) -> None:
        entries = ctx.document.get("verifiableCredential", [])
        entries = entries if isinstance(entries, list) else [entries]
        if len(entries) > MAX_EMBEDDED_CREDENTIALS:
            ctx.add(
                "parse",
                Outcome.FAILED,
                f"The presentation holds {len(entries)} credentials; the limit is "
                f"{MAX_EMBEDDED_CREDENTIALS}.",
            )
            return
        for index, entry in enumerate(entries):
            target = f"verifiableCredential[{index}]"
            parsed = embedded_input(entry)
            if parsed is None:
                ctx.report.add(
                    Check(
                        "parse",
                        Outcome.FAILED,
                        "This entry is neither a credential object nor a JWT.",
                        target=target,
                        error_code="PARSING_ERROR",
                        advisory=ctx.advisory,
                    )
                )
                continue
            await self.verify_parsed(
                parsed, ctx.options, ctx.report, target=target, depth=ctx.depth
            )


def _principal_target(parsed: ParsedInput) -> str:
    """The report target of the input itself, as far as it is known before decoding."""
    if ob2.is_ob2(parsed):
        return "assertion"
    if parsed.document is not None and has_type(parsed.document, "VerifiablePresentation"):
        return "presentation"
    return "credential"


def _unreadable(target: str, reason: str | None, advisory: bool) -> Check:
    return Check(
        "proof",
        Outcome.FAILED,
        f"The JWT could not be read as a credential: {reason or 'no credential in its payload'}",
        target=target,
        error_code="PARSING_ERROR",
        advisory=advisory,
    )
