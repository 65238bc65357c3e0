"""The embedded default store: one SQLite file, WAL mode, all SQL off the event loop.

Threads: one writer thread owns the only writing connection (SQLite allows one writer; an
``asyncio.Lock`` queues writers, and a transaction holds it from BEGIN to COMMIT); a small pool
of reader threads, each with its own read-only connection, serves reads concurrently (WAL lets
readers run beside the writer and see only committed data).

Durability: ``synchronous=FULL`` by default, so a write is on disk when acknowledged and
survives a power cut as well as a killed process. ``NORMAL`` (WAL's usual setting) already
survives SIGKILL of the process, since the WAL is in the OS before the commit returns; it only
risks the last commits on power loss. The crash test pins the process-kill guarantee.
"""

from __future__ import annotations

import asyncio
import contextvars
import fcntl
import os
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any, Literal, TypeVar

from satchel.wallet.storage import sqlite_ops as ops
from satchel.wallet.storage.port import (
    DEFAULT_SORT,
    Collection,
    Document,
    Filter,
    Operations,
    Page,
    Schema,
    Sort,
    StorageError,
    StorageUnavailableError,
    TransactionAbortedError,
)
from satchel.wallet.storage.query import (
    check_limit,
    check_new_document,
    check_sort,
    decode_cursor,
    parse_filter,
)
from satchel.wallet.storage.sqlite_schema import migrate

T = TypeVar("T")
Synchronous = Literal["NORMAL", "FULL"]
BUSY_TIMEOUT_MS = 10_000
READER_CACHE_KIB = 16_384
WRITER_CACHE_KIB = 65_536

# Which store's transaction the current task is inside: its own writes must go through the
# transaction (the store's write lock is held), so a stray store write fails instead of hanging.
_active_transaction: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "satchel_sqlite_transaction", default=None
)


class _SqliteOperations:
    """The port's operations, given a way to run SQL functions for reads and for writes."""

    def __init__(self, schema: Schema) -> None:
        self._schema = schema

    async def _run_read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        raise NotImplementedError

    async def _run_write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        raise NotImplementedError

    def _spec(self, collection: str) -> Collection:
        return self._schema.collection(collection)

    async def insert(self, collection: str, doc: Document) -> Document:
        spec = self._spec(collection)
        clean = check_new_document(spec, doc)
        return await self._run_write(partial(ops.insert, spec=spec, doc=clean))

    async def insert_many(self, collection: str, docs: Sequence[Document]) -> None:
        spec = self._spec(collection)
        clean = [check_new_document(spec, doc) for doc in docs]
        if clean:
            await self._run_write(partial(ops.insert_many, spec=spec, docs=clean))

    async def get(self, collection: str, doc_id: str) -> Document | None:
        spec = self._spec(collection)
        return await self._run_read(partial(ops.get, spec=spec, doc_id=doc_id))

    async def find(
        self,
        collection: str,
        filter: Filter | None = None,
        *,
        sort: Sort = DEFAULT_SORT,
        limit: int = 50,
        after: str | None = None,
    ) -> Page:
        spec = self._spec(collection)
        parsed = parse_filter(spec, filter)
        check_sort(spec, sort)
        check_limit(limit)
        position = decode_cursor(after, sort) if after is not None else None
        return await self._run_read(
            partial(ops.find, spec=spec, parsed=parsed, sort=sort, limit=limit, after=position)
        )

    async def count(self, collection: str, filter: Filter | None = None) -> int:
        spec = self._spec(collection)
        parsed = parse_filter(spec, filter)
        return await self._run_read(partial(ops.count, spec=spec, parsed=parsed))

    async def update(
        self,
        collection: str,
        doc_id: str,
        set_fields: Mapping[str, Any] | None = None,
        *,
        unset: Sequence[str] = (),
        expected_version: int | None = None,
    ) -> Document:
        spec = self._spec(collection)
        changes = (set_fields, tuple(unset))
        return await self._run_write(
            partial(
                ops.update,
                spec=spec,
                doc_id=doc_id,
                changes=changes,
                expected_version=expected_version,
            )
        )

    async def delete(self, collection: str, doc_id: str) -> bool:
        spec = self._spec(collection)
        return await self._run_write(partial(ops.delete, spec=spec, doc_id=doc_id))

    async def delete_many(self, collection: str, filter: Filter) -> int:
        spec = self._spec(collection)
        parsed = parse_filter(spec, filter)
        return await self._run_write(partial(ops.delete_many, spec=spec, parsed=parsed))


