"""HTTP verify benchmark: POST /credentials/verify on loopback against every core.

Starts ``--workers`` processes (default: one per core) serving the Satchel app on one port
(SO_REUSEPORT), drives ``--connections`` concurrent connections for ``--duration`` seconds
with signed eddsa-rdfc-2022 credentials, and prints throughput, p50/p99 latency, each worker's
peak RSS (VmHWM), the in-process single-core verify rate measured in the same run, and the
ratio, with whether each target is met. Loopback only; stops by itself; no asserts.

Two workloads, each measured against its own single-core rate: ``badge``, an OB 3.0
OpenBadgeCredential shaped like 1EdTech's signing example (issuer profile, achievement,
criteria), and ``minimal``, the smallest VC 2.0 credential. ``--floor`` also serves the same
verifications from a bare aiohttp handler (no Satchel middleware, limits or VC-API body), which
shows how much of the per-request cost is the framework's and how much is Satchel's, and
times in-process verifications that each wait for one round trip to another process: the
least any server pays per request on this machine, whatever its code.

    .venv/bin/python bench/http_verify.py [--duration 10] [--workers N] [--connections 32]
        [--workload badge|minimal|both] [--floor]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from satchel.config import Settings
from satchel.contexts import VC_V2_CONTEXT
from satchel.did.did_key import did_key_from_public_key, did_key_verification_method_id
from satchel.did.keys import KeyType, generate_private_key
from satchel.json_body import dumps
from satchel.server import run_loop, run_worker
from satchel.validator.checks.contexts import OB_CURRENT
from satchel.validator.engine import Verifier, embedded_input
from satchel.validator.proofs.data_integrity import sign

HOST = "127.0.0.1"
TARGET_RATIO = 1.6
TARGET_P99_MS = 50.0
TARGET_RSS_MB = 150.0


def minimal_credential(issuer: str, index: int) -> dict[str, Any]:
    return {
        "@context": [VC_V2_CONTEXT],
        "id": f"urn:uuid:00000000-0000-4000-8000-{index:012d}",
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": f"did:example:learner{index}", "name": f"Learner {index}"},
    }


def badge_credential(issuer: str, index: int) -> dict[str, Any]:
    return {
        "@context": [VC_V2_CONTEXT, OB_CURRENT],
        "id": f"urn:uuid:00000000-0000-4000-8000-{index:012d}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Example College"},
        "validFrom": "2024-01-01T00:00:00Z",
        "name": "Teamwork Badge",
        "credentialSubject": {
            "id": f"did:example:learner{index}",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://example.edu/achievements/teamwork",
                "type": ["Achievement"],
                "name": "Teamwork",
                "description": "Collaborates well within a group.",
                "criteria": {"narrative": "Nominated by peers and confirmed by a tutor."},
            },
        },
    }


WORKLOADS = {"badge": badge_credential, "minimal": minimal_credential}


def signed_credentials(count: int, workload: str = "minimal") -> list[dict[str, Any]]:
    key = generate_private_key(KeyType.ED25519)
    did = did_key_from_public_key(key.public_key)
    method = did_key_verification_method_id(did)
    build = WORKLOADS[workload]
    credentials = []
    for index in range(count):
        signed = sign(
            build(did, index), key, cryptosuite="eddsa-rdfc-2022", verification_method=method
        )
        if workload == "badge":  # 1EdTech's OB 3.0 schema wants proof as a list
            signed["proof"] = [signed["proof"]]
        credentials.append(signed)
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


def _echo(peer: socket.socket) -> None:
    with peer:
        while data := peer.recv(65536):
            peer.sendall(data)


def wakeup_control_cpu(credentials: list[dict[str, Any]], seconds: float) -> tuple[float, float]:
    """CPU milliseconds a verification costs in-process: alone, and after one 3 KB round trip
    to another process each time.

    The round trip adds almost no instructions; what it adds is what waking another process
    and being woken costs this process on this machine (caches, scheduler, hypervisor). A
    server is woken by its clients too, though under load one wake-up serves several requests.
    """
    ours, theirs = socket.socketpair()
    peer = multiprocessing.get_context("spawn").Process(target=_echo, args=(theirs,))
    peer.start()
    theirs.close()
    payload = b"x" * 3000

    def round_trip() -> None:
        ours.sendall(payload)
        received = 0
        while received < len(payload):
            received += len(ours.recv(65536))

    async def cpu_ms(with_round_trip: bool) -> float:
        verifier = Verifier()
        for credential in credentials:
            await verifier.verify(credential)
        done, start, wall = 0, time.process_time(), time.perf_counter()
        while time.perf_counter() - wall < seconds:
            if with_round_trip:
                round_trip()
            await verifier.verify(credentials[done % len(credentials)])
            done += 1
        return 1000 * (time.process_time() - start) / done

    try:
        return asyncio.run(cpu_ms(False)), asyncio.run(cpu_ms(True))
    finally:
        ours.close()
        peer.join(5)


def serve_worker(port: int, data_dir: str) -> None:
    """One worker exactly as ``satchel serve --workers N`` runs it (uvloop when installed, access
    lines at INFO); its standard error goes to a file so that the figures stay readable."""
    log = os.open(Path(data_dir) / f"worker-{os.getpid()}.log", os.O_WRONLY | os.O_CREAT, 0o600)
    os.dup2(log, 2)
    run_worker(Settings(host=HOST, port=port, data_dir=Path(data_dir), rate_limit=0))


FLOOR_VERIFIER = web.AppKey("floor_verifier", Verifier)


async def _ok(request: web.Request) -> web.Response:
    return web.Response(text="ok")


def serve_floor_worker(port: int, data_dir: str) -> None:
    """The framework's floor: aiohttp, uvloop, the same Verifier, and nothing of Satchel's web
    layer (no middleware, limits, options or VC-API results; the report's checks only)."""

    async def verify(request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        report = await request.app[FLOOR_VERIFIER].verify(
            embedded_input(body["verifiableCredential"])
        )
        checks = [check.to_json() for check in report.checks]
        verdict = {"verified": report.verified, "checks": checks}
        return web.Response(body=dumps(verdict), status=200 if report.verified else 400)

    async def main() -> None:
        app = web.Application()
        app[FLOOR_VERIFIER] = Verifier()
        app.router.add_get("/healthz", _ok)
        app.router.add_post("/credentials/verify", verify)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, HOST, port, reuse_port=True).start()
        await asyncio.Event().wait()

    run_loop(main())


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


WRK_SCRIPT = """
local bodies = {}
local i = 0
for line in io.lines(os.getenv("SATCHEL_BENCH_BODIES")) do bodies[#bodies + 1] = line end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, "/credentials/verify", nil, bodies[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %d %d %d %.3f %.3f %.3f\\n", summary.requests, e.status,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.mean / 1000))
end
"""


def drive_wrk(
    url: str, credentials: list[dict[str, Any]], connections: int, seconds: float, workdir: str
) -> tuple[int, int, float, float, float, float]:
    """wrk (C, one thread) drives the load: it leaves the cores to the workers.

    Returns requests, failures, p50 ms, p99 ms, mean ms, and wrk's own CPU seconds.
    """
    bodies = Path(workdir) / "bodies.jsonl"
    bodies.write_text(
        "\n".join(json.dumps({"verifiableCredential": c}) for c in credentials) + "\n"
    )
    script = Path(workdir) / "verify.lua"
    script.write_text(WRK_SCRIPT)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds:.0f}s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "SATCHEL_BENCH_BODIES": str(bodies)},
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    line = next(line for line in result.stdout.splitlines() if line.startswith("WRK "))
    requests, status_errors, socket_errors, p50, p99, mean = line.split()[1:]
    failures = int(status_errors) + int(socket_errors)
    return int(requests), failures, float(p50), float(p99), float(mean), cpu


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


