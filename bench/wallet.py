"""Wallet bench: credential import rate (verification included) and list/search latency at
scale, through the wallet's own service layer on the embedded SQLite store.

1. Import: N distinct OB 3.0 credentials signed with eddsa-rdfc-2022 (signed first, not timed)
   are imported through :func:`satchel.wallet.credentials.import_many` into a fresh store
   (durable writes, ``synchronous=FULL``): extraction, full verification (RDF canonicalization
   and the signature of every one: they are all distinct), recipient check, index fields, and
   the transactional write of each credential with its first verdict. ``--workers`` > 1 verifies
   in a pool of processes while this process stays the single writer.
2. Scale: 1,000,000 credential documents of the same shape over 10,000 learners, bulk-inserted
   with ``insert_many`` in a child process (cached under the temp dir, like bench/storage.py),
   then list (first and next page), full-text search, and filtered list (status + date range)
   p50/p99 through :func:`satchel.wallet.credentials.list_credentials`.
3. Peak RSS (VmHWM) of this process.

Targets (issue 4): import >= 500 credentials/s; list and search p99 < 50 ms; RSS < 300 MB.

    .venv/bin/python bench/wallet.py [--credentials N] [--workers N] [--documents N]
        [--learners N] [--queries N] [--rebuild] [--skip-scale]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from satchel.config import Settings
from satchel.did.did_key import did_key_from_public_key, did_key_verification_method_id
from satchel.did.keys import KeyType, generate_private_key
from satchel.validator.engine import Verifier
from satchel.validator.inputs import ParsedInput
from satchel.validator.options import VerificationOptions
from satchel.validator.proofs.data_integrity import sign
from satchel.validator.report import VerificationReport
from satchel.wallet import credentials
from satchel.wallet.credentials import CredentialQuery, ImportItem
from satchel.wallet.indexing import Learner
from satchel.wallet.schema import WALLET_SCHEMA
from satchel.wallet.services import WalletServices, open_wallet_services
from satchel.wallet.storage.sqlite import SqliteStore

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = json.loads((REPO / "tests/data/unsigned-ob30.json").read_text())
TARGET_IMPORT_RATE = 500.0
TARGET_P99_MS = 50.0
TARGET_RSS_MB = 300.0
IMPORT_BATCH = 500
BUILD_BATCH = 5000
LEARNER_DID = "did:example:bench-learner"

# ---- signing (not timed) --------------------------------------------------------------------


def _sign_range(seed: int, start: int, stop: int) -> list[bytes]:
    """Sign credentials ``start``..``stop`` with the issuer key derived from ``seed``."""
    key = _issuer_key(seed)
    did = did_key_from_public_key(key.public_key)
    signed = []
    for index in range(start, stop):
        document = copy.deepcopy(TEMPLATE)
        document["id"] = f"urn:uuid:{uuid.UUID(int=index + 1)}"
        document["issuer"]["id"] = did
        document["name"] = f"Bench badge {index}"
        document["credentialSubject"]["id"] = LEARNER_DID
        document["credentialSubject"]["achievement"]["name"] = f"Skill {index % 97}"
        proof = sign(
            document,
            key,
            cryptosuite="eddsa-rdfc-2022",
            verification_method=did_key_verification_method_id(did),
        )
        signed.append(json.dumps(proof).encode())
    return signed


def _issuer_key(seed: int) -> Any:
    """One issuer key per (process, seed): credentials stay distinct by their ids."""
    if seed not in _KEYS:
        _KEYS[seed] = generate_private_key(KeyType.ED25519)
    return _KEYS[seed]


_KEYS: dict[int, Any] = {}


def sign_all(count: int, workers: int) -> list[bytes]:
    step = max(1, count // (workers * 4))
    ranges = [(start, min(count, start + step)) for start in range(0, count, step)]
    if workers <= 1:
        return [raw for start, stop in ranges for raw in _sign_range(0, start, stop)]
    with ProcessPoolExecutor(workers) as pool:
        parts = pool.map(_sign_range, [0] * len(ranges), *zip(*ranges, strict=True))
        return [raw for part in parts for raw in part]


# ---- verification in a pool (the single writer stays here) ---------------------------------

_WORKER: dict[str, Any] = {}


def _verify_in_worker(parsed: ParsedInput, now: datetime) -> VerificationReport:
    """Runs in a pool process: one event loop and one Verifier for the process's lifetime."""
    if not _WORKER:
        _WORKER["loop"] = asyncio.new_event_loop()
        _WORKER["verifier"] = Verifier()  # did:key needs no fetching
    verifier: Verifier = _WORKER["verifier"]
    loop: asyncio.AbstractEventLoop = _WORKER["loop"]
    return loop.run_until_complete(verifier.verify(parsed, VerificationOptions(now=now)))


