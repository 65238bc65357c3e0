"""The learner's credential store: import, duplicates, states, visibility, labels, collections,
search, re-verification with a verdict history, deletion.

Import is one path for every caller (the API's uploads, offers, batches): the bytes as received
(JSON, JWT, baked PNG or SVG; or a URL, fetched through the guarded fetcher and then its body)
go through the validator engine and are stored **verbatim** (``raw``) beside the report and the
fields derived from it (:mod:`satchel.wallet.indexing`).

What is stored, what is refused (decided here, once):

- unusable input (not a badge, truncated, too large, an HTML page, a presentation, an OB 2.0
  badge class or profile) is **rejected** with a reason; nothing is stored;
- a credential whose integrity fails (bad or missing signature, a key its issuer does not
  control, a malformed document: status ``invalid``) is **rejected**: a tampered or forged badge
  has no place in a wallet, and keeping it would let it be shared later;
- an authentic credential that is expired, revoked, suspended, or whose proof could not be
  checked now (an issuer host down) is **stored and flagged** by its ``status``: a learner may
  want to keep an expired badge, and a status can change (re-verification tracks it);
- a recipient that is not the learner is **stored and flagged** (``recipient: "mismatch"``),
  never silently accepted: badges are often sent to an address not yet added to the account.

Duplicates (the same bytes, or the same issuer and credential id) are never stored twice: the
outcome points at the credential already held, within one batch too.

A credential and its first verdict are written in one transaction, so a crash leaves either
both or neither; an outcome is reported ``stored`` only after that transaction committed.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import secrets
import zipfile
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any, Literal

from satchel.errors import InputError, SatchelError
from satchel.fetcher import FetchError
from satchel.validator.extract import ACCEPT, InputFetchError, extract_bytes, single_url
from satchel.validator.inputs import MAX_INPUT_BYTES, ParsedInput
from satchel.validator.options import VerificationOptions
from satchel.validator.report import VerificationReport
from satchel.wallet import indexing
from satchel.wallet.indexing import Learner
from satchel.wallet.services import WalletServices
from satchel.wallet.storage import (
    ConflictError,
    Document,
    DuplicateKeyError,
    InvalidQueryError,
    Operations,
    Page,
    TransientConflictError,
    in_transaction,
)

CREDENTIALS = "credentials"
VERDICTS = "verdicts"
COLLECTIONS = "collections"

MAX_ITEM_BYTES = MAX_INPUT_BYTES
MAX_BATCH_ITEMS = 2000
MAX_BATCH_BYTES = 128 * 1024 * 1024  # uncompressed, over every item of one batch
MAX_ZIP_RATIO = 200  # uncompressed / compressed, per entry: beyond it is a zip bomb
VERIFY_CONCURRENCY = 16
WRITE_CHUNK = 200
MAX_LABELS = 50
MAX_LABEL_LENGTH = 64
MAX_COLLECTIONS = 200
MAX_COLLECTION_NAME = 100
MAX_PAGE = 100

STATES = ("pending", "accepted", "declined")
VISIBILITIES = ("private", "public")
SORTS = {"imported": ("imported_at", "desc"), "issued": ("issued_at", "desc")}
MEDIA_TYPES = {
    "json": "application/json",
    "png": "image/png",
    "svg": "image/svg+xml",
    "jwt": "application/jwt",
}
EXTENSIONS = {"json": "json", "png": "png", "svg": "svg", "jwt": "jwt"}

Outcome = Literal["stored", "duplicate", "rejected"]


# ---- errors ---------------------------------------------------------------------------------


class CredentialRejectedError(SatchelError):
    type = "credential-rejected"
    title = "Credential rejected"
    status = 422


class DuplicateCredentialError(SatchelError):
    """The wallet already holds this credential; ``existing_id`` is the one it holds."""

    type = "duplicate-credential"
    title = "Credential already in the wallet"
    status = 409

    def __init__(self, detail: str, existing_id: str) -> None:
        super().__init__(detail)
        self.existing_id = existing_id


class CredentialNotFoundError(SatchelError):
    type = "credential-not-found"
    title = "Credential not found"
    status = 404


class CollectionNotFoundError(SatchelError):
    type = "collection-not-found"
    title = "Collection not found"
    status = 404


class CredentialChangeError(SatchelError):
    """A change the store's rules do not allow (state, visibility, labels, collections)."""

    type = "invalid-credential-change"
    title = "Change not allowed"
    status = 400


class BatchError(InputError):
    """The batch as a whole cannot be read (too many items, too large, not a zip)."""

    type = "invalid-batch"
    title = "Invalid batch"


class DuplicateCollectionError(SatchelError):
    type = "duplicate-collection"
    title = "Collection already exists"
    status = 409


# ---- import ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportItem:
    """One thing to import: the bytes as received (a URL in bytes is fetched), a name for the
    per-item report (file name), and where it came from (``upload``, ``url``, ``offer``…)."""

    data: bytes
    name: str | None = None
    origin: str = "upload"


