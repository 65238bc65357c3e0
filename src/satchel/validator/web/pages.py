"""The human verification page: ``GET /verify`` (form), ``POST /verify``, ``GET /verify?url=``.

The page runs the same engine as the VC-API and the CLI (the application's one
:class:`~satchel.validator.engine.Verifier`) and answers HTML, or the report JSON when the
client prefers ``application/json``. It works without JavaScript, loads nothing from other
origins (one stylesheet from ``/static/validator/``) and escapes everything it shows.

The verdict banner comes first and never lets a check that could not be run pass for a
passed one: "Valid" needs a verified report, and whatever was not checked is listed in it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import BodyPartReader, web

from satchel.errors import InputError, SatchelError
from satchel.json_body import json_response
from satchel.problems import problem_response
from satchel.request_body import MalformedBodyError, reading_body
from satchel.validator.dates import DateFormatError, parse_datetime
from satchel.validator.inputs import has_type
from satchel.validator.ob2.model import badge_and_issuer
from satchel.validator.options import VerificationOptions
from satchel.validator.report import Check, Outcome, VerificationReport
from satchel.validator.web.limits import LimitError, RequestTooLargeError
from satchel.validator.web.services import limits_of, verifier_of

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"
STATIC_PREFIX = "/static/validator"
STYLESHEET = f"{STATIC_PREFIX}/verify.css"

JINJA_KEY = web.AppKey("satchel.validator.pages.jinja", jinja2.Environment)

SECURITY_HEADERS = {
    # data: images only: an achievement image embedded in the credential is shown, a remote
    # one never is (no hotlinking, no tracking of who verifies what).
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

MAX_EMAIL_CHARS = 320
MAX_URL_CHARS = 2048
READ_CHUNK_BYTES = 64 * 1024
DATA_IMAGE_PREFIXES = tuple(
    f"data:image/{kind}" for kind in ("png", "jpeg", "gif", "webp", "svg+xml")
)

CHECK_TITLES = {
    "parse": "Reading the input",
    "contexts": "JSON-LD contexts",
    "types": "Credential types",
    "schema": "Data shape (JSON schema)",
    "subject": "Recipient",
    "issuer": "Issuer profile",
    "proof": "Signature",
    "issuer-key": "Signing key belongs to the issuer",
    "validity": "Validity period",
    "status": "Revocation and suspension status",
    "refresh": "Refresh service",
    "endorsements": "Endorsements",
    "holder": "Holder",
}

OUTCOME_LABELS = {
    Outcome.PASSED: ("\u2713", "Passed"),
    Outcome.FAILED: ("\u2717", "Failed"),
    Outcome.WARNING: ("!", "Warning"),
    Outcome.NOT_CHECKED: ("?", "Not checked"),
}


class SubmissionError(InputError):
    """The form was sent without a badge, with several, or in a shape we cannot read."""

    type = "invalid-submission"
    title = "Nothing to verify"


# --- routes ---------------------------------------------------------------------------------


def register_page_routes(app: web.Application) -> None:
    """Serve the form, the results and the stylesheet; set up the page templates."""
    setup_templates(app, JINJA_KEY, TEMPLATES_DIR)
    app.router.add_get("/verify", verify_page)
    app.router.add_post("/verify", verify_submission)
    app.router.add_static(STATIC_PREFIX, STATIC_DIR, name="validator-static")


async def verify_page(request: web.Request) -> web.StreamResponse:
    """The form, or (with ``?url=``, what a QR code opens) the result for that address."""
    url = request.query.get("url", "").strip()
    if not url:
        if prefers_json(request):
            raise SubmissionError("Give the address of a credential as ?url=…")
        return render(request, "validator/form.html", form_context())
    submission = Submission(url=url, expected_email=request.query.get("expected_email", ""))
    return await _guarded(request, lambda: _verify(request, submission))


async def verify_submission(request: web.Request) -> web.StreamResponse:
    """A multipart (or URL-encoded) form holding a file, pasted text or a URL."""

    async def read_then_verify() -> web.StreamResponse:
        limits_of(request).check_body_size(request)
        submission = await read_submission(request, limits_of(request).settings.max_body_bytes)
        return await _verify(request, submission)

    return await _guarded(request, read_then_verify)


# The page answers its own limit errors (readable HTML for people, problem details for
# programs); limits_middleware leaves requests to routes carrying this mark alone.
verify_page.renders_limit_errors = True  # type: ignore[attr-defined]
verify_submission.renders_limit_errors = True  # type: ignore[attr-defined]


async def _guarded(
    request: web.Request, answer: Callable[[], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Run ``answer`` under the rate limit; limit and input errors become an error page."""
    try:
        limits_of(request).check_rate(request)
        return await answer()
    except SubmissionError as exc:
        return _submission_problem(request, exc)
    except SatchelError as exc:
        return error_answer(request, exc)


