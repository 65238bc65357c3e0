"""Placeholder badge images, made here when a credential carries no usable image of its own.

The PNG is encoded by hand (signature, IHDR, one zlib-compressed IDAT, IEND: the whole format
a baker needs) so no imaging library is required. Its colour follows from the badge name, so
different badges look different. The SVG shows the name as text, XML-escaped.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from xml.sax.saxutils import escape

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PLACEHOLDER_SIZE = 128
MAX_NAME_CHARS = 40
_RGBA = 6  # PNG colour type: truecolour with alpha
_BIT_DEPTH = 8
_FILTER_NONE = b"\0"


def badge_colour(name: str) -> tuple[int, int, int]:
    """A stable, mid-tone colour for ``name`` (dark enough for white text)."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return tuple(40 + byte % 120 for byte in digest[:3])  # type: ignore[return-value]


def placeholder_png(name: str, size: int = PLACEHOLDER_SIZE) -> bytes:
    """A ``size`` by ``size`` RGBA PNG: a filled disc in the badge's colour on transparency."""
    red, green, blue = badge_colour(name)
    disc = bytes((red, green, blue, 255))
    clear = bytes(4)
    radius = size / 2
    rows = bytearray()
    for y in range(size):
        rows += _FILTER_NONE
        dy = y + 0.5 - radius
        for x in range(size):
            dx = x + 0.5 - radius
            rows += disc if dx * dx + dy * dy <= radius * radius else clear
    header = struct.pack(">IIBBBBB", size, size, _BIT_DEPTH, _RGBA, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + _chunk(b"IEND", b"")
    )


def _chunk(chunk_type: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(chunk_type + data)
    return struct.pack(">I", len(data)) + chunk_type + data + struct.pack(">I", crc)


def placeholder_svg(name: str, size: int = PLACEHOLDER_SIZE) -> bytes:
    """A ``size`` by ``size`` SVG: a disc in the badge's colour with the (escaped) name on it."""
    red, green, blue = badge_colour(name)
    shown = name.strip() or "Badge"
    if len(shown) > MAX_NAME_CHARS:
        shown = shown[: MAX_NAME_CHARS - 1] + "\u2026"
    half = size / 2
    text = escape(_xml_safe(shown))
    title = escape(_xml_safe(name.strip() or "Badge"))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 {size} {size}" role="img">\n'
        f"<title>{title}</title>\n"
        f'<circle cx="{half:g}" cy="{half:g}" r="{half:g}" fill="rgb({red},{green},{blue})"/>\n'
        f'<text x="{half:g}" y="{half:g}" fill="#fff" font-family="sans-serif" '
        f'font-size="{max(8, size // max(6, len(shown))):d}" text-anchor="middle" '
        f'dominant-baseline="central">{text}</text>\n'
        "</svg>\n"
    ).encode()


def _xml_safe(text: str) -> str:
    """Drop characters XML 1.0 cannot hold at all (control characters, lone surrogates)."""
    return "".join(
        c
        for c in text
        if c in "\t\n\r"
        or "\x20" <= c <= "\ud7ff"
        or "\ue000" <= c <= "\ufffd"
        or "\U00010000" <= c <= "\U0010ffff"
    )
