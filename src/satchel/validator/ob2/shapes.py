"""Shape rules of the OB 2.0 classes: required properties and their value kinds.

Each function returns the problems it found as sentences (empty when the node is well formed),
following the property tables of the OB 2.0 specification as 1EdTech's validator applies them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from satchel.validator.dates import DateFormatError
from satchel.validator.ob2.model import (
    OB2_CLASSES,
    PROFILE_TYPES,
    as_list,
    has_ob2_type,
    node_id,
    parse_ob2_datetime,
    types_of,
    verification_of,
    verification_type,
)

RECIPIENT_TYPES = ("email", "url", "telephone", "id")
Rule = Callable[[Mapping[str, Any]], list[str]]


def type_problems(node: Mapping[str, Any]) -> list[str]:
    """Every ``type`` value must be an OB 2.0 class or an IRI (full or compact)."""
    types = types_of(node)
    if not types:
        return ["it has no type"]
    unknown = [t for t in types if not (isinstance(t, str) and (t in OB2_CLASSES or ":" in t))]
    return [f"type {t!r} is neither an Open Badges 2.0 class nor an IRI" for t in unknown]


def _text(node: Mapping[str, Any], name: str, required: bool = True) -> list[str]:
    value = node.get(name)
    if value is None:
        return [f"{name} is missing"] if required else []
    return [] if isinstance(value, str) and value.strip() else [f"{name} must be text"]


def _reference(node: Mapping[str, Any], name: str) -> list[str]:
    value = node.get(name)
    if value is None:
        return [f"{name} is missing"]
    if isinstance(value, str) and value:
        return []
    if isinstance(value, Mapping):
        return []
    return [f"{name} must be an address or an embedded object"]


def _datetime(node: Mapping[str, Any], name: str, required: bool) -> list[str]:
    if name not in node:
        return [f"{name} is missing"] if required else []
    try:
        parse_ob2_datetime(node[name])
    except DateFormatError:
        return [f"{name} {node[name]!r} is not an ISO 8601 date and time"]
    return []


def _must_have_type(node: Mapping[str, Any], *names: str) -> list[str]:
    if has_ob2_type(node, *names):
        return []
    return [f"its type {types_of(node)!r} does not include {' or '.join(names)}"]


def identity_object_problems(recipient: Any) -> list[str]:
    if not isinstance(recipient, Mapping):
        return ["recipient must be an IdentityObject (type, identity, hashed)"]
    problems = []
    if recipient.get("type") not in RECIPIENT_TYPES:
        problems.append(f"recipient type must be one of {', '.join(RECIPIENT_TYPES)}")
    if not isinstance(recipient.get("hashed"), bool):
        problems.append("recipient hashed must be true or false")
    problems += [f"recipient {p}" for p in _text(recipient, "identity")]
    problems += [f"recipient {p}" for p in _text(recipient, "salt", required=False)]
    identity = recipient.get("identity")
    if recipient.get("hashed") is True and isinstance(identity, str) and "$" not in identity:
        problems.append("a hashed recipient identity must look like sha256$… or md5$…")
    return problems


def _verification_problems(node: Mapping[str, Any]) -> list[str]:
    verification = verification_of(node)
    if not isinstance(verification, Mapping):
        return ["verification is missing (it says whether the badge is hosted or signed)"]
    if verification_type(node) is None:
        return [f"verification type {verification.get('type')!r} is neither hosted nor signed"]
    return []


def assertion_problems(node: Mapping[str, Any]) -> list[str]:
    return [
        *_text(node, "id"),
        *_must_have_type(node, "Assertion"),
        *identity_object_problems(node.get("recipient")),
        *_reference(node, "badge"),
        *_verification_problems(node),
        *_datetime(node, "issuedOn", required=True),
        *_datetime(node, "expires", required=False),
    ]


def badge_class_problems(node: Mapping[str, Any]) -> list[str]:
    return [
        *_text(node, "id"),
        *_must_have_type(node, "BadgeClass"),
        *_text(node, "name"),
        *_text(node, "description"),
        *_reference(node, "criteria"),
        *_reference(node, "issuer"),
    ]


def profile_problems(node: Mapping[str, Any]) -> list[str]:
    return [
        *_text(node, "id"),
        *_must_have_type(node, *PROFILE_TYPES),
        *_text(node, "name"),
        *_text(node, "url"),
        *_text(node, "email"),
    ]


def endorsement_problems(node: Mapping[str, Any]) -> list[str]:
    claim = node.get("claim")
    claim_problems = [] if node_id(claim) else ["claim must name what it endorses by its id"]
    return [
        *_text(node, "id"),
        *_must_have_type(node, "Endorsement"),
        *claim_problems,
        *_reference(node, "issuer"),
        *_verification_problems(node),
        *_datetime(node, "issuedOn", required=True),
    ]


def key_problems(node: Mapping[str, Any]) -> list[str]:
    return [*_text(node, "publicKeyPem"), *_text(node, "owner")]


def revocation_list_problems(node: Mapping[str, Any]) -> list[str]:
    problems = _must_have_type(node, "RevocationList")
    entries = node.get("revokedAssertions", [])
    if not isinstance(entries, list):
        problems.append("revokedAssertions must be a list")
    return problems


def revoked_entry_matches(entry: Any, assertion: Mapping[str, Any]) -> bool:
    """A revokedAssertions entry (an id, or an object with id or OB 1.x uid) names the assertion."""
    names = {v for v in (assertion.get("id"), assertion.get("uid")) if isinstance(v, str)}
    if isinstance(entry, str):
        return entry in names
    if isinstance(entry, Mapping):
        return any(entry.get(k) in names for k in ("id", "uid") if isinstance(entry.get(k), str))
    return False


def profile_keys(profile: Mapping[str, Any]) -> list[str]:
    return [k for k in (node_id(v) for v in as_list(profile.get("publicKey"))) if k]
