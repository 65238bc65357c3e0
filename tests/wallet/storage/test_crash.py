"""SIGKILL a writer at random moments: no acknowledged document may be missing or damaged,
and no transaction may be half-applied (both adapters; SecantusDB keeps running)."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from satchel.wallet.storage import open_store

HERE = Path(__file__).resolve().parent
WRITER = HERE / "crash_writer.py"
ROUNDS = 4
MIN_ACKS = 5


def load_writer_module() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("satchel_crash_writer", WRITER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_and_kill(url: str | None, data_dir: Path, prefix: str, rng: random.Random) -> list[str]:
    """Start the writer, let it acknowledge a random number of documents, SIGKILL it."""
    process = subprocess.Popen(
        [sys.executable, str(WRITER), url or "-", str(data_dir), prefix],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    acked: list[str] = []
    reader = threading.Thread(target=_collect_acks, args=(process, acked), daemon=True)
    reader.start()
    target = rng.randint(MIN_ACKS, 60)
    deadline = time.monotonic() + 60
    while len(acked) < target and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    time.sleep(rng.uniform(0, 0.02))  # land the kill at a random point of a write
    if process.poll() is not None:
        pytest.fail(f"writer died on its own: {process.stderr.read().decode()}")  # type: ignore[union-attr]
    process.send_signal(signal.SIGKILL)
    process.wait()
    reader.join(timeout=10)
    assert len(acked) >= MIN_ACKS, "the writer acknowledged too little to test anything"
    return acked


def _collect_acks(process: subprocess.Popen[bytes], acked: list[str]) -> None:
    """Append each acknowledged id as the writer prints it (list.append is thread-safe)."""
    assert process.stdout is not None
    for line in process.stdout:
        text = line.decode().strip()
        if text.startswith("ack "):
            acked.append(text[4:])


async def check_store(url: str | None, data_dir: Path, acked: list[str]) -> int:
    writer = load_writer_module()
    store = await open_store(url, data_dir, writer.SCHEMA)
    try:
        for doc_id in acked:
            got = await store.get("credentials", doc_id)
            assert got is not None, f"acknowledged {doc_id} is missing"
            assert got == {**writer.expected_document(doc_id), "_version": 1}
        present = []
        after = None
        while True:
            page = await store.find("credentials", {"owner": "crash"}, limit=500, after=after)
            present.extend(page.items)
            if page.next_cursor is None:
                break
            after = page.next_cursor
        for doc in present:  # also the unacknowledged last one, if it committed
            assert doc == {**writer.expected_document(doc["_id"]), "_version": 1}
            assert await store.get("events", "ev-" + doc["_id"]) is not None, "half a transaction"
        assert await store.count("events") == len(present), "an event without its credential"
        assert await store.count("credentials", {"$text": "crashw"}) == len(present)
        return len(present)
    finally:
        await store.close()


def check_sqlite_file(path: Path, documents: int) -> None:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.execute(
            'INSERT INTO "c_credentials__fts" ("c_credentials__fts") VALUES (\'integrity-check\')'
        )
        assert conn.execute('SELECT count(*) FROM "c_credentials__fts"').fetchone()[0] == documents
    finally:
        conn.close()


@pytest.mark.slow
async def test_sigkilled_writer_loses_no_acknowledged_document(backend: Any) -> None:
    rng = random.Random()
    acked_total: list[str] = []
    for round_number in range(ROUNDS):
        acked_total += run_and_kill(backend.url, backend.data_dir, f"r{round_number}", rng)
        present = await check_store(backend.url, backend.data_dir, acked_total)
        assert present >= len(acked_total)
        assert present <= len(acked_total) + ROUNDS  # at most one unacknowledged commit a round
        if not backend.is_mongo:
            check_sqlite_file(backend.data_dir / "satchel.sqlite3", present)
