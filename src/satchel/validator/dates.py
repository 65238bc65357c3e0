"""Parsing of XML Schema dateTime / RFC 3339 timestamps as credentials carry them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

_DATETIME_RE = re.compile(
    r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$", re.IGNORECASE
)


class DateFormatError(ValueError):
    pass


def parse_datetime(value: object) -> tuple[datetime, bool]:
    """The instant, and whether the text carried a time zone (naive values are read as UTC)."""
    if not isinstance(value, str) or not _DATETIME_RE.match(value):
        raise DateFormatError(f"{value!r} is not an XML Schema dateTime")
    text = value.upper().replace("Z", "+00:00")
    # fromisoformat accepts at most 6 fractional digits; credentials sometimes carry more.
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise DateFormatError(f"{value!r} is not a valid date and time: {exc}") from exc
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC), False
    return parsed.astimezone(UTC), True


def format_datetime(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
