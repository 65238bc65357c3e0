"""Issuer: present, a URI or a profile object, and for Open Badges a well-formed OB 3.0 Profile.

The profile's shape only; whether the signing key belongs to the issuer is the ``issuer-key``
check (checks/proofs.py). As 1EdTech's IssuerProbe, an OB 3.0 / CLR 2.0 issuer object must be
typed Profile, and so must its ``parentOrg`` (followed up to a few levels); each
``otherIdentifier`` entry must be an IdentifierEntry (the type the OB 3.0 schema gives it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from satchel.validator.checks.types import credential_kind, type_names
from satchel.validator.context import CheckContext
from satchel.validator.report import Outcome

# RFC 3986 scheme followed by something: enough to tell a URI from a name or an empty string.
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")
MAX_PARENT_DEPTH = 5


async def check_issuer(ctx: CheckContext) -> None:
    issuer = ctx.document.get("issuer")
    if issuer is None:
        ctx.add("issuer", Outcome.FAILED, f"The {ctx.target} names no issuer.")
        return
    if isinstance(issuer, str):
        _check_issuer_uri(ctx, issuer)
        return
    if not isinstance(issuer, Mapping):
        ctx.add(
            "issuer",
            Outcome.FAILED,
            "The issuer must be a URI or a profile object with an id.",
        )
        return
    open_badge = credential_kind(ctx.document).is_open_badge
    problem = _profile_problem(issuer, "issuer", open_badge, depth=0)
    if problem is not None:
        ctx.add("issuer", Outcome.FAILED, problem, details={"issuer": issuer.get("id")})
        return
    ident = issuer["id"]
    name = issuer.get("name")
    if open_badge and not (isinstance(name, str) and name.strip()):
        ctx.add(
            "issuer",
            Outcome.WARNING,
            f"The issuer profile {ident} has no name, so people cannot see who issued this; "
            "Open Badges 3.0 expects one.",
            details={"issuer": ident},
        )
        return
    shown = f"{name} ({ident})" if isinstance(name, str) and name.strip() else ident
    ctx.add("issuer", Outcome.PASSED, f"Issued by {shown}.", details={"issuer": ident})


def _check_issuer_uri(ctx: CheckContext, issuer: str) -> None:
    if not _URI.match(issuer):
        ctx.add("issuer", Outcome.FAILED, f"The issuer {issuer!r} is not a URI.")
        return
    ctx.add(
        "issuer",
        Outcome.PASSED,
        f"Issued by {issuer} (named by its id only: the credential carries no profile to check).",
        details={"issuer": issuer},
    )


def _profile_problem(
    profile: Mapping[str, Any], where: str, open_badge: bool, depth: int
) -> str | None:
    """What is wrong with a profile object at ``where``, or None."""
    ident = profile.get("id")
    if not isinstance(ident, str) or not ident:
        return f"The {where} profile has no id, so nothing identifies who issued this."
    if not _URI.match(ident):
        return f"The {where} id {ident!r} is not a URI."
    if not open_badge:
        return None
    if "Profile" not in type_names(profile):
        return f"The {where} is typed {_shown(profile)}; in Open Badges it must be a Profile."
    return _other_identifier_problem(profile, where) or _parent_problem(profile, where, depth)


def _other_identifier_problem(profile: Mapping[str, Any], where: str) -> str | None:
    entries = profile.get("otherIdentifier")
    if entries is None:
        return None
    listed = entries if isinstance(entries, list) else [entries]
    for index, entry in enumerate(listed):
        path = f"{where}.otherIdentifier[{index}]"
        if not isinstance(entry, Mapping) or "IdentifierEntry" not in type_names(entry):
            return f"{path} is typed {_shown(entry)}; it must be an IdentifierEntry."
    return None


def _parent_problem(profile: Mapping[str, Any], where: str, depth: int) -> str | None:
    parent = profile.get("parentOrg")
    if parent is None:
        return None
    path = f"{where}.parentOrg"
    if not isinstance(parent, Mapping):
        return f"{path} must be a Profile object (with id and type)."
    if depth + 1 >= MAX_PARENT_DEPTH:
        return f"{path}: parent organisations nest deeper than {MAX_PARENT_DEPTH} levels."
    return _profile_problem(parent, path, open_badge=True, depth=depth + 1)


def _shown(value: Any) -> str:
    names = type_names(value)
    return ", ".join(names) if names else "(no type)"