class PooledVerifier(Verifier):
    """A Verifier whose ``verify`` runs in worker processes (same engine, other cores)."""

    def __init__(self, pool: ProcessPoolExecutor) -> None:
        super().__init__()
        self.pool = pool

    async def verify(
        self, data: Any, options: VerificationOptions | None = None
    ) -> VerificationReport:
        now = (options or VerificationOptions()).current_time()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, _verify_in_worker, data, now)


# ---- import ---------------------------------------------------------------------------------


async def bench_import(signed: list[bytes], workers: int) -> tuple[float, dict[str, int]]:
    with tempfile.TemporaryDirectory() as folder:
        services = await open_wallet_services(Settings(data_dir=Path(folder)), Verifier())
        pool = ProcessPoolExecutor(workers) if workers > 1 else None
        if pool is not None:
            services.verifier = PooledVerifier(pool)
            list(pool.map(_warm, range(workers)))
        outcomes: dict[str, int] = {}
        learner = Learner(dids=(LEARNER_DID,))
        try:
            started = time.perf_counter()
            for start in range(0, len(signed), IMPORT_BATCH):
                items = [ImportItem(raw) for raw in signed[start : start + IMPORT_BATCH]]
                for result in await credentials.import_many(
                    services, "bench-owner", items, learner=learner
                ):
                    key = f"{result.outcome}/{result.status}/{result.recipient}"
                    outcomes[key] = outcomes.get(key, 0) + 1
            elapsed = time.perf_counter() - started
        finally:
            await services.store.close()
            if pool is not None:
                pool.shutdown()
    return len(signed) / elapsed, outcomes


def _warm(_: int) -> None:
    _verify_in_worker(ParsedInput(document={}), datetime.now(UTC))


# ---- scale: 1M documents --------------------------------------------------------------------


def vocabulary(rng: random.Random, size: int = 5000) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyzéè"
    return ["".join(rng.choice(letters) for _ in range(rng.randint(4, 10))) for _ in range(size)]


REPORT = {
    "verified": True,
    "kind": "credential",
    "checks": [{"id": "proof", "outcome": "passed", "message": "ok", "target": "credential"}],
    "errors": [],
    "warnings": [],
    "notChecked": [],
}
STATUSES = ("valid",) * 8 + ("expired", "revoked")


def synthetic(i: int, learners: int, rng: random.Random, words: list[str]) -> dict[str, Any]:
    """A credential document shaped as the importer writes it (raw bytes, report, indexes)."""
    year, month, day = rng.randint(2015, 2025), rng.randint(1, 12), rng.randint(1, 28)
    raw = rng.randbytes(700)
    imported = f"2026-01-01T00:00:00.{i:06d}Z" if i < 1_000_000 else f"2026-01-02T{i}Z"
    return {
        "_id": f"{i:024x}",
        "owner": f"learner-{i % learners:05d}",
        "raw": raw,
        "sha256": hashlib.sha256(raw).hexdigest(),
        "size": len(raw),
        "format": "json",
        "media_type": "application/json",
        "kind": "credential",
        "state": rng.choice(("pending", "accepted", "accepted", "declined")),
        "visibility": "private",
        "labels": rng.sample(("work", "school", "hobby", "cpd"), rng.randint(0, 2)),
        "collections": [],
        "status": rng.choice(STATUSES),
        "recipient": "matched",
        "report": REPORT,
        "imported_at": imported,
        "verified_at": imported,
        "types": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": " ".join(rng.choices(words, k=3)),
        "description": " ".join(rng.choices(words, k=8)),
        "issuer_id": f"did:web:issuer{i % 977}.example",
        "issuer_name": f"Issuer {i % 977}",
        "achievement_name": " ".join(rng.choices(words, k=2)),
        "tags": rng.sample(words[:200], 2),
        "credential_id": f"urn:uuid:{uuid.UUID(int=i)}",
        "issued_at": f"{year}-{month:02d}-{day:02d}T00:00:00Z",
    }