@dataclass(frozen=True)
class ImportResult:
    """What became of one item: ``credential_id`` is the stored one or the one already held."""

    index: int
    name: str | None
    outcome: Outcome
    reason: str | None = None
    credential_id: str | None = None
    status: str | None = None
    recipient: str | None = None
    problem: str | None = None  # a problem type slug when rejected or duplicate

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"index": self.index, "outcome": self.outcome}
        optional = {
            "name": self.name,
            "reason": self.reason,
            "credentialId": self.credential_id,
            "status": self.status,
            "recipient": self.recipient,
            "problem": self.problem,
        }
        data.update({key: value for key, value in optional.items() if value is not None})
        return data


@dataclass
class _Prepared:
    """A verified item ready to write: the credential and its first verdict."""

    index: int
    name: str | None
    credential: Document
    verdict: Document


@dataclass
class _Batch:
    """Keys already claimed within one batch, so a duplicate inside it points at the first."""

    by_hash: dict[str, str] = field(default_factory=dict)
    by_identity: dict[tuple[str, str], str] = field(default_factory=dict)


async def import_credential(
    services: WalletServices,
    owner: str,
    item: ImportItem,
    *,
    state: str = "accepted",
    learner: Learner | None = None,
) -> ImportResult:
    """Import one item (see the module docstring for what is stored and what refused)."""
    results = [r async for r in iter_import(services, owner, [item], state=state, learner=learner)]
    return results[0]


async def import_many(
    services: WalletServices,
    owner: str,
    items: Sequence[ImportItem],
    *,
    state: str = "accepted",
    learner: Learner | None = None,
) -> list[ImportResult]:
    """Import a batch; one result per item, in item order."""
    results = [r async for r in iter_import(services, owner, items, state=state, learner=learner)]
    return sorted(results, key=lambda r: r.index)


async def iter_import(
    services: WalletServices,
    owner: str,
    items: Sequence[ImportItem],
    *,
    state: str = "accepted",
    learner: Learner | None = None,
) -> AsyncIterator[ImportResult]:
    """Import ``items``, yielding each result once it is final (``stored`` only after commit).

    Items are verified concurrently and written in chunks, each chunk (credentials and their
    verdicts) in one transaction.
    """
    _check_state(state)
    if len(items) > MAX_BATCH_ITEMS:
        raise BatchError(f"A batch holds at most {MAX_BATCH_ITEMS} items, not {len(items)}.")
    learner = learner or await load_learner(services, owner)
    batch = _Batch()
    for start in range(0, len(items), WRITE_CHUNK):
        chunk = [(i, items[i]) for i in range(start, min(len(items), start + WRITE_CHUNK))]
        hashes = [_sha256(item.data) for _, item in chunk]
        held = {d["sha256"]: d for d in await _held(services.store, owner, "sha256", hashes)}
        prepared = await _prepare_chunk(services, owner, chunk, state, learner, held)
        ready: list[_Prepared] = []
        candidates = [
            e.credential.get("credential_id") for e in prepared if isinstance(e, _Prepared)
        ]
        held_ids = await _held(services.store, owner, "credential_id", candidates)
        same_id = {identity: doc for doc in held_ids if (identity := _identity(doc))}
        for entry in prepared:
            if isinstance(entry, ImportResult):
                yield entry
                continue
            duplicate = _duplicate_of(entry, batch, same_id)
            if duplicate is not None:
                yield duplicate
                continue
            _claim(batch, entry)
            ready.append(entry)
        for result in await _write(services, owner, ready):
            yield result


async def load_learner(services: WalletServices, owner: str) -> Learner:
    from satchel.wallet.identity import learner_dids, verified_emails

    dids = await learner_dids(services, owner)
    emails = await verified_emails(services, owner)
    return Learner(dids=tuple(dids), emails=tuple(emails))


async def _prepare_chunk(
    services: WalletServices,
    owner: str,
    chunk: Sequence[tuple[int, ImportItem]],
    state: str,
    learner: Learner,
    held: Mapping[str, Document],
) -> list[_Prepared | ImportResult]:
    slots = asyncio.Semaphore(VERIFY_CONCURRENCY)

    async def one(index: int, item: ImportItem) -> _Prepared | ImportResult:
        async with slots:
            return await _prepare(services, owner, index, item, state, learner, held)

    return list(await asyncio.gather(*(one(index, item) for index, item in chunk)))


async def _prepare(
    services: WalletServices,
    owner: str,
    index: int,
    item: ImportItem,
    state: str,
    learner: Learner,
    held: Mapping[str, Document],
) -> _Prepared | ImportResult:
    try:
        raw, source_url, parsed = await _read_input(services, item)
    except InputError as exc:
        reason = f"This is not a badge the wallet can read: {exc.detail}"
        return _rejected(index, item.name, reason, exc.type)
    digest = _sha256(raw)
    known = held.get(digest)
    if known is None and raw is not item.data:  # fetched from a URL: not prefetched
        known = await _find_one(services.store, {"owner": owner, "sha256": digest})
    if known is not None:
        return _duplicate(index, item.name, known, "the same file")
    now = services.now()
    report = await services.verifier.verify(parsed, VerificationOptions(now=now))
    refusal = _refusal(report)
    if refusal is not None:
        return _rejected(index, item.name, refusal, CredentialRejectedError.type)
    assert report.document is not None  # _refusal refuses a report without one
    credential_doc = await _new_credential(
        services, owner, raw, parsed, report, learner, now, item, source_url, state
    )
    return _Prepared(index, item.name, credential_doc, _verdict(credential_doc, report, now))


