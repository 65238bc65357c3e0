"""The storage port: the only way the wallet reads and writes its data.

Two adapters implement it (embedded SQLite and MongoDB) and pass one contract suite, so the
wallet never knows which one it has. The surface is deliberately small:

* collections are declared up front by a :class:`Schema` (queryable fields with types, indexes,
  unique constraints, full-text fields);
* documents are JSON-like dicts with a string ``_id``; values may be ``bytes``, which come back
  byte-identical (signed credentials are stored verbatim);
* the store keeps an integer ``_version`` on every document (1 on insert, +1 on each update) for
  optimistic concurrency;
* filters use a small, validated language (see :mod:`satchel.wallet.storage.query`);
* listing is cursor-paginated on one field with ``_id`` as tiebreaker, stable under inserts.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal, Protocol, TypeVar

from satchel.errors import SatchelError

T = TypeVar("T")
Document = dict[str, Any]
Filter = Mapping[str, Any]
SortDirection = Literal["asc", "desc"]
Sort = tuple[str, SortDirection]

ID_FIELD = "_id"
VERSION_FIELD = "_version"
# Fields the store owns: callers can neither set nor query them directly.
RESERVED_FIELDS = frozenset({VERSION_FIELD, "_terms"})
MAX_PAGE_SIZE = 1000
DEFAULT_SORT: Sort = (ID_FIELD, "asc")

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,47}$")


class FieldType(Enum):
    """The type of a queryable field; values are checked on every write."""

    STRING = "string"  # also ISO 8601 dates: store them normalised (UTC, "Z") so order is time
    INTEGER = "integer"
    NUMBER = "number"  # int or float
    BOOLEAN = "boolean"
    STRING_LIST = "string-list"  # a list of strings; equality / $in match any element


class StorageError(SatchelError):
    """Base class of storage failures."""

    type = "storage-error"
    title = "Storage error"
    status = 500


class SchemaError(StorageError):
    """The declared schema is unusable, or stored data cannot be migrated to it."""

    type = "storage-schema-error"
    title = "Storage schema error"


class InvalidDocumentError(StorageError):
    """A document cannot be stored portably (bad key, value type, or field type)."""

    type = "invalid-document"
    title = "Invalid document"
    status = 400


class InvalidQueryError(StorageError):
    """A filter, sort, limit or cursor is not part of the portable query language."""

    type = "invalid-query"
    title = "Invalid query"
    status = 400


class DuplicateKeyError(StorageError):
    """A write would break a unique constraint (``fields`` is the constraint).

    ``existing_id`` is the ``_id`` of the document already holding the value when the store can
    see it (MongoDB cannot see a document inserted earlier in the same, now aborted, transaction).
    """

    type = "duplicate"
    title = "Already exists"
    status = 409

    def __init__(self, collection: str, fields: tuple[str, ...], existing_id: str | None) -> None:
        super().__init__(
            f"{collection}: another document already has these values of {', '.join(fields)}"
        )
        self.collection = collection
        self.fields = fields
        self.existing_id = existing_id


class NotFoundError(StorageError):
    """The document to update does not exist."""

    type = "not-found"
    title = "Not found"
    status = 404

    def __init__(self, collection: str, doc_id: str) -> None:
        super().__init__(f"{collection}: no document {doc_id!r}")
        self.collection = collection
        self.doc_id = doc_id


class ConflictError(StorageError):
    """A concurrent writer changed the document first: read it again and retry."""

    type = "conflict"
    title = "Edit conflict"
    status = 409


class TransientConflictError(ConflictError):
    """Concurrent transactions touched the same data and this one lost; running the whole
    transaction again is safe (:func:`in_transaction` does that)."""


class TransactionAbortedError(StorageError):
    """An operation failed inside this transaction: it can only be rolled back now."""

    type = "transaction-aborted"
    title = "Transaction aborted"


class StorageUnavailableError(StorageError):
    """The database cannot be reached or opened."""

    type = "storage-unavailable"
    title = "Storage unavailable"
    status = 503


@dataclass(frozen=True)
class Index:
    """An index over ``fields`` in order; ``unique`` makes it a constraint.

    A unique constraint only binds documents where every one of its fields is present and not
    null (SQL semantics; MongoDB gets the same through a partial index).
    """

    fields: tuple[str, ...]
    unique: bool = False

    @property
    def name(self) -> str:
        return ("ux_" if self.unique else "ix_") + "__".join(self.fields)


@dataclass(frozen=True)
class Collection:
    """One collection: queryable ``fields`` (top-level keys), ``indexes``, full-text fields.

    Only declared fields (and ``_id``) can appear in filters and sorts. ``text_fields`` are
    top-level string or list-of-string fields searched by the ``$text`` filter.
    ``text_scope`` names a string field that text searches are usually narrowed by (the
    owner): adapters may index it with the words so ``scope = X AND $text`` stays fast at
    any collection size. It never replaces the equality condition itself.
    """

    name: str
    fields: Mapping[str, FieldType]
    indexes: tuple[Index, ...] = ()
    text_fields: tuple[str, ...] = ()
    text_scope: str | None = None

    def __post_init__(self) -> None:
        _check_name(self.name, "collection")
        lowered = [name.lower() for name in self.fields]
        if len(set(lowered)) != len(lowered):
            raise SchemaError(f"{self.name}: field names must differ beyond letter case")
        for name in self.fields:
            _check_name(name, "field")
            if name in RESERVED_FIELDS:
                raise SchemaError(f"{self.name}: {name} is reserved for the store")
        for index in self.indexes:
            self._check_index(index)
        for name in self.text_fields:
            _check_name(name, "text field")
        if self.text_scope is not None and self.fields.get(self.text_scope) is not FieldType.STRING:
            raise SchemaError(f"{self.name}: text scope {self.text_scope} must be a string field")

    def _check_index(self, index: Index) -> None:
        if not index.fields:
            raise SchemaError(f"{self.name}: an index needs at least one field")
        for name in index.fields:
            if name not in self.fields:
                raise SchemaError(f"{self.name}: index field {name} is not declared")
            if self.fields[name] is FieldType.STRING_LIST:
                raise SchemaError(f"{self.name}: list field {name} cannot be in an index")

    @property
    def list_fields(self) -> tuple[str, ...]:
        return tuple(n for n, t in self.fields.items() if t is FieldType.STRING_LIST)

    @property
    def unique_indexes(self) -> tuple[Index, ...]:
        return tuple(index for index in self.indexes if index.unique)

    def describe(self) -> dict[str, Any]:
        """A JSON-able description, stored by adapters to notice schema changes."""
        return {
            "fields": {name: kind.value for name, kind in sorted(self.fields.items())},
            "indexes": [[list(ix.fields), ix.unique] for ix in self.indexes],
            "text_fields": list(self.text_fields),
            "text_scope": self.text_scope,
        }


@dataclass(frozen=True)
class Schema:
    collections: tuple[Collection, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        names = [c.name.lower() for c in self.collections]
        if len(set(names)) != len(names):
            raise SchemaError("collection names must differ beyond letter case")

    def collection(self, name: str) -> Collection:
        for spec in self.collections:
            if spec.name == name:
                return spec
        raise InvalidQueryError(f"unknown collection {name!r}")


def _check_name(name: str, what: str) -> None:
    if not _NAME.match(name):
        raise SchemaError(f"{what} name {name!r} must match {_NAME.pattern}")


@dataclass(frozen=True)
class Page:
    """One page of results; ``next_cursor`` is None on the last page."""

    items: list[Document]
    next_cursor: str | None


class Operations(Protocol):
    """What can be done on a store, and identically inside a transaction."""

    async def insert(self, collection: str, doc: Document) -> Document:
        """Store a new document; returns it as stored (with ``_version`` 1)."""

    async def insert_many(self, collection: str, docs: Sequence[Document]) -> None:
        """Store many new documents, all or none (the bulk-import path)."""

    async def get(self, collection: str, doc_id: str) -> Document | None: ...

    async def find(
        self,
        collection: str,
        filter: Filter | None = None,
        *,
        sort: Sort = DEFAULT_SORT,
        limit: int = 50,
        after: str | None = None,
    ) -> Page: ...

    async def count(self, collection: str, filter: Filter | None = None) -> int: ...

    async def update(
        self,
        collection: str,
        doc_id: str,
        set_fields: Mapping[str, Any] | None = None,
        *,
        unset: Sequence[str] = (),
        expected_version: int | None = None,
    ) -> Document:
        """Set/unset top-level fields; returns the new document. ``ConflictError`` when
        ``expected_version`` is given and differs; ``NotFoundError`` when absent."""

    async def delete(self, collection: str, doc_id: str) -> bool:
        """True when a document was deleted."""

    async def delete_many(self, collection: str, filter: Filter) -> int: ...


class Store(Operations, Protocol):
    """An open store. ``transaction()`` gives the same operations, applied all or nothing."""

    def transaction(self) -> AbstractAsyncContextManager[Operations]:
        """May raise :class:`TransientConflictError`; prefer :func:`in_transaction`."""

    async def close(self) -> None: ...


async def in_transaction(
    store: Store, work: Callable[[Operations], Awaitable[T]], *, attempts: int = 5
) -> T:
    """Run ``work`` in a transaction, again from the start when it loses a transient conflict
    (MongoDB reports those under contention; SQLite, with one writer, never does)."""
    for attempt in range(1, attempts + 1):
        try:
            async with store.transaction() as tx:
                return await work(tx)
        except TransientConflictError:
            if attempt == attempts:
                raise
            await asyncio.sleep(random.uniform(0, 0.01 * 2**attempt))  # noqa: S311 - jitter
    raise AssertionError("unreachable")
