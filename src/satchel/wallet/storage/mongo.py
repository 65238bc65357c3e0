"""The MongoDB store, through PyMongo's own async client (``AsyncMongoClient``; not Motor).

Create it inside the running event loop (``await MongoStore.open(url, schema)``, e.g. from an
aiohttp cleanup context) and ``await store.close()`` on the same loop; a client is never shared
across loops. Indexes, including unique and compound ones, are created at open.

Portability choices (the contract suite holds both adapters to them):

* full-text search does not use MongoDB's ``$text`` (absent from some wire-compatible servers,
  and its stemming differs from SQLite): each document carries ``_terms``, its normalised words,
  under a multikey index, queried with ``$all`` of exact words plus an anchored regex for the
  last word (a prefix);
* a unique constraint only binds documents where all its fields are set (partial index on the
  field types), as in SQL;
* ``update`` is a read-modify-write guarded by ``_version`` (compare-and-swap), so the text
  terms stay in step with the fields.

Transactions need a replica set (a single-node one is enough), as MongoDB itself requires.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from pymongo import AsyncMongoClient, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, ConnectionFailure, OperationFailure, PyMongoError
from pymongo.errors import DuplicateKeyError as MongoDuplicateKeyError

from satchel.wallet.storage.port import (
    DEFAULT_SORT,
    ID_FIELD,
    VERSION_FIELD,
    Collection,
    ConflictError,
    Document,
    DuplicateKeyError,
    FieldType,
    Filter,
    NotFoundError,
    Operations,
    Page,
    Schema,
    Sort,
    StorageError,
    StorageUnavailableError,
    TransactionAbortedError,
    TransientConflictError,
)
from satchel.wallet.storage.query import (
    RANGE_OPS,
    Condition,
    ParsedFilter,
    check_limit,
    check_new_document,
    check_sort,
    decode_cursor,
    encode_cursor,
    merge_update,
    parse_filter,
    prefix_upper_bound,
    text_terms,
)

MongoDoc = dict[str, Any]
TERMS_FIELD = "_terms"
SCHEMA_COLLECTION = "_satchel_schema"
DEFAULT_DATABASE = "satchel"
WRITE_CONFLICT = 112
DUPLICATE_KEY = 11000
UPDATE_ATTEMPTS = 20
_MONGO_TYPES = {
    FieldType.STRING: "string",
    FieldType.INTEGER: "number",
    FieldType.NUMBER: "number",
    FieldType.BOOLEAN: "bool",
}


class _MongoOperations:
    """The port's operations against one database, optionally inside a session's transaction."""

    def __init__(
        self, schema: Schema, db: AsyncDatabase[MongoDoc], session: AsyncClientSession | None
    ) -> None:
        self._schema = schema
        self._db = db
        self._session = session
        self.failed = False

    def _target(self, collection: str) -> tuple[Collection, AsyncCollection[MongoDoc]]:
        spec = self._schema.collection(collection)
        return spec, self._db[spec.name]

    async def insert(self, collection: str, doc: Document) -> Document:
        spec, coll = self._target(collection)
        clean = check_new_document(spec, doc)
        async with self._errors(spec, clean):
            await coll.insert_one(_to_mongo(spec, clean, 1), session=self._session)
        return {**clean, VERSION_FIELD: 1}

    async def insert_many(self, collection: str, docs: Sequence[Document]) -> None:
        spec, coll = self._target(collection)
        clean = [check_new_document(spec, doc) for doc in docs]
        if not clean:
            return
        rows = [_to_mongo(spec, doc, 1) for doc in clean]
        if self._session is not None:
            async with self._errors(spec, None):
                await coll.insert_many(rows, session=self._session)
            return
        async with self._own_transaction() as session, self._errors(spec, None):
            await coll.insert_many(rows, session=session)

    async def get(self, collection: str, doc_id: str) -> Document | None:
        _, coll = self._target(collection)
        async with self._errors(None, None):
            found = await coll.find_one({ID_FIELD: doc_id}, session=self._session)
        return None if found is None else _from_mongo(found)

    async def find(
        self,
        collection: str,
        filter: Filter | None = None,
        *,
        sort: Sort = DEFAULT_SORT,
        limit: int = 50,
        after: str | None = None,
    ) -> Page:
        spec, coll = self._target(collection)
        parsed = parse_filter(spec, filter)
        check_sort(spec, sort)
        check_limit(limit)
        clauses = _query_clauses(parsed)
        if after is not None:
            clauses.append(_after_clause(sort, decode_cursor(after, sort)))
        direction = 1 if sort[1] == "asc" else -1
        order = [(ID_FIELD, direction)]
        if sort[0] != ID_FIELD:
            order.insert(0, (sort[0], direction))
        cursor = coll.find(_and(clauses), session=self._session).sort(order).limit(limit + 1)
        async with self._errors(None, None):
            rows = [_from_mongo(row) async for row in cursor]
        items = rows[:limit]
        return Page(items, encode_cursor(sort, items[-1]) if len(rows) > limit else None)

    async def count(self, collection: str, filter: Filter | None = None) -> int:
        spec, coll = self._target(collection)
        query = _and(_query_clauses(parse_filter(spec, filter)))
        async with self._errors(None, None):
            return await coll.count_documents(query, session=self._session)

    async def update(
        self,
        collection: str,
        doc_id: str,
        set_fields: Mapping[str, Any] | None = None,
        *,
        unset: Sequence[str] = (),
        expected_version: int | None = None,
    ) -> Document:
        spec, coll = self._target(collection)
        for _ in range(UPDATE_ATTEMPTS):
            async with self._errors(None, None):
                found = await coll.find_one({ID_FIELD: doc_id}, session=self._session)
            if found is None:
                raise NotFoundError(spec.name, doc_id)
            current = _from_mongo(found)
            version = int(current[VERSION_FIELD])
            if expected_version is not None and expected_version != version:
                raise ConflictError(f"{spec.name}/{doc_id} is at version {version}")
            merged = merge_update(spec, current, set_fields, unset)
            async with self._errors(spec, merged):
                result = await coll.replace_one(
                    {ID_FIELD: doc_id, VERSION_FIELD: version},
                    _to_mongo(spec, merged, version + 1),
                    session=self._session,
                )
            if result.matched_count == 1:
                return {**merged, VERSION_FIELD: version + 1}
            if expected_version is not None:
                raise ConflictError(f"{spec.name}/{doc_id} changed concurrently")
        raise ConflictError(f"{spec.name}/{doc_id} keeps changing; try again")

    async def delete(self, collection: str, doc_id: str) -> bool:
        _, coll = self._target(collection)
        async with self._errors(None, None):
            result = await coll.delete_one({ID_FIELD: doc_id}, session=self._session)
        return result.deleted_count == 1

    async def delete_many(self, collection: str, filter: Filter) -> int:
        spec, coll = self._target(collection)
        query = _and(_query_clauses(parse_filter(spec, filter)))
        async with self._errors(None, None):
            result = await coll.delete_many(query, session=self._session)
        return result.deleted_count

    @asynccontextmanager
    async def _own_transaction(self) -> AsyncIterator[AsyncClientSession]:
        async with (
            self._db.client.start_session() as session,
            await session.start_transaction(),
        ):
            yield session

    @asynccontextmanager
    async def _errors(self, spec: Collection | None, doc: Document | None) -> AsyncIterator[None]:
        """Translate driver errors into the port's; any failure dooms an open transaction."""
        try:
            yield
        except MongoDuplicateKeyError as exc:
            self.failed = True
            raise await self._duplicate(spec, exc.details or {}, doc) from exc
        except BulkWriteError as exc:
            self.failed = True
            duplicate = _first_duplicate(exc)
            if duplicate is None:
                raise StorageError(f"database error: {exc}") from exc
            raise await self._duplicate(spec, duplicate, duplicate.get("op")) from exc
        except OperationFailure as exc:
            self.failed = True
            if exc.code == WRITE_CONFLICT or exc.has_error_label("TransientTransactionError"):
                raise TransientConflictError(
                    "a concurrent transaction changed the same documents"
                ) from exc
            raise StorageError(f"database error: {exc}") from exc
        except ConnectionFailure as exc:
            self.failed = True
            raise StorageUnavailableError(f"database unreachable: {exc}") from exc
        except PyMongoError as exc:
            self.failed = True
            raise StorageError(f"database error: {exc}") from exc

    async def _duplicate(
        self, spec: Collection | None, details: Mapping[str, Any], doc: Document | None
    ) -> DuplicateKeyError:
        key_value = details.get("keyValue") or {}
        fields = tuple(details.get("keyPattern") or key_value)
        name = spec.name if spec is not None else _collection_from_message(details)
        if fields == (ID_FIELD,):
            return DuplicateKeyError(name, fields, str(key_value.get(ID_FIELD)))
        existing = None
        if key_value and name:
            # The transaction (if any) is aborted now: look among committed documents.
            query = dict(key_value)
            if doc is not None:
                query[ID_FIELD] = {"$ne": doc[ID_FIELD]}
            found = await self._db[name].find_one(query, {ID_FIELD: 1})
            existing = None if found is None else str(found[ID_FIELD])
        return DuplicateKeyError(name, fields, existing)


