"""Export of one stored credential as JSON, JWT, a baked PNG or a baked SVG.

Signed bytes are sacred: what is exported is what was stored.

- ``json`` / ``jwt``: the stored bytes verbatim when they are that form. A credential stored
  as a baked image exports the credential text found inside it (the issuer's own JSON or JWT).
  A form the credential does not have (a JWT asked as JSON, say) is refused: turning one into
  the other would break the signature.
- ``png`` / ``svg``: a credential stored as that image type is returned verbatim. Otherwise the
  credential text is baked (OB 3.0 baking; OB 2.0 assertions with the ``openbadges`` keyword /
  ``<openbadges:assertion>``) into an image: the credential's own image (a ``data:`` URI, or
  fetched through the guarded fetcher with size, type and magic-byte checks), else a generated
  placeholder. "Verbatim" for a baked export means: the text inside the image is the stored
  credential text exactly, minus surrounding whitespace (a file's trailing newline is not part
  of the credential, and SVG baking trims it anyway). So extracting the export and parsing it
  gives back the stored credential; for JSON the text is byte-identical, not re-serialised.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import re
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import unquote_to_bytes

from satchel.errors import SatchelError
from satchel.fetcher import FetchError, GuardedFetcher
from satchel.validator.baked import (
    PNG_SIGNATURE,
    BakedImageError,
    ObVersion,
    bake_png,
    bake_svg,
    unbake_png,
    unbake_svg,
)
from satchel.validator.extract import looks_like_html, looks_like_markup, single_url
from satchel.validator.inputs import ParsedInput, looks_like_jwt, parse_input
from satchel.validator.ob2 import is_ob2
from satchel.validator.ob2.jws import JwsError, parse_compact_jws
from satchel.wallet import accounts, credentials, offers
from satchel.wallet.placeholder_image import placeholder_png, placeholder_svg
from satchel.wallet.services import WalletServices, iso

log = logging.getLogger(__name__)

ExportFormat = Literal["json", "jwt", "png", "svg"]
Container = Literal["json", "jwt", "png", "svg"]
ImageSource = Literal["stored", "data-uri", "remote", "placeholder"]

EXPORT_FORMATS: tuple[ExportFormat, ...] = ("json", "jwt", "png", "svg")
MAX_IMAGE_BYTES = 1024 * 1024
IMAGE_ACCEPT = "image/png, image/svg+xml;q=0.9"
MEDIA_TYPES: dict[str, str] = {
    "json": "application/json",
    "jwt": "application/jwt",
    "png": "image/png",
    "svg": "image/svg+xml",
}
_IMAGE_MEDIA: dict[str, Literal["png", "svg"]] = {"image/png": "png", "image/svg+xml": "svg"}
_DATA_URI = re.compile(r"^data:([^,;]*)((?:;[^,;]*)*),(.*)$", re.DOTALL | re.IGNORECASE)
_FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class ExportFormatError(SatchelError):
    """The credential does not exist in the asked form (e.g. a JWT asked as JSON)."""

    type = "export-format-unavailable"
    title = "Export format not available"
    status = 409


class UnknownExportFormatError(SatchelError):
    type = "unknown-export-format"
    title = "Unknown export format"
    status = 400


class ImageUnusableError(SatchelError):
    """An image named by the credential cannot be used; the export falls back."""

    type = "image-unusable"
    title = "Badge image unusable"
    status = 422


@dataclass(frozen=True)
class StoredCredential:
    """What stored bytes hold: the ``container`` they came in, the credential ``text`` inside
    (JSON or compact JWT; an OB 2.0 hosted assertion's URL for the oldest baked form), its
    parsed form and its Open Badges version."""

    container: Container
    text: str
    parsed: ParsedInput
    ob_version: ObVersion

    @property
    def payload_kind(self) -> Literal["json", "jwt", "url"]:
        if self.parsed.jwt is not None:
            return "jwt"
        return "json" if self.parsed.document is not None else "url"

    def document(self) -> dict[str, Any] | None:
        """The credential as JSON (a JWT's claims; a VC-JWT's ``vc`` claim), unverified: only
        used to find the badge image and name."""
        if self.parsed.document is not None:
            return self.parsed.document
        if self.parsed.jwt is None:
            return None
        try:
            payload = parse_compact_jws(self.parsed.jwt).payload
        except JwsError:
            return None
        inner = payload.get("vc")
        return inner if isinstance(inner, dict) else payload


@dataclass(frozen=True)
class ExportedFile:
    body: bytes
    media_type: str
    filename: str
    image_source: ImageSource | None = None


def read_stored(raw: bytes) -> StoredCredential:
    """Recognise stored bytes (the wallet stored them only after they parsed once)."""
    if raw.startswith(PNG_SIGNATURE):
        return _from_baked(unbake_png(raw), "png")
    if looks_like_markup(raw):
        return _from_baked(unbake_svg(raw), "svg")
    text = raw.decode("utf-8-sig").strip()
    parsed = parse_input(text)
    container: Container = "jwt" if looks_like_jwt(text) else "json"
    return StoredCredential(container, text, parsed, "2.0" if is_ob2(parsed) else "3.0")


def _from_baked(payload: Any, container: Literal["png", "svg"]) -> StoredCredential:
    if payload is None:
        raise ExportFormatError("The stored image holds no badge.")
    text = payload.text.strip()
    url = single_url(text.encode("utf-8"))
    parsed = ParsedInput(url=url, source=container) if url else parse_input(text)
    return StoredCredential(container, text, parsed, payload.ob_version)


async def export_credential(
    raw: bytes,
    export_format: str | None,
    *,
    name: str = "",
    fetcher: GuardedFetcher | None = None,
) -> ExportedFile:
    """The stored credential ``raw`` in ``export_format`` (see the module docstring); None
    means the form it was stored in (the stored bytes)."""
    if export_format is not None and export_format not in EXPORT_FORMATS:
        raise UnknownExportFormatError(
            f"Unknown export format {export_format!r}; use one of {', '.join(EXPORT_FORMATS)}."
        )
    stored = read_stored(raw)
    export_format = export_format or stored.container
    filename = f"{safe_filename(name or _badge_name(stored))}.{export_format}"
    media_type = MEDIA_TYPES[export_format]
    if export_format == stored.container:
        source: ImageSource | None = "stored" if export_format in ("png", "svg") else None
        return ExportedFile(raw, media_type, filename, source)
    if export_format in ("json", "jwt"):
        if stored.payload_kind != export_format:
            raise ExportFormatError(_unavailable_message(stored, export_format))
        return ExportedFile(stored.text.encode("utf-8"), media_type, filename)
    image_format: Literal["png", "svg"] = "png" if export_format == "png" else "svg"
    body, source = await bake_into_image(stored, image_format, fetcher=fetcher)
    return ExportedFile(body, media_type, filename, source)


def _unavailable_message(stored: StoredCredential, wanted: str) -> str:
    have = {
        "json": "a JSON document",
        "jwt": "a JWT",
        "url": "only the address of a hosted OB 2.0 assertion",
    }[stored.payload_kind]
    return (
        f"This credential was issued as {have}; exporting it as {wanted.upper()} would change "
        "the signed bytes. Export it as "
        + (
            "JSON"
            if stored.payload_kind == "json"
            else "JWT"
            if stored.payload_kind == "jwt"
            else "a baked image"
        )
        + ", PNG or SVG instead."
    )


async def bake_into_image(
    stored: StoredCredential,
    image_format: Literal["png", "svg"],
    *,
    fetcher: GuardedFetcher | None,
) -> tuple[bytes, ImageSource]:
    """The credential text baked into its own image when one is usable, else a placeholder."""
    bake = bake_png if image_format == "png" else bake_svg
    document = stored.document() or {}
    for reference in image_references(document):
        try:
            image, source = await load_image(reference, image_format, fetcher=fetcher)
            return bake(image, stored.text, ob_version=stored.ob_version), source
        except (ImageUnusableError, BakedImageError) as exc:
            log.info("badge image not used (%s); trying the next one", exc.detail)
    name = _badge_name(stored)
    blank = placeholder_png(name) if image_format == "png" else placeholder_svg(name)
    return bake(blank, stored.text, ob_version=stored.ob_version), "placeholder"


def image_references(document: Mapping[str, Any]) -> list[str]:
    """Image addresses the credential gives, most specific first: the credential's own
    ``image``, each achievement's (OB 3.0), the BadgeClass's (OB 2.0, when embedded)."""
    found: list[str] = []
    for node in _image_holders(document):
        value = node.get("image")
        reference = value.get("id") if isinstance(value, Mapping) else value
        if isinstance(reference, str) and reference.strip() and reference not in found:
            found.append(reference.strip())
    return found


def _image_holders(document: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield document
    subjects = document.get("credentialSubject")
    for subject in subjects if isinstance(subjects, list) else [subjects]:
        if isinstance(subject, Mapping) and isinstance(subject.get("achievement"), Mapping):
            yield subject["achievement"]
    if isinstance(document.get("badge"), Mapping):
        yield document["badge"]


async def load_image(
    reference: str, image_format: Literal["png", "svg"], *, fetcher: GuardedFetcher | None
) -> tuple[bytes, ImageSource]:
    """The image at ``reference`` when it is a ``image_format`` image within the size cap."""
    if reference[:5].lower() == "data:":
        media_type, body = decode_data_uri(reference)
        source: ImageSource = "data-uri"
    elif reference[:8].lower() == "https://" or reference[:7].lower() == "http://":
        media_type, body = await _fetch_image(reference, fetcher)
        source = "remote"
    else:
        raise ImageUnusableError(f"{reference[:80]!r} is neither a data: URI nor a web address.")
    kind = _IMAGE_MEDIA.get(media_type)
    if kind is None:
        raise ImageUnusableError(f"The image is {media_type or 'untyped'}, not PNG or SVG.")
    if kind != image_format:
        raise ImageUnusableError(f"The image is {kind.upper()}; {image_format.upper()} is needed.")
    _check_magic(body, kind)
    return body, source


def decode_data_uri(uri: str) -> tuple[str, bytes]:
    """``(media type, bytes)`` of a ``data:`` URI; at most :data:`MAX_IMAGE_BYTES`."""
    if len(uri) > MAX_IMAGE_BYTES * 4 // 3 + 1024:
        raise ImageUnusableError(f"The data: image is larger than {MAX_IMAGE_BYTES} bytes.")
    match = _DATA_URI.match(uri)
    if match is None:
        raise ImageUnusableError("The data: URI is malformed.")
    media_type = match.group(1).strip().lower()
    parameters = [p.strip().lower() for p in match.group(2).split(";") if p.strip()]
    try:
        if "base64" in parameters:
            body = base64.b64decode(re.sub(r"\s+", "", match.group(3)), validate=True)
        else:
            body = unquote_to_bytes(match.group(3))
    except (binascii.Error, ValueError) as exc:
        raise ImageUnusableError(f"The data: URI does not decode ({exc}).") from exc
    if len(body) > MAX_IMAGE_BYTES:
        raise ImageUnusableError(f"The data: image is larger than {MAX_IMAGE_BYTES} bytes.")
    return media_type, body


async def _fetch_image(url: str, fetcher: GuardedFetcher | None) -> tuple[str, bytes]:
    if fetcher is None:
        raise ImageUnusableError("Fetching is disabled on this instance.")
    try:
        response = await fetcher.get(url, max_bytes=MAX_IMAGE_BYTES, accept=IMAGE_ACCEPT)
    except FetchError as exc:
        raise ImageUnusableError(f"The image could not be fetched: {exc.reason}.") from exc
    return (response.content_type or "").lower(), response.body


def _check_magic(body: bytes, kind: Literal["png", "svg"]) -> None:
    """The bytes must be what the type says (a server's Content-Type is only a claim)."""
    if kind == "png" and not body.startswith(PNG_SIGNATURE):
        raise ImageUnusableError("The image claims to be PNG but is not.")
    if kind == "svg" and (not looks_like_markup(body) or looks_like_html(body)):
        raise ImageUnusableError("The image claims to be SVG but is not XML markup.")


def _badge_name(stored: StoredCredential) -> str:
    document = stored.document() or {}
    for node in (document, *_achievements(document), document.get("badge")):
        if isinstance(node, Mapping) and isinstance(node.get("name"), str) and node["name"]:
            return str(node["name"])
    return "Badge"


def _achievements(document: Mapping[str, Any]) -> list[Any]:
    subject = document.get("credentialSubject")
    return [
        s.get("achievement")
        for s in (subject if isinstance(subject, list) else [subject])
        if isinstance(s, Mapping)
    ]


def safe_filename(name: str, *, limit: int = 60) -> str:
    """A name that is safe in a download header and any file system."""
    cleaned = _FILENAME_UNSAFE.sub("-", name).strip("-._")[:limit].strip("-._")
    return cleaned or "badge"


# --- export of all data -----------------------------------------------------------------------

MAX_ARCHIVE_BYTES = 2 * 1024 * 1024 * 1024  # uncompressed; the archive is built on disk
ARCHIVE_PAGE = 50  # credentials read per round trip (each up to 5 MB)

README = """\
Satchel: export of all your data
================================

Made {made_at} for account {account_id}.

profile.json        your account: e-mail addresses, your DIDs (did:key; a did:key is its own
                    public key, given again as publicKeyMultibase). Private keys are never
                    exported: they stay sealed in the wallet and are erased with the account.
api-tokens.json     your personal API tokens: names, scopes, dates (never the secrets).
credentials.json    one entry per credential: state, visibility, labels, collections, status,
                    issuer, dates, and "file", the path of its original bytes below.
credentials/        every credential exactly as it was received (signed bytes are never
                    changed): <id>.json (JSON-LD), <id>.jwt (compact JWT), <id>.png or
                    <id>.svg (a baked image holding the credential).
reports/<id>.json   the latest verification report of each credential.
collections.json    your collections (which credentials they hold is in credentials.json).
offers.json         badges offered to you (claim links and inbox deliveries) and what you
                    decided.
inbox-grants.json   the issuers you authorised to deliver to your inbox (never their tokens).

Any credential file can be imported into another wallet or checked by any Open Badges 3.0 /
Verifiable Credentials verifier.
"""


class ExportTooLargeError(SatchelError):
    type = "export-too-large"
    title = "Export too large"
    status = 507


@dataclass
class AccountArchive:
    """The zip, in an anonymous temporary file (gone when closed), and its size."""

    file: Any  # a binary file object positioned at 0
    size: int
    filename: str

    def close(self) -> None:
        self.file.close()


class _ZipWriter:
    """Writes entries to a zip in a temporary file, off the event loop, within a byte bound."""

    def __init__(self, limit: int) -> None:
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller, who closes it
        self.zip = zipfile.ZipFile(self.file, "w", compression=zipfile.ZIP_DEFLATED)
        self.limit = limit
        self.written = 0

    async def add(self, name: str, data: bytes) -> None:
        self.written += len(data)
        if self.written > self.limit:
            raise ExportTooLargeError(
                f"Your data is larger than this instance exports at once ({self.limit} bytes)."
            )
        await asyncio.to_thread(self.zip.writestr, name, data)

    async def add_json(self, name: str, value: Any) -> None:
        await self.add(name, json.dumps(value, indent=2, ensure_ascii=False).encode("utf-8"))

    async def finish(self) -> int:
        await asyncio.to_thread(self.zip.close)
        size = self.file.seek(0, 2)
        self.file.seek(0)
        return int(size)

    def discard(self) -> None:
        self.zip.close()
        self.file.close()


async def export_account(
    services: WalletServices, account_id: str, *, limit: int = MAX_ARCHIVE_BYTES
) -> AccountArchive:
    """Every piece of the account's data in one zip (layout in :data:`README`)."""
    writer = _ZipWriter(limit)
    try:
        await _write_archive(services, account_id, writer)
        size = await writer.finish()
    except BaseException:
        writer.discard()
        raise
    day = services.now().strftime("%Y-%m-%d")
    return AccountArchive(writer.file, size, f"satchel-export-{day}.zip")


async def _write_archive(services: WalletServices, account_id: str, writer: _ZipWriter) -> None:
    made_at = iso(services.now())
    await writer.add("README.txt", README.format(made_at=made_at, account_id=account_id).encode())
    await writer.add_json("profile.json", await _profile(services, account_id))
    tokens = await accounts.list_api_tokens(services, account_id)
    await writer.add_json("api-tokens.json", [accounts.token_view(t) for t in tokens])
    await writer.add_json(
        "credentials.json", await _write_credentials(services, account_id, writer)
    )
    collections = await credentials.list_collections(services, account_id)
    await writer.add_json("collections.json", [credentials.collection_view(c) for c in collections])
    now = iso(services.now())
    held = await offers.list_offers(services, account_id, include_decided=True)
    await writer.add_json("offers.json", [offers.offer_view(o, now) for o in held])
    grants = await offers.list_grants(services, account_id)
    await writer.add_json("inbox-grants.json", [offers.grant_view(g) for g in grants])


async def _profile(services: WalletServices, account_id: str) -> dict[str, Any]:
    profile = await accounts.profile(services, account_id)
    for key in profile.get("dids", []):
        did = str(key.get("did", ""))
        if did.startswith("did:key:"):
            key["publicKeyMultibase"] = did.removeprefix("did:key:")
    return profile


async def _write_credentials(
    services: WalletServices, account_id: str, writer: _ZipWriter
) -> list[dict[str, Any]]:
    index: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page = await services.store.find(
            credentials.CREDENTIALS, {"owner": account_id}, limit=ARCHIVE_PAGE, after=cursor
        )
        for doc in page.items:
            path = f"credentials/{doc['_id']}.{credentials.EXTENSIONS.get(doc['format'], 'bin')}"
            await writer.add(path, doc["raw"])
            await writer.add_json(f"reports/{doc['_id']}.json", doc.get("report"))
            index.append({**credentials.credential_view(doc), "file": path})
        if page.next_cursor is None:
            return index
        cursor = page.next_cursor