async def _read_input(
    services: WalletServices, item: ImportItem
) -> tuple[bytes, str | None, ParsedInput]:
    """The bytes to keep (a URL's body, when given a URL), its address, and what they hold."""
    if len(item.data) > MAX_ITEM_BYTES:
        raise InputError(f"The file is {len(item.data)} bytes; the limit is {MAX_ITEM_BYTES}.")
    if not item.data.strip():
        raise InputError("The file is empty.")
    url = single_url(item.data)
    if url is None:
        return item.data, None, extract_bytes(item.data)
    fetcher = services.fetcher
    if fetcher is None:
        raise InputError(f"{url} cannot be fetched here; upload the badge file instead.")
    try:
        response = await fetcher.get(url, max_bytes=MAX_ITEM_BYTES, accept=ACCEPT)
    except FetchError as exc:
        raise InputFetchError(exc) from exc
    if single_url(response.body) is not None:
        raise InputError(f"{url} holds only another address; give the credential itself.")
    return response.body, response.url, extract_bytes(response.body)


def _refusal(report: VerificationReport) -> str | None:
    """Why this report's input is not stored, or None when it is (see the module docstring)."""
    if report.unusable_input or report.document is None:
        reason = indexing.join_errors(report.errors) or "it holds no readable credential"
        return f"This is not a badge the wallet can read: {reason}"
    if not indexing.is_storable_kind(report.document, report.kind):
        return (
            f"This is a {report.kind or 'document'} but not a credential awarded to someone "
            "(a presentation, badge class or issuer profile); import the credential itself."
        )
    failures = indexing.integrity_failures(report)
    if failures:
        return "The credential failed verification: " + indexing.join_errors(failures)
    return None


async def _new_credential(
    services: WalletServices,
    owner: str,
    raw: bytes,
    parsed: ParsedInput,
    report: VerificationReport,
    learner: Learner,
    now: datetime,
    item: ImportItem,
    source_url: str | None,
    state: str,
) -> Document:
    assert report.document is not None
    recipient, recipient_detail = await indexing.match_recipient(
        services.verifier, report.document, report.kind, learner, VerificationOptions(now=now)
    )
    fields = indexing.index_fields(report.document, report.kind, report.linked)
    doc: Document = {
        "_id": new_id(),
        "owner": owner,
        "raw": raw,
        "sha256": _sha256(raw),
        "size": len(raw),
        "format": _format(parsed),
        "media_type": _media_type(parsed, report),
        "origin": item.origin,
        "file_name": item.name,
        "source_url": source_url,
        "kind": report.kind,
        "state": state,
        "visibility": "private",
        "labels": [],
        "collections": [],
        "status": indexing.derive_status(report),
        "recipient": recipient,
        "recipient_detail": recipient_detail,
        "report": report.to_json(),
        "imported_at": iso(now),
        "verified_at": iso(now),
        **fields,
    }
    return {key: value for key, value in doc.items() if value is not None}


def _verdict(
    credential_doc: Mapping[str, Any], report: VerificationReport, now: datetime
) -> Document:
    return {
        "_id": new_id(),
        "credential_ref": credential_doc["_id"],
        "owner": credential_doc["owner"],
        "checked_at": iso(now),
        "verified": report.verified,
        "status": credential_doc["status"],
        "recipient": credential_doc["recipient"],
        "report": report.to_json(),
    }


def _format(parsed: ParsedInput) -> str:
    if parsed.source in ("png", "svg"):
        return parsed.source
    return "jwt" if parsed.jwt is not None else "json"


def _media_type(parsed: ParsedInput, report: VerificationReport) -> str:
    form = _format(parsed)
    if form == "jwt" and report.kind == "credential":
        return "application/vc+jwt"
    return MEDIA_TYPES[form]


def _duplicate_of(
    entry: _Prepared, batch: _Batch, held: Mapping[tuple[str, str], Document]
) -> ImportResult | None:
    """A duplicate of something earlier in this batch or already held (``held``: by identity)."""
    credential_doc = entry.credential
    digest = credential_doc["sha256"]
    if digest in batch.by_hash:
        return _duplicate_id(entry, batch.by_hash[digest], "the same file earlier in this batch")
    identity = _identity(credential_doc)
    if identity is None:
        return None
    if identity in batch.by_identity:
        return _duplicate_id(
            entry, batch.by_identity[identity], "the same credential earlier in this batch"
        )
    if identity in held:
        return _duplicate(entry.index, entry.name, held[identity], "the same issuer and id")
    return None


