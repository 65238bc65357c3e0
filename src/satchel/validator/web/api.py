"""The W3C VC-API (VCALM) endpoints: verify credentials and presentations, issue credentials.

- ``POST /credentials/verify`` ``{verifiableCredential, options}`` and
  ``POST /presentations/verify`` ``{verifiablePresentation, options}`` answer
  ``{verified, checks, warnings, errors, problemDetails, results}``: 200 when verified, 400
  when not (the W3C suites want a 4xx for a failed verification), the body complete either way.
  A VC-JWT arrives as a string or as an ``Enveloped*`` object with a ``data:`` URL id.
  ``options.challenge`` / ``options.domain`` are honoured; the legacy ``options.checks`` and
  unknown options are ignored with a warning (Satchel always runs every check).
- ``POST /credentials/issue`` ``{credential, options}`` signs with the instance key (see
  ``services.py``) when the credential is well formed and names the instance DID as issuer;
  201 ``{verifiableCredential}``.

A request that cannot be used at all is a 400 problem whose ``type`` is the VC error type
(``https://www.w3.org/TR/vc-data-model#PARSING_ERROR`` ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from satchel.errors import PROBLEM_TYPE_BASE, InputError
from satchel.json_body import json_response
from satchel.problems import problem_response
from satchel.request_body import reading_body
from satchel.validator.engine import embedded_input
from satchel.validator.inputs import ParsedInput, has_type, looks_like_jwt, parse_json
from satchel.validator.options import VerificationOptions
from satchel.validator.proofs.data_integrity import ProofGenerationError, sign
from satchel.validator.report import Check, Outcome, VerificationReport
from satchel.validator.web.issue import CredentialInputError, issuer_url, validate_credential
from satchel.validator.web.limits import limited
from satchel.validator.web.services import InstanceIssuer, issuer_of, verifier_of

VC_DATA_MODEL = "https://www.w3.org/TR/vc-data-model#"
SECURITY_VOCAB = "https://w3id.org/security#"
STATUS_LIST_VOCAB = "https://www.w3.org/ns/credentials/status-list#"
SATCHEL_CHECKS = PROBLEM_TYPE_BASE + "checks#"

# Where each spec error name is defined: VC DM 2.0 section 7.1, VC Data Integrity 1.0 and
# Controlled Identifiers 1.0 (w3id.org/security), Bitstring Status List 1.0.
_VC_ERRORS = frozenset({"PARSING_ERROR", "CRYPTOGRAPHIC_SECURITY_ERROR", "MALFORMED_VALUE_ERROR"})
_SECURITY_ERRORS = frozenset(
    {
        "PROOF_GENERATION_ERROR",
        "PROOF_VERIFICATION_ERROR",
        "PROOF_TRANSFORMATION_ERROR",
        "MALFORMED_PROOF_ERROR",
        "MISMATCHED_PROOF_PURPOSE_ERROR",
        "INVALID_DOMAIN_ERROR",
        "INVALID_CHALLENGE_ERROR",
        "INVALID_VERIFICATION_METHOD_URL",
        "INVALID_CONTROLLED_IDENTIFIER_DOCUMENT_ID",
        "INVALID_CONTROLLED_IDENTIFIER_DOCUMENT",
        "INVALID_VERIFICATION_METHOD",
        "INVALID_RELATIONSHIP_FOR_VERIFICATION_METHOD",
    }
)
_STATUS_ERRORS = frozenset(
    {"STATUS_RETRIEVAL_ERROR", "STATUS_VERIFICATION_ERROR", "STATUS_LIST_LENGTH_ERROR"}
)
KNOWN_OPTIONS = frozenset(
    {
        "challenge",
        "domain",
        "returnCredential",
        "returnPresentation",
        "returnResults",
        "returnProblemDetails",
    }
)
VP_ENVELOPE_PREFIXES = ("data:application/vp+jwt,", "data:application/jwt,")


def register_api_routes(app: web.Application) -> None:
    app.router.add_post("/credentials/verify", verify_credential)
    app.router.add_post("/presentations/verify", verify_presentation)
    app.router.add_post("/credentials/issue", issue_credential)


# --- errors and problem types -----------------------------------------------------------------


class RequestShapeError(InputError):
    """The request body is not what the endpoint takes; ``error_code`` is the VC error name."""

    type = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, error_code: str = "PARSING_ERROR") -> None:
        super().__init__(detail)
        self.error_code = error_code


def error_type_uri(error_code: str | None, check_id: str = "request") -> str:
    """The problem ``type`` for a spec error name; Satchel's own URI for everything else."""
    if error_code in _VC_ERRORS:
        return VC_DATA_MODEL + error_code
    if error_code in _SECURITY_ERRORS:
        return SECURITY_VOCAB + error_code
    if error_code in _STATUS_ERRORS or error_code == "RANGE_ERROR":
        return STATUS_LIST_VOCAB + error_code
    return SATCHEL_CHECKS + (error_code or check_id)


