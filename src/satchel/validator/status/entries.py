"""The ``credentialStatus`` entries of a credential, read and validated before anything is fetched.

Bitstring Status List v1.0 §2.1 (BitstringStatusListEntry): ``statusPurpose`` (the spec names
refresh, revocation, suspension and message; others are allowed), ``statusListIndex`` (a
non-negative integer written as a base-10 string), ``statusListCredential`` (a URL),
``statusSize`` (integer > 0, default 1), ``statusMessage`` (MUST be present when ``statusSize``
> 1: objects mapping a ``0x`` hex ``status`` to a ``message``), ``statusReference`` (URLs).
W3C CCG StatusList2021 §2.1 (StatusList2021Entry) has the same members without the last three.
The 1EdTech Revocation List Status Method 1.0 entry is only ``{"type": "1EdTechRevocationList",
"id": <list URL>}``.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from yarl import URL

from satchel.validator.status.errors import MalformedStatusEntryError

BITSTRING_ENTRY = "BitstringStatusListEntry"
STATUS_LIST_2021_ENTRY = "StatusList2021Entry"
REVOCATION_LIST_1EDTECH = "1EdTechRevocationList"
KNOWN_TYPES = (BITSTRING_ENTRY, STATUS_LIST_2021_ENTRY, REVOCATION_LIST_1EDTECH)

# 2**32 messages would already be absurd; this bounds the work of reading one entry.
MAX_STATUS_SIZE = 32
_INDEX_TEXT = re.compile(r"[0-9]{1,20}")
_HEX_STATUS = re.compile(r"0x[0-9a-fA-F]{1,16}")


class Purpose(enum.StrEnum):
    REVOCATION = "revocation"
    SUSPENSION = "suspension"
    MESSAGE = "message"
    REFRESH = "refresh"


@dataclass(frozen=True)
class ListEntry:
    """A BitstringStatusListEntry or StatusList2021Entry, validated."""

    type: str
    purpose: str
    index: int
    list_url: str
    size: int = 1
    messages: Mapping[int, str] = field(default_factory=dict)
    references: tuple[str, ...] = ()

    @property
    def multibase(self) -> bool:
        """Bitstring lists are Multibase-encoded; StatusList2021 lists are plain base64."""
        return self.type == BITSTRING_ENTRY


@dataclass(frozen=True)
class RevocationListEntry:
    """A 1EdTechRevocationList entry: the list lives at ``list_url``."""

    list_url: str


def entry_type(entry: Mapping[str, Any]) -> str | None:
    """The entry's status type: a known one if it lists one, else its first type string."""
    raw = entry.get("type")
    types = [t for t in (raw if isinstance(raw, list) else [raw]) if isinstance(t, str)]
    known = [t for t in types if t in KNOWN_TYPES]
    chosen = known or types
    return chosen[0] if chosen else None


def parse_list_entry(entry: Mapping[str, Any], type_name: str) -> ListEntry:
    """Validate a bitstring-style entry; raises :class:`MalformedStatusEntryError`."""
    purpose = entry.get("statusPurpose")
    if not isinstance(purpose, str) or not purpose:
        raise MalformedStatusEntryError("the status entry has no statusPurpose")
    size = _status_size(entry) if type_name == BITSTRING_ENTRY else 1
    messages = _status_messages(entry.get("statusMessage"))
    if size > 1 and not messages:
        raise MalformedStatusEntryError(
            f"statusSize is {size}, so the entry must list its statusMessage values"
        )
    return ListEntry(
        type=type_name,
        purpose=purpose,
        index=_status_index(entry.get("statusListIndex")),
        list_url=_list_url(entry.get("statusListCredential"), "statusListCredential"),
        size=size,
        messages=messages,
        references=_references(entry.get("statusReference")),
    )


def parse_revocation_entry(entry: Mapping[str, Any]) -> RevocationListEntry:
    return RevocationListEntry(_list_url(entry.get("id"), "id"))


def _status_index(value: object) -> int:
    # The spec writes the index as a string; a JSON integer (1EdTech's fixtures) is tolerated.
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and _INDEX_TEXT.fullmatch(value):
        return int(value)
    raise MalformedStatusEntryError(
        f"statusListIndex {value!r} is not a non-negative whole number written in base 10"
    )


def _status_size(entry: Mapping[str, Any]) -> int:
    value = entry.get("statusSize", 1)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise MalformedStatusEntryError(f"statusSize {value!r} is not a whole number above 0")
    if value > MAX_STATUS_SIZE:
        raise MalformedStatusEntryError(
            f"statusSize {value} is larger than the {MAX_STATUS_SIZE} bits Satchel reads"
        )
    return value


def _status_messages(value: object) -> dict[int, str]:
    if value is None:
        return {}
    if not isinstance(value, list):
        raise MalformedStatusEntryError("statusMessage must be a list of {status, message}")
    messages: dict[int, str] = {}
    for item in value:
        status = item.get("status") if isinstance(item, Mapping) else None
        message = item.get("message") if isinstance(item, Mapping) else None
        if not isinstance(status, str) or not _HEX_STATUS.fullmatch(status):
            raise MalformedStatusEntryError(
                f"statusMessage entry {item!r} has no hexadecimal status such as '0x1'"
            )
        if not isinstance(message, str):
            raise MalformedStatusEntryError(f"statusMessage entry for {status} has no message")
        messages[int(status, 16)] = message
    return messages


def _references(value: object) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [] if value is None else [value]
    if not all(isinstance(v, str) for v in values):
        raise MalformedStatusEntryError("statusReference must be a URL or a list of URLs")
    return tuple(values)


def _list_url(value: object, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise MalformedStatusEntryError(f"the status entry has no {name} URL")
    try:
        url = URL(value)
    except (ValueError, TypeError) as exc:
        raise MalformedStatusEntryError(f"{name} {value!r} is not a URL ({exc})") from exc
    if url.scheme.lower() not in ("https", "http") or not url.raw_host:
        raise MalformedStatusEntryError(f"{name} {value!r} is not an https URL")
    return value
