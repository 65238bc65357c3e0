"""The SQLite layout of a declared schema, and the migrations that keep a file in step with it.

Each collection ``x`` is a table ``c_x`` (``rowid``, ``_id`` unique, ``_version``, ``doc`` JSON)
with one materialised column ``f_<field>`` per declared scalar field (written from the document
by the adapter, so bytes markers in ``doc`` never get in the way), real SQL indexes named after
the declared ones, one side table ``c_x__l_<field>`` per list field, and an FTS5 table
``c_x__fts`` (rowid = the document's rowid) holding the normalised words of the text fields.
Derived data is written in the same transaction as the document.
"""

# Identifiers in the SQL below come only from the declared schema, whose names are checked
# against a strict pattern (port._NAME); every value is a bound parameter.
# ruff: noqa: S608

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from satchel.wallet.storage.port import (
    ID_FIELD,
    VERSION_FIELD,
    Collection,
    Document,
    Index,
    SchemaError,
)
from satchel.wallet.storage.query import scope_token, text_terms

LAYOUT_VERSION = 1
LAYOUT_COMPONENT = "satchel.storage.sqlite"


def table(spec: Collection) -> str:
    return f'"c_{spec.name}"'


def fts_table(spec: Collection) -> str:
    return f'"c_{spec.name}__fts"'


def list_table(spec: Collection, field: str) -> str:
    return f'"c_{spec.name}__l_{field}"'


def column(field: str) -> str:
    return '"_id"' if field == ID_FIELD else f'"f_{field}"'


def scalar_fields(spec: Collection) -> list[str]:
    return [name for name in spec.fields if name not in spec.list_fields]


def index_name(spec: Collection, index: Index) -> str:
    return f'"c_{spec.name}__{index.name}"'


