"""Checks on the assertion's own content and on the nodes it links to (BadgeClass, Profile)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from satchel.validator.dates import DateFormatError
from satchel.validator.identity import IdentityHashError, identity_matches
from satchel.validator.ob2.model import (
    OB2_CONTEXT,
    context_entries,
    is_http_url,
    is_inline_ob2_context,
    is_ob2_context_url,
    node_id,
    parse_ob2_datetime,
)
from satchel.validator.ob2.run import Run
from satchel.validator.ob2.shapes import (
    badge_class_problems,
    profile_problems,
    type_problems,
)
from satchel.validator.report import Outcome

IMAGE_MEDIA_TYPES = ("image/png", "image/svg+xml")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def check_contexts(run: Run, document: Mapping[str, Any]) -> None:
    entries = context_entries(document)
    if OB2_CONTEXT in entries:
        run.add("contexts", Outcome.PASSED, "It uses the Open Badges 2.0 JSON-LD context.")
    elif any(is_ob2_context_url(e) for e in entries):
        run.add(
            "contexts",
            Outcome.WARNING,
            f"It uses another address of the Open Badges 2.0 context; {OB2_CONTEXT} is usual.",
        )
    elif any(is_inline_ob2_context(e) for e in entries):
        run.add(
            "contexts",
            Outcome.WARNING,
            f"It embeds a copy of the Open Badges 2.0 context instead of linking {OB2_CONTEXT}.",
        )
    else:
        run.add(
            "contexts",
            Outcome.FAILED,
            f"It does not use the Open Badges 2.0 context ({OB2_CONTEXT}), so its terms have no "
            "defined meaning.",
            error_code="PARSING_ERROR",
            details={"@context": document.get("@context")},
        )


def check_types(
    run: Run, document: Mapping[str, Any], expected: tuple[str, ...] | None = None
) -> bool:
    """The ``types`` check; True when every type is valid and (if given) one is ``expected``."""
    problems = type_problems(document)
    if not problems and expected and not any(t in expected for t in _types(document)):
        problems = [f"it is not one of {', '.join(expected)}"]
    if problems:
        run.add("types", Outcome.FAILED, _sentence("The type is wrong", problems))
        return False
    run.add("types", Outcome.PASSED, f"It is an Open Badges 2.0 {_main_type(document)}.")
    return True


def _types(document: Mapping[str, Any]) -> list[Any]:
    value = document.get("type")
    return value if isinstance(value, list) else [value]


def _main_type(document: Mapping[str, Any]) -> str:
    return next((str(t) for t in _types(document) if isinstance(t, str)), "object")


def check_properties(run: Run, problems: list[str], what: str) -> bool:
    if problems:
        run.add("properties", Outcome.FAILED, _sentence(f"The {what} is malformed", problems))
        return False
    run.add("properties", Outcome.PASSED, f"The {what} has every required property.")
    return True


def _sentence(lead: str, problems: list[str]) -> str:
    return f"{lead}: {'; '.join(problems)}."


async def resolve_badge(run: Run, reference: Any) -> dict[str, Any] | None:
    """The ``badge`` check: the BadgeClass, embedded or fetched, and its shape."""
    badge, notes = await _resolve(run, "badge", reference, "badge description (BadgeClass)")
    if badge is None:
        return None
    problems = badge_class_problems(badge)
    if problems:
        run.add("badge", Outcome.FAILED, _sentence("The BadgeClass is malformed", problems))
        return badge
    _add_with_notes(run, "badge", f"The BadgeClass {badge.get('name')!r} is well formed.", notes)
    return badge


async def resolve_issuer(run: Run, reference: Any) -> dict[str, Any] | None:
    """The ``issuer`` and ``issuer-https`` checks: the issuer's Profile and its address.

    An embedded profile with a web id is fetched again from that id: its verification policy,
    keys and revocation list must come from the issuer, not from whoever hosts the badge.
    """
    ident = node_id(reference)
    if isinstance(reference, Mapping) and is_http_url(ident):
        reference = ident
    profile, notes = await _resolve(run, "issuer", reference, "issuer's profile")
    if profile is None:
        return None
    problems = profile_problems(profile)
    if problems:
        run.add("issuer", Outcome.FAILED, _sentence("The issuer's profile is malformed", problems))
    else:
        message = f"The issuer's profile ({profile.get('name')!r}) is well formed."
        _add_with_notes(run, "issuer", message, notes)
    _check_issuer_https(run, node_id(profile) or ident)
    return profile


def _check_issuer_https(run: Run, ident: str | None) -> None:
    if isinstance(ident, str) and ident.startswith("https://"):
        run.add("issuer-https", Outcome.PASSED, f"The issuer's id {ident} is an https address.")
        return
    run.add(
        "issuer-https",
        Outcome.WARNING,
        f"The issuer's id {ident!r} is not an https address, so nobody can confirm over a "
        "secure connection that the profile really belongs to the issuer.",
        details={"code": "issuer-non-https"},
    )


async def _resolve(
    run: Run, check_id: str, reference: Any, what: str
) -> tuple[dict[str, Any] | None, list[str]]:
    if isinstance(reference, Mapping):
        return dict(reference), []
    if not isinstance(reference, str) or not reference:
        run.add(check_id, Outcome.FAILED, f"The {what} is not named.")
        return None, []
    if not is_http_url(reference):
        run.add(
            check_id,
            Outcome.NOT_CHECKED,
            f"The {what} is named {reference!r}, which is not a web address to look up.",
        )
        return None, []
    fetched = await run.graph.get(reference)
    if fetched.document is None:
        run.add(check_id, fetched.outcome, f"The {what} could not be read: {fetched.problem}")
        return None, []
    notes = []
    declared = node_id(fetched.document)
    if declared != reference:
        notes.append(f"the document at {reference} calls itself {declared!r}")
    return fetched.document, notes


def _add_with_notes(run: Run, check_id: str, message: str, notes: list[str]) -> None:
    if notes:
        run.add(check_id, Outcome.WARNING, _sentence(message + " However", notes))
    else:
        run.add(check_id, Outcome.PASSED, message)


def check_validity(run: Run, document: Mapping[str, Any]) -> None:
    """issuedOn not in the future, expires not passed and not before issuedOn."""
    try:
        issued = parse_ob2_datetime(document.get("issuedOn"))
        expires = parse_ob2_datetime(document["expires"]) if "expires" in document else None
    except DateFormatError as exc:
        run.add("validity", Outcome.FAILED, f"A date cannot be read: {exc}.")
        return
    now, skew = run.options.current_time(), run.options.clock_skew
    problem = _validity_problem(issued, expires, now, skew.total_seconds())
    if problem:
        run.add("validity", Outcome.FAILED, problem, details=_dates(issued, expires, now))
        return
    until = f" and is valid until {expires.isoformat()}" if expires else " and never expires"
    run.add(
        "validity",
        Outcome.PASSED,
        f"It was issued on {issued.isoformat()}{until}.",
        details=_dates(issued, expires, now),
    )


def _validity_problem(
    issued: datetime, expires: datetime | None, now: datetime, skew: float
) -> str | None:
    if (issued - now).total_seconds() > skew:
        return f"It says it was issued on {issued.isoformat()}, which is in the future."
    if expires is not None and expires < issued:
        return f"It expires ({expires.isoformat()}) before it was issued ({issued.isoformat()})."
    if expires is not None and (now - expires).total_seconds() > skew:
        return f"It expired on {expires.isoformat()}."
    return None


def _dates(issued: datetime, expires: datetime | None, now: datetime) -> dict[str, Any]:
    details = {"issuedOn": issued.isoformat(), "checkedAt": now.isoformat()}
    if expires is not None:
        details["expires"] = expires.isoformat()
    return details


def check_recipient(run: Run, recipient: Any) -> None:
    """The ``recipient`` check, run only when the caller says whom the badge should name."""
    if not isinstance(recipient, Mapping):
        run.add("recipient", Outcome.FAILED, "The badge does not name its recipient properly.")
        return
    kind = recipient.get("type")
    expected = _expected_for(run, kind)
    if not run.options.expects_recipient:
        hashed = "a hashed " if recipient.get("hashed") else "a plain "
        run.add(
            "recipient",
            Outcome.NOT_CHECKED,
            f"No expected recipient was given; the badge names its recipient by {hashed}{kind}.",
        )
        return
    if expected is None:
        run.add(
            "recipient",
            Outcome.FAILED,
            f"The badge names its recipient by {kind}, not by what was expected.",
        )
        return
    _match_recipient(run, recipient, expected, is_email=kind == "email")


def _expected_for(run: Run, kind: Any) -> str | None:
    options = run.options
    return {
        "email": options.expected_email,
        "url": options.expected_url,
        "telephone": options.expected_phone,
        "id": options.expected_did or options.expected_url,
    }.get(kind if isinstance(kind, str) else "")


def _match_recipient(run: Run, recipient: Mapping[str, Any], expected: str, is_email: bool) -> None:
    identity, salt = recipient.get("identity"), recipient.get("salt")
    if not isinstance(identity, str) or not (salt is None or isinstance(salt, str)):
        run.add("recipient", Outcome.FAILED, "The recipient identity or its salt is not text.")
        return
    try:
        matches = identity_matches(
            identity, expected, hashed=recipient.get("hashed") is True, salt=salt, is_email=is_email
        )
    except IdentityHashError as exc:
        run.add("recipient", Outcome.FAILED, f"The recipient cannot be compared: {exc}.")
        return
    if matches:
        run.add("recipient", Outcome.PASSED, f"The badge was issued to {expected}.")
    else:
        run.add("recipient", Outcome.FAILED, f"The badge was not issued to {expected}.")


def check_images(run: Run, images: dict[str, Any]) -> None:
    """The ``image`` check: each image is a web address or a readable PNG/SVG data URI."""
    present = {where: v for where, v in images.items() if v is not None}
    if not present:
        return
    problems = []
    for where, value in present.items():
        problem = _image_problem(node_id(value))
        if problem:
            problems.append(f"the {where} image {problem}")
    if problems:
        run.add("image", Outcome.FAILED, _sentence("An image is unusable", problems))
    else:
        run.add("image", Outcome.PASSED, f"The {' and '.join(present)} image(s) are usable.")


def _image_problem(value: str | None) -> str | None:
    if value is None:
        return "has no address"
    if is_http_url(value):
        return None
    if not value.startswith("data:"):
        return "is neither a web address nor a data URI"
    header, sep, data = value[5:].partition(",")
    media_type, *params = header.split(";")
    if not sep or media_type.lower() not in IMAGE_MEDIA_TYPES or "base64" not in params:
        return "data URI must be base64 PNG or SVG"
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return "data URI is not valid base64"
    if media_type.lower() == "image/png" and not raw.startswith(PNG_SIGNATURE):
        return "data URI says PNG but does not hold a PNG"
    return None


def check_extensions(run: Run, nodes: dict[str, Mapping[str, Any] | None]) -> None:
    """Extensions are reported, not validated: their contexts and schemas are never fetched."""
    found = [
        f"{key} (in the {where})"
        for where, node in nodes.items()
        if node is not None
        for key in node
        if key.startswith("extensions:")
    ]
    if found:
        run.add(
            "extensions",
            Outcome.NOT_CHECKED,
            f"Extensions were not validated (Satchel does not fetch extension contexts or "
            f"schemas): {', '.join(found)}.",
        )