async def _held(
    ops: Operations, owner: str, field_name: str, values: Iterable[Any]
) -> list[Document]:
    """The owner's credentials whose ``field_name`` is one of ``values``: one query per few
    hundred values instead of one per item."""
    wanted = sorted({v for v in values if isinstance(v, str)})
    found: list[Document] = []
    for start in range(0, len(wanted), 500):
        query = {"owner": owner, field_name: {"$in": wanted[start : start + 500]}}
        cursor: str | None = None
        while True:
            page = await ops.find(CREDENTIALS, query, limit=1000, after=cursor)
            found += page.items
            cursor = page.next_cursor
            if cursor is None:
                break
    return found


def _claim(batch: _Batch, entry: _Prepared) -> None:
    batch.by_hash[entry.credential["sha256"]] = entry.credential["_id"]
    identity = _identity(entry.credential)
    if identity is not None:
        batch.by_identity[identity] = entry.credential["_id"]


def _identity(credential_doc: Mapping[str, Any]) -> tuple[str, str] | None:
    issuer, credential_id = credential_doc.get("issuer_id"), credential_doc.get("credential_id")
    return (issuer, credential_id) if issuer and credential_id else None


async def _write(
    services: WalletServices, owner: str, ready: list[_Prepared]
) -> list[ImportResult]:
    """Write a chunk in one transaction. If another import took a key meanwhile, or the store
    stays contended (MongoDB keeps a crashed client's transaction open until it expires), write
    the chunk one by one so that only the items concerned are reported, never the whole batch."""
    if not ready:
        return []

    async def write_all(tx: Operations) -> None:
        await tx.insert_many(CREDENTIALS, [entry.credential for entry in ready])
        await tx.insert_many(VERDICTS, [entry.verdict for entry in ready])

    try:
        await in_transaction(services.store, write_all)
    except (DuplicateKeyError, TransientConflictError):
        return [await _write_one(services, owner, entry) for entry in ready]
    return [_stored(entry) for entry in ready]


async def _write_one(services: WalletServices, owner: str, entry: _Prepared) -> ImportResult:
    async def write(tx: Operations) -> None:
        await tx.insert(CREDENTIALS, entry.credential)
        await tx.insert(VERDICTS, entry.verdict)

    try:
        # Few attempts: a conflict that outlived the chunk's retries is a held lock (a crashed
        # client's transaction), which waiting milliseconds longer will not release.
        await in_transaction(services.store, write, attempts=2)
    except DuplicateKeyError as exc:
        existing = exc.existing_id or await _clashing_id(services, owner, entry.credential)
        return _duplicate_id(entry, existing, "a credential imported at the same time")
    except TransientConflictError:
        reason = (
            "The wallet's database was busy with this same credential (another import of it "
            "is in progress or was interrupted); nothing was stored for it: import it again."
        )
        return _rejected(entry.index, entry.name, reason, TransientConflictError.type)
    return _stored(entry)


async def _clashing_id(services: WalletServices, owner: str, credential_doc: Document) -> str:
    known = await _find_one(services.store, {"owner": owner, "sha256": credential_doc["sha256"]})
    identity = _identity(credential_doc)
    if known is None and identity is not None:
        query = {"owner": owner, "issuer_id": identity[0], "credential_id": identity[1]}
        known = await _find_one(services.store, query)
    return str(known["_id"]) if known else ""


def _stored(entry: _Prepared) -> ImportResult:
    credential_doc = entry.credential
    return ImportResult(
        entry.index,
        entry.name,
        "stored",
        credential_id=credential_doc["_id"],
        status=credential_doc["status"],
        recipient=credential_doc["recipient"],
    )


def _rejected(index: int, name: str | None, reason: str, problem: str) -> ImportResult:
    return ImportResult(index, name, "rejected", reason=reason, problem=problem)


def _duplicate(index: int, name: str | None, known: Mapping[str, Any], why: str) -> ImportResult:
    return ImportResult(
        index,
        name,
        "duplicate",
        reason=f"The wallet already holds this credential ({why}).",
        credential_id=known["_id"],
        status=known.get("status"),
        problem=DuplicateCredentialError.type,
    )


def _duplicate_id(entry: _Prepared, existing_id: str, why: str) -> ImportResult:
    return ImportResult(
        entry.index,
        entry.name,
        "duplicate",
        reason=f"The wallet already holds this credential ({why}).",
        credential_id=existing_id,
        problem=DuplicateCredentialError.type,
    )


def raise_for(result: ImportResult) -> None:
    """For single imports: a rejection or duplicate as the typed error the API answers with."""
    if result.outcome == "rejected":
        raise CredentialRejectedError(result.reason or "The credential was rejected.")
    if result.outcome == "duplicate":
        raise DuplicateCredentialError(
            result.reason or "The wallet already holds this credential.", result.credential_id or ""
        )


# ---- batches from a zip ---------------------------------------------------------------------


@dataclass(frozen=True)
class UnpackedZip:
    """Items read from a zip, and the per-entry refusals (unsafe names, oversized entries)."""

    items: list[ImportItem]
    refused: list[tuple[str, str]]  # (entry name, reason)