async def build(path: Path, documents: int, learners: int) -> None:
    rng = random.Random(1)
    words = vocabulary(random.Random(0))
    store = await SqliteStore.open(path, WALLET_SCHEMA, synchronous="NORMAL")
    started = time.perf_counter()
    try:
        for start in range(0, documents, BUILD_BATCH):
            stop = min(documents, start + BUILD_BATCH)
            batch = [synthetic(i, learners, rng, words) for i in range(start, stop)]
            await store.insert_many("credentials", batch)
    finally:
        await store.close()
    elapsed = time.perf_counter() - started
    print(f"built {documents} credentials in {elapsed:.0f}s ({documents / elapsed:.0f}/s)")


Query = Callable[[WalletServices, str, str | None], Awaitable[Any]]


async def measure(data_dir: Path, learners: int, queries: int) -> dict[str, list[float]]:
    rng = random.Random(2)
    words = vocabulary(random.Random(0))
    services = await open_wallet_services(Settings(data_dir=data_dir), Verifier())
    timings: dict[str, list[float]] = {
        "list": [],
        "list next page": [],
        "search": [],
        "filtered list": [],
    }

    async def timed(name: str, query: CredentialQuery, owner: str, cursor: str | None) -> Any:
        started = time.perf_counter()
        page = await credentials.list_credentials(services, owner, query, limit=20, cursor=cursor)
        timings[name].append(time.perf_counter() - started)
        return page

    try:
        for _ in range(queries):
            owner = f"learner-{rng.randrange(learners):05d}"
            page = await timed("list", CredentialQuery(), owner, None)
            await timed("list next page", CredentialQuery(), owner, page.next_cursor)
            word = rng.choice(words)[: rng.randint(3, 6)]
            await timed("search", CredentialQuery(text=word), owner, None)
            year = rng.randint(2015, 2024)
            filtered = CredentialQuery(
                status="valid", issued_from=f"{year}-01-01", issued_to=f"{year + 1}-06-30"
            )
            await timed("filtered list", filtered, owner, None)
    finally:
        await services.store.close()
    return timings


# ---- report ---------------------------------------------------------------------------------


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def verdict(ok: bool) -> str:
    return "OK" if ok else "BELOW TARGET"


def run_import(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    signed = sign_all(args.credentials, os.cpu_count() or 1)
    print(
        f"signed {len(signed)} distinct eddsa-rdfc-2022 credentials in "
        f"{time.perf_counter() - started:.1f}s (not timed)"
    )
    for workers in sorted({1, args.workers}):
        rate, outcomes = asyncio.run(bench_import(signed, workers))
        label = "1 process" if workers == 1 else f"{workers} verifier processes + 1 writer"
        print(
            f"{'import':>15}: {rate:6.0f} credentials/s ({label}; target >= "
            f"{TARGET_IMPORT_RATE:.0f}/s) {verdict(rate >= TARGET_IMPORT_RATE)}  {outcomes}"
        )


def run_scale(args: argparse.Namespace) -> None:
    cache = (
        Path(tempfile.gettempdir()) / "satchel-bench-wallet" / f"{args.documents}-{args.learners}"
    )
    path = cache / "satchel.sqlite3"
    if args.rebuild or not path.exists():
        for stale in cache.glob("*"):
            stale.unlink()
        cache.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, __file__, "--build-only", str(path)]
        command += ["--documents", str(args.documents), "--learners", str(args.learners)]
        subprocess.run(command, check=True)
    print(
        f"database: {path} ({path.stat().st_size / 2**20:.0f} MiB, {args.documents} "
        f"credentials over {args.learners} learners)"
    )
    timings = asyncio.run(measure(cache, args.learners, args.queries))
    for name, samples in timings.items():
        p50, p99 = percentile(samples, 0.5) * 1000, percentile(samples, 0.99) * 1000
        print(
            f"{name:>15}: p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  (target p99 < "
            f"{TARGET_P99_MS:.0f} ms) {verdict(p99 < TARGET_P99_MS)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--credentials", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--documents", type=int, default=1_000_000)
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--build-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_only:
        asyncio.run(build(args.build_only, args.documents, args.learners))
        return
    if not args.skip_import:
        run_import(args)
    if not args.skip_scale:
        run_scale(args)
    rss = peak_rss_mb()
    print(
        f"{'peak RSS':>15}: {rss:.0f} MB (this process; target < {TARGET_RSS_MB:.0f} MB) "
        f"{verdict(rss < TARGET_RSS_MB)}"
    )


if __name__ == "__main__":
    main()
