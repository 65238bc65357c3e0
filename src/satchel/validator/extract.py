"""Input detection and extraction: the one entry point the CLI, the HTTP API and the wallet use.

The form is sniffed from the content, never from a file name or a declared type:

- a PNG signature: a baked PNG (:func:`~satchel.validator.baked.unbake_png`);
- markup (``<`` first, after a BOM and whitespace): a baked SVG;
- text that is exactly one http(s) URL: fetched through the guarded fetcher, and the body
  sniffed again (JSON, JWT, PNG or SVG). One hop only: a body that is itself just a URL is
  refused, so a chain of pages cannot send us around the web;
- anything else: JSON or a compact JWT (:func:`~satchel.validator.inputs.parse_input`).

A baked payload goes through the same JSON/JWT parsing; the oldest OB 2.0 form, where the
image holds only the hosted assertion's URL, becomes ``ParsedInput(url=...)`` and the OB 2.0
checks fetch it. Every failure is an :class:`~satchel.errors.InputError` whose message a
non-expert can act on.
"""

from __future__ import annotations

import re
from dataclasses import replace

from yarl import URL

from satchel.errors import InputError
from satchel.fetcher import FetchError, GuardedFetcher
from satchel.validator.baked import (
    PNG_SIGNATURE,
    BakedPayload,
    unbake_png,
    unbake_svg,
)
from satchel.validator.inputs import (
    MAX_INPUT_BYTES,
    InputTooLargeError,
    MalformedInputError,
    ParsedInput,
    parse_input,
)

# What a badge URL may answer with: credentials first, then baked images.
ACCEPT = (
    "application/vc+ld+json, application/ld+json, application/json, application/vc+jwt, "
    "application/jwt;q=0.9, image/png;q=0.8, image/svg+xml;q=0.8, text/plain;q=0.5, */*;q=0.1"
)
MAX_URL_LENGTH = 8192
_SINGLE_URL = re.compile(r"https?://[^\s<>\"'`{}|\\^]+", re.IGNORECASE)
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_MARKUP_START = "<"
_HTML_START = re.compile(r"<(!doctype\s+html|html)[\s>]", re.IGNORECASE)


class FetchingDisabledError(InputError):
    type = "input-fetching-disabled"
    title = "Fetching is disabled"


class InputFetchError(InputError):
    """The URL given as input could not be fetched; ``status`` follows the fetch failure."""

    type = "input-fetch-failed"
    title = "Could not fetch the input URL"

    def __init__(self, error: FetchError) -> None:
        super().__init__(f"Could not fetch {error.url}: {error.reason}.")
        self.url = error.url
        self.reason = error.reason
        self.status = error.status


class NoBadgeInImageError(InputError):
    type = "no-badge-in-image"
    title = "No badge in the image"


async def extract_input(
    data: bytes | str,
    *,
    fetcher: GuardedFetcher | None = None,
    max_bytes: int = MAX_INPUT_BYTES,
) -> ParsedInput:
    """Detect what ``data`` is and extract the credential, presentation or assertion in it.

    Fetched input gets ``source="url"`` and ``source_url`` set to the address that finally
    answered (after any redirects the fetcher followed and checked).
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    _check_size(raw, max_bytes)
    url = single_url(raw)
    if url is None:
        return extract_bytes(raw, max_bytes=max_bytes)
    if fetcher is None:
        raise FetchingDisabledError(
            f"The input is a web address ({url}), but fetching is disabled here; "
            "download the badge and give the file instead."
        )
    final_url, body = await _fetch(fetcher, url, max_bytes)
    inner = single_url(body)
    if inner is not None:
        raise MalformedInputError(
            f"{url} holds only another address ({inner}); Satchel follows one address, "
            "not a chain of them."
        )
    parsed = extract_bytes(body, max_bytes=max_bytes)
    return replace(parsed, source="url", source_url=final_url)


def extract_bytes(raw: bytes, *, max_bytes: int = MAX_INPUT_BYTES) -> ParsedInput:
    """Extract from bytes already in hand (no fetching): baked PNG or SVG, JSON or JWT."""
    _check_size(raw, max_bytes)
    if raw.startswith(PNG_SIGNATURE):
        return _from_image(unbake_png(raw), "PNG")
    if looks_like_markup(raw):
        if looks_like_html(raw):
            raise MalformedInputError(
                "This is a web page (HTML), not a badge: give the badge file, its JSON or JWT, "
                "or the address of the credential itself."
            )
        return _from_image(unbake_svg(raw), "SVG")
    return parse_input(raw, max_bytes=max_bytes)


def single_url(raw: bytes) -> str | None:
    """The URL when ``raw`` is exactly one http(s) URL (surrounding whitespace aside)."""
    if len(raw) > MAX_URL_LENGTH + 64:
        return None
    try:
        text = raw.decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        return None
    if len(text) > MAX_URL_LENGTH or not _SINGLE_URL.fullmatch(text):
        return None
    try:
        host = URL(text).host
    except (ValueError, TypeError):
        return None
    return text if host else None


def looks_like_markup(raw: bytes) -> bool:
    """True when the first non-blank character is ``<`` (UTF-8, or UTF-16 with a BOM)."""
    head = raw[:1024]
    if head.startswith(_UTF16_BOMS):
        text = head[:512].decode("utf-16", errors="replace")
    else:
        text = head.removeprefix(_UTF8_BOM).decode("utf-8", errors="replace")
    return text.lstrip().startswith(_MARKUP_START)


def looks_like_html(raw: bytes) -> bool:
    """True when the markup starts (after blanks and comments) with an HTML doctype or tag."""
    text = raw[:1024].removeprefix(_UTF8_BOM).decode("utf-8", errors="replace").lstrip()
    while text.startswith("<!--"):
        end = text.find("-->")
        if end < 0:
            return False
        text = text[end + 3 :].lstrip()
    return _HTML_START.match(text) is not None


def _check_size(raw: bytes, max_bytes: int) -> None:
    if len(raw) > max_bytes:
        raise InputTooLargeError(f"The input is {len(raw)} bytes; the limit is {max_bytes}.")


async def _fetch(fetcher: GuardedFetcher, url: str, max_bytes: int) -> tuple[str, bytes]:
    try:
        response = await fetcher.get(url, max_bytes=max_bytes, accept=ACCEPT)
    except FetchError as exc:
        raise InputFetchError(exc) from exc
    return response.url, response.body


def _from_image(payload: BakedPayload | None, kind: str) -> ParsedInput:
    if payload is None:
        raise NoBadgeInImageError(f"This {kind} image holds no Open Badge.")
    text = payload.text.strip()
    url = single_url(text.encode("utf-8"))
    if url is not None:
        if payload.ob_version != "2.0":
            raise MalformedInputError(
                f"The {kind} image holds only an address ({url}); an Open Badges 3.0 "
                "credential must be baked as JSON or a JWT."
            )
        return ParsedInput(url=url, source=payload.format)
    return replace(parse_input(text), source=payload.format)
