"""Subject and recipient: who the credential is about, and whether that is who the caller expects.

An OB 3.0 ``AchievementSubject`` (and a CLR ``ClrSubject``) names its learner by ``id`` and/or
``identifier`` (a list of ``IdentityObject``: plaintext or ``sha256$…``/``md5$…`` with an
optional salt). The recipient is compared only when the caller says whom to expect; otherwise
the check is ``not-checked`` (never ``passed``: an unchecked recipient proves nothing).

Matching rules, per expected value (any one match passes):

- email: IdentityObjects of type ``emailAddress`` and a ``mailto:`` subject id; compared
  case-insensitively (issuers lower-case emails before hashing; the text as given is tried too).
- url: IdentityObjects of type ``url`` and an ``http(s):`` subject id; exact comparison.
- phone: IdentityObjects of type ``phone``/``phoneNumber``/``telephone`` and a ``tel:`` subject
  id. Phones are normalised to E.164-like ``+digits`` (spaces, dashes, dots and brackets
  dropped); a hash is tried over the caller's text as given, ``+digits`` and bare digits,
  because the issuer's formatting is unknown.
- did: IdentityObjects of type ``did`` and a ``did:`` subject id, compared without fragment.

OB 3.0's IdentifierTypeEnum has no url/phone/did members, so their ``ext:`` forms are accepted
too (``ext:url``, ``ext:phone``…). Other identity types (sourcedId, …) are never compared.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from satchel.validator.context import CheckContext
from satchel.validator.identity import SUPPORTED_ALGORITHMS, identity_matches
from satchel.validator.inputs import has_type
from satchel.validator.report import Outcome

# credentialSubject types that must name their learner (OB 3.0 / CLR 2.0 "id or identifier").
LEARNER_SUBJECT_TYPES = ("AchievementSubject", "ClrSubject")
LEARNER_CREDENTIAL_TYPES = ("AchievementCredential", "OpenBadgeCredential", "ClrCredential")
MAX_IDENTIFIERS = 50

IDENTITY_TYPE_KINDS: dict[str, str] = {
    "emailaddress": "email",
    "email": "email",
    "url": "url",
    "phone": "phone",
    "phonenumber": "phone",
    "telephone": "phone",
    "did": "did",
}
ID_SCHEME_KINDS = (("mailto:", "email"), ("tel:", "phone"), ("did:", "did"))
KIND_NAMES = {"email": "email address", "url": "URL", "phone": "phone number", "did": "DID"}
HASH_HEX_LENGTHS = {"sha256": 64, "md5": 32}
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_PHONE_SEPARATORS = re.compile(r"[\s\-.()/]")


class MalformedSubjectError(ValueError):
    """The credentialSubject (or one of its IdentityObjects) breaks the OB 3.0 shape."""


@dataclass(frozen=True)
class Identity:
    """One identity the credential names: ``kind`` is email/url/phone/did or None (other)."""

    kind: str | None
    value: str
    hashed: bool
    salt: str | None
    source: str  # "credentialSubject.id" or "identifier[2] (emailAddress)"


async def check_subject(ctx: CheckContext) -> None:
    try:
        subjects = credential_subjects(ctx.document)
        identities = [i for index, s in enumerate(subjects) for i in subject_identities(s, index)]
        require_learner_named(ctx, subjects)
    except MalformedSubjectError as exc:
        ctx.add("subject", Outcome.FAILED, str(exc), error_code="MALFORMED_SUBJECT")
        return
    if ctx.has_type("EndorsementCredential"):
        _endorsement_subject(ctx, subjects)
        return
    expected = expected_identities(ctx)
    if not expected:
        ctx.add("subject", Outcome.NOT_CHECKED, _nothing_expected_message(ctx, identities))
        return
    _compare(ctx, expected, identities)


def credential_subjects(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    subject = document.get("credentialSubject")
    entries: list[Any] = subject if isinstance(subject, list) else [subject]
    if subject is None or not entries:
        raise MalformedSubjectError("The credential has no credentialSubject: it is about no one.")
    subjects = [s for s in entries if isinstance(s, Mapping)]
    if len(subjects) != len(entries):
        raise MalformedSubjectError("The credentialSubject must be an object (or a list of them).")
    return subjects


def require_learner_named(ctx: CheckContext, subjects: list[Mapping[str, Any]]) -> None:
    """OB 3.0 and CLR 2.0: "Either id or at least one identifier MUST be supplied"."""
    learner_credential = any(ctx.has_type(t) for t in LEARNER_CREDENTIAL_TYPES)
    for subject in subjects:
        typed_learner = any(has_type(subject, t) for t in LEARNER_SUBJECT_TYPES)
        if (learner_credential or typed_learner) and not (
            isinstance(subject.get("id"), str) or subject.get("identifier")
        ):
            raise MalformedSubjectError(
                "The credentialSubject names its learner neither by id nor by identifier; "
                "Open Badges 3.0 requires one of them."
            )


def subject_identities(subject: Mapping[str, Any], index: int) -> list[Identity]:
    prefix = "credentialSubject" if index == 0 else f"credentialSubject[{index}]"
    found: list[Identity] = []
    subject_id = subject.get("id")
    if subject_id is not None and not isinstance(subject_id, str):
        raise MalformedSubjectError(f"{prefix}.id must be a string (a URI).")
    if isinstance(subject_id, str):
        found.append(Identity(_kind_of_id(subject_id), subject_id, False, None, f"{prefix}.id"))
    identifiers = subject.get("identifier", [])
    identifiers = identifiers if isinstance(identifiers, list) else [identifiers]
    if len(identifiers) > MAX_IDENTIFIERS:
        raise MalformedSubjectError(
            f"{prefix} lists {len(identifiers)} identifiers; the limit is {MAX_IDENTIFIERS}."
        )
    for position, entry in enumerate(identifiers):
        found.append(identity_object(entry, f"{prefix}.identifier[{position}]"))
    return found


def identity_object(entry: Any, where: str) -> Identity:
    """Validate one OB 3.0 IdentityObject (required: type, hashed, identityHash, identityType)."""
    if not isinstance(entry, Mapping):
        raise MalformedSubjectError(f"{where} is not an IdentityObject (not a JSON object).")
    if not has_type(entry, "IdentityObject"):
        raise MalformedSubjectError(f"{where} must have type IdentityObject.")
    hashed, value, identity_type = (
        entry.get("hashed"),
        entry.get("identityHash"),
        entry.get("identityType"),
    )
    salt = entry.get("salt")
    if not isinstance(hashed, bool):
        raise MalformedSubjectError(f"{where}.hashed must be true or false.")
    if not isinstance(value, str) or not value:
        raise MalformedSubjectError(f"{where}.identityHash must be a non-empty string.")
    if not isinstance(identity_type, str) or not identity_type:
        raise MalformedSubjectError(f"{where}.identityType must be a non-empty string.")
    if salt is not None and not isinstance(salt, str):
        raise MalformedSubjectError(f"{where}.salt must be a string.")
    if hashed:
        _require_hash_form(value, where)
    kind = IDENTITY_TYPE_KINDS.get(identity_type.removeprefix("ext:").lower())
    return Identity(kind, value, hashed, salt, f"{where} ({identity_type})")


def _require_hash_form(value: str, where: str) -> None:
    algorithm, sep, digest = value.partition("$")
    algorithm = algorithm.lower()
    if (
        not sep
        or algorithm not in SUPPORTED_ALGORITHMS
        or len(digest) != HASH_HEX_LENGTHS[algorithm]
        or not _HEX.match(digest)
    ):
        raise MalformedSubjectError(
            f"{where}.identityHash is marked hashed but is not 'sha256$<64 hex>' or 'md5$<32 hex>'."
        )


def _kind_of_id(subject_id: str) -> str | None:
    lowered = subject_id.lower()
    for scheme, kind in ID_SCHEME_KINDS:
        if lowered.startswith(scheme):
            return kind
    return "url" if lowered.startswith(("https://", "http://")) else None


def expected_identities(ctx: CheckContext) -> list[tuple[str, str]]:
    options = ctx.options
    pairs = [
        ("email", options.expected_email),
        ("url", options.expected_url),
        ("phone", options.expected_phone),
        ("did", options.expected_did),
    ]
    return [(kind, value.strip()) for kind, value in pairs if value and value.strip()]


def _compare(
    ctx: CheckContext, expected: list[tuple[str, str]], identities: list[Identity]
) -> None:
    for kind, value in expected:
        for identity in identities:
            if identity.kind == kind and _matches(identity, kind, value):
                form = "hashed" if identity.hashed else "plaintext"
                ctx.add(
                    "subject",
                    Outcome.PASSED,
                    f"The credential is issued to {value} (matched {identity.source}, {form}).",
                    details={"matched": identity.source, "expected": value},
                )
                return
    wanted = " or ".join(value for _, value in expected)
    comparable = [i for i in identities if i.kind in {k for k, _ in expected}]
    reason = (
        f"none of its {len(comparable)} comparable identities matches"
        if comparable
        else "it names no "
        + " or ".join(KIND_NAMES[k] for k, _ in expected)
        + f" ({_describe_identities(identities)})"
    )
    ctx.add(
        "subject",
        Outcome.FAILED,
        f"The credential is not issued to {wanted}: {reason}.",
        error_code="RECIPIENT_MISMATCH",
    )


def _matches(identity: Identity, kind: str, expected: str) -> bool:
    stored = identity.value
    if not identity.hashed:
        stored = _strip_scheme(stored, kind)
    if kind == "phone":
        candidates = _phone_forms(expected)
        if not identity.hashed:
            return _phone_forms(stored)[1] in candidates
    elif kind == "did":
        candidates = [expected.partition("#")[0]]
        stored = stored if identity.hashed else stored.partition("#")[0]
    else:
        candidates = [expected]
    return any(
        identity_matches(
            stored, c, hashed=identity.hashed, salt=identity.salt, is_email=kind == "email"
        )
        for c in candidates
    )


def _strip_scheme(value: str, kind: str) -> str:
    scheme = {"email": "mailto:", "phone": "tel:"}.get(kind)
    if scheme and value.lower().startswith(scheme):
        return value[len(scheme) :]
    return value


def _phone_forms(phone: str) -> list[str]:
    """The caller's text, ``+digits`` and bare digits (order: as given, E.164, digits)."""
    compact = _PHONE_SEPARATORS.sub("", _strip_scheme(phone.strip(), "phone"))
    digits = compact.lstrip("+")
    forms = [phone.strip(), f"+{digits}" if compact.startswith("+") else digits, digits]
    return list(dict.fromkeys(forms))