class MongoStore(_MongoOperations):
    """Create with ``await MongoStore.open(url, schema)`` inside the loop that will use it."""

    def __init__(self, client: AsyncMongoClient[MongoDoc], schema: Schema) -> None:
        super().__init__(schema, client.get_default_database(DEFAULT_DATABASE), None)
        self._client = client

    @classmethod
    async def open(cls, url: str, schema: Schema, *, timeout_ms: int = 10_000) -> MongoStore:
        client: AsyncMongoClient[MongoDoc] = AsyncMongoClient(
            url, serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms
        )
        store = cls(client, schema)
        try:
            await client.admin.command("ping")
            for spec in schema.collections:
                await store._prepare(spec)
        except PyMongoError as exc:
            await client.close()
            raise StorageUnavailableError(f"cannot open the MongoDB database: {exc}") from exc
        except BaseException:
            await client.close()
            raise
        return store

    async def _prepare(self, spec: Collection) -> None:
        """Create indexes; after a change of text fields, recompute every ``_terms``."""
        coll = self._db[spec.name]
        wanted = _index_models(spec)
        names = {model.document["name"] for model in wanted}
        existing = await coll.index_information() if spec.name in await self._names() else {}
        for name in existing:
            if name[:3] in ("ix_", "ux_", "lx_", "tx_") and name not in names:
                await coll.drop_index(name)
        missing = [model for model in wanted if model.document["name"] not in existing]
        if missing:
            await coll.create_indexes(missing)
        described = spec.describe()
        meta = self._db[SCHEMA_COLLECTION]
        stored = await meta.find_one({ID_FIELD: spec.name})
        if stored is not None and stored.get("text_fields") != described["text_fields"]:
            await self._recompute_terms(spec)
        await meta.replace_one({ID_FIELD: spec.name}, {**described}, upsert=True)

    async def _names(self) -> list[str]:
        return await self._db.list_collection_names()

    async def _recompute_terms(self, spec: Collection) -> None:
        coll = self._db[spec.name]
        async for row in coll.find({}, {ID_FIELD: 1, **{f: 1 for f in spec.text_fields}}):
            change: MongoDoc = {"$set": {TERMS_FIELD: text_terms(spec, row)}}
            if not spec.text_fields:
                change = {"$unset": {TERMS_FIELD: ""}}
            await coll.update_one({ID_FIELD: row[ID_FIELD]}, change)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Operations]:
        """All operations on the yielded object commit together, or none do."""
        try:
            async with (
                self._client.start_session() as session,
                await session.start_transaction(),
            ):
                tx = _MongoOperations(self._schema, self._db, session)
                yield tx
                if tx.failed:
                    raise TransactionAbortedError("an operation failed in the transaction")
        except OperationFailure as exc:  # raised by the commit itself
            if exc.code == WRITE_CONFLICT or exc.has_error_label("TransientTransactionError"):
                raise TransientConflictError(
                    "a concurrent transaction changed the same documents"
                ) from exc
            raise StorageError(f"the transaction failed: {exc}") from exc
        except ConnectionFailure as exc:
            raise StorageUnavailableError(f"database unreachable: {exc}") from exc

    async def close(self) -> None:
        await self._client.close()


