"""The SQL behind each port operation: plain functions on a ``sqlite3.Connection``.

They run on the adapter's threads, never on the event loop, and inside a transaction the
adapter has already opened (so a document and its derived rows change together).
"""

# Identifiers in the SQL below come only from the declared schema, whose names are checked
# against a strict pattern (port._NAME); every value is a bound parameter.
# ruff: noqa: S608

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from satchel.wallet.storage.port import (
    ID_FIELD,
    Collection,
    ConflictError,
    Document,
    DuplicateKeyError,
    NotFoundError,
    Page,
    Sort,
)
from satchel.wallet.storage.query import (
    RANGE_OPS,
    Condition,
    ParsedFilter,
    encode_cursor,
    merge_update,
    prefix_upper_bound,
    scope_token,
)
from satchel.wallet.storage.sqlite_schema import (
    Derived,
    column,
    decode_row,
    delete_side_rows,
    derive,
    encode_doc,
    fts_table,
    list_table,
    scalar_fields,
    table,
    write_side_rows,
)

_UNIQUE_FAILED = re.compile(r"UNIQUE constraint failed: (.+)$")
_SQL_OPS = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}


# ---- writes ---------------------------------------------------------------------------------


def insert(conn: sqlite3.Connection, spec: Collection, doc: Document) -> Document:
    derived = derive(spec, doc)
    rowid = _insert_row(conn, spec, doc, derived)
    write_side_rows(conn, spec, rowid, derived, replace=False)
    return {**doc, "_version": 1}


def insert_many(conn: sqlite3.Connection, spec: Collection, docs: Sequence[Document]) -> None:
    for doc in docs:
        insert(conn, spec, doc)


def _insert_row(conn: sqlite3.Connection, spec: Collection, doc: Document, derived: Derived) -> int:
    fields = scalar_fields(spec)
    names = ", ".join(['"_id"', '"_version"', "doc", *(column(f) for f in fields)])
    marks = ", ".join("?" * (3 + len(fields)))
    params = (doc[ID_FIELD], 1, encode_doc(doc), *derived.columns)
    try:
        cursor = conn.execute(f"INSERT INTO {table(spec)} ({names}) VALUES ({marks})", params)
    except sqlite3.IntegrityError as exc:
        raise _duplicate(conn, spec, doc, exc) from exc
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def update(
    conn: sqlite3.Connection,
    spec: Collection,
    doc_id: str,
    changes: tuple[Mapping[str, Any] | None, Sequence[str]],
    expected_version: int | None,
) -> Document:
    row = conn.execute(
        f'SELECT rowid, "_version", doc FROM {table(spec)} WHERE "_id" = ?', (doc_id,)
    ).fetchone()
    if row is None:
        raise NotFoundError(spec.name, doc_id)
    rowid, version, text = row
    if expected_version is not None and expected_version != version:
        raise ConflictError(f"{spec.name}/{doc_id} is at version {version}, not {expected_version}")
    merged = merge_update(spec, decode_row(doc_id, version, text), *changes)
    derived = derive(spec, merged)
    fields = scalar_fields(spec)
    assignments = ", ".join(['"_version" = ?', "doc = ?", *(f"{column(f)} = ?" for f in fields)])
    params = (version + 1, encode_doc(merged), *derived.columns, rowid)
    try:
        conn.execute(f"UPDATE {table(spec)} SET {assignments} WHERE rowid = ?", params)
    except sqlite3.IntegrityError as exc:
        raise _duplicate(conn, spec, merged, exc) from exc
    write_side_rows(conn, spec, rowid, derived, replace=True)
    return {**merged, "_version": version + 1}


def delete(conn: sqlite3.Connection, spec: Collection, doc_id: str) -> bool:
    row = conn.execute(f'SELECT rowid FROM {table(spec)} WHERE "_id" = ?', (doc_id,)).fetchone()
    if row is None:
        return False
    _delete_rowids(conn, spec, [row[0]])
    return True


def delete_many(conn: sqlite3.Connection, spec: Collection, parsed: ParsedFilter) -> int:
    where, params = where_clause(spec, parsed)
    rowids = [r[0] for r in conn.execute(f"SELECT t.rowid FROM {table(spec)} t {where}", params)]
    _delete_rowids(conn, spec, rowids)
    return len(rowids)


def _delete_rowids(conn: sqlite3.Connection, spec: Collection, rowids: list[int]) -> None:
    delete_side_rows(conn, spec, rowids)
    conn.executemany(f"DELETE FROM {table(spec)} WHERE rowid = ?", [(r,) for r in rowids])


def _duplicate(
    conn: sqlite3.Connection, spec: Collection, doc: Document, exc: sqlite3.IntegrityError
) -> Exception:
    """Map SQLite's unique violation to the port's error, naming the document in the way."""
    match = _UNIQUE_FAILED.search(str(exc))
    if match is None:
        return exc
    columns = [part.strip().split(".", 1)[-1] for part in match.group(1).split(",")]
    fields = tuple(name[2:] if name.startswith("f_") else name for name in columns)
    where = " AND ".join(f"{column(f)} = ?" for f in fields)
    row = conn.execute(
        f'SELECT "_id" FROM {table(spec)} WHERE {where} AND "_id" != ?',
        (*(doc.get(f) for f in fields), doc[ID_FIELD]),
    ).fetchone()
    if fields == (ID_FIELD,):
        row = (doc[ID_FIELD],)
    return DuplicateKeyError(spec.name, fields, row[0] if row else None)


# ---- reads ----------------------------------------------------------------------------------