class SqliteStore(_SqliteOperations):
    """The embedded store. Create it with ``await SqliteStore.open(path, schema)``."""

    def __init__(
        self, path: Path, schema: Schema, *, synchronous: Synchronous = "FULL", readers: int = 4
    ) -> None:
        super().__init__(schema)
        self.path = path
        self._synchronous = synchronous
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="satchel-sqlite-writer")
        self._readers = ThreadPoolExecutor(readers, thread_name_prefix="satchel-sqlite-reader")
        self._write_lock = asyncio.Lock()
        self._writer_conn: sqlite3.Connection | None = None
        self._reader_local = threading.local()
        self._reader_conns: list[sqlite3.Connection] = []
        self._reader_conns_lock = threading.Lock()
        self._closed = False

    @classmethod
    async def open(
        cls, path: Path, schema: Schema, *, synchronous: Synchronous = "FULL", readers: int = 4
    ) -> SqliteStore:
        """Open (creating if needed) the file and migrate it to ``schema``."""
        store = cls(path, schema, synchronous=synchronous, readers=readers)
        try:
            await store._on_writer(store._open_writer)
        except BaseException:
            await store.close()
            raise
        return store

    def _open_writer(self) -> None:
        # Workers of `satchel serve --workers N` open one fresh file at once: switching it to
        # WAL can fail with "database is locked" without waiting on the busy timeout, so
        # opening and migrating are serialised across processes by a lock file beside it.
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            lock_fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StorageUnavailableError(f"cannot open {self.lock_path}: {exc}") from exc
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX)
            self._open_and_migrate()
        finally:
            os.close(lock_fd)  # closing releases the lock

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".open-lock")

    def _open_and_migrate(self) -> None:
        try:
            # Credentials and password hashes: owner-only. SQLite gives the -wal and -shm
            # files the database file's mode, so creating it 0600 covers all three.
            os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
            conn = self._connect(WRITER_CACHE_KIB)
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        except sqlite3.Error as exc:
            raise StorageUnavailableError(f"cannot open {self.path}: {exc}") from exc
        if str(mode).lower() != "wal":
            conn.close()
            raise StorageUnavailableError(f"{self.path}: WAL mode unavailable (got {mode})")
        conn.execute(f"PRAGMA synchronous={self._synchronous}")
        self._writer_conn = conn
        migrate(conn, self._schema.collections)

    def _connect(self, cache_kib: int) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(f"PRAGMA cache_size=-{cache_kib}")
        return conn

    def _reader(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._reader_local, "conn", None)
        if conn is None:
            conn = self._connect(READER_CACHE_KIB)
            conn.execute("PRAGMA query_only=ON")
            self._reader_local.conn = conn
            with self._reader_conns_lock:
                self._reader_conns.append(conn)
        return conn

    def _check_open(self) -> None:
        if self._closed:
            raise StorageError("the store is closed")

    async def _on_writer(self, fn: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._writer, fn)

    def _writer_connection(self) -> sqlite3.Connection:
        if self._writer_conn is None:
            raise StorageError("the store is not open")
        return self._writer_conn

    async def _run_read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        self._check_open()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, lambda: fn(self._reader()))

    async def _run_write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        self._check_open()
        if _active_transaction.get() == id(self):
            raise StorageError("inside a transaction, write through the transaction object")
        async with self._write_lock:
            return await self._on_writer(partial(self._write_job, fn))

    def _write_job(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        conn = self._writer_connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = fn(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return result

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Operations]:
        """All operations on the yielded object commit together, or none do."""
        self._check_open()
        if _active_transaction.get() == id(self):
            raise StorageError("transactions do not nest")
        async with self._write_lock:
            conn = self._writer_connection()
            await self._on_writer(partial(conn.execute, "BEGIN IMMEDIATE"))
            token = _active_transaction.set(id(self))
            tx = _SqliteTransaction(self._schema, self, conn)
            try:
                yield tx
            except BaseException:
                await asyncio.shield(self._on_writer(partial(conn.execute, "ROLLBACK")))
                raise
            finally:
                _active_transaction.reset(token)
                tx.finished = True
            if tx.failed:
                await self._on_writer(partial(conn.execute, "ROLLBACK"))
                raise TransactionAbortedError("an operation failed in the transaction")
            await self._on_writer(partial(conn.execute, "COMMIT"))

    async def close(self) -> None:
        """Close every connection (idempotent); waits for queued work first."""
        if self._closed:
            return
        self._closed = True
        async with self._write_lock:
            await self._on_writer(self._close_writer)
        self._writer.shutdown(wait=True)
        await asyncio.to_thread(self._readers.shutdown, True)
        with self._reader_conns_lock:
            for conn in self._reader_conns:
                conn.close()
            self._reader_conns.clear()

    def _close_writer(self) -> None:
        if self._writer_conn is not None:
            self._writer_conn.close()
            self._writer_conn = None


class _SqliteTransaction(_SqliteOperations):
    """Operations run on the writer connection inside the open transaction (reads see its
    writes). After any failure the transaction is doomed, like a MongoDB transaction."""

    def __init__(self, schema: Schema, store: SqliteStore, conn: sqlite3.Connection) -> None:
        super().__init__(schema)
        self._store = store
        self._conn = conn
        self.failed = False
        self.finished = False

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        if self.finished:
            raise StorageError("the transaction is over")
        if self.failed:
            raise TransactionAbortedError("an earlier operation failed in this transaction")
        try:
            return await self._store._on_writer(partial(fn, self._conn))
        except BaseException:
            self.failed = True
            raise

    async def _run_read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return await self._run(fn)

    async def _run_write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return await self._run(fn)