@dataclass
class Run:
    """One load run against one kind of server."""

    count: int
    failures: int
    p50: float
    p99: float
    mean: float
    worker_cpu: float
    driver_cpu: float
    rss: list[float]


def load_run(
    target: Callable[[int, str], None], credentials: list[dict[str, Any]], args: Any
) -> Run:
    port = free_port()
    url = f"http://{HOST}:{port}"
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="satchel-bench-") as data_dir:
        workers = [
            context.Process(target=target, args=(port, data_dir), daemon=True)
            for _ in range(args.workers)
        ]
        for worker in workers:
            worker.start()
        try:
            asyncio.run(wait_ready(url))
            asyncio.run(drive(url, credentials, args.connections, 1.0))  # warm-up
            pids = [w.pid for w in workers if w.pid is not None]
            worker_cpu_before = sum(cpu_seconds(pid) for pid in pids)
            if args.use_wrk:
                count, failures, p50, p99, mean, driver_cpu = drive_wrk(
                    url, credentials, args.connections, args.duration, data_dir
                )
            else:
                driver_cpu_before = sum(os.times()[:2])
                latencies, failures = asyncio.run(
                    drive(url, credentials, args.connections, args.duration)
                )
                driver_cpu = sum(os.times()[:2]) - driver_cpu_before
                count = len(latencies)
                p50 = percentile(latencies, 0.50) * 1000
                p99 = percentile(latencies, 0.99) * 1000
                mean = statistics.fmean(latencies) * 1000
            worker_cpu = sum(cpu_seconds(pid) for pid in pids) - worker_cpu_before
            rss = [peak_rss_mb(pid) for pid in pids]
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.join(5)
    return Run(count, failures, p50, p99, mean, worker_cpu, driver_cpu, rss)