def migrate(conn: sqlite3.Connection, collections: tuple[Collection, ...]) -> None:
    """Bring the file to the layout and the declared collections (idempotent; one transaction)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        _ensure_layout(conn)
        for spec in collections:
            _ensure_collection(conn, spec)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _ensure_layout(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_version"
        " (component TEXT PRIMARY KEY, version INTEGER NOT NULL)"
    )
    row = conn.execute(
        "SELECT version FROM schema_version WHERE component = ?", (LAYOUT_COMPONENT,)
    ).fetchone()
    if row is not None and row[0] > LAYOUT_VERSION:
        raise SchemaError(
            f"the database was written by a newer Satchel (layout {row[0]} > {LAYOUT_VERSION})"
        )
    conn.execute(
        "CREATE TABLE IF NOT EXISTS storage_collections (name TEXT PRIMARY KEY, spec TEXT NOT NULL)"
    )
    conn.execute(
        "INSERT OR REPLACE INTO schema_version (component, version) VALUES (?, ?)",
        (LAYOUT_COMPONENT, LAYOUT_VERSION),
    )


def _ensure_collection(conn: sqlite3.Connection, spec: Collection) -> None:
    wanted = json.dumps(spec.describe(), sort_keys=True)
    row = conn.execute(
        "SELECT spec FROM storage_collections WHERE name = ?", (spec.name,)
    ).fetchone()
    if row is not None and row[0] == wanted:
        return
    _create_tables(conn, spec)
    if row is not None:
        _rebuild_derived(conn, spec)
    _recreate_indexes(conn, spec)
    conn.execute(
        "INSERT OR REPLACE INTO storage_collections (name, spec) VALUES (?, ?)", (spec.name, wanted)
    )


def _create_tables(conn: sqlite3.Connection, spec: Collection) -> None:
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {table(spec)} (rowid INTEGER PRIMARY KEY,"
        ' "_id" TEXT NOT NULL UNIQUE, "_version" INTEGER NOT NULL, doc TEXT NOT NULL)'
    )
    existing = {r[1] for r in conn.execute(f"PRAGMA table_info({table(spec)})")}
    for name in scalar_fields(spec):
        if f"f_{name}" not in existing:
            conn.execute(f"ALTER TABLE {table(spec)} ADD COLUMN {column(name)}")
    for name in spec.list_fields:
        side = list_table(spec, name)
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {side} (doc INTEGER NOT NULL, value TEXT NOT NULL,"
            " PRIMARY KEY (doc, value)) WITHOUT ROWID"
        )
        conn.execute(
            f'CREATE INDEX IF NOT EXISTS "c_{spec.name}__l_{name}__value" ON {side} (value, doc)'
        )
    if spec.text_fields:
        # Words are normalised in Python (same rules as the MongoDB adapter), so the tokenizer
        # only splits on spaces; detail=none keeps the index small (no phrase queries needed).
        conn.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts_table(spec)} USING fts5(terms,"
            " detail=none, tokenize='unicode61 remove_diacritics 0', prefix='2 3')"
        )


def _recreate_indexes(conn: sqlite3.Connection, spec: Collection) -> None:
    prefix = f"c_{spec.name}__"
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
        " AND name LIKE ? ESCAPE '\\'",
        (f"c_{spec.name}", prefix.replace("_", r"\_") + "%"),
    ).fetchall():
        conn.execute(f'DROP INDEX "{name}"')
    for index in spec.indexes:
        columns = ", ".join(column(f) for f in index.fields)
        if index.unique:
            where = " AND ".join(f"{column(f)} IS NOT NULL" for f in index.fields)
            sql = f"CREATE UNIQUE INDEX {index_name(spec, index)} ON {table(spec)} ({columns})"
            sql += f" WHERE {where}"
        else:
            sql = f'CREATE INDEX {index_name(spec, index)} ON {table(spec)} ({columns}, "_id")'
        try:
            conn.execute(sql)
        except sqlite3.IntegrityError as exc:
            raise SchemaError(
                f"{spec.name}: stored documents break the new unique constraint {index.fields}"
            ) from exc


def _rebuild_derived(conn: sqlite3.Connection, spec: Collection) -> None:
    """Recompute every derived column, list row and text row after the schema changed."""
    if spec.text_fields:
        conn.execute(f"DELETE FROM {fts_table(spec)}")
    for name in spec.list_fields:
        conn.execute(f"DELETE FROM {list_table(spec, name)}")
    fields = scalar_fields(spec)
    assignments = ", ".join(f"{column(name)} = ?" for name in fields)
    for rowid, doc in _all_documents(conn, spec):
        derived = derive(spec, doc)
        if fields:
            conn.execute(
                f"UPDATE {table(spec)} SET {assignments} WHERE rowid = ?", (*derived.columns, rowid)
            )
        write_side_rows(conn, spec, rowid, derived, replace=False)


def _all_documents(conn: sqlite3.Connection, spec: Collection) -> Iterator[tuple[int, Document]]:
    last = 0
    while True:
        rows = conn.execute(
            f'SELECT rowid, "_id", "_version", doc FROM {table(spec)} WHERE rowid > ?'
            " ORDER BY rowid LIMIT 1000",
            (last,),
        ).fetchall()
        if not rows:
            return
        for rowid, doc_id, version, doc in rows:
            yield rowid, decode_row(doc_id, version, doc)
        last = rows[-1][0]


# ---- documents <-> rows ---------------------------------------------------------------------

_BYTES_MARKER = "$bytes"  # document keys may not start with "$", so this cannot collide


def _mark_bytes(value: object) -> object:
    if isinstance(value, bytes):
        return {_BYTES_MARKER: base64.b64encode(value).decode("ascii")}
    raise TypeError(f"cannot encode {type(value).__name__}")


def _unmark_bytes(obj: dict[str, Any]) -> object:
    if len(obj) == 1 and _BYTES_MARKER in obj:
        return base64.b64decode(obj[_BYTES_MARKER])
    return obj


def encode_doc(doc: Document) -> str:
    """The JSON text stored in ``doc`` (without _id and _version, which are columns)."""
    body = {k: v for k, v in doc.items() if k not in (ID_FIELD, VERSION_FIELD)}
    return json.dumps(
        body, default=_mark_bytes, ensure_ascii=False, allow_nan=False, separators=(",", ":")
    )


def decode_row(doc_id: str, version: int, text: str) -> Document:
    body = json.loads(text, object_hook=_unmark_bytes)
    return {ID_FIELD: doc_id, **body, VERSION_FIELD: version}


@dataclass(frozen=True)
class Derived:
    """What the indexes need from one document."""

    columns: tuple[Any, ...]  # one per scalar field, in declaration order
    lists: dict[str, list[str]]
    terms: str | None  # space-separated normalised words; None when no text fields


def derive(spec: Collection, doc: Document) -> Derived:
    columns = tuple(doc.get(name) for name in scalar_fields(spec))
    lists = {name: sorted(set(doc.get(name) or ())) for name in spec.list_fields}
    terms = " ".join(text_terms(spec, doc)) if spec.text_fields else None
    scope = doc.get(spec.text_scope) if spec.text_scope else None
    if terms is not None and isinstance(scope, str):
        terms = f"{terms} {scope_token(scope)}".strip()
    return Derived(columns, lists, terms)


def write_side_rows(
    conn: sqlite3.Connection, spec: Collection, rowid: int, derived: Derived, *, replace: bool
) -> None:
    """Write the list-field rows and the text row of one document (replacing old ones)."""
    if replace:
        delete_side_rows(conn, spec, [rowid])
    for name, values in derived.lists.items():
        conn.executemany(
            f"INSERT INTO {list_table(spec, name)} (doc, value) VALUES (?, ?)",
            [(rowid, value) for value in values],
        )
    if derived.terms is not None:
        conn.execute(
            f"INSERT INTO {fts_table(spec)} (rowid, terms) VALUES (?, ?)", (rowid, derived.terms)
        )


def delete_side_rows(conn: sqlite3.Connection, spec: Collection, rowids: list[int]) -> None:
    params = [(rowid,) for rowid in rowids]
    for name in spec.list_fields:
        conn.executemany(f"DELETE FROM {list_table(spec, name)} WHERE doc = ?", params)
    if spec.text_fields:
        conn.executemany(f"DELETE FROM {fts_table(spec)} WHERE rowid = ?", params)
