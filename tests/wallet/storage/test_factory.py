"""open_store picks the adapter from SATCHEL_DATABASE_URL's scheme."""

from __future__ import annotations

from pathlib import Path

import pytest

from satchel.wallet.storage import Schema, StorageError, open_store
from satchel.wallet.storage.factory import sqlite_path
from satchel.wallet.storage.sqlite import SqliteStore


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite://", "/data/satchel.sqlite3"),
        ("sqlite:///", "/data/satchel.sqlite3"),
        ("sqlite:///wallet.db", "/data/wallet.db"),
        ("sqlite:////srv/satchel/wallet.db", "/srv/satchel/wallet.db"),
    ],
)
def test_sqlite_urls_name_a_file_relative_to_the_data_dir(url: str, expected: str) -> None:
    assert sqlite_path(url, Path("/data")) == Path(expected)


async def test_no_url_opens_sqlite_under_the_data_dir(tmp_path: Path) -> None:
    store = await open_store(None, tmp_path, Schema())
    try:
        assert isinstance(store, SqliteStore)
        assert (tmp_path / "satchel.sqlite3").exists()
    finally:
        await store.close()


async def test_unknown_scheme_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StorageError):
        await open_store("postgres://x/y", tmp_path, Schema())


async def test_embedded_database_files_are_readable_by_their_owner_only(tmp_path):
    import stat as stat_module

    from satchel.wallet.schema import WALLET_SCHEMA
    from satchel.wallet.storage import open_store

    store = await open_store(None, tmp_path, WALLET_SCHEMA)
    try:
        await store.insert("accounts", {"_id": "a", "created_at": "2024-01-01T00:00:00Z"})
        files = [p for p in tmp_path.iterdir() if p.name.startswith("satchel.sqlite3")]
        assert files
        for path in files:
            assert stat_module.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
    finally:
        await store.close()
