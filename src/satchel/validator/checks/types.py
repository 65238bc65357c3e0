"""Types: what the document says it is, and whether its Open Badges / CLR objects say the same.

The credential's own ``type`` decides its kind (:func:`credential_kind`); the other checks
(contexts, schema, issuer) ask the same function, so every check agrees on what is checked.
Inside an OB 3.0 credential the objects whose type 1EdTech's validator checks (subject, achievement,
result, evidence, source…) must carry their OB type too: those rules hold for VC 1.1 credentials,
where JSON-schema differences are only warnings. The issuer's types belong to the issuer check and
``credentialSubject.identifier`` to the subject check.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from satchel.validator.context import CheckContext
from satchel.validator.report import Outcome

OB_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/"
CLR_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/clr/v2p0/"
OB_ACHIEVEMENT_TYPES = ("OpenBadgeCredential", "AchievementCredential")


class CredentialKind(enum.Enum):
    """What a document is, as its ``type`` says; ``label`` is for messages."""

    OB_ACHIEVEMENT = "an Open Badges 3.0 achievement credential"
    OB_ENDORSEMENT = "an Open Badges 3.0 endorsement credential"
    CLR = "a CLR 2.0 credential"
    VC = "a W3C verifiable credential"
    PRESENTATION = "a W3C verifiable presentation"
    UNKNOWN = "a document of unknown type"

    @property
    def label(self) -> str:
        return self.value

    @property
    def is_open_badge(self) -> bool:
        """OB 3.0 and CLR 2.0 credentials: the 1EdTech rules (contexts, Profile issuers) apply."""
        return self in (
            CredentialKind.OB_ACHIEVEMENT,
            CredentialKind.OB_ENDORSEMENT,
            CredentialKind.CLR,
        )


# The subject type each kind requires.
SUBJECT_TYPES = {
    CredentialKind.OB_ACHIEVEMENT: "AchievementSubject",
    CredentialKind.OB_ENDORSEMENT: "EndorsementSubject",
    CredentialKind.CLR: "ClrSubject",
}


@dataclass(frozen=True)
class NestedType:
    """``path`` (keys from the subject; ``[]`` marks a list member) must include ``required``."""

    path: tuple[str, ...]
    required: str


# Inside an achievement subject: the objects 1EdTech's CredentialSubjectProbe type-checks.
ACHIEVEMENT_SUBJECT_MEMBERS = (
    NestedType(("achievement",), "Achievement"),
    NestedType(("achievement", "creator"), "Profile"),
    NestedType(("achievement", "resultDescription", "[]"), "ResultDescription"),
    NestedType(("achievement", "alignment", "[]"), "Alignment"),
    NestedType(("result", "[]"), "Result"),
    NestedType(("source",), "Profile"),
)


def type_names(value: Any) -> list[str]:
    """The type names of a JSON value's ``type``: a string or the strings in a list."""
    types = value.get("type") if isinstance(value, Mapping) else None
    listed = types if isinstance(types, list) else [types]
    return [t for t in listed if isinstance(t, str) and t]


def credential_kind(document: Mapping[str, Any]) -> CredentialKind:
    types = type_names(document)
    if "VerifiablePresentation" in types:
        return CredentialKind.PRESENTATION
    if "ClrCredential" in types:
        return CredentialKind.CLR
    if any(t in types for t in OB_ACHIEVEMENT_TYPES):
        return CredentialKind.OB_ACHIEVEMENT
    if "EndorsementCredential" in types:
        return CredentialKind.OB_ENDORSEMENT
    if "VerifiableCredential" in types:
        return CredentialKind.VC
    return CredentialKind.UNKNOWN


def uses_open_badges_context(document: Mapping[str, Any]) -> bool:
    contexts = document.get("@context")
    listed = contexts if isinstance(contexts, list) else [contexts]
    return any(
        isinstance(c, str) and c.startswith((OB_CONTEXT_PREFIX, CLR_CONTEXT_PREFIX)) for c in listed
    )