def _request_problem(error: RequestShapeError | CredentialInputError) -> web.Response:
    # problem_response merges extra members last, so the spec's type URI replaces the slug.
    return problem_response(
        400,
        error.type,
        error.error_code,
        error.detail,
        type=error_type_uri(error.error_code),
    )


# --- request parsing --------------------------------------------------------------------------


async def _json_object(request: web.Request) -> dict[str, Any]:
    with reading_body("JSON"):
        text = await request.text()
    try:
        body = parse_json(text)
    except InputError as exc:
        raise RequestShapeError(f"The request body is not valid JSON: {exc.detail}") from exc
    if not isinstance(body, dict):
        raise RequestShapeError("The request body must be a JSON object.")
    return body


def _options(body: Mapping[str, Any]) -> tuple[VerificationOptions, dict[str, Any], list[str]]:
    """Verification options, the raw options, and warnings about options that are ignored."""
    raw = body.get("options", {})
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise RequestShapeError("options must be a JSON object.", "MALFORMED_VALUE_ERROR")
    for name in ("challenge", "domain"):
        if name in raw and not isinstance(raw[name], str):
            raise RequestShapeError(f"options.{name} must be a string.", "MALFORMED_VALUE_ERROR")
    warnings = []
    if "checks" in raw:
        warnings.append(
            "options.checks is a legacy option and is ignored: every check is always run."
        )
    unknown = sorted(set(raw) - KNOWN_OPTIONS - {"checks"})
    if unknown:
        warnings.append(f"Unknown options ignored: {', '.join(unknown)}.")
    options = VerificationOptions(challenge=raw.get("challenge"), domain=raw.get("domain"))
    return options, raw, warnings


def _credential_input(value: object) -> ParsedInput:
    if value is None:
        raise RequestShapeError("The request has no verifiableCredential.")
    parsed = embedded_input(value)
    if parsed is None:
        raise RequestShapeError(
            "verifiableCredential must be a credential object, a compact VC-JWT, or an "
            "EnvelopedVerifiableCredential whose id is a data:application/vc+jwt URL."
        )
    if parsed.document is not None and has_type(parsed.document, "VerifiablePresentation"):
        raise RequestShapeError("This is a presentation: post it to /presentations/verify.")
    return parsed


def _presentation_input(value: object) -> ParsedInput:
    if value is None:
        raise RequestShapeError("The request has no verifiablePresentation.")
    if isinstance(value, str) and looks_like_jwt(value.strip()):
        return ParsedInput(jwt=value.strip(), source="jwt")
    if isinstance(value, dict) and has_type(value, "EnvelopedVerifiablePresentation"):
        ident = value.get("id")
        for prefix in VP_ENVELOPE_PREFIXES:
            if isinstance(ident, str) and ident.startswith(prefix):
                token = ident[len(prefix) :]
                if looks_like_jwt(token):
                    return ParsedInput(jwt=token, source="jwt")
        raise RequestShapeError(
            "An EnvelopedVerifiablePresentation needs a data:application/vp+jwt URL id."
        )
    if isinstance(value, dict):
        if not has_type(value, "VerifiablePresentation"):
            raise RequestShapeError(
                "verifiablePresentation must have the VerifiablePresentation type."
            )
        return ParsedInput(document=value)
    raise RequestShapeError("verifiablePresentation must be a JSON object or a compact JWT.")


# --- verify -----------------------------------------------------------------------------------


@limited
async def verify_credential(request: web.Request) -> web.Response:
    try:
        body = await _json_object(request)
        options, raw, warnings = _options(body)
        parsed = _credential_input(body.get("verifiableCredential"))
    except RequestShapeError as exc:
        return _request_problem(exc)
    report = await verifier_of(request).verify(parsed, options)
    response = verification_response(report, warnings)
    response["results"] = credential_results(report, "credential", report.document)
    if raw.get("returnCredential") is True:
        response["credential"] = report.document
    return _verdict(response)


@limited
async def verify_presentation(request: web.Request) -> web.Response:
    try:
        body = await _json_object(request)
        options, raw, warnings = _options(body)
        parsed = _presentation_input(body.get("verifiablePresentation"))
    except RequestShapeError as exc:
        return _request_problem(exc)
    report = await verifier_of(request).verify(parsed, options)
    response = verification_response(report, warnings)
    response["results"] = presentation_results(report, options)
    if raw.get("returnPresentation") is True:
        response["verifiablePresentation"] = report.document
    return _verdict(response)


def _verdict(body: dict[str, Any]) -> web.Response:
    return json_response(body, status=200 if body["verified"] else 400)


def verification_response(report: VerificationReport, warnings: list[str]) -> dict[str, Any]:
    """The VC-API body: our checks, the report's errors and warnings, RFC 9457 problems."""
    deciding_failures = [c for c in report.checks if c.outcome is Outcome.FAILED and not c.advisory]
    return {
        "verified": report.verified,
        "checks": [check.to_json() for check in report.checks],
        "warnings": [*warnings, *report.warnings],
        "errors": report.errors,
        "notChecked": report.not_checked,
        "problemDetails": [check_problem(c) for c in deciding_failures],
    }