async def _verify(request: web.Request, submission: Submission) -> web.StreamResponse:
    submission.validate()
    options = VerificationOptions(expected_email=submission.expected_email or None)
    async with limits_of(request).verification_slot():
        report = await verify_submission_data(request, submission, options)
    status = 400 if report.unusable_input else 200
    if prefers_json(request):
        return secured(json_response(report.to_json(), status=status))
    context = result_context(report, submission.expected_email)
    return render(request, "validator/result.html", context, status=status)


async def verify_submission_data(
    request: web.Request, submission: Submission, options: VerificationOptions
) -> VerificationReport:
    if submission.url and not submission.url.lower().startswith(("https://", "http://")):
        return unusable_report("That is not a web address: it must start with https://.")
    return await verifier_of(request).verify(submission.data(), options)


def unusable_report(message: str) -> VerificationReport:
    report = VerificationReport(unusable_input=True)
    report.add(Check("parse", Outcome.FAILED, message, error_code="PARSING_ERROR"))
    return report


# --- reading the form -----------------------------------------------------------------------


@dataclass
class Submission:
    """What the form carried; exactly one of ``file``, ``text`` and ``url`` must be given."""

    file: bytes = b""
    text: str | bytes = ""
    url: str = ""
    expected_email: str = ""

    def validate(self) -> None:
        given = [name for name in ("file", "text", "url") if self._given(name)]
        if not given:
            raise SubmissionError("Choose a file, paste a credential, or enter a web address.")
        if len(given) > 1:
            raise SubmissionError(
                "Give the badge in one way only: a file, pasted text, or a web address."
            )
        if len(self.url) > MAX_URL_CHARS:
            raise SubmissionError(f"The web address is longer than {MAX_URL_CHARS} characters.")
        if len(self.expected_email) > MAX_EMAIL_CHARS:
            raise SubmissionError("The expected email address is too long.")

    def _given(self, name: str) -> bool:
        value = getattr(self, name)
        return bool(value.strip()) if isinstance(value, (str, bytes)) else False

    def data(self) -> bytes | str:
        """The bytes of an upload, the pasted text, or the text of the URL for the engine."""
        if self.file:
            return self.file
        if self._given("text"):
            return self.text
        return self.url.strip()


async def read_submission(request: web.Request, max_bytes: int) -> Submission:
    """Read the form, counting every byte against ``max_bytes`` (chunked uploads included)."""
    if request.content_type == "multipart/form-data":
        fields = await _read_multipart(request, max_bytes)
    elif request.content_type == "application/x-www-form-urlencoded":
        fields = await _read_urlencoded(request, max_bytes)
    else:
        raise SubmissionError("Send the form as multipart/form-data.")
    return Submission(
        file=fields.get("file", b""),
        text=_pasted_text(fields.get("text", b"")),
        url=_field_text(fields.get("url", b"")),
        expected_email=_field_text(fields.get("expected_email", b"")),
    )


