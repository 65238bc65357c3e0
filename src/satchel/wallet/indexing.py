"""What the wallet derives from a verified credential: search fields, its status, its recipient.

The derived fields exist only to find and sort credentials; the stored bytes stay the truth and
every field here can be derived again from them (re-verification does). Text is capped so one
hostile credential cannot bloat the search index.

Status (one word for the list view), from the verification report's checks:

- ``invalid``: a deciding check failed other than the validity period and the status list
  (a bad signature, a malformed document, a key the issuer does not control);
- ``revoked`` / ``suspended``: the issuer's status list (or OB 2.0 revocation list) says so;
- ``expired``: only the validity period failed (also "not yet valid");
- ``valid``: the report is verified;
- ``unverified``: nothing failed but the proof could not be checked (an issuer key or hosted
  copy that could not be fetched).

Recipient: ``matched`` when the credential names one of the learner's DIDs or verified emails
(plaintext or OB 2.0 / OB 3.0 identity hash, compared by the validator's own subject checks),
``mismatch`` when it names someone else (or no one comparable), ``unknown`` when it could not be
compared (no subject the checks can read, or the learner has nothing to compare with).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any, Literal

from satchel.validator.checks.subject import check_subject
from satchel.validator.context import CheckContext
from satchel.validator.dates import DateFormatError, format_datetime, parse_datetime
from satchel.validator.engine import Verifier
from satchel.validator.ob2 import nodes as ob2_nodes
from satchel.validator.ob2.fetch import Graph
from satchel.validator.ob2.model import badge_and_issuer, has_ob2_type
from satchel.validator.ob2.run import Run
from satchel.validator.options import VerificationOptions
from satchel.validator.report import Check, Outcome, VerificationReport

Status = Literal["valid", "invalid", "revoked", "suspended", "expired", "unverified"]
Recipient = Literal["matched", "mismatch", "unknown"]
STATUSES: tuple[Status, ...] = ("valid", "invalid", "revoked", "suspended", "expired", "unverified")
RECIPIENTS: tuple[Recipient, ...] = ("matched", "mismatch", "unknown")

MAX_NAME = 300
MAX_DESCRIPTION = 2000
MAX_TAGS = 50
MAX_TAG = 200
# Checks whose failure means the period or the issuer's status, not the credential's integrity.
_TIME_CHECKS = frozenset({"validity"})
_STATUS_CHECKS = frozenset({"status", "revocation"})
_NOT_INTEGRITY = _TIME_CHECKS | _STATUS_CHECKS


@dataclass(frozen=True)
class Learner:
    """Who the credential should name: the learner's DIDs and verified email addresses."""

    dids: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()


# ---- index fields ---------------------------------------------------------------------------