def get(conn: sqlite3.Connection, spec: Collection, doc_id: str) -> Document | None:
    row = conn.execute(
        f'SELECT "_version", doc FROM {table(spec)} WHERE "_id" = ?', (doc_id,)
    ).fetchone()
    return None if row is None else decode_row(doc_id, row[0], row[1])


def count(conn: sqlite3.Connection, spec: Collection, parsed: ParsedFilter) -> int:
    where, params = where_clause(spec, parsed)
    row = conn.execute(f"SELECT count(*) FROM {table(spec)} t {where}", params).fetchone()
    return int(row[0])


def find(
    conn: sqlite3.Connection,
    spec: Collection,
    parsed: ParsedFilter,
    sort: Sort,
    limit: int,
    after: tuple[Any, str] | None,
) -> Page:
    where, params = where_clause(spec, parsed, extra=_after_clause(sort, after))
    direction = "ASC" if sort[1] == "asc" else "DESC"
    order = f't."_id" {direction}'
    if sort[0] != ID_FIELD:
        order = f"t.{column(sort[0])} {direction}, {order}"
    rows = conn.execute(
        f'SELECT t."_id", t."_version", t.doc FROM {table(spec)} t {where}'
        f" ORDER BY {order} LIMIT ?",
        (*params, limit + 1),
    ).fetchall()
    items = [decode_row(*row) for row in rows[:limit]]
    cursor = encode_cursor(sort, items[-1]) if len(rows) > limit else None
    return Page(items, cursor)


def _after_clause(sort: Sort, after: tuple[Any, str] | None) -> tuple[str, list[Any]] | None:
    """Keyset condition for "after this (value, _id)"; NULLs sort first ascending (as MongoDB)."""
    if after is None:
        return None
    value, last_id = after
    name, direction = sort
    cmp = ">" if direction == "asc" else "<"
    if name == ID_FIELD:
        return f't."_id" {cmp} ?', [last_id]
    col = f"t.{column(name)}"
    if value is None:
        if direction == "asc":
            return f'(({col} IS NULL AND t."_id" > ?) OR {col} IS NOT NULL)', [last_id]
        return f'({col} IS NULL AND t."_id" < ?)', [last_id]
    clause = f'({col}, t."_id") {cmp} (?, ?)'
    if direction == "desc":
        clause = f"({clause} OR {col} IS NULL)"
    return clause, [value, last_id]


def where_clause(
    spec: Collection, parsed: ParsedFilter, extra: tuple[str, list[Any]] | None = None
) -> tuple[str, list[Any]]:
    parts: list[str] = []
    params: list[Any] = []
    # A correlated probe is cheap when an equality already narrows the rows; otherwise the
    # side index drives the query.
    correlated = parsed.has_equality
    for condition in parsed.conditions:
        sql, values = _condition(spec, condition, correlated)
        parts.append(sql)
        params.extend(values)
    if parsed.text_terms:
        scope = _scope_value(spec, parsed)
        if scope is not None:
            # The scope's token is in the index: FTS5 intersects two short posting lists.
            parts.append(_text_condition(spec, correlated=False))
            params.append(f'"{scope_token(scope)}" ' + _match_expression(parsed.text_terms))
        else:
            parts.append(_text_condition(spec, correlated))
            params.append(_match_expression(parsed.text_terms))
    if extra is not None:
        parts.append(extra[0])
        params.extend(extra[1])
    return ("WHERE " + " AND ".join(parts) if parts else ""), params


def _condition(spec: Collection, cond: Condition, correlated: bool) -> tuple[str, list[Any]]:
    if cond.field in spec.list_fields:
        return _list_condition(spec, cond, correlated)
    col = f"t.{column(cond.field)}"
    if cond.op == "eq":
        return (f"{col} IS NULL", []) if cond.value is None else (f"{col} = ?", [cond.value])
    if cond.op == "in":
        return f"{col} IN ({', '.join('?' * len(cond.value))})", list(cond.value)
    if cond.op in RANGE_OPS:
        return f"{col} {_SQL_OPS[cond.op]} ?", [cond.value]
    upper = prefix_upper_bound(cond.value)
    if upper is None:
        return f"{col} >= ?", [cond.value]
    return f"({col} >= ? AND {col} < ?)", [cond.value, upper]


def _list_condition(spec: Collection, cond: Condition, correlated: bool) -> tuple[str, list[Any]]:
    values = [cond.value] if cond.op == "eq" else list(cond.value)
    marks = ", ".join("?" * len(values))
    side = list_table(spec, cond.field)
    if correlated:
        return f"EXISTS (SELECT 1 FROM {side} s WHERE s.doc = t.rowid AND s.value IN ({marks}))", (
            values
        )
    return f"t.rowid IN (SELECT s.doc FROM {side} s WHERE s.value IN ({marks}))", values


def _scope_value(spec: Collection, parsed: ParsedFilter) -> str | None:
    for condition in parsed.conditions:
        if condition.field == spec.text_scope and condition.op == "eq":
            return condition.value if isinstance(condition.value, str) else None
    return None


def _text_condition(spec: Collection, correlated: bool) -> str:
    fts = fts_table(spec)
    if correlated:
        return f"EXISTS (SELECT 1 FROM {fts} WHERE {fts} MATCH ? AND {fts}.rowid = t.rowid)"
    return f"t.rowid IN (SELECT rowid FROM {fts} WHERE {fts} MATCH ?)"


def _match_expression(terms: tuple[str, ...]) -> str:
    """All words, the last as a prefix. Words hold only letters and digits: quoting is safe."""
    quoted = [f'"{term}"' for term in terms]
    quoted[-1] += "*"
    return " ".join(quoted)