def check_problem(check: Check) -> dict[str, Any]:
    return {
        "type": error_type_uri(check.error_code, check.id),
        "title": check.error_code or check.id,
        "detail": check.message,
        "checkId": check.id,
        "target": check.target,
    }


def _for_target(report: VerificationReport, target: str, check_id: str) -> list[Check]:
    return [c for c in report.checks if c.target == target and c.id == check_id]


def _passed(checks: list[Check]) -> bool:
    return not any(c.outcome is Outcome.FAILED for c in checks)


def credential_results(
    report: VerificationReport, target: str, document: Mapping[str, Any] | None
) -> dict[str, Any]:
    """VCALM ``results`` for one credential: validity dates, proofs, statuses, schemas."""
    document = document or {}
    results: dict[str, Any] = {"proof": _proof_results(report, target, document)}
    validity_ok = _passed(_for_target(report, target, "validity"))
    for name in ("validFrom", "validUntil"):
        if isinstance(document.get(name), str):
            results[name] = {"verified": validity_ok, "input": document[name]}
    for name, check_id in (("credentialStatus", "status"), ("credentialSchema", "schema")):
        entries = document.get(name)
        if entries is None:
            continue
        passed = _passed(_for_target(report, target, check_id))
        listed = entries if isinstance(entries, list) else [entries]
        results[name] = [{"verified": passed, "input": entry} for entry in listed]
    return results


def _proof_results(
    report: VerificationReport, target: str, document: Mapping[str, Any]
) -> list[dict[str, Any]]:
    proofs = document.get("proof")
    listed = proofs if isinstance(proofs, list) else ([proofs] if proofs else [])
    results = []
    for index, check in enumerate(_for_target(report, target, "proof")):
        failed = check.outcome is Outcome.FAILED
        results.append(
            {
                "verified": check.outcome is Outcome.PASSED,
                "input": listed[index] if index < len(listed) else check.details,
                "problemDetails": [check_problem(check)] if failed else [],
            }
        )
    return results


def presentation_results(
    report: VerificationReport, options: VerificationOptions
) -> dict[str, Any]:
    """VCALM ``results`` for a presentation and each credential it holds."""
    document = report.document or {}
    proof_checks = _for_target(report, "presentation", "proof")
    proofs_ok = bool(proof_checks) and _passed(proof_checks)
    presentation: dict[str, Any] = {"proof": _proof_results(report, "presentation", document)}
    if options.challenge is not None:
        presentation["challenge"] = {"verified": proofs_ok, "input": options.challenge}
    if options.domain is not None:
        presentation["domain"] = {"verified": proofs_ok, "input": options.domain}
    holder = document.get("holder")
    holder_id = holder.get("id") if isinstance(holder, Mapping) else holder
    if isinstance(holder_id, str):
        presentation["holder"] = {
            "verified": _passed(_for_target(report, "presentation", "holder")),
            "input": holder_id,
        }
    return {"presentation": presentation, "credentials": _embedded_results(report, document)}


def _embedded_results(
    report: VerificationReport, presentation: Mapping[str, Any]
) -> list[dict[str, Any]]:
    entries = presentation.get("verifiableCredential", [])
    entries = entries if isinstance(entries, list) else [entries]
    results = []
    for index, entry in enumerate(entries):
        target = f"verifiableCredential[{index}]"
        checks = [c for c in report.checks if c.target == target and not c.advisory]
        failures = [c for c in checks if c.outcome is Outcome.FAILED]
        document = entry if isinstance(entry, dict) else None
        verified = not failures and any(
            c.id == "proof" and c.outcome is Outcome.PASSED for c in checks
        )
        results.append(
            {
                "verified": verified,
                "credential": entry,
                "problemDetails": [check_problem(c) for c in failures],
                "results": credential_results(report, target, document),
            }
        )
    return results


# --- issue ------------------------------------------------------------------------------------


@limited
async def issue_credential(request: web.Request) -> web.Response:
    issuer = issuer_of(request)
    try:
        body = await _json_object(request)
        credential = validate_credential(body.get("credential"))
        _check_issue_options(body.get("options"))
        _check_issuer(credential, issuer)
    except (RequestShapeError, CredentialInputError) as exc:
        return _request_problem(exc)
    try:
        signed = sign(
            credential,
            issuer.private_key,
            cryptosuite=issuer.cryptosuite,
            verification_method=issuer.verification_method,
        )
    except ProofGenerationError as exc:
        return _request_problem(CredentialInputError(exc.detail, "PROOF_GENERATION_ERROR"))
    return json_response({"verifiableCredential": signed}, status=201)


def _check_issue_options(options: object) -> None:
    if options is not None and not isinstance(options, dict):
        raise RequestShapeError("options must be a JSON object.", "MALFORMED_VALUE_ERROR")


def _check_issuer(credential: Mapping[str, Any], issuer: InstanceIssuer) -> None:
    if issuer_url(credential) != issuer.did:
        raise CredentialInputError(
            f"This service issues only as {issuer.did}; set the credential's issuer (or "
            "issuer.id) to it."
        )
