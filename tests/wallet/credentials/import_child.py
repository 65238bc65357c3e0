"""Child process of the crash test: imports a batch through the service, one line per ack.

Usage: python import_child.py <data_dir> <database_url or ""> <credentials.jsonl> <owner>

Prints ``ready`` once the store is open, then ``stored <id> <sha256>`` for each credential
only after the transaction that wrote it committed (``iter_import`` yields it then).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from satchel.config import Settings
from satchel.validator.engine import Verifier
from satchel.wallet.credentials import ImportItem, iter_import
from satchel.wallet.indexing import Learner
from satchel.wallet.services import open_wallet_services

BATCH = 25


async def main(data_dir: Path, database_url: str, source: Path, owner: str) -> None:
    settings = Settings(data_dir=data_dir, database_url=database_url or None)
    services = await open_wallet_services(settings, Verifier())
    lines = source.read_bytes().splitlines()
    print("ready", flush=True)
    try:
        for start in range(0, len(lines), BATCH):
            items = [
                ImportItem(line, name=str(start + i))
                for i, line in enumerate(lines[start : start + BATCH])
            ]
            async for result in iter_import(services, owner, items, learner=Learner()):
                if result.outcome == "stored":
                    sha = _sha(items[result.index].data)
                    print(f"stored {result.credential_id} {sha}", flush=True)
    finally:
        await services.store.close()
    print("done", flush=True)


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), sys.argv[4]))
