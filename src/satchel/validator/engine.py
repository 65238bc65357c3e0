"""The verification engine: one pipeline for credentials and presentations, JSON or JWT.

Checks run in a fixed order and each is reported: parse, contexts, proof (every proof),
issuer key control, validity period. Presentations verify their own proof (authentication,
with challenge and domain when the caller sets them), then every embedded credential.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from satchel.contexts import bundled_urls
from satchel.did.resolver import DidResolver
from satchel.errors import InputError
from satchel.validator.dates import DateFormatError, format_datetime, parse_datetime
from satchel.validator.inputs import ParsedInput, looks_like_jwt, parse_input
from satchel.validator.proofs.data_integrity import verify_proofs
from satchel.validator.proofs.purposes import AssertionPurpose, AuthenticationPurpose, ProofPurpose
from satchel.validator.proofs.result import ProofResult
from satchel.validator.proofs.suites import LEGACY_NAMES
from satchel.validator.proofs.vc_jwt import verify_vc_jwt
from satchel.validator.report import Check, Outcome, VerificationReport

VC_V1 = "https://www.w3.org/2018/credentials/v1"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
ENVELOPED_JWT_PREFIXES = ("data:application/vc+jwt,", "data:application/jwt,")
MAX_EMBEDDED_CREDENTIALS = 100
# Issuer ids that name a document which can list keys; others (urn:uuid:...) cannot.
RESOLVABLE_ID_PREFIXES = ("did:", "https://", "http://")


@dataclass(frozen=True)
class VerificationOptions:
    """What the caller expects: presentation challenge/domain, the clock and its tolerance."""

    challenge: str | None = None
    domain: str | None = None
    now: datetime | None = None
    clock_skew: timedelta = field(default=timedelta(minutes=5))

    def current_time(self) -> datetime:
        return self.now or datetime.now(UTC)


class Verifier:
    """Verifies credentials and presentations; holds the resolver (and through it the fetcher)."""

    def __init__(self, resolver: DidResolver) -> None:
        self.resolver = resolver

    async def verify(
        self, data: bytes | str | Mapping[str, Any], options: VerificationOptions | None = None
    ) -> VerificationReport:
        """Verify raw input (bytes/text of JSON or a JWT) or an already parsed JSON object."""
        options = options or VerificationOptions()
        report = VerificationReport()
        try:
            parsed = (
                ParsedInput(document=dict(data)) if isinstance(data, Mapping) else parse_input(data)
            )
        except InputError as exc:
            report.unusable_input = True
            report.add(Check("parse", Outcome.FAILED, exc.detail, error_code="PARSING_ERROR"))
            return report
        form = "a compact JWT" if parsed.jwt else "a JSON document"
        report.add(Check("parse", Outcome.PASSED, f"The input is {form}."))
        report.document = await self._verify_parsed(parsed, options, report, target=None)
        return report

    async def _verify_parsed(
        self,
        parsed: ParsedInput,
        options: VerificationOptions,
        report: VerificationReport,
        target: str | None,
    ) -> dict[str, Any] | None:
        document = parsed.document
        if parsed.jwt is not None:
            jwt = await verify_vc_jwt(
                parsed.jwt, resolver=self.resolver, now=options.now, skew=options.clock_skew
            )
            document = jwt.credential
            if document is None:
                report.add(_proof_check(jwt.result, target or "credential"))
                return None
        assert document is not None
        is_presentation = _has_type(document, "VerifiablePresentation")
        target = target or ("presentation" if is_presentation else "credential")
        if report.kind is None:
            report.kind = target
        report.add(_contexts_check(document, target))
        if parsed.jwt is not None:
            report.add(_proof_check(jwt.result, target))
            results = [jwt.result]
        else:
            results = await self._data_integrity(document, options, report, target, is_presentation)
        if not is_presentation:
            report.add(_issuer_key_check(document, results, target))
            report.add(_validity_check(document, options, target))
        else:
            await self._embedded_credentials(document, options, report)
        return document

    async def _data_integrity(
        self,
        document: dict[str, Any],
        options: VerificationOptions,
        report: VerificationReport,
        target: str,
        is_presentation: bool,
    ) -> list[ProofResult]:
        purpose: ProofPurpose = (
            AuthenticationPurpose(challenge=options.challenge, domain=options.domain)
            if is_presentation
            else AssertionPurpose()
        )
        results = await verify_proofs(
            document, resolver=self.resolver, purpose=purpose, now=options.current_time()
        )
        if not results:
            report.add(
                Check(
                    "proof",
                    Outcome.FAILED,
                    f"The {target} carries no proof, so nothing shows who issued it.",
                    target=target,
                    error_code="PROOF_VERIFICATION_ERROR",
                )
            )
        for result in results:
            report.add(_proof_check(result, target))
            if result.verified and result.cryptosuite in LEGACY_NAMES:
                report.add(_legacy_suite_warning(result.cryptosuite, target))
        return results

    async def _embedded_credentials(
        self, presentation: dict[str, Any], options: VerificationOptions, report: VerificationReport
    ) -> None:
        entries = presentation.get("verifiableCredential", [])
        entries = entries if isinstance(entries, list) else [entries]
        if len(entries) > MAX_EMBEDDED_CREDENTIALS:
            report.add(
                Check(
                    "parse",
                    Outcome.FAILED,
                    f"The presentation holds {len(entries)} credentials; the limit is "
                    f"{MAX_EMBEDDED_CREDENTIALS}.",
                    target="presentation",
                )
            )
            return
        for index, entry in enumerate(entries):
            target = f"verifiableCredential[{index}]"
            parsed = _embedded_input(entry)
            if parsed is None:
                report.add(
                    Check(
                        "parse",
                        Outcome.FAILED,
                        "This entry is neither a credential object nor a JWT.",
                        target=target,
                        error_code="PARSING_ERROR",
                    )
                )
                continue
            await self._verify_parsed(parsed, options, report, target=target)


def _embedded_input(entry: Any) -> ParsedInput | None:
    if isinstance(entry, str) and looks_like_jwt(entry):
        return ParsedInput(jwt=entry)
    if isinstance(entry, Mapping):
        if _has_type(entry, "EnvelopedVerifiableCredential"):
            ident = entry.get("id", "")
            for prefix in ENVELOPED_JWT_PREFIXES:
                if isinstance(ident, str) and ident.startswith(prefix):
                    token = ident[len(prefix) :]
                    return ParsedInput(jwt=token) if looks_like_jwt(token) else None
            return None
        return ParsedInput(document=dict(entry))
    return None


def _has_type(document: Mapping[str, Any], name: str) -> bool:
    types = document.get("type", [])
    return name in (types if isinstance(types, list) else [types])


def _contexts_check(document: Mapping[str, Any], target: str) -> Check:
    contexts = document.get("@context")
    if contexts is None:
        return Check(
            "contexts",
            Outcome.FAILED,
            "The document has no @context.",
            target,
            error_code="PARSING_ERROR",
        )
    listed = contexts if isinstance(contexts, list) else [contexts]
    if not listed or listed[0] not in (VC_V1, VC_V2):
        return Check(
            "contexts",
            Outcome.FAILED,
            f"The first @context must be {VC_V2} (VC 2.0) or {VC_V1} (VC 1.1).",
            target,
            error_code="PARSING_ERROR",
        )
    known = bundled_urls()
    unknown = [c for c in listed if isinstance(c, str) and c not in known]
    if unknown:
        return Check(
            "contexts",
            Outcome.FAILED,
            f"Unknown JSON-LD context {unknown[0]!r}: Satchel only uses contexts it ships, "
            "so the meaning of this document cannot be established.",
            target,
            error_code="PARSING_ERROR",
            details={"unknownContexts": unknown},
        )
    if any(not isinstance(c, str) for c in listed):
        return Check(
            "contexts",
            Outcome.WARNING,
            "The document defines terms in an embedded @context object.",
            target,
        )
    version = "2.0" if listed[0] == VC_V2 else "1.1"
    return Check(
        "contexts", Outcome.PASSED, f"All {len(listed)} contexts are known (VC {version}).", target
    )


def _proof_check(result: ProofResult, target: str) -> Check:
    label = result.cryptosuite or result.proof_type
    details: dict[str, Any] = {"proofType": result.proof_type}
    if result.cryptosuite:
        details["cryptosuite"] = result.cryptosuite
    if result.verification_method:
        details["verificationMethod"] = result.verification_method
    details.update(result.details)
    if result.verified:
        message = f"The {label} proof is valid"
        if result.verification_method:
            message += f", signed with {result.verification_method}"
        return Check("proof", Outcome.PASSED, message + ".", target, details=details)
    return Check(
        "proof",
        Outcome.FAILED,
        f"The {label} proof failed: {result.reason}",
        target,
        error_code=result.error_code or "PROOF_VERIFICATION_ERROR",
        details=details,
    )


def _legacy_suite_warning(name: str, target: str) -> Check:
    return Check(
        "proof-suite",
        Outcome.WARNING,
        f"The proof uses {name!r}, a pre-standard name of {LEGACY_NAMES[name]}; issuers should "
        "re-sign with the standard name.",
        target,
    )


def issuer_id(document: Mapping[str, Any]) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _issuer_key_check(
    document: Mapping[str, Any], results: list[ProofResult], target: str
) -> Check:
    issuer = issuer_id(document)
    verified = [r for r in results if r.verified]
    if issuer is None:
        return Check("issuer-key", Outcome.FAILED, "The credential names no issuer.", target)
    if not verified:
        return Check(
            "issuer-key",
            Outcome.NOT_CHECKED,
            f"No valid proof, so it cannot be shown that {issuer} signed this credential.",
            target,
        )
    if not issuer.startswith(RESOLVABLE_ID_PREFIXES):
        return Check(
            "issuer-key",
            Outcome.WARNING,
            f"The issuer id {issuer} cannot be looked up, so nothing links the signing key "
            f"{verified[0].verification_method} to the issuer.",
            target,
        )
    strangers = [r for r in verified if r.controller != issuer]
    if strangers:
        return Check(
            "issuer-key",
            Outcome.FAILED,
            f"The credential says it was issued by {issuer}, but it was signed with "
            f"{strangers[0].verification_method}, a key controlled by {strangers[0].controller}.",
            target,
            error_code="PROOF_VERIFICATION_ERROR",
        )
    return Check(
        "issuer-key",
        Outcome.PASSED,
        f"The signing key is controlled by the issuer {issuer}.",
        target,
    )


def _validity_check(
    document: Mapping[str, Any], options: VerificationOptions, target: str
) -> Check:
    v2 = "validFrom" in document or "validUntil" in document
    start_key, end_key = ("validFrom", "validUntil") if v2 else ("issuanceDate", "expirationDate")
    try:
        start = _optional_date(document, start_key)
        end = _optional_date(document, end_key)
    except DateFormatError as exc:
        return Check("validity", Outcome.FAILED, str(exc), target, error_code="PARSING_ERROR")
    now, skew = options.current_time(), options.clock_skew
    if start and end and start > end:
        return Check(
            "validity",
            Outcome.FAILED,
            f"{start_key} ({format_datetime(start)}) is after {end_key} ({format_datetime(end)}).",
            target,
        )
    if start and start - skew > now:
        return Check(
            "validity",
            Outcome.FAILED,
            f"The credential is not valid until {format_datetime(start)}.",
            target,
        )
    if end and end + skew < now:
        return Check(
            "validity",
            Outcome.FAILED,
            f"The credential expired on {format_datetime(end)}.",
            target,
        )
    if start is None and not v2:
        return Check(
            "validity",
            Outcome.FAILED,
            "A VC 1.1 credential must have an issuanceDate.",
            target,
        )
    span = f"from {format_datetime(start)}" if start else "from an unstated date"
    span += f" until {format_datetime(end)}" if end else " with no expiry"
    return Check("validity", Outcome.PASSED, f"The credential is valid {span}.", target)


def _optional_date(document: Mapping[str, Any], key: str) -> datetime | None:
    if key not in document:
        return None
    value, _ = parse_datetime(document[key])
    return value