def report_run(label: str, run: Run, single: float, args: Any, judged: bool) -> None:
    throughput = run.count / args.duration
    ratio = throughput / single
    print(f"  {label}: {run.count} requests ({run.failures} not 200), {throughput:.1f} /s")
    print(
        f"    latency p50 {run.p50:.1f} ms, p99 {run.p99:.1f} ms, mean {run.mean:.1f} ms; "
        f"CPU: workers {run.worker_cpu:.1f} s, load driver {run.driver_cpu:.1f} s "
        f"({1000 * run.worker_cpu / max(run.count, 1):.3f} ms of worker CPU a request, "
        f"{1000 / single:.3f} ms a verification in-process)"
    )
    print("    peak RSS per worker (MB): " + ", ".join(f"{mb:.1f}" for mb in run.rss))
    print(f"    ratio HTTP / single-core: {ratio:.2f}x")
    if judged:
        print(
            f"    target ratio >= {TARGET_RATIO}x on {args.workers} cores: "
            f"{verdict(ratio >= TARGET_RATIO)}; p99 < {TARGET_P99_MS:.0f} ms: "
            f"{verdict(run.p99 < TARGET_P99_MS)}; RSS < {TARGET_RSS_MB:.0f} MB: "
            f"{verdict(max(run.rss) < TARGET_RSS_MB)}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--single-core-seconds", type=float, default=4.0)
    parser.add_argument("--credentials", type=int, default=16)
    parser.add_argument("--workload", choices=[*WORKLOADS, "both"], default="both")
    parser.add_argument("--floor", action="store_true", help="also run a bare aiohttp handler")
    parser.add_argument("--python-driver", action="store_true", help="do not use wrk")
    args = parser.parse_args(argv)
    args.use_wrk = shutil.which("wrk") is not None and not args.python_driver
    driver = "wrk (C, 1 thread)" if args.use_wrk else "Python aiohttp client (wrk not installed)"
    print(
        f"workers: {args.workers}, connections: {args.connections}, {args.duration:.0f} s "
        f"a run, load driver: {driver}"
    )
    workloads = list(WORKLOADS) if args.workload == "both" else [args.workload]
    for workload in workloads:
        credentials = signed_credentials(args.credentials, workload)
        single = asyncio.run(single_core_rate(credentials, args.single_core_seconds))
        size = len(json.dumps({"verifiableCredential": credentials[0]}))
        print(f"workload {workload} ({size} byte requests)")
        print(f"  in-process single-core verify rate: {single:.1f} /s")
        report_run("Satchel", load_run(serve_worker, credentials, args), single, args, True)
        if args.floor:
            floor = load_run(serve_floor_worker, credentials, args)
            report_run("bare aiohttp handler (the floor)", floor, single, args, False)
            alone, woken = wakeup_control_cpu(credentials, args.single_core_seconds)
            print(
                f"  in-process CPU a verification: {alone:.3f} ms; after one round trip to "
                f"another process: {woken:.3f} ms ({woken / alone - 1:+.0%}): the price of a "
                "wake-up on this machine"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