def index_fields(
    document: Mapping[str, Any],
    kind: str | None,
    linked: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """Search and sort fields of a credential (VC 1.1/2.0, OB 3.0, CLR) or OB 2.0 assertion.

    ``linked``: documents verification fetched (a report's ``linked``), for an OB 2.0 assertion
    that names its BadgeClass or issuer only by URL, as hosted badges usually do.
    """
    if kind == "ob2-assertion":
        return _ob2_fields(document, linked or {})
    return _vc_fields(document)


def _vc_fields(document: Mapping[str, Any]) -> dict[str, Any]:
    issuer = document.get("issuer")
    achievement = _first_achievement(document)
    name = _text(document.get("name"), MAX_NAME) or _text(achievement.get("name"), MAX_NAME)
    description = _text(document.get("description"), MAX_DESCRIPTION) or _text(
        achievement.get("description"), MAX_DESCRIPTION
    )
    return {
        "types": _strings(document.get("type"), MAX_TAGS),
        "name": name,
        "description": description,
        "issuer_id": _node_id(issuer),
        "issuer_name": _node_name(issuer),
        "achievement_name": _text(achievement.get("name"), MAX_NAME),
        "tags": _tags(achievement),
        "credential_id": _text(document.get("id"), 2000),
        "issued_at": _date(document.get("validFrom", document.get("issuanceDate"))),
        "expires_at": _date(document.get("validUntil", document.get("expirationDate"))),
    }


def _ob2_fields(
    assertion: Mapping[str, Any], linked: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    badge, issuer = badge_and_issuer(assertion, linked)
    return {
        "types": _strings(assertion.get("type"), MAX_TAGS),
        "name": _text(badge.get("name"), MAX_NAME),
        "description": _text(badge.get("description"), MAX_DESCRIPTION),
        "issuer_id": _node_id(issuer),
        "issuer_name": _node_name(issuer),
        "achievement_name": _text(badge.get("name"), MAX_NAME),
        "tags": _tags(badge),
        "credential_id": _text(assertion.get("id"), 2000),
        "issued_at": _date(assertion.get("issuedOn")),
        "expires_at": _date(assertion.get("expires")),
    }


def _first_achievement(document: Mapping[str, Any]) -> Mapping[str, Any]:
    subject = document.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    if not isinstance(subject, Mapping):
        return {}
    achievement = subject.get("achievement")
    return achievement if isinstance(achievement, Mapping) else {}


def _tags(node: Mapping[str, Any]) -> list[str]:
    """Tags, then the names of alignments (skills, competencies, frameworks), de-duplicated."""
    found = _strings(node.get("tag", node.get("tags")), MAX_TAGS)
    alignments = node.get("alignment", node.get("alignments"))
    for alignment in alignments if isinstance(alignments, list) else [alignments]:
        if isinstance(alignment, Mapping):
            found += _strings(alignment.get("targetName"), 1)
    return list(dict.fromkeys(found))[:MAX_TAGS]


def _node_id(node: Any) -> str | None:
    if isinstance(node, str):
        return _text(node, 2000)
    if isinstance(node, Mapping):
        return _text(node.get("id"), 2000)
    return None


def _node_name(node: Any) -> str | None:
    return _text(node.get("name"), MAX_NAME) if isinstance(node, Mapping) else None


def _text(value: Any, limit: int) -> str | None:
    """A string value (OB 3.0 allows language maps: the first string in one is taken)."""
    if isinstance(value, Mapping):
        value = next((v for v in value.values() if isinstance(v, str)), None)
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()[:limit]


def _strings(value: Any, limit: int) -> list[str]:
    values = value if isinstance(value, list) else [value]
    texts = (_text(item, MAX_TAG) for item in values)
    return [text for text in texts if text][:limit]


def _date(value: Any) -> str | None:
    """UTC ISO 8601 with "Z" (so string order is time order), or None when unreadable."""
    try:
        moment, _ = parse_datetime(value)
    except DateFormatError:
        return None
    return format_datetime(moment)


def utc_iso(value: str | None) -> str | None:
    """Normalise a caller's date (``2024-01-01`` or a date-time) the way index dates are."""
    if value is None:
        return None
    text = value.strip()
    return _date(text if "T" in text else f"{text}T00:00:00Z")


# ---- status ---------------------------------------------------------------------------------


def derive_status(report: VerificationReport) -> Status:
    """One word for the verdict; see the module docstring for the order of precedence."""
    deciding = [c for c in report.checks if not c.advisory]
    failed = [c for c in deciding if c.outcome is Outcome.FAILED]
    if any(c.id not in _NOT_INTEGRITY for c in failed):
        return "invalid"
    status_failures = [c for c in failed if c.id in _STATUS_CHECKS]
    if status_failures:
        return "suspended" if all(_is_suspension(c) for c in status_failures) else "revoked"
    if failed:
        return "expired"
    return "valid" if report.verified else "unverified"


def integrity_failures(report: VerificationReport) -> list[str]:
    """Why the credential itself cannot be trusted (signature, shape, issuer key), if it can't."""
    return [
        f"{c.target}: {c.message}"
        for c in report.checks
        if c.outcome is Outcome.FAILED and not c.advisory and c.id not in _NOT_INTEGRITY
    ]


def _is_suspension(check: Check) -> bool:
    return check.details.get("statusPurpose") == "suspension"


# ---- recipient ------------------------------------------------------------------------------


async def match_recipient(
    verifier: Verifier,
    document: Mapping[str, Any],
    kind: str | None,
    learner: Learner,
    options: VerificationOptions,
) -> tuple[Recipient, str]:
    """Compare the credential's recipient with each of the learner's identities.

    The validator's own subject (OB 3.0) and recipient (OB 2.0) checks do the comparing, once
    per pair of expected values, on a scratch report: no proof is verified again.
    """
    pairs = list(zip_longest(learner.emails, learner.dids))
    if not pairs:
        return "unknown", "The account has no verified email address or DID to compare with."
    last: Check | None = None
    for email, did in pairs:
        expected = VerificationOptions(expected_email=email, expected_did=did, now=options.now)
        check = await _one_comparison(verifier, document, kind, expected)
        if check is None:
            return "unknown", "The credential names no recipient the wallet can compare."
        if check.outcome is Outcome.PASSED:
            return "matched", check.message
        last = check
    return _unmatched(last)


def _unmatched(last: Check | None) -> tuple[Recipient, str]:
    if last is None or last.outcome is not Outcome.FAILED or last.error_code == "MALFORMED_SUBJECT":
        return "unknown", last.message if last else "The recipient could not be compared."
    return "mismatch", "It names none of this account's verified emails or DIDs."


async def _one_comparison(
    verifier: Verifier,
    document: Mapping[str, Any],
    kind: str | None,
    options: VerificationOptions,
) -> Check | None:
    scratch = VerificationReport()
    if kind == "ob2-assertion":
        run = Run(scratch, "assertion", options, Graph(None))
        ob2_nodes.check_recipient(run, document.get("recipient"))
    elif kind == "credential":
        ctx = CheckContext(dict(document), "credential", options, verifier, scratch)
        await check_subject(ctx)
    return _comparison(scratch.checks)


def _comparison(checks: Iterable[Check]) -> Check | None:
    for check in checks:
        if check.id in ("subject", "recipient"):
            return check
    return None


def is_storable_kind(document: Mapping[str, Any], kind: str | None) -> bool:
    """A credential or an OB 2.0 assertion; not a presentation, badge class or profile."""
    if kind == "ob2-assertion":
        return has_ob2_type(document, "Assertion")
    return kind == "credential"


def join_errors(errors: Sequence[str], limit: int = 3) -> str:
    shown = "; ".join(errors[:limit])
    more = len(errors) - limit
    return shown + (f" (and {more} more)" if more > 0 else "")
