"""Opening one fresh SQLite file from several processes at once, as the workers of
`satchel serve --workers N` do: every process opens and migrates it, none fails."""

from __future__ import annotations

import asyncio
import multiprocessing
from pathlib import Path

from satchel.wallet.schema import WALLET_SCHEMA
from satchel.wallet.storage.sqlite import SqliteStore

PROCESSES = 6
ROUNDS = 3


def _open_once(path: str, barrier: object, results: object) -> None:
    async def main() -> None:
        store = await SqliteStore.open(Path(path), WALLET_SCHEMA)
        await store.close()

    barrier.wait()  # type: ignore[attr-defined]
    try:
        asyncio.run(main())
    except Exception as exc:  # reported to the parent, which fails the test
        results.put(f"{type(exc).__name__}: {exc}")  # type: ignore[attr-defined]
    else:
        results.put("ok")  # type: ignore[attr-defined]


def test_processes_opening_one_fresh_file_at_once_all_succeed(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    for round_number in range(ROUNDS):
        path = tmp_path / f"round{round_number}" / "satchel.sqlite3"
        barrier = context.Barrier(PROCESSES)
        results = context.Queue()
        processes = [
            context.Process(target=_open_once, args=(str(path), barrier, results))
            for _ in range(PROCESSES)
        ]
        for process in processes:
            process.start()
        outcomes = [results.get(timeout=60) for _ in processes]
        for process in processes:
            process.join(30)
        assert outcomes == ["ok"] * PROCESSES


def test_the_open_lock_file_is_owner_only(tmp_path: Path) -> None:
    async def main() -> SqliteStore:
        store = await SqliteStore.open(tmp_path / "satchel.sqlite3", WALLET_SCHEMA)
        await store.close()
        return store

    store = asyncio.run(main())
    assert store.lock_path.stat().st_mode & 0o777 == 0o600
