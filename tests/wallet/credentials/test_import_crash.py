"""Crash test: a process importing a batch is killed with SIGKILL at random points, several
times; after each kill the store is reopened and every acknowledged credential is there, whole
(raw bytes matching their sha256, index fields, report, first verdict), on both adapters."""

from __future__ import annotations

import hashlib
import json
import random
import signal
import subprocess
import sys
import threading
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from satchel.config import Settings
from satchel.validator.engine import Verifier
from satchel.wallet.services import open_wallet_services

CHILD = Path(__file__).with_name("import_child.py")
ROUNDS = 3
BATCH_SIZE = 200
INDEX_FIELDS = ("name", "issuer_id", "credential_id", "issued_at", "status", "recipient")


def write_batch(path: Path, issuer: Any, size: int) -> None:
    lines = [json.dumps(issuer.credential(name=f"Badge {i}")) for i in range(size)]
    path.write_text("\n".join(lines) + "\n")


def run_and_kill(
    data_dir: Path, url: str, batch: Path, owner: str, kill_after: int, delay: float
) -> tuple[dict[str, str], bool]:
    """Run the child; ``delay`` seconds after its ``kill_after``-th ack, SIGKILL it (somewhere
    in the verification or the write of a later chunk). The acks, and whether it finished."""
    process = subprocess.Popen(
        [sys.executable, str(CHILD), str(data_dir), url, str(batch), owner],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    acked: dict[str, str] = {}
    finished = False
    timer = threading.Timer(delay, process.kill)
    try:
        for line in process.stdout:
            words = line.decode().split()
            if words[:1] == ["stored"]:
                acked[words[1]] = words[2]
                if len(acked) == kill_after:
                    timer.start()
            finished = finished or words[:1] == ["done"]
    finally:
        timer.cancel()
        process.kill()
        process.wait()
    assert finished or process.returncode == -signal.SIGKILL, process.stderr.read()
    return acked, finished


async def check_whole(data_dir: Path, url: str, owner: str, acked: dict[str, str]) -> int:
    services = await open_wallet_services(
        Settings(data_dir=data_dir, database_url=url or None), Verifier()
    )
    store = services.store
    try:
        for credential_id, digest in acked.items():
            doc = await store.get("credentials", credential_id)
            assert doc is not None, f"acknowledged {credential_id} is missing"
            assert doc["sha256"] == digest
        verdicts = Counter(v["credential_ref"] for v in await everything(store, "verdicts", owner))
        credentials = await everything(store, "credentials", owner)
        for doc in credentials:
            assert hashlib.sha256(doc["raw"]).hexdigest() == doc["sha256"]
            assert all(doc.get(name) for name in INDEX_FIELDS), doc["_id"]
            assert doc["report"]["verified"] is True
            assert verdicts[doc["_id"]] == 1, doc["_id"]
        assert sum(verdicts.values()) == len(credentials)  # no verdict without its credential
        return len(credentials)
    finally:
        await store.close()


async def everything(store: Any, collection: str, owner: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = await store.find(collection, {"owner": owner}, limit=1000, after=cursor)
        found += page.items
        cursor = page.next_cursor
        if cursor is None:
            return found


@pytest.mark.parametrize("backend", ["sqlite", "secantusdb"])
async def test_killed_imports_lose_no_acknowledged_credential_and_leave_none_half_written(
    request, tmp_path, issuer, backend
):
    url = ""
    if backend == "secantusdb":
        server = request.getfixturevalue("secantus")
        url = server.url.replace("/?", f"/crash{uuid.uuid4().hex[:12]}?")
    batch = tmp_path / "batch.jsonl"
    write_batch(batch, issuer, BATCH_SIZE)
    owner = "acct-crash"
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    everything: dict[str, str] = {}
    kills = 0
    for _ in range(ROUNDS):
        remaining = BATCH_SIZE - len(everything)
        kill_after = rng.randint(1, max(1, remaining // 2))
        delay = rng.uniform(0, 0.05)
        acked, finished = run_and_kill(tmp_path / "data", url, batch, owner, kill_after, delay)
        kills += not finished
        everything.update(acked)
        print("ROUND", backend, kill_after, len(acked), finished)
        stored = await check_whole(tmp_path / "data", url, owner, everything)
        assert stored >= len(everything), f"seed {seed}"
    assert kills >= 1, f"seed {seed}: the child was never killed mid-import"