def read_zip(data: bytes, *, max_total: int = MAX_BATCH_BYTES) -> UnpackedZip:
    """Read a zip of badge files defensively: entry count capped, sizes capped while reading
    (declared sizes are not trusted), compression ratio capped, unsafe names refused."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise BatchError(f"The upload is not a readable zip file: {exc}.") from exc
    with archive:
        entries = [info for info in archive.infolist() if not _skipped(info)]
        if len(entries) > MAX_BATCH_ITEMS:
            raise BatchError(f"The zip holds {len(entries)} files; the limit is {MAX_BATCH_ITEMS}.")
        items: list[ImportItem] = []
        refused: list[tuple[str, str]] = []
        total = 0
        for info in entries:
            problem = _entry_problem(info)
            content = None if problem else _read_entry(archive, info)
            if content is None:
                refused.append((info.filename, problem or _too_large(MAX_ITEM_BYTES)))
                continue
            total += len(content)
            if total > max_total:
                raise BatchError(f"The zip's files add up to more than {max_total} bytes.")
            items.append(ImportItem(content, name=info.filename, origin="batch"))
    return UnpackedZip(items, refused)


def _skipped(info: zipfile.ZipInfo) -> bool:
    """Folders and the metadata macOS adds to zips it makes are not badges."""
    name = info.filename
    return info.is_dir() or name.startswith("__MACOSX/") or PurePosixPath(name).name == ".DS_Store"


def _entry_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename.replace("\\", "/")
    parts = PurePosixPath(name).parts
    if name.startswith("/") or ".." in parts or (parts and ":" in parts[0]):
        return "The file name points outside the zip (absolute path or '..'); it was not read."
    if info.flag_bits & 0x1:
        return "The file is encrypted."
    if info.file_size > MAX_ITEM_BYTES:
        return _too_large(MAX_ITEM_BYTES)
    if info.compress_size and info.file_size / info.compress_size > MAX_ZIP_RATIO:
        return f"The file is compressed more than {MAX_ZIP_RATIO}:1, as zip bombs are."
    return None


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """The entry's bytes, or None when it inflates beyond the cap (whatever it declared)."""
    try:
        with archive.open(info) as stream:
            content = stream.read(MAX_ITEM_BYTES + 1)
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError, NotImplementedError):
        return b""  # unreadable bytes: rejected later as not a badge, with the others kept
    return None if len(content) > MAX_ITEM_BYTES else content


def _too_large(limit: int) -> str:
    return f"The file is larger than {limit} bytes."


def refused_results(refused: Iterable[tuple[str, str]], first_index: int) -> list[ImportResult]:
    return [
        _rejected(first_index + offset, name, reason, BatchError.type)
        for offset, (name, reason) in enumerate(refused)
    ]


# ---- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CredentialQuery:
    """Filters of the credential list; every one optional, combined with AND."""

    text: str | None = None
    issuer: str | None = None
    label: str | None = None
    collection: str | None = None
    state: str | None = None
    status: str | None = None
    visibility: str | None = None
    recipient: str | None = None
    issued_from: str | None = None
    issued_to: str | None = None
    sort: str = "imported"

    def to_filter(self, owner: str) -> dict[str, Any]:
        query: dict[str, Any] = {"owner": owner}
        _maybe_enum(query, "state", self.state, STATES)
        _maybe_enum(query, "status", self.status, indexing.STATUSES)
        _maybe_enum(query, "visibility", self.visibility, VISIBILITIES)
        _maybe_enum(query, "recipient", self.recipient, indexing.RECIPIENTS)
        for name, value in (
            ("issuer_id", self.issuer),
            ("labels", self.label),
            ("collections", self.collection),
        ):
            if value:
                query[name] = value
        issued = _date_range(self.issued_from, self.issued_to)
        if issued:
            query["issued_at"] = issued
        if self.text and self.text.strip():
            query["$text"] = self.text.strip()[:200]
        return query


def _maybe_enum(
    query: dict[str, Any], name: str, value: str | None, allowed: Sequence[str]
) -> None:
    if value is None:
        return
    if value not in allowed:
        raise InvalidQueryError(f"{name} must be one of {', '.join(allowed)}, not {value!r}.")
    query[name] = value


def _date_range(start: str | None, end: str | None) -> dict[str, str]:
    bounds: dict[str, str] = {}
    for op, value in (("$gte", start), ("$lte", end)):
        if value is None:
            continue
        normalised = indexing.utc_iso(value)
        if normalised is None:
            raise InvalidQueryError(f"{value!r} is not a date (2024-01-31 or an ISO date-time).")
        if op == "$lte" and "T" not in value:
            normalised = normalised.replace("T00:00:00Z", "T23:59:59Z")  # the whole last day
        bounds[op] = normalised
    return bounds


async def list_credentials(
    services: WalletServices,
    owner: str,
    query: CredentialQuery,
    *,
    limit: int = 20,
    cursor: str | None = None,
) -> Page:
    if query.sort not in SORTS:
        raise InvalidQueryError(f"sort must be one of {', '.join(SORTS)}.")
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidQueryError(f"limit must be between 1 and {MAX_PAGE}.")
    field_name, direction = SORTS[query.sort]
    return await services.store.find(
        CREDENTIALS,
        query.to_filter(owner),
        sort=(field_name, "desc" if direction == "desc" else "asc"),
        limit=limit,
        after=cursor,
    )