# ---- documents ------------------------------------------------------------------------------


def _to_mongo(spec: Collection, doc: Document, version: int) -> MongoDoc:
    row: MongoDoc = {**doc, VERSION_FIELD: version}
    if spec.text_fields:
        row[TERMS_FIELD] = text_terms(spec, doc)
    return row


def _from_mongo(row: MongoDoc) -> Document:
    doc = {k: v for k, v in row.items() if k not in (TERMS_FIELD, VERSION_FIELD)}
    doc[VERSION_FIELD] = row.get(VERSION_FIELD, 1)
    return doc


def _first_duplicate(exc: BulkWriteError) -> Mapping[str, Any] | None:
    for error in exc.details.get("writeErrors", []):
        if error.get("code") == DUPLICATE_KEY:
            return dict(error)
    return None


def _collection_from_message(details: Mapping[str, Any]) -> str:
    match = re.search(r"collection: [^.\s]+\.(\S+)", str(details.get("errmsg", "")))
    return match.group(1) if match else ""


def _index_models(spec: Collection) -> list[IndexModel]:
    models = []
    for index in spec.indexes:
        keys = [(name, 1) for name in index.fields]
        if index.unique:
            partial = {name: {"$type": _MONGO_TYPES[spec.fields[name]]} for name in index.fields}
            models.append(
                IndexModel(keys, name=index.name, unique=True, partialFilterExpression=partial)
            )
        else:
            models.append(IndexModel([*keys, (ID_FIELD, 1)], name=index.name))
    models.extend(IndexModel([(name, 1)], name=f"lx_{name}") for name in spec.list_fields)
    if spec.text_fields:
        models.append(IndexModel([(TERMS_FIELD, 1)], name=f"tx_{TERMS_FIELD}"))
    return models


