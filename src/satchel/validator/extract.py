"""PLACEHOLDER: input detection and extraction (JSON, JWT, PNG, SVG, URL) lands here."""

from __future__ import annotations

from satchel.fetcher import GuardedFetcher
from satchel.validator.inputs import ParsedInput, parse_input


async def extract_input(data: bytes | str, *, fetcher: GuardedFetcher | None = None) -> ParsedInput:
    return parse_input(data)
