"""Crash-test writer (run as a script by test_crash.py, never collected by pytest).

Inserts credential-like documents forever: each one in a transaction together with an "event"
document, printing ``ack <id>`` (flushed) only after the commit returned. The test kills this
process with SIGKILL at a random moment and checks what survived.

Usage: crash_writer.py DATABASE_URL|- DATA_DIR PREFIX
"""

from __future__ import annotations

import asyncio
import hashlib
import sys
from pathlib import Path
from typing import Any

from satchel.wallet.storage import (
    Collection,
    FieldType,
    Index,
    Operations,
    Schema,
    in_transaction,
    open_store,
)

SCHEMA = Schema(
    (
        Collection(
            name="credentials",
            fields={"owner": FieldType.STRING, "digest": FieldType.STRING},
            indexes=(Index(("owner", "digest"), unique=True),),
            text_fields=("name",),
        ),
        Collection(name="events", fields={"credential": FieldType.STRING}),
    )
)


def expected_document(doc_id: str) -> dict[str, Any]:
    """The exact document for ``doc_id``: bytes (with NUL, invalid UTF-8) derived from the id."""
    seed = hashlib.sha256(doc_id.encode()).digest()
    raw = b"\x00\xff" + seed * 64 + b"\xc3\x28"
    return {
        "_id": doc_id,
        "owner": "crash",
        "digest": hashlib.sha256(raw).hexdigest(),
        "name": f"Badge {doc_id} crashword",
        "raw": raw,
    }


async def main(url: str | None, data_dir: Path, prefix: str) -> None:
    store = await open_store(url, data_dir, SCHEMA)
    index = 0
    while True:
        doc_id = f"{prefix}-{index:06d}"

        async def work(tx: Operations, doc_id: str = doc_id) -> None:
            await tx.insert("credentials", expected_document(doc_id))
            await tx.insert("events", {"_id": "ev-" + doc_id, "credential": doc_id})

        await in_transaction(store, work)
        sys.stdout.write(f"ack {doc_id}\n")
        sys.stdout.flush()
        index += 1


if __name__ == "__main__":
    target = None if sys.argv[1] == "-" else sys.argv[1]
    asyncio.run(main(target, Path(sys.argv[2]), sys.argv[3]))