async def _read_multipart(request: web.Request, max_bytes: int) -> dict[str, bytes]:
    fields: dict[str, bytes] = {}
    budget = _Budget(max_bytes)
    try:
        with reading_body("multipart form"):
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader):
                    raise SubmissionError("Nested multipart bodies are not accepted.")
                value = await _read_part(part, budget)
                if part.name and part.name not in fields:
                    fields[part.name] = value
    except MalformedBodyError as exc:
        raise SubmissionError(exc.detail) from exc
    return fields


async def _read_part(part: BodyPartReader, budget: _Budget) -> bytes:
    chunks = []
    while chunk := await part.read_chunk(READ_CHUNK_BYTES):
        budget.spend(len(chunk))
        chunks.append(chunk)
    return b"".join(chunks)


async def _read_urlencoded(request: web.Request, max_bytes: int) -> dict[str, bytes]:
    from urllib.parse import parse_qs

    budget = _Budget(max_bytes)
    chunks = []
    async for chunk in request.content.iter_chunked(READ_CHUNK_BYTES):
        budget.spend(len(chunk))
        chunks.append(chunk)
    body = b"".join(chunks).decode("utf-8", errors="replace")
    parsed = parse_qs(body, keep_blank_values=True, max_num_fields=20)
    return {name: values[0].encode() for name, values in parsed.items()}


@dataclass
class _Budget:
    limit: int
    used: int = 0

    def spend(self, size: int) -> None:
        self.used += size
        if self.used > self.limit:
            raise RequestTooLargeError(
                f"The upload is larger than the limit of {_human_size(self.limit)}."
            )


