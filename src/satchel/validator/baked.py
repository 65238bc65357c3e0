"""Open Badges baking: a credential carried inside a PNG or SVG image, read and written here.

- PNG (OB 3.0 §5.3.1, OB 2.0 baking): a text chunk whose keyword is ``openbadgecredential``
  (OB 3.0: the credential's JSON or its compact JWT) or ``openbadges`` (OB 2.0: the assertion's
  JSON, a compact JWS, or, in the oldest form, only the hosted assertion's URL). Reading accepts
  iTXt (compressed or not), tEXt and zTXt; writing always uses one uncompressed iTXt chunk.
- SVG (OB 3.0 §5.3.2, OB 2.0 baking): an ``<openbadges:credential>`` element in the namespace
  ``https://purl.imsglobal.org/ob/v3p0`` (a JWT in its ``verify`` attribute, or the JSON as its
  content, usually in CDATA) or ``<openbadges:assertion>`` in ``http://openbadges.org`` (a URL
  or JWS in ``verify``, the JSON as content).

Images come from strangers, so both readers are strict: the PNG chunk walk checks every length
and CRC and caps the chunk count and the badge text (decompression included, so a zlib bomb
stops at the cap); the SVG parser (defusedxml over expat) refuses entity declarations, external
entities, any internal DTD subset (which could also inject default attribute values) and
XInclude elements. The standard ``<!DOCTYPE svg PUBLIC ...>`` line is accepted because real
badges carry it: its external DTD is never loaded. A baked image must hold exactly one badge;
two would let a viewer and a verifier see different credentials.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal
from xml.etree.ElementTree import ParseError
from xml.sax.saxutils import escape

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from satchel.errors import InputError
from satchel.inflate import InflateError, InflateFailure, inflate

ObVersion = Literal["3.0", "2.0"]
ImageFormat = Literal["png", "svg"]

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_PNG_CHUNKS = 10_000
MAX_BADGE_TEXT_BYTES = 2 * 1024 * 1024

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OB3_PNG_KEYWORD = "openbadgecredential"
OB2_PNG_KEYWORD = "openbadges"
OB3_SVG_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
OB2_SVG_NAMESPACE = "http://openbadges.org"
OB3_SVG_ELEMENT = "credential"
OB2_SVG_ELEMENT = "assertion"

_PNG_KEYWORDS: dict[ObVersion, str] = {"3.0": OB3_PNG_KEYWORD, "2.0": OB2_PNG_KEYWORD}
_SVG_ELEMENTS: dict[ObVersion, tuple[str, str]] = {
    "3.0": (OB3_SVG_NAMESPACE, OB3_SVG_ELEMENT),
    "2.0": (OB2_SVG_NAMESPACE, OB2_SVG_ELEMENT),
}
_VERSION_OF_KEYWORD: dict[str, ObVersion] = {
    OB3_PNG_KEYWORD: "3.0",
    OB2_PNG_KEYWORD: "2.0",
    OB3_SVG_ELEMENT: "3.0",
    OB2_SVG_ELEMENT: "2.0",
}
_TEXT_CHUNK_TYPES = frozenset({b"tEXt", b"zTXt", b"iTXt"})
_MAX_KEYWORD_BYTES = 79  # PNG spec: keywords are 1-79 Latin-1 bytes
_MAX_CHUNK_LENGTH = 2**31 - 1  # PNG spec: a chunk length is at most 2^31 - 1
_CHUNK_OVERHEAD = 12  # length, type and CRC around each chunk's data

_SVG_ROOT = "svg"
_XINCLUDE_NAMESPACE = "http://www.w3.org/2001/XInclude"
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF8_NAMES = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})
_BADGE_PREFIX = "openbadges"
_INVALID_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_JWS_COMPACT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


class BakedImageError(InputError):
    """A PNG or SVG image is damaged, hostile, or cannot carry (or give back) a badge."""

    type = "baked-image-error"
    title = "Unusable badge image"


@dataclass(frozen=True)
class BakedPayload:
    """The badge text found in an image.

    ``keyword`` is the PNG chunk keyword (``openbadgecredential`` or ``openbadges``) or the SVG
    element's local name (``credential`` or ``assertion``); ``ob_version`` follows from it.
    """

    text: str
    keyword: str
    format: ImageFormat

    @property
    def ob_version(self) -> ObVersion:
        return _VERSION_OF_KEYWORD[self.keyword]


def _check_image_size(data: bytes, kind: str) -> None:
    if len(data) > MAX_IMAGE_BYTES:
        raise BakedImageError(
            f"The {kind} image is {len(data)} bytes; the limit is {MAX_IMAGE_BYTES} bytes."
        )


def _check_payload(payload: str) -> bytes:
    if not payload.strip():
        raise BakedImageError("There is nothing to bake: the badge text is empty.")
    encoded = payload.encode("utf-8")
    if len(encoded) > MAX_BADGE_TEXT_BYTES:
        raise BakedImageError(
            f"The badge text is {len(encoded)} bytes; the limit is {MAX_BADGE_TEXT_BYTES} bytes."
        )
    return encoded


# --- PNG ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _PngChunk:
    """One chunk: its type and where its data and its whole record (length..CRC) lie."""

    type: bytes
    start: int  # offset of the length field
    data_start: int
    data_end: int

    @property
    def end(self) -> int:
        return self.data_end + 4

    def data(self, image: bytes) -> bytes:
        return image[self.data_start : self.data_end]


def _png_chunks(image: bytes) -> list[_PngChunk]:
    """Every chunk up to and including IEND, each length and CRC checked; later bytes ignored."""
    _check_image_size(image, "PNG")
    if not image.startswith(PNG_SIGNATURE):
        raise BakedImageError("This is not a PNG image (the PNG signature is missing).")
    chunks: list[_PngChunk] = []
    offset = len(PNG_SIGNATURE)
    while not chunks or chunks[-1].type != b"IEND":
        if len(chunks) >= MAX_PNG_CHUNKS:
            raise BakedImageError(f"The PNG image has more than {MAX_PNG_CHUNKS} chunks.")
        chunk = _read_chunk(image, offset)
        if not chunks and chunk.type != b"IHDR":
            raise BakedImageError("The PNG image is damaged: it does not start with IHDR.")
        chunks.append(chunk)
        offset = chunk.end
    return chunks


def _read_chunk(image: bytes, offset: int) -> _PngChunk:
    if offset + 8 > len(image):
        raise BakedImageError(
            f"The PNG image is truncated: it ends at byte {len(image)} before its IEND chunk."
        )
    length, chunk_type = struct.unpack_from(">I4s", image, offset)
    if length > _MAX_CHUNK_LENGTH or offset + _CHUNK_OVERHEAD + length > len(image):
        raise BakedImageError(
            f"The PNG image is truncated or damaged: the chunk at byte {offset} needs "
            f"{length + _CHUNK_OVERHEAD} bytes but only {len(image) - offset} remain."
        )
    if not chunk_type.isalpha():
        raise BakedImageError(f"The PNG image is damaged: bad chunk type at byte {offset}.")
    chunk = _PngChunk(chunk_type, offset, offset + 8, offset + 8 + length)
    (expected,) = struct.unpack_from(">I", image, chunk.data_end)
    if zlib.crc32(image[offset + 4 : chunk.data_end]) != expected:
        name = chunk_type.decode("ascii")
        raise BakedImageError(
            f"The PNG image is damaged: the {name} chunk at byte {offset} fails its CRC check."
        )
    return chunk


def _text_keyword(data: bytes) -> str | None:
    end = data.find(b"\0", 0, _MAX_KEYWORD_BYTES + 1)
    return data[:end].decode("latin-1") if end > 0 else None


def _is_badge_chunk(chunk: _PngChunk, image: bytes) -> bool:
    if chunk.type not in _TEXT_CHUNK_TYPES:
        return False
    head = image[chunk.data_start : min(chunk.data_end, chunk.data_start + _MAX_KEYWORD_BYTES + 1)]
    return _text_keyword(head) in (OB3_PNG_KEYWORD, OB2_PNG_KEYWORD)


def unbake_png(data: bytes) -> BakedPayload | None:
    """The badge baked into a PNG image, or None when the image holds none."""
    chunks = [c for c in _png_chunks(data) if _is_badge_chunk(c, data)]
    if not chunks:
        return None
    if len(chunks) > 1:
        raise BakedImageError(
            f"The PNG image holds {len(chunks)} badge chunks; a baked image holds exactly one."
        )
    chunk = chunks[0]
    body = chunk.data(data)
    if len(body) > MAX_BADGE_TEXT_BYTES:
        raise BakedImageError(
            f"The badge chunk is {len(body)} bytes; the limit is {MAX_BADGE_TEXT_BYTES} bytes."
        )
    keyword = _text_keyword(body)
    assert keyword is not None  # _is_badge_chunk found it
    rest = body[len(keyword) + 1 :]
    if chunk.type == b"tEXt":
        text = rest.decode("latin-1")
    elif chunk.type == b"zTXt":
        text = _ztxt_text(rest)
    else:
        text = _itxt_text(rest)
    return BakedPayload(text=text, keyword=keyword, format="png")


def _ztxt_text(rest: bytes) -> str:
    if rest[:1] != b"\0":
        raise BakedImageError("The zTXt badge chunk uses an unknown compression method.")
    return _inflate(rest[1:]).decode("latin-1")


def _itxt_text(rest: bytes) -> str:
    """iTXt after the keyword: flag, method, language\\0, translated keyword\\0, UTF-8 text."""
    if len(rest) < 2 or rest[0] not in (0, 1):
        raise BakedImageError("The iTXt badge chunk is damaged (bad compression flag).")
    compressed, method = rest[0] == 1, rest[1]
    parts = rest[2:].split(b"\0", 2)
    if len(parts) != 3:
        raise BakedImageError("The iTXt badge chunk is damaged (missing language fields).")
    raw = parts[2]
    if compressed:
        if method != 0:
            raise BakedImageError("The iTXt badge chunk uses an unknown compression method.")
        raw = _inflate(raw)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BakedImageError(f"The badge text is not valid UTF-8 ({exc.reason}).") from exc


def _inflate(compressed: bytes) -> bytes:
    """zlib-decompress at most MAX_BADGE_TEXT_BYTES: a bomb stops at the cap, not in memory."""
    try:
        return inflate(compressed, max_bytes=MAX_BADGE_TEXT_BYTES)
    except InflateError as exc:
        message = {
            InflateFailure.DAMAGED: f"The compressed badge text is damaged ({exc}).",
            InflateFailure.TOO_LARGE: "The compressed badge text expands past "
            f"{MAX_BADGE_TEXT_BYTES} bytes; refused.",
            InflateFailure.TRUNCATED: "The compressed badge text is truncated.",
        }[exc.failure]
        raise BakedImageError(message) from exc


def bake_png(image: bytes, payload: str, *, ob_version: ObVersion = "3.0") -> bytes:
    """``image`` with ``payload`` baked in one uncompressed iTXt chunk placed before IDAT.

    Any badge chunk already there (either version) is replaced; every other chunk is kept
    byte for byte, and bytes after IEND are dropped.
    """
    text = _check_payload(payload)
    chunks = _png_chunks(image)
    if not any(c.type == b"IDAT" for c in chunks):
        raise BakedImageError("The PNG image has no image data (no IDAT chunk).")
    keyword = _PNG_KEYWORDS[ob_version].encode("latin-1")
    # keyword\0, compression flag 0, method 0, empty language\0, empty translated keyword\0
    badge = _chunk_record(b"iTXt", keyword + b"\0\0\0\0\0" + text)
    out = bytearray(PNG_SIGNATURE)
    for chunk in chunks:
        if _is_badge_chunk(chunk, image):
            continue
        if badge and chunk.type == b"IDAT":
            out += badge
            badge = b""
        out += image[chunk.start : chunk.end]
    return bytes(out)


def _chunk_record(chunk_type: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(chunk_type + data)
    return struct.pack(">I", len(data)) + chunk_type + data + struct.pack(">I", crc)


# --- SVG ------------------------------------------------------------------------------------


@dataclass
class _SvgBadge:
    namespace: str
    local: str
    verify: str | None
    start: int  # byte offset of the start tag
    end: int = -1  # byte offset just past the end tag
    text: list[str] = field(default_factory=list)


@dataclass
class _SvgScan:
    """What one pass over an SVG found: the root start tag, its namespaces, the badges."""

    root_start: int = -1
    root_namespaces: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None
    badges: list[_SvgBadge] = field(default_factory=list)


class _SafeSvgParser(DefusedXMLParser):  # type: ignore[misc]  # untyped base (defusedxml)
    """defusedxml's parser, also refusing internal DTD subsets and recording the encoding."""

    def __init__(self, target: _SvgScanner) -> None:
        super().__init__(target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        self.parser.XmlDeclHandler = target.xml_declaration

    def defused_start_doctype_decl(
        self, name: str, sysid: str | None, pubid: str | None, has_internal_subset: bool
    ) -> None:
        # An external DTD is never loaded (expat's parameter-entity parsing stays off); an
        # internal subset is the only place entities or default attributes could come from.
        if has_internal_subset:
            raise BakedImageError(
                "The SVG image declares its own DTD entries (entities or defaults); refused."
            )


class _SvgScanner:
    """ElementTree parser target: finds the root and the badge elements, builds no tree."""

    def __init__(self) -> None:
        self.scan = _SvgScan()
        self.parser: Any = None  # the expat parser, for byte offsets
        self._depth = 0
        self._open: _SvgBadge | None = None
        self._open_depth = 0
        self._text_bytes = 0

    def xml_declaration(self, version: str, encoding: str | None, standalone: int) -> None:
        self.scan.encoding = encoding

    def start_ns(self, prefix: str, uri: str) -> None:
        if self._depth == 0:
            self.scan.root_namespaces[prefix] = uri

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self._depth += 1
        namespace, local = _split_tag(tag)
        if namespace == _XINCLUDE_NAMESPACE:
            raise BakedImageError("The SVG image uses XInclude; refused.")
        if self._depth == 1:
            if local != _SVG_ROOT:
                raise BakedImageError(f"This XML document is not an SVG image (root <{local}>).")
            self.scan.root_start = self.parser.CurrentByteIndex
        elif self._open is None and (namespace, local) in _SVG_ELEMENTS.values():
            badge = _SvgBadge(namespace, local, attrib.get("verify"), self.parser.CurrentByteIndex)
            self.scan.badges.append(badge)
            self._open, self._open_depth = badge, self._depth

    def end(self, tag: str) -> None:
        if self._open is not None and self._depth == self._open_depth:
            self._open.end = self.parser.CurrentByteIndex
            self._open = None
        self._depth -= 1

    def data(self, text: str) -> None:
        if self._open is not None and self._depth == self._open_depth:
            self._text_bytes += len(text)
            if self._text_bytes > MAX_BADGE_TEXT_BYTES:
                raise BakedImageError(
                    f"The SVG badge text is longer than {MAX_BADGE_TEXT_BYTES} characters."
                )
            self._open.text.append(text)

    def close(self) -> _SvgScan:
        return self.scan


def _split_tag(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _trim_leading_blanks(data: bytes) -> bytes:
    """Drop blanks before the first markup (kept by some editors, ill-formed before
    ``<?xml``), keeping a UTF-8 BOM so the declared encoding still applies."""
    bom = _UTF8_BOM if data.startswith(_UTF8_BOM) else b""
    return bom + data[len(bom) :].lstrip(b" \t\r\n")


def _scan_svg(data: bytes) -> _SvgScan:
    _check_image_size(data, "SVG")
    scanner = _SvgScanner()
    parser = _SafeSvgParser(scanner)
    scanner.parser = parser.parser
    try:
        parser.feed(data)
        scan: _SvgScan = parser.close()
    except DefusedXmlException as exc:
        raise BakedImageError(f"The SVG image uses unsafe XML features; refused ({exc}).") from exc
    except (ParseError, ValueError, LookupError) as exc:
        # ValueError and LookupError: expat's reaction to bogus encoding declarations
        raise BakedImageError(f"The SVG image is not well-formed XML ({exc}).") from exc
    if scan.root_start < 0:
        raise BakedImageError("The SVG image has no <svg> element.")
    return scan


def unbake_svg(data: bytes) -> BakedPayload | None:
    """The badge baked into an SVG image, or None when the image holds none."""
    badges = _scan_svg(_trim_leading_blanks(data)).badges
    if not badges:
        return None
    if len(badges) > 1:
        raise BakedImageError(
            f"The SVG image holds {len(badges)} badge elements; a baked image holds exactly one."
        )
    badge = badges[0]
    text = _svg_badge_text(badge)
    if text is None:
        raise BakedImageError(f"The SVG <openbadges:{badge.local}> element is empty.")
    return BakedPayload(text=text, keyword=badge.local, format="svg")


def _svg_badge_text(badge: _SvgBadge) -> str | None:
    """A signed token in ``verify`` wins over content (it carries the signature); then the
    content (the JSON); then ``verify`` alone (an OB 2.0 hosted assertion's URL)."""
    verify = (badge.verify or "").strip()
    content = "".join(badge.text).strip()
    if _JWS_COMPACT.match(verify):
        return verify
    return content or verify or None


def bake_svg(svg: bytes, payload: str, *, ob_version: ObVersion = "3.0") -> bytes:
    """``svg`` with ``payload`` baked in, directly after the ``<svg>`` start tag.

    A JWT/JWS goes in the ``verify`` attribute, JSON in CDATA content (an OB 2.0 hosted
    assertion also gets its id as ``verify``), a bare URL (OB 2.0) in ``verify``. Badge
    elements already there (either version) are removed; every other byte is kept.
    """
    _check_payload(payload)
    if _INVALID_XML_CHAR.search(payload):
        raise BakedImageError("The badge text holds characters XML cannot carry.")
    svg = _trim_leading_blanks(svg)
    scan = _scan_svg(svg)
    if svg.startswith((b"\xff\xfe", b"\xfe\xff")) or (
        scan.encoding is not None and scan.encoding.lower() not in _UTF8_NAMES
    ):
        raise BakedImageError("Only UTF-8 SVG images can be baked.")
    namespace, local = _SVG_ELEMENTS[ob_version]
    bound = scan.root_namespaces.get(_BADGE_PREFIX)
    element = _badge_element(payload.strip(), local, ob_version, namespace, bound)
    tag_close, self_closing = _start_tag_close(svg, scan.root_start)
    head = svg[scan.root_start : tag_close]
    if bound is None:
        head += f' xmlns:{_BADGE_PREFIX}="{namespace}"'.encode()
    new_root = head + b">\n" + element.encode("utf-8") + b"\n"
    if self_closing:
        new_root += b"</" + _raw_tag_name(svg, scan.root_start) + b">"
    root_end = tag_close + (2 if self_closing else 1)
    out = bytearray(svg[: scan.root_start] + new_root)
    position = root_end
    for start, end in _badge_ranges(svg, scan.badges):
        out += svg[position:start]
        position = end
    out += svg[position:]
    return bytes(out)


def _badge_element(
    payload: str, local: str, ob_version: ObVersion, namespace: str, bound: str | None
) -> str:
    qname = f"{_BADGE_PREFIX}:{local}"
    # declare the prefix on the element itself when the root binds it to another namespace
    xmlns = f' xmlns:{_BADGE_PREFIX}="{namespace}"' if bound not in (None, namespace) else ""
    if _JWS_COMPACT.match(payload) or _is_url(payload):
        return f"<{qname}{xmlns} verify={_attribute(payload)}></{qname}>"
    verify = ""
    if ob_version == "2.0":
        hosted_id = _json_id(payload)
        verify = f" verify={_attribute(hosted_id)}" if hosted_id else ""
    cdata = payload.replace("]]>", "]]]]><![CDATA[>")  # "]]>" cannot appear inside CDATA
    return f"<{qname}{xmlns}{verify}><![CDATA[{cdata}]]></{qname}>"


def _is_url(text: str) -> bool:
    return re.fullmatch(r"https?://\S+", text, flags=re.IGNORECASE) is not None


def _json_id(payload: str) -> str | None:
    """The ``id`` of an OB 2.0 hosted assertion given as JSON text (its URL), if any."""
    match = re.search(r'"id"\s*:\s*"(https?://[^"\\\s]+)"', payload)
    return match.group(1) if match else None


def _attribute(value: str) -> str:
    return '"' + escape(value, {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}) + '"'


def _start_tag_close(data: bytes, start: int) -> tuple[int, bool]:
    """Where the start tag at ``start`` ends: the offset of its ``>`` (or ``/>``), and whether
    it is self-closing; quoted attribute values may hold ``>``."""
    quote = 0
    for index in range(start + 1, len(data)):
        byte = data[index]
        if quote:
            quote = 0 if byte == quote else quote
        elif byte in b"\"'":
            quote = byte
        elif byte == ord(">"):
            self_closing = data[index - 1] == ord("/")
            return (index - 1 if self_closing else index), self_closing
    raise BakedImageError("The SVG image is not well-formed XML (unterminated start tag).")


def _raw_tag_name(data: bytes, start: int) -> bytes:
    match = re.compile(rb"<([^\s/>]+)").match(data, start)
    assert match is not None  # expat reported a start tag here
    return match.group(1)


def _badge_ranges(data: bytes, badges: list[_SvgBadge]) -> Iterator[tuple[int, int]]:
    """Byte ranges of the badge elements, each from its ``<`` to just past its last ``>``."""
    for badge in badges:
        if data.startswith(b"</", badge.end):
            yield badge.start, data.index(b">", badge.end) + 1
        else:  # an empty element: expat's end offset is not the tag's, so measure the tag
            close, self_closing = _start_tag_close(data, badge.start)
            if not self_closing:
                raise BakedImageError("The SVG badge element's end could not be located.")
            yield badge.start, close + 2
