"""`satchel serve --workers 2`: two processes share the port, log access, and stop with their
parent."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_workers_share_the_port_and_stop_with_their_parent(tmp_path):
    port = free_port()
    env = {**os.environ, "SATCHEL_DATA_DIR": str(tmp_path)}
    script = Path(sys.executable).with_name("satchel")
    parent = subprocess.Popen(
        [str(script), "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        workers = [p for p in _children(parent.pid)]
        assert len(workers) >= 2
    finally:
        parent.send_signal(signal.SIGTERM)
        parent.wait(timeout=20)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)
    # Workers log like a single process does, and write waiting access lines as they stop.
    assert parent.stdout is not None
    output = parent.stdout.read().decode()
    assert '"GET /healthz HTTP/1.1" 200' in output


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