async def get_credential(services: WalletServices, owner: str, credential_id: str) -> Document:
    """The owner's credential; the same "not found" for absent and someone else's."""
    return await _owned(services.store, owner, credential_id)


async def _owned(ops: Operations, owner: str, credential_id: str) -> Document:
    doc = await ops.get(CREDENTIALS, credential_id) if _plausible_id(credential_id) else None
    if doc is None or doc.get("owner") != owner:
        raise CredentialNotFoundError("This wallet holds no credential with that id.")
    return doc


async def get_public(services: WalletServices, public_id: str) -> Document | None:
    """A credential its owner made public (for sharing pages); None otherwise."""
    if not _plausible_id(public_id):
        return None
    doc = await _find_one(services.store, {"public_id": public_id})
    if doc is None or doc.get("visibility") != "public" or doc.get("state") != "accepted":
        return None
    return doc


async def verdict_history(
    services: WalletServices,
    owner: str,
    credential_id: str,
    *,
    limit: int = 20,
    cursor: str | None = None,
) -> Page:
    await _owned(services.store, owner, credential_id)
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidQueryError(f"limit must be between 1 and {MAX_PAGE}.")
    return await services.store.find(
        VERDICTS,
        {"credential_ref": credential_id},
        sort=("checked_at", "desc"),
        limit=limit,
        after=cursor,
    )


# ---- changes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CredentialChange:
    """A learner's edit: any of state, visibility, the whole label set, labels to add/remove."""

    state: str | None = None
    visibility: str | None = None
    labels: tuple[str, ...] | None = None
    add_labels: tuple[str, ...] = ()
    remove_labels: tuple[str, ...] = ()


async def change_credential(
    services: WalletServices, owner: str, credential_id: str, change: CredentialChange
) -> Document:
    """Apply ``change`` (optimistic concurrency: read, check, write the version read)."""
    for _ in range(5):
        doc = await _owned(services.store, owner, credential_id)
        set_fields, unset = _planned_change(doc, change, services.now())
        try:
            return await services.store.update(
                CREDENTIALS,
                credential_id,
                set_fields,
                unset=unset,
                expected_version=doc["_version"],
            )
        except ConflictError:
            continue
    raise ConflictError("The credential kept changing under this edit; try again.")


def _planned_change(
    doc: Mapping[str, Any], change: CredentialChange, now: datetime
) -> tuple[dict[str, Any], list[str]]:
    state = change.state or doc["state"]
    visibility = change.visibility or doc["visibility"]
    if change.state is not None:
        _check_transition(doc["state"], change.state)
    if change.visibility is not None and change.visibility not in VISIBILITIES:
        raise CredentialChangeError(f"visibility must be one of {', '.join(VISIBILITIES)}.")
    if visibility == "public" and state != "accepted":
        if change.visibility == "public":
            raise CredentialChangeError("Only an accepted credential can be made public.")
        visibility = "private"  # declining a public credential withdraws it from view
    set_fields: dict[str, Any] = {"state": state, "visibility": visibility, "updated_at": iso(now)}
    labels = _new_labels(list(doc.get("labels", [])), change)
    if labels is not None:
        set_fields["labels"] = labels
    unset: list[str] = []
    if visibility == "public" and not doc.get("public_id"):
        set_fields["public_id"] = secrets.token_urlsafe(24)
    elif visibility == "private" and doc.get("public_id"):
        unset.append("public_id")  # old links die; public again gets a new id
    return set_fields, unset


def _check_state(state: str) -> None:
    if state not in STATES:
        raise CredentialChangeError(f"state must be one of {', '.join(STATES)}.")


def _check_transition(current: str, new: str) -> None:
    """pending → accepted | declined; a decision can be changed, but never back to pending."""
    _check_state(new)
    if new == "pending" and current != "pending":
        raise CredentialChangeError("A credential cannot go back to pending once decided.")


def _new_labels(labels: list[str], change: CredentialChange) -> list[str] | None:
    if change.labels is None and not change.add_labels and not change.remove_labels:
        return None
    result = [_label(x) for x in change.labels] if change.labels is not None else labels
    result += [_label(x) for x in change.add_labels]
    removed = {_label(x) for x in change.remove_labels}
    unique = [x for x in dict.fromkeys(result) if x not in removed]
    if len(unique) > MAX_LABELS:
        raise CredentialChangeError(f"A credential has at most {MAX_LABELS} labels.")
    return unique


def _label(value: str) -> str:
    label = " ".join(value.split())
    if not label or len(label) > MAX_LABEL_LENGTH:
        raise CredentialChangeError(f"A label is 1 to {MAX_LABEL_LENGTH} characters.")
    return label


async def delete_credential(services: WalletServices, owner: str, credential_id: str) -> None:
    """Delete the credential and its verdict history together."""

    async def work(tx: Operations) -> None:
        await _owned(tx, owner, credential_id)
        await tx.delete_many(VERDICTS, {"credential_ref": credential_id})
        await tx.delete(CREDENTIALS, credential_id)

    await in_transaction(services.store, work)


# ---- re-verification ------------------------------------------------------------------------


