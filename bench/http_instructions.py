"""Instructions a verification costs in-process, behind a bare aiohttp handler, and in Satchel.

``bench/http_verify.py`` measures time, which on a shared virtual machine also carries what
the kernel, the hypervisor and the other processes do to the caches. This script counts the
user-space instructions each way executes (valgrind's cachegrind: the same count on every run,
whatever the machine is doing), so the code's own share of the HTTP cost can be told from the
platform's. Each server runs as one process under valgrind; the script posts ``--requests``
verifications over ``--connections`` connections, stops it with SIGTERM, and subtracts a run
that served nothing. Takes a few minutes; needs ``valgrind`` on the PATH.

    .venv/bin/python bench/http_instructions.py [--requests 400] [--workload minimal|badge]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import aiohttp

# The sibling bench script: a script's own folder is first on sys.path.
from http_verify import (
    HOST,
    WORKLOADS,
    free_port,
    serve_floor_worker,
    serve_worker,
    signed_credentials,
    wait_ready,
)

from satchel.validator.engine import Verifier, embedded_input

MODES = {
    "in-process": "the Verifier called in a loop on parsed request bodies",
    "bare aiohttp": "a bare aiohttp handler around the same Verifier",
    "Satchel": "satchel serve's worker: middleware, limits, VC-API body, access lines",
}
SUMMARY = re.compile(r"I\s+refs:\s+([\d,]+)")


def child(mode: str, count: int, port: int, data_dir: str, workload: str) -> None:
    """What runs under valgrind: ``count`` in-process verifications, or one server."""
    if mode == "in-process":
        bodies = [
            json.dumps({"verifiableCredential": c}).encode()
            for c in signed_credentials(16, workload)
        ]
        asyncio.run(_verify_in_process(bodies, count))
    elif mode == "bare aiohttp":
        serve_floor_worker(port, data_dir)
    else:
        serve_worker(port, data_dir)


async def _verify_in_process(bodies: list[bytes], count: int) -> None:
    verifier = Verifier()
    for body in bodies:  # warm the caches as the servers' warm-up requests do
        await verifier.verify(embedded_input(json.loads(body)["verifiableCredential"]))
    for index in range(count):
        body = json.loads(bodies[index % len(bodies)])
        await verifier.verify(embedded_input(body["verifiableCredential"]))


def instructions(mode: str, count: int, args: Any, credentials: list[dict[str, Any]]) -> int:
    """User-space instructions of one valgrind run of ``mode`` serving ``count`` requests."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="satchel-instructions-") as data_dir:
        log = Path(data_dir) / "valgrind.log"
        command = [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            f"--cachegrind-out-file={Path(data_dir) / 'cachegrind.out'}",
            f"--log-file={log}",
            sys.executable,
            __file__,
            "--child",
            mode,
            "--count",
            str(count),
            "--port",
            str(port),
            "--data-dir",
            data_dir,
            "--workload",
            args.workload,
        ]
        process = subprocess.Popen(command)
        if mode != "in-process":
            url = f"http://{HOST}:{port}"
            asyncio.run(_serve_requests(url, credentials, count, args.connections))
            process.send_signal(signal.SIGTERM)
        process.wait(timeout=1800)
        report = log.read_text()
    found = SUMMARY.findall(report)
    if not found:
        raise SystemExit(f"valgrind printed no instruction count for {mode}:\n{report[-2000:]}")
    return int(found[-1].replace(",", ""))


async def _serve_requests(
    url: str, credentials: list[dict[str, Any]], count: int, connections: int
) -> None:
    await wait_ready(url, patience=600.0)  # valgrind starts Python slowly
    timeout = aiohttp.ClientTimeout(total=None)
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        for credential in credentials:  # the same warm-up in every run, served or not
            await _post(session, url, credential)
        slots = asyncio.Semaphore(connections)

        async def one(index: int) -> None:
            async with slots:
                await _post(session, url, credentials[index % len(credentials)])

        await asyncio.gather(*(one(index) for index in range(count)))


async def _post(session: aiohttp.ClientSession, url: str, credential: dict[str, Any]) -> None:
    body = {"verifiableCredential": credential}
    async with session.post(url + "/credentials/verify", json=body) as response:
        await response.read()
        if response.status != 200:
            raise SystemExit(f"verification answered {response.status}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--connections", type=int, default=16, help="one worker's share of 32")
    parser.add_argument("--workload", choices=list(WORKLOADS), default="minimal")
    parser.add_argument("--child", choices=list(MODES), help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.count, args.port, args.data_dir, args.workload)
        return 0
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    os.environ.setdefault("PYTHONHASHSEED", "0")  # the same hashing in every run
    credentials = signed_credentials(16, args.workload)
    print(f"workload {args.workload}, {args.requests} requests over {args.connections} connections")
    per_request = {}
    for mode, meaning in MODES.items():
        served = instructions(mode, args.requests, args, credentials)
        idle = instructions(mode, 0, args, credentials)
        per_request[mode] = (served - idle) / args.requests
        print(f"  {mode}: {per_request[mode] / 1e6:.3f} M instructions a request ({meaning})")
    base = per_request["in-process"]
    for mode in ("bare aiohttp", "Satchel"):
        print(f"  {mode} / in-process: {per_request[mode] / base:.3f}x the instructions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