def _nothing_expected_message(ctx: CheckContext, identities: list[Identity]) -> str:
    if ctx.depth > 0:
        return (
            "The recipient is compared on the outer document only; this nested credential "
            f"names {_describe_identities(identities)}."
        )
    return (
        "No expected recipient was given, so the recipient was not compared; the credential "
        f"names {_describe_identities(identities)}."
    )


def _describe_identities(identities: list[Identity]) -> str:
    if not identities:
        return "no identity"
    noun = "identity" if len(identities) == 1 else "identities"
    return f"{len(identities)} {noun}: " + ", ".join(i.source for i in identities)


def _endorsement_subject(ctx: CheckContext, subjects: list[Mapping[str, Any]]) -> None:
    """An endorsement has no recipient: its subject is the thing it endorses."""
    endorsed = [s.get("id") for s in subjects if isinstance(s.get("id"), str)]
    if not endorsed:
        ctx.add(
            "subject",
            Outcome.FAILED,
            "The endorsement does not say what it endorses (credentialSubject.id is missing).",
            error_code="MALFORMED_SUBJECT",
        )
        return
    if expected_identities(ctx) and ctx.depth == 0:
        ctx.add(
            "subject",
            Outcome.NOT_CHECKED,
            f"An endorsement has no recipient to compare with the expected one; it endorses "
            f"{endorsed[0]}.",
        )
        return
    ctx.add("subject", Outcome.PASSED, f"The endorsement is about {endorsed[0]}.")