async def reverify(services: WalletServices, owner: str, credential_id: str) -> Document:
    """Verify the stored bytes again now; record the verdict; returns the updated credential."""
    doc = await _owned(services.store, owner, credential_id)
    learner = await load_learner(services, owner)
    return await _reverify_doc(services, doc, learner)


@dataclass(frozen=True)
class ReverifySummary:
    checked: int
    changed: list[str]  # ids whose status or recipient changed
    statuses: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {"checked": self.checked, "changed": self.changed, "statuses": self.statuses}


async def reverify_all(services: WalletServices, owner: str) -> ReverifySummary:
    """Re-verify every credential of the learner, a page at a time."""
    learner = await load_learner(services, owner)
    checked, changed = 0, []
    statuses: dict[str, int] = {status: 0 for status in indexing.STATUSES}
    cursor: str | None = None
    slots = asyncio.Semaphore(VERIFY_CONCURRENCY)

    async def one(doc: Document) -> Document | None:
        async with slots:
            try:
                return await _reverify_doc(services, doc, learner)
            except CredentialNotFoundError:
                return None  # deleted meanwhile

    while True:
        page = await services.store.find(CREDENTIALS, {"owner": owner}, limit=100, after=cursor)
        updated = await asyncio.gather(*(one(doc) for doc in page.items))
        for before, after in zip(page.items, updated, strict=True):
            if after is None:
                continue
            checked += 1
            statuses[after["status"]] += 1
            if (before["status"], before["recipient"]) != (after["status"], after["recipient"]):
                changed.append(after["_id"])
        cursor = page.next_cursor
        if cursor is None:
            return ReverifySummary(checked, changed, statuses)


async def _reverify_doc(services: WalletServices, doc: Document, learner: Learner) -> Document:
    now = services.now()
    parsed = _parsed_again(doc)
    report = await services.verifier.verify(parsed, VerificationOptions(now=now))
    recipient, detail = "unknown", "The stored credential could not be read again."
    if report.document is not None:
        recipient, detail = await indexing.match_recipient(
            services.verifier, report.document, report.kind, learner, VerificationOptions(now=now)
        )
    status = indexing.derive_status(report)
    fields = {
        "status": status,
        "recipient": recipient,
        "recipient_detail": detail,
        "report": report.to_json(),
        "verified_at": iso(now),
    }
    verdict = _verdict({**doc, "status": status, "recipient": recipient}, report, now)

    async def work(tx: Operations) -> Document:
        await _owned(tx, doc["owner"], doc["_id"])  # deleted meanwhile: nothing to record
        await tx.insert(VERDICTS, verdict)
        return await tx.update(CREDENTIALS, doc["_id"], fields)

    return await in_transaction(services.store, work)


def _parsed_again(doc: Mapping[str, Any]) -> ParsedInput:
    """The stored bytes extracted again (a URL import keeps its address for OB 2.0 checks)."""
    try:
        parsed = extract_bytes(doc["raw"])
    except InputError:
        return ParsedInput()  # verifies as unreadable: the verdict says so
    if doc.get("source_url"):
        return replace(parsed, source="url", source_url=doc["source_url"])
    return parsed


# ---- collections ----------------------------------------------------------------------------


async def create_collection(
    services: WalletServices, owner: str, name: str, description: str | None = None
) -> Document:
    if await services.store.count(COLLECTIONS, {"owner": owner}) >= MAX_COLLECTIONS:
        raise CredentialChangeError(f"A wallet holds at most {MAX_COLLECTIONS} collections.")
    now = iso(services.now())
    doc = {
        "_id": new_id(),
        "owner": owner,
        "name": _collection_name(name),
        "description": _description(description),
        "created_at": now,
        "updated_at": now,
    }
    try:
        return await services.store.insert(COLLECTIONS, doc)
    except DuplicateKeyError as exc:
        raise DuplicateCollectionError(f"A collection named {doc['name']!r} exists.") from exc


async def list_collections(services: WalletServices, owner: str) -> list[Document]:
    page = await services.store.find(
        COLLECTIONS, {"owner": owner}, sort=("name", "asc"), limit=MAX_COLLECTIONS
    )
    return page.items


async def get_collection(services: WalletServices, owner: str, collection_id: str) -> Document:
    return await _owned_collection(services.store, owner, collection_id)


async def collection_size(services: WalletServices, owner: str, collection_id: str) -> int:
    return await services.store.count(CREDENTIALS, {"owner": owner, "collections": collection_id})


async def _owned_collection(ops: Operations, owner: str, collection_id: str) -> Document:
    doc = await ops.get(COLLECTIONS, collection_id) if _plausible_id(collection_id) else None
    if doc is None or doc.get("owner") != owner:
        raise CollectionNotFoundError("This wallet has no collection with that id.")
    return doc


@dataclass(frozen=True)
class CollectionChange:
    name: str | None = None
    description: str | None = None
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()