# ---- queries --------------------------------------------------------------------------------


def _query_clauses(parsed: ParsedFilter) -> list[MongoDoc]:
    clauses = [_condition(cond) for cond in parsed.conditions]
    if parsed.text_terms:
        *words, last = parsed.text_terms
        pattern = re.compile("^" + re.escape(last))
        clauses.append({TERMS_FIELD: {"$all": [*words, pattern]}})
    return clauses


def _condition(cond: Condition) -> MongoDoc:
    if cond.op == "eq":
        return {cond.field: cond.value}
    if cond.op == "in":
        return {cond.field: {"$in": list(cond.value)}}
    if cond.op in RANGE_OPS:
        return {cond.field: {cond.op: cond.value}}
    upper = prefix_upper_bound(cond.value)
    bounds: MongoDoc = {"$gte": cond.value}
    if upper is not None:
        bounds["$lt"] = upper
    return {cond.field: bounds}


def _after_clause(sort: Sort, after: tuple[Any, str]) -> MongoDoc:
    """Keyset condition after (value, _id); missing/null sort first ascending, as in SQLite."""
    value, last_id = after
    name, direction = sort
    cmp = "$gt" if direction == "asc" else "$lt"
    if name == ID_FIELD:
        return {ID_FIELD: {cmp: last_id}}
    if value is None:
        if direction == "asc":
            return {"$or": [{name: None, ID_FIELD: {"$gt": last_id}}, {name: {"$ne": None}}]}
        return {name: None, ID_FIELD: {"$lt": last_id}}
    options: list[MongoDoc] = [{name: {cmp: value}}, {name: value, ID_FIELD: {cmp: last_id}}]
    if direction == "desc":
        options.append({name: None})
    return {"$or": options}


def _and(clauses: list[MongoDoc]) -> MongoDoc:
    if not clauses:
        return {}
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
