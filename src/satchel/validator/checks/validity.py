"""Validity period: validFrom/validUntil (VC 2.0) or issuanceDate/expirationDate (VC 1.1)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from satchel.validator.context import CheckContext
from satchel.validator.dates import DateFormatError, format_datetime, parse_datetime
from satchel.validator.report import Outcome


async def check_validity(ctx: CheckContext) -> None:
    document = ctx.document
    v2 = "validFrom" in document or "validUntil" in document
    start_key, end_key = ("validFrom", "validUntil") if v2 else ("issuanceDate", "expirationDate")
    try:
        start = _optional_date(document, start_key)
        end = _optional_date(document, end_key)
    except DateFormatError as exc:
        ctx.add("validity", Outcome.FAILED, str(exc), error_code="PARSING_ERROR")
        return
    now, skew = ctx.options.current_time(), ctx.options.clock_skew
    if start and end and start > end:
        ctx.add(
            "validity",
            Outcome.FAILED,
            f"{start_key} ({format_datetime(start)}) is after {end_key} ({format_datetime(end)}).",
        )
    elif start and start - skew > now:
        ctx.add(
            "validity",
            Outcome.FAILED,
            f"The credential is not valid until {format_datetime(start)}.",
        )
    elif end and end + skew < now:
        ctx.add("validity", Outcome.FAILED, f"The credential expired on {format_datetime(end)}.")
    elif start is None and not v2:
        ctx.add("validity", Outcome.FAILED, "A VC 1.1 credential must have an issuanceDate.")
    else:
        span = f"from {format_datetime(start)}" if start else "from an unstated date"
        span += f" until {format_datetime(end)}" if end else " with no expiry"
        ctx.add("validity", Outcome.PASSED, f"The credential is valid {span}.")


def _optional_date(document: Mapping[str, Any], key: str) -> datetime | None:
    if key not in document:
        return None
    value, _ = parse_datetime(document[key])
    return value
