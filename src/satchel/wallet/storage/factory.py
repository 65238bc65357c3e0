"""Open the store the configuration asks for: the embedded SQLite file, or MongoDB."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from satchel.wallet.storage.port import Schema, StorageError, Store

SQLITE_FILENAME = "satchel.sqlite3"


async def open_store(database_url: str | None, data_dir: Path, schema: Schema) -> Store:
    """``None``/empty → ``<data_dir>/satchel.sqlite3``; ``sqlite:///path`` → that file
    (``sqlite://`` alone → the default file); ``mongodb://`` or ``mongodb+srv://`` → MongoDB
    (database from the URL path, default "satchel"). Call it inside the running event loop."""
    if not database_url:
        return await _open_sqlite(data_dir / SQLITE_FILENAME, schema)
    scheme = urlsplit(database_url).scheme.lower()
    if scheme == "sqlite":
        return await _open_sqlite(sqlite_path(database_url, data_dir), schema)
    if scheme in ("mongodb", "mongodb+srv"):
        from satchel.wallet.storage.mongo import MongoStore

        return await MongoStore.open(database_url, schema)
    raise StorageError(
        f"unsupported database URL scheme {scheme!r}: use sqlite:///path or mongodb://…"
    )


def sqlite_path(database_url: str, data_dir: Path) -> Path:
    """The file a ``sqlite:`` URL names, as SQLAlchemy spells it: ``sqlite:///name.db`` is
    relative (to ``data_dir``), ``sqlite:////abs/name.db`` absolute."""
    rest = unquote(database_url[len("sqlite:") :])
    if not rest.startswith("//"):
        raise StorageError("a SQLite URL looks like sqlite:///file.db or sqlite:////abs/file.db")
    path = rest[3:] if rest.startswith("///") else rest[2:]
    if not path:
        return data_dir / SQLITE_FILENAME
    return Path(path) if Path(path).is_absolute() else data_dir / path


async def _open_sqlite(path: Path, schema: Schema) -> Store:
    from satchel.wallet.storage.sqlite import SqliteStore

    return await SqliteStore.open(path, schema)
