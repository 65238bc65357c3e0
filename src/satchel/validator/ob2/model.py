"""Open Badges 2.0 vocabulary and the small readers every OB 2.0 check shares."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from satchel.validator.dates import parse_datetime

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
# Other addresses that serve the same document (see contexts/data/MANIFEST.json).
OB2_CONTEXT_ALIASES = frozenset(
    {
        "https://w3id.org/openbadges/v2/",
        "https://openbadgespec.org/v2/context.json",
        "https://purl.imsglobal.org/spec/ob/v2p0/context/context.json",
    }
)
OB2_VOCABULARY = "https://w3id.org/openbadges#"

# The classes the OB 2.0 context defines: any other type must be a full or compact IRI.
OB2_CLASSES = frozenset(
    {
        "AlignmentObject",
        "CryptographicKey",
        "Endorsement",
        "Assertion",
        "BadgeClass",
        "Criteria",
        "Evidence",
        "Extension",
        "FrameValidation",
        "IdentityObject",
        "Image",
        "HostedBadge",
        "Issuer",
        "Profile",
        "RevocationList",
        "SignedBadge",
        "TypeValidation",
        "VerificationObject",
    }
)
HOSTED_TYPES = frozenset({"hosted", "HostedBadge"})
SIGNED_TYPES = frozenset({"signed", "SignedBadge"})
PROFILE_TYPES = ("Issuer", "Profile")

# ISO 8601 with minutes but no seconds ("2017-10-01T00:00Z") appears in OB 2.0 badges.
_NO_SECONDS_RE = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(Z|[+-]\d{2}:\d{2})?$", re.IGNORECASE)


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def types_of(node: Mapping[str, Any]) -> list[Any]:
    return as_list(node.get("type"))


def has_ob2_type(node: Mapping[str, Any], *names: str) -> bool:
    return any(t in names for t in types_of(node))


def node_id(value: Any) -> str | None:
    """The id of a reference: the string itself, or an embedded node's ``id``."""
    if isinstance(value, Mapping):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def badge_and_issuer(
    assertion: Mapping[str, Any], linked: Mapping[str, Mapping[str, Any]]
) -> tuple[Mapping[str, Any], Any]:
    """An assertion's BadgeClass and issuer: embedded, else as verification fetched them.

    ``linked`` is a report's ``linked`` (hosted badges name both by URL). The BadgeClass is
    ``{}`` when neither has it; the issuer is then whatever the BadgeClass says (a profile, a
    URL or nothing).
    """
    badge = assertion.get("badge")
    if not isinstance(badge, Mapping):
        badge = linked.get("badge", {})
    issuer = badge.get("issuer")
    if not isinstance(issuer, Mapping):
        issuer = linked.get("issuer", issuer)
    return badge, issuer


def is_http_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def authority(url: str) -> str:
    """host[:port] of a URL, lower-cased, as OB 2.0 ``allowedOrigins`` lists them."""
    return urlsplit(url).netloc.lower()


def verification_of(node: Mapping[str, Any]) -> Any:
    """``verification``, or its OB 1.x name ``verify`` (the OB 2.0 context aliases them)."""
    return node.get("verification", node.get("verify"))


def verification_type(node: Mapping[str, Any]) -> str | None:
    verification = verification_of(node)
    if isinstance(verification, Mapping):
        kinds = [t for t in as_list(verification.get("type")) if isinstance(t, str)]
        for kind in kinds:
            if kind in HOSTED_TYPES:
                return "hosted"
            if kind in SIGNED_TYPES:
                return "signed"
    return None


def context_entries(document: Mapping[str, Any]) -> list[Any]:
    return as_list(document.get("@context"))


def is_ob2_context_url(entry: Any) -> bool:
    return isinstance(entry, str) and (entry == OB2_CONTEXT or entry in OB2_CONTEXT_ALIASES)


def is_inline_ob2_context(entry: Any) -> bool:
    """An embedded copy of the OB 2.0 context (some issuers inline it instead of linking)."""
    return (
        isinstance(entry, Mapping)
        and entry.get("obi") == OB2_VOCABULARY
        and entry.get("Assertion") == "obi:Assertion"
    )


def has_ob2_context(document: Mapping[str, Any]) -> bool:
    return any(is_ob2_context_url(e) or is_inline_ob2_context(e) for e in context_entries(document))


def parse_ob2_datetime(value: Any) -> datetime:
    """An OB 2.0 ISO 8601 dateTime as an aware UTC instant; raises ``DateFormatError``."""
    if isinstance(value, str):
        match = _NO_SECONDS_RE.match(value)
        if match:
            value = f"{match.group(1)}:00{match.group(2) or ''}"
    instant, _ = parse_datetime(value)
    return instant