def _pasted_text(raw: bytes) -> str | bytes:
    """Pasted text as ``str``; text that is not UTF-8 goes to the engine as bytes, which then
    says so in words."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw


def _field_text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace").strip()


def _human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{size / 1024:g} KB" if size >= 1024 else f"{size} bytes"


# --- answering ------------------------------------------------------------------------------


def prefers_json(request: web.Request) -> bool:
    """True when the client ranks JSON above HTML in ``Accept`` (browsers never do)."""
    ranks = _accept_ranks(request.headers.get("Accept", ""))
    best_json = max(ranks.get("application/json", 0.0), ranks.get("application/*", 0.0))
    best_html = max(ranks.get("text/html", 0.0), ranks.get("text/*", 0.0), ranks.get("*/*", 0.0))
    return best_json > best_html


def _accept_ranks(header: str) -> dict[str, float]:
    ranks: dict[str, float] = {}
    for item in header.split(","):
        media, *params = (piece.strip() for piece in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media:
            ranks[media.lower()] = max(ranks.get(media.lower(), 0.0), quality)
    return ranks


def secured(response: web.Response) -> web.Response:
    response.headers.update(SECURITY_HEADERS)
    return response


def setup_templates(
    app: web.Application, app_key: web.AppKey[jinja2.Environment], folder: Path
) -> None:
    """One folder of page templates: every value escaped, an unknown name an error."""
    aiohttp_jinja2.setup(
        app,
        app_key=app_key,
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def render(
    request: web.Request,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    app_key: web.AppKey[jinja2.Environment] = JINJA_KEY,
) -> web.Response:
    """A page with the shared stylesheet and the security headers (strict CSP, no-store)."""
    context = {"stylesheet": STYLESHEET, **context}
    response = aiohttp_jinja2.render_template(
        template, request, context, app_key=app_key, status=status
    )
    return secured(response)


def error_answer(request: web.Request, exc: SatchelError) -> web.Response:
    """A limit or input error: problem details for programs, a readable page for people."""
    retry_after = exc.retry_after if isinstance(exc, LimitError) else None
    if prefers_json(request):
        response = problem_response(exc.status, exc.type, exc.title, exc.detail)
    else:
        context = {"title": exc.title, "detail": exc.detail}
        response = render(request, "validator/error.html", context, status=exc.status)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return secured(response)


def _submission_problem(request: web.Request, exc: SubmissionError) -> web.Response:
    if prefers_json(request):
        return error_answer(request, exc)
    return render(request, "validator/form.html", form_context(error=exc.detail), status=400)


def form_context(*, error: str | None = None) -> dict[str, Any]:
    return {"error": error, "text": "", "url": "", "expected_email": ""}


# --- the result page ------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """The banner: ``key`` (valid / invalid / unknown) picks its style."""

    key: str
    title: str
    icon: str
    summary: str
    failures: list[str] = field(default_factory=list)
    not_checked: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CheckView:
    id: str
    title: str
    outcome: str
    outcome_label: str
    icon: str
    message: str
    target: str
    show_target: bool
    error_code: str | None
    details: list[tuple[str, str]]


@dataclass(frozen=True)
class BadgeSummary:
    kind: str
    name: str | None = None
    issuer_name: str | None = None
    issuer_id: str | None = None
    recipient: str | None = None
    issued: str | None = None
    expires: str | None = None
    image: str | None = None


def result_context(report: VerificationReport, expected_email: str) -> dict[str, Any]:
    return {
        "verdict": verdict_of(report),
        "badge": badge_summary(report.document, report.linked),
        "checks": [check_view(check) for check in report.checks],
        "expected_email": expected_email,
    }


def verdict_of(report: VerificationReport) -> Verdict:
    failed = [c for c in report.checks if c.outcome is Outcome.FAILED]
    not_checked = [_line(c) for c in report.checks if c.outcome is Outcome.NOT_CHECKED]
    if report.unusable_input:
        reason = failed[0].message if failed else "the input is empty."
        summary = f"This could not be read as a badge: {reason}"
        return Verdict("unknown", "Could not verify", "?", summary)
    if failed:
        summary = "At least one check failed, so this badge must not be trusted."
        failures = [_line(c) for c in failed]
        return Verdict("invalid", "Not valid", "\u2717", summary, failures, not_checked)
    if report.verified:
        return Verdict("valid", "Valid", "\u2713", _valid_summary(report), [], not_checked)
    summary = "No check failed, but no signature could be verified, so it cannot be trusted yet."
    return Verdict("unknown", "Could not verify", "?", summary, [], not_checked)


def _valid_summary(report: VerificationReport) -> str:
    summary = "The signature is genuine and no check failed."
    status_unknown = any(
        c.id == "status" and c.outcome is Outcome.NOT_CHECKED for c in report.checks
    )
    if status_unknown:
        summary += " Whether it has been revoked or suspended could not be checked."
    return summary


def _line(check: Check) -> str:
    where = "" if check.target in ("credential", "presentation") else f" ({check.target})"
    return f"{_title(check.id)}{where}: {check.message}"


def _title(check_id: str) -> str:
    return CHECK_TITLES.get(check_id, check_id)


def check_view(check: Check) -> CheckView:
    icon, label = OUTCOME_LABELS[check.outcome]
    return CheckView(
        id=check.id,
        title=_title(check.id),
        outcome=str(check.outcome),
        outcome_label=label,
        icon=icon,
        message=check.message,
        target=check.target,
        show_target=check.target not in ("credential", "presentation"),
        error_code=check.error_code,
        details=[(name, _detail_text(value)) for name, value in check.details.items()],
    )


def _detail_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


# --- badge basics ---------------------------------------------------------------------------


def badge_summary(
    document: Mapping[str, Any] | None, linked: Mapping[str, Mapping[str, Any]] | None = None
) -> BadgeSummary | None:
    """Name, issuer, recipient (when shown in clear), dates and an embedded image.

    ``linked``: the report's fetched documents, naming an OB 2.0 badge given by URL.
    """
    if not isinstance(document, Mapping):
        return None
    if has_type(document, "VerifiablePresentation"):
        return _presentation_summary(document)
    if "credentialSubject" in document:
        return _credential_summary(document)
    if isinstance(document.get("recipient"), Mapping) or "badge" in document:
        return _ob2_summary(document, linked or {})
    return None


def _credential_summary(document: Mapping[str, Any]) -> BadgeSummary:
    subject = _first_mapping(document.get("credentialSubject"))
    achievement = _mapping(subject.get("achievement"))
    issuer_id, issuer_name = _party(document.get("issuer"))
    return BadgeSummary(
        kind=_credential_kind(document),
        name=_string(document.get("name")) or _string(achievement.get("name")),
        issuer_name=issuer_name,
        issuer_id=issuer_id,
        recipient=_vc_recipient(subject),
        issued=_date(document.get("validFrom") or document.get("issuanceDate")),
        expires=_date(document.get("validUntil") or document.get("expirationDate")),
        image=_data_image(achievement.get("image")) or _data_image(document.get("image")),
    )


def _presentation_summary(document: Mapping[str, Any]) -> BadgeSummary:
    entries = document.get("verifiableCredential", [])
    count = len(entries) if isinstance(entries, list) else 1
    holder_id, holder_name = _party(document.get("holder"))
    noun = "credential" if count == 1 else "credentials"
    return BadgeSummary(
        kind=f"Verifiable presentation holding {count} {noun}",
        name=_string(document.get("name")) or "Verifiable presentation",
        recipient=holder_name or holder_id,
    )


def _ob2_summary(
    document: Mapping[str, Any], linked: Mapping[str, Mapping[str, Any]]
) -> BadgeSummary:
    badge, issuer = badge_and_issuer(document, linked)
    issuer_id, issuer_name = _party(issuer)
    recipient = _mapping(document.get("recipient"))
    shown = recipient.get("hashed") is False or str(recipient.get("hashed")).lower() == "false"
    return BadgeSummary(
        kind="Open Badges 2.0 assertion",
        name=_string(badge.get("name")),
        issuer_name=issuer_name,
        issuer_id=issuer_id,
        recipient=_string(recipient.get("identity")) if shown else None,
        issued=_date(document.get("issuedOn")),
        expires=_date(document.get("expires")),
        image=_data_image(document.get("image")) or _data_image(badge.get("image")),
    )


def _credential_kind(document: Mapping[str, Any]) -> str:
    for name, label in (
        ("ClrCredential", "Comprehensive Learner Record (CLR 2.0)"),
        ("EndorsementCredential", "Endorsement (Open Badges 3.0)"),
        ("OpenBadgeCredential", "Open Badge (Open Badges 3.0)"),
        ("AchievementCredential", "Open Badge (Open Badges 3.0)"),
    ):
        if has_type(document, name):
            return label
    return "Verifiable credential"


def _vc_recipient(subject: Mapping[str, Any]) -> str | None:
    identifiers = subject.get("identifier")
    for entry in identifiers if isinstance(identifiers, list) else [identifiers]:
        if isinstance(entry, Mapping) and entry.get("hashed") is False:
            identity = _string(entry.get("identityHash"))
            if identity:
                return identity
    return _string(subject.get("name")) or _string(subject.get("id"))


def _party(value: Any) -> tuple[str | None, str | None]:
    """The (id, name) of an issuer or holder given as an id string or a profile object."""
    if isinstance(value, str):
        return value, None
    profile = _mapping(value)
    return _string(profile.get("id")), _string(profile.get("name"))


def _data_image(value: Any) -> str | None:
    """An image embedded as a data: URI; remote images are never loaded (no hotlinking)."""
    source = value.get("id") if isinstance(value, Mapping) else value
    if isinstance(source, str) and source.lower().startswith(DATA_IMAGE_PREFIXES):
        return source
    return None


def _date(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        moment, _ = parse_datetime(value)
    except DateFormatError:
        return value
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


def _string(value: Any) -> str | None:
    if isinstance(value, Mapping):  # a language map or {"@value": ...}
        value = value.get("@value") or next(iter(value.values()), None)
    return value.strip() or None if isinstance(value, str) else None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _first_mapping(value: Any) -> Mapping[str, Any]:
    if isinstance(value, list):
        value = value[0] if value else None
    return _mapping(value)