async def change_collection(
    services: WalletServices, owner: str, collection_id: str, change: CollectionChange
) -> Document:
    """Rename/describe the collection and add or remove credentials, all or nothing."""

    async def work(tx: Operations) -> Document:
        doc = await _owned_collection(tx, owner, collection_id)
        fields: dict[str, Any] = {"updated_at": iso(services.now())}
        if change.name is not None:
            fields["name"] = _collection_name(change.name)
        if change.description is not None:
            fields["description"] = _description(change.description)
        for credential_id in change.add:
            await _set_membership(tx, owner, credential_id, collection_id, member=True)
        for credential_id in change.remove:
            await _set_membership(tx, owner, credential_id, collection_id, member=False)
        return await tx.update(COLLECTIONS, doc["_id"], fields)

    try:
        return await in_transaction(services.store, work)
    except DuplicateKeyError as exc:
        raise DuplicateCollectionError(f"A collection named {change.name!r} exists.") from exc


async def _set_membership(
    tx: Operations, owner: str, credential_id: str, collection_id: str, *, member: bool
) -> None:
    doc = await _owned(tx, owner, credential_id)
    current = list(doc.get("collections", []))
    wanted = (
        list(dict.fromkeys([*current, collection_id]))
        if member
        else [c for c in current if c != collection_id]
    )
    if wanted != current:
        await tx.update(CREDENTIALS, credential_id, {"collections": wanted})


async def delete_collection(services: WalletServices, owner: str, collection_id: str) -> None:
    """Delete the collection (not its credentials), taking it off every member."""

    async def work(tx: Operations) -> None:
        await _owned_collection(tx, owner, collection_id)
        while True:
            members = await tx.find(
                CREDENTIALS, {"owner": owner, "collections": collection_id}, limit=500
            )
            for doc in members.items:
                await _set_membership(tx, owner, doc["_id"], collection_id, member=False)
            if members.next_cursor is None:
                break
        await tx.delete(COLLECTIONS, collection_id)

    await in_transaction(services.store, work)


def _collection_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > MAX_COLLECTION_NAME:
        raise CredentialChangeError(f"A collection name is 1 to {MAX_COLLECTION_NAME} characters.")
    return cleaned


def _description(text: str | None) -> str | None:
    if text is None:
        return None
    if len(text) > indexing.MAX_DESCRIPTION:
        raise CredentialChangeError(
            f"A description is at most {indexing.MAX_DESCRIPTION} characters."
        )
    return text


# ---- views and helpers ----------------------------------------------------------------------


def credential_view(doc: Mapping[str, Any], *, with_report: bool = False) -> dict[str, Any]:
    """The API's JSON for a stored credential (never the raw bytes; GET …/raw has them)."""
    view: dict[str, Any] = {
        "id": doc["_id"],
        "state": doc["state"],
        "visibility": doc["visibility"],
        "status": doc["status"],
        "recipient": doc["recipient"],
        "format": doc["format"],
        "mediaType": doc["media_type"],
        "kind": doc.get("kind"),
        "sha256": doc["sha256"],
        "size": doc["size"],
        "origin": doc.get("origin"),
        "types": doc.get("types", []),
        "tags": doc.get("tags", []),
        "labels": doc.get("labels", []),
        "collections": doc.get("collections", []),
        "importedAt": doc["imported_at"],
        "verifiedAt": doc["verified_at"],
        "issuer": {"id": doc.get("issuer_id"), "name": doc.get("issuer_name")},
    }
    optional = {
        "publicId": doc.get("public_id"),
        "name": doc.get("name"),
        "description": doc.get("description"),
        "achievementName": doc.get("achievement_name"),
        "credentialId": doc.get("credential_id"),
        "issuedAt": doc.get("issued_at"),
        "expiresAt": doc.get("expires_at"),
        "fileName": doc.get("file_name"),
        "sourceUrl": doc.get("source_url"),
        "updatedAt": doc.get("updated_at"),
    }
    view.update({key: value for key, value in optional.items() if value is not None})
    if with_report:
        view["recipientDetail"] = doc.get("recipient_detail")
        view["report"] = doc["report"]
    return view


def verdict_view(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "checkedAt": doc["checked_at"],
        "verified": doc["verified"],
        "status": doc["status"],
        "recipient": doc["recipient"],
        "report": doc["report"],
    }


def collection_view(doc: Mapping[str, Any], size: int | None = None) -> dict[str, Any]:
    view = {
        "id": doc["_id"],
        "name": doc["name"],
        "createdAt": doc["created_at"],
        "updatedAt": doc["updated_at"],
    }
    if doc.get("description") is not None:
        view["description"] = doc["description"]
    if size is not None:
        view["size"] = size
    return view


def raw_file_name(doc: Mapping[str, Any]) -> str:
    return f"credential-{doc['_id']}.{EXTENSIONS.get(doc['format'], 'bin')}"


def new_id() -> str:
    return secrets.token_hex(12)


def iso(moment: datetime) -> str:
    """UTC with microseconds and "Z", fixed width: string order is time order in the store."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _plausible_id(value: str) -> bool:
    return 0 < len(value) <= 64 and value.isascii()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def _find_one(ops: Operations, query: Mapping[str, Any]) -> Document | None:
    page = await ops.find(CREDENTIALS, query, limit=1)
    return page.items[0] if page.items else None