async def check_types(ctx: CheckContext) -> None:
    document = ctx.document
    types = type_names(document)
    if not types:
        ctx.add("types", Outcome.FAILED, f"The {ctx.target} has no type, so it is not a VC.")
        return
    kind = credential_kind(document)
    if kind is CredentialKind.PRESENTATION:
        ctx.add("types", Outcome.PASSED, f"The {ctx.target} is {kind.label}.")
        return
    problem = _top_level_problem(document, types, kind)
    if problem is None:
        problem = _member_problem(document, kind)
    if problem is not None:
        ctx.add("types", Outcome.FAILED, problem, details={"type": types})
        return
    named = ", ".join(t for t in types if t != "VerifiableCredential") or "VerifiableCredential"
    ctx.add(
        "types",
        Outcome.PASSED,
        f"The {ctx.target} is {kind.label} ({named}).",
        details={"type": types, "kind": kind.name},
    )


def _top_level_problem(
    document: Mapping[str, Any], types: list[str], kind: CredentialKind
) -> str | None:
    shown = ", ".join(types)
    if "VerifiableCredential" not in types:
        return f"The type ({shown}) must include VerifiableCredential."
    if kind is CredentialKind.VC and uses_open_badges_context(document):
        return (
            f"The credential uses the Open Badges context but its type ({shown}) names none of "
            "OpenBadgeCredential, AchievementCredential, EndorsementCredential or ClrCredential, "
            "so it is not an Open Badges credential."
        )
    return None


def _member_problem(document: Mapping[str, Any], kind: CredentialKind) -> str | None:
    required = SUBJECT_TYPES.get(kind)
    if required is None:
        return None
    subjects = document.get("credentialSubject")
    for index, subject in enumerate(subjects if isinstance(subjects, list) else [subjects]):
        where = (
            "credentialSubject" if not isinstance(subjects, list) else f"credentialSubject[{index}]"
        )
        if not isinstance(subject, Mapping):
            return f"{where} must be an object of type {required}."
        if required not in type_names(subject):
            shown = _shown(subject)
            return f"{where} is typed {shown}; in {kind.label} it must be of type {required}."
        if kind is CredentialKind.OB_ACHIEVEMENT:
            problem = _achievement_members_problem(subject, where)
            if problem:
                return problem
    if kind is CredentialKind.OB_ACHIEVEMENT:
        return _typed_list_problem(document.get("evidence"), "evidence", "Evidence")
    return None


def _achievement_members_problem(subject: Mapping[str, Any], where: str) -> str | None:
    for member in ACHIEVEMENT_SUBJECT_MEMBERS:
        for path, value in _walk(subject, member.path, where):
            if required_missing(value, member.required):
                return f"{path} is typed {_shown(value)}; it must be of type {member.required}."
    return None


def _typed_list_problem(entries: Any, where: str, required: str) -> str | None:
    if entries is None:
        return None
    listed = entries if isinstance(entries, list) else [entries]
    for index, entry in enumerate(listed):
        path = f"{where}[{index}]" if isinstance(entries, list) else where
        if required_missing(entry, required):
            return f"{path} is typed {_shown(entry)}; it must be of type {required}."
    return None


def required_missing(value: Any, required: str) -> bool:
    """True for an object whose type lacks ``required`` (a bare reference string is not checked)."""
    return isinstance(value, Mapping) and required not in type_names(value)


def _walk(value: Any, path: tuple[str, ...], where: str) -> Iterator[tuple[str, Any]]:
    """The values at ``path`` (``[]`` steps into every list member), with their dotted paths."""
    if not path:
        yield where, value
        return
    step, rest = path[0], path[1:]
    if step == "[]":
        members = value if isinstance(value, list) else [value]
        for index, member in enumerate(members):
            yield from _walk(
                member, rest, f"{where}[{index}]" if isinstance(value, list) else where
            )
        return
    if isinstance(value, Mapping) and value.get(step) is not None:
        yield from _walk(value[step], rest, f"{where}.{step}")


def _shown(value: Any) -> str:
    names = type_names(value)
    return ", ".join(names) if names else "(none)"
