"""HTTP verify benchmark: POST /credentials/verify on loopback against every core.

Starts ``--workers`` processes (default: one per core) serving the Satchel app on one port
(SO_REUSEPORT), drives ``--connections`` concurrent connections for ``--duration`` seconds
with signed eddsa-rdfc-2022 credentials, and prints throughput, p50/p99 latency, each worker's
peak RSS (VmHWM), the in-process single-core verify rate measured in the same run, and the
ratio, with whether each target is met. Loopback only; stops by itself; no asserts.

    .venv/bin/python bench/http_verify.py [--duration 10] [--workers N] [--connections 32]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from satchel.app import create_app
from satchel.config import Settings
from satchel.did.did_key import did_key_from_public_key, did_key_verification_method_id
from satchel.did.keys import KeyType, generate_private_key
from satchel.validator.engine import Verifier
from satchel.validator.proofs.data_integrity import sign

HOST = "127.0.0.1"
TARGET_RATIO = 1.6
TARGET_P99_MS = 50.0
TARGET_RSS_MB = 150.0


def signed_credentials(count: int) -> list[dict[str, Any]]:
    key = generate_private_key(KeyType.ED25519)
    did = did_key_from_public_key(key.public_key)
    method = did_key_verification_method_id(did)
    credentials = []
    for index in range(count):
        credential = {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": f"urn:uuid:00000000-0000-4000-8000-{index:012d}",
            "type": ["VerifiableCredential"],
            "issuer": did,
            "validFrom": "2024-01-01T00:00:00Z",
            "credentialSubject": {"id": f"did:example:learner{index}", "name": f"Learner {index}"},
        }
        credentials.append(
            sign(credential, key, cryptosuite="eddsa-rdfc-2022", verification_method=method)
        )
    return credentials


async def single_core_rate(credentials: list[dict[str, Any]], seconds: float) -> float:
    verifier = Verifier()
    for credential in credentials:  # warm the context caches as the workers will be
        await verifier.verify(credential)
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        report = await verifier.verify(credentials[done % len(credentials)])
        if not report.verified:
            raise SystemExit(f"benchmark credential did not verify: {report.errors}")
        done += 1
    return done / (time.perf_counter() - start)


def serve_worker(port: int, data_dir: str) -> None:
    settings = Settings(host=HOST, port=port, data_dir=Path(data_dir), rate_limit=0)

    async def run() -> None:
        runner = web.AppRunner(create_app(settings), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, HOST, port, reuse_port=True).start()
        await asyncio.Event().wait()

    asyncio.run(run())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


async def wait_ready(url: str, patience: float = 20.0) -> None:
    deadline = time.monotonic() + patience
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(url + "/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("workers did not start")


async def drive(
    url: str, credentials: list[dict[str, Any]], connections: int, seconds: float
) -> tuple[list[float], int]:
    latencies: list[float] = []
    failures = 0
    bodies = [{"verifiableCredential": c} for c in credentials]
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as session:
        end = time.perf_counter() + seconds

        async def one_connection(offset: int) -> None:
            nonlocal failures
            index = offset
            while time.perf_counter() < end:
                started = time.perf_counter()
                async with session.post(
                    url + "/credentials/verify", json=bodies[index % len(bodies)]
                ) as response:
                    await response.read()
                    if response.status != 200:
                        failures += 1
                latencies.append(time.perf_counter() - started)
                index += connections

        await asyncio.gather(*(one_connection(i) for i in range(connections)))
    return latencies, failures


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (fields 14 and 15 of /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--single-core-seconds", type=float, default=4.0)
    parser.add_argument("--credentials", type=int, default=16)
    args = parser.parse_args(argv)

    credentials = signed_credentials(args.credentials)
    single = asyncio.run(single_core_rate(credentials, args.single_core_seconds))
    print(f"in-process single-core verify rate: {single:.1f} /s")

    port = free_port()
    url = f"http://{HOST}:{port}"
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="satchel-bench-") as data_dir:
        workers = [
            context.Process(target=serve_worker, args=(port, data_dir), daemon=True)
            for _ in range(args.workers)
        ]
        for worker in workers:
            worker.start()
        try:
            asyncio.run(wait_ready(url))
            asyncio.run(drive(url, credentials, args.connections, 1.0))  # warm-up
            pids = [w.pid for w in workers if w.pid is not None]
            worker_cpu_before = sum(cpu_seconds(pid) for pid in pids)
            driver_cpu_before = sum(os.times()[:2])
            latencies, failures = asyncio.run(
                drive(url, credentials, args.connections, args.duration)
            )
            driver_cpu = sum(os.times()[:2]) - driver_cpu_before
            worker_cpu = sum(cpu_seconds(pid) for pid in pids) - worker_cpu_before
            rss = [peak_rss_mb(pid) for pid in pids]
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.join(5)

    throughput = len(latencies) / args.duration
    p50, p99 = percentile(latencies, 0.50) * 1000, percentile(latencies, 0.99) * 1000
    ratio = throughput / single
    print(f"workers: {args.workers}, connections: {args.connections}, {args.duration:.0f} s")
    print(f"requests: {len(latencies)} ({failures} not 200)")
    print(f"HTTP throughput: {throughput:.1f} /s")
    print(
        f"latency p50: {p50:.1f} ms, p99: {p99:.1f} ms, mean: "
        f"{statistics.fmean(latencies) * 1000:.1f} ms"
    )
    print(
        f"CPU during the run: workers {worker_cpu:.1f} s, load driver {driver_cpu:.1f} s "
        f"({len(latencies) / max(worker_cpu, 1e-9):.0f} requests per worker CPU second)"
    )
    print("peak RSS per worker (MB): " + ", ".join(f"{mb:.1f}" for mb in rss))
    print(f"ratio HTTP / single-core: {ratio:.2f}x")
    print(
        f"target ratio >= {TARGET_RATIO}x on {args.workers} cores: {verdict(ratio >= TARGET_RATIO)}"
    )
    print(f"target p99 < {TARGET_P99_MS:.0f} ms: {verdict(p99 < TARGET_P99_MS)}")
    print(f"target RSS < {TARGET_RSS_MB:.0f} MB: {verdict(max(rss) < TARGET_RSS_MB)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
