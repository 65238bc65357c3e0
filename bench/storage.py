"""Storage bench: list and search p50/p99 with 1,000,000 credential-like documents over 10,000
owners in the embedded SQLite store, and the process's peak RSS (VmHWM).

Targets (issue 4): list and search p99 < 50 ms; RSS < 300 MB.

The database is built once in a child process (so the measured RSS is the serving process's)
and cached under the temp dir; delete it or pass --rebuild to build again.

    .venv/bin/python bench/storage.py [--documents N] [--owners N] [--queries N] [--rebuild]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from satchel.wallet.storage import Collection, FieldType, Index, Schema
from satchel.wallet.storage.sqlite import SqliteStore

SCHEMA = Schema(
    (
        Collection(
            name="credentials",
            fields={
                "owner": FieldType.STRING,
                "credential_id": FieldType.STRING,
                "issued": FieldType.STRING,
                "state": FieldType.STRING,
                "labels": FieldType.STRING_LIST,
            },
            indexes=(
                Index(("owner", "credential_id"), unique=True),
                Index(("owner", "issued")),
            ),
            text_fields=("name", "description", "issuer_name"),
            text_scope="owner",
        ),
    )
)
BATCH = 5000
TARGET_P99_MS = 50.0
TARGET_RSS_MB = 300.0


def vocabulary(rng: random.Random, size: int = 5000) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyzéè"
    return ["".join(rng.choice(letters) for _ in range(rng.randint(4, 10))) for _ in range(size)]


def document(i: int, owners: int, rng: random.Random, words: list[str]) -> dict[str, object]:
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    return {
        "_id": f"cred-{i:08d}",
        "owner": f"owner-{i % owners:05d}",
        "credential_id": f"urn:uuid:{i:08d}",
        "issued": f"20{rng.randint(15, 25)}-{month:02d}-{day:02d}T00:00:00Z",
        "state": rng.choice(("pending", "accepted", "declined")),
        "labels": rng.sample(("work", "school", "hobby", "cpd"), rng.randint(0, 2)),
        "name": " ".join(rng.choices(words, k=3)),
        "description": " ".join(rng.choices(words, k=8)),
        "issuer_name": f"Issuer {i % 977}",
        "raw": rng.randbytes(256),
    }


async def build(path: Path, documents: int, owners: int) -> None:
    rng = random.Random(1)
    words = vocabulary(random.Random(0))
    store = await SqliteStore.open(path, SCHEMA, synchronous="NORMAL")
    started = time.perf_counter()
    try:
        for start in range(0, documents, BATCH):
            stop = min(documents, start + BATCH)
            batch = [document(i, owners, rng, words) for i in range(start, stop)]
            await store.insert_many("credentials", batch)
    finally:
        await store.close()
    elapsed = time.perf_counter() - started
    print(f"built {documents} documents in {elapsed:.0f}s ({documents / elapsed:.0f}/s)")


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def measure(path: Path, owners: int, queries: int) -> dict[str, list[float]]:
    rng = random.Random(2)
    words = vocabulary(random.Random(0))
    store = await SqliteStore.open(path, SCHEMA)
    timings: dict[str, list[float]] = {"list": [], "list next page": [], "search": []}
    try:
        for _ in range(queries):
            owner = f"owner-{rng.randrange(owners):05d}"
            sort = ("issued", "desc")
            started = time.perf_counter()
            page = await store.find("credentials", {"owner": owner}, sort=sort, limit=20)
            timings["list"].append(time.perf_counter() - started)
            started = time.perf_counter()
            await store.find(
                "credentials", {"owner": owner}, sort=sort, limit=20, after=page.next_cursor
            )
            timings["list next page"].append(time.perf_counter() - started)
            word = rng.choice(words)[: rng.randint(3, 6)]
            started = time.perf_counter()
            await store.find("credentials", {"owner": owner, "$text": word}, sort=sort, limit=20)
            timings["search"].append(time.perf_counter() - started)
    finally:
        await store.close()
    return timings


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1_000_000)
    parser.add_argument("--owners", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--build-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_only:
        asyncio.run(build(args.build_only, args.documents, args.owners))
        return
    cache = Path(tempfile.gettempdir()) / "satchel-bench-storage"
    path = cache / f"{args.documents}-{args.owners}.sqlite3"
    if args.rebuild or not path.exists():
        for stale in cache.glob(path.name + "*"):
            stale.unlink()
        cache.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, __file__, "--build-only", str(path)]
        command += ["--documents", str(args.documents), "--owners", str(args.owners)]
        subprocess.run(command, check=True)
    print(f"database: {path} ({path.stat().st_size / 2**20:.0f} MiB)")
    timings = asyncio.run(measure(path, args.owners, args.queries))
    for name, samples in timings.items():
        p50, p99 = percentile(samples, 0.5) * 1000, percentile(samples, 0.99) * 1000
        verdict = "OK" if p99 < TARGET_P99_MS else "OVER TARGET"
        print(f"{name:>15}: p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  (target p99 < 50 ms) {verdict}")
    rss = peak_rss_mb()
    verdict = "OK" if rss < TARGET_RSS_MB else "OVER TARGET"
    print(f"{'peak RSS':>15}: {rss:.0f} MB (target < {TARGET_RSS_MB:.0f} MB) {verdict}")


if __name__ == "__main__":
    main()
