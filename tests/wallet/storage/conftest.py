"""Backends for the storage contract suite: SQLite always, SecantusDB always (a separate
server process on a free loopback port), and a real MongoDB when SATCHEL_TEST_MONGODB_URL is
set. A backend that cannot start FAILS the tests; nothing is skipped. The terminal summary
says which backends ran."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from pymongo import AsyncMongoClient, MongoClient
from pymongo.errors import PyMongoError

from satchel.wallet.storage import (
    Collection,
    FieldType,
    Index,
    Schema,
    Store,
    open_store,
)

MONGODB_ENV = "SATCHEL_TEST_MONGODB_URL"
SECANTUS_START_SECONDS = 60
BACKENDS_RUN: set[str] = set()

CREDENTIALS = Collection(
    name="credentials",
    fields={
        "owner": FieldType.STRING,
        "credential_id": FieldType.STRING,
        "issued": FieldType.STRING,
        "state": FieldType.STRING,
        "score": FieldType.NUMBER,
        "rank": FieldType.INTEGER,
        "public": FieldType.BOOLEAN,
        "labels": FieldType.STRING_LIST,
    },
    indexes=(
        Index(("owner", "credential_id"), unique=True),
        Index(("owner", "issued")),
        Index(("owner", "state")),
    ),
    text_fields=("name", "description", "tags"),
    text_scope="owner",
)
ACCOUNTS = Collection(
    name="accounts",
    fields={"email": FieldType.STRING, "created": FieldType.STRING},
    indexes=(Index(("email",), unique=True), Index(("created",))),
)
SCHEMA = Schema((CREDENTIALS, ACCOUNTS))


def backend_names() -> list[str]:
    names = ["sqlite", "secantusdb"]
    if os.environ.get(MONGODB_ENV):
        names.append("mongodb")
    return names


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", backend_names(), indirect=True)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if BACKENDS_RUN:
        terminalreporter.write_line(
            "storage contract backends run: " + ", ".join(sorted(BACKENDS_RUN))
        )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def with_database(url: str, name: str) -> str:
    """``url`` with its path replaced by ``/name`` (the database the store will use)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


@dataclass
class SecantusServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Path


def start_secantus(log_dir: Path) -> SecantusServer:
    """Start ``secantusd-py`` (next to this Python) in memory on a free port; wait for ping."""
    executable = Path(sys.executable).parent / "secantusd-py"
    if not executable.exists():
        pytest.fail(f"{executable} is missing: install the test dependencies (secantusdb)")
    port = free_port()
    log = log_dir / f"secantus-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                *(str(executable), "--host", "127.0.0.1", "--port", str(port)),
                *("--storage-path", ":memory:", "--log-level", "WARNING"),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"mongodb://127.0.0.1:{port}/?directConnection=true"
    deadline = time.monotonic() + SECANTUS_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"secantusd-py exited with {process.returncode}: {log.read_text()}")
        if _pings(url):
            return SecantusServer(url, process, log)
        time.sleep(0.2)
    process.kill()
    pytest.fail(f"secantusd-py did not answer within {SECANTUS_START_SECONDS}s: {log.read_text()}")


def _pings(url: str) -> bool:
    client: MongoClient[dict[str, object]] = MongoClient(url, serverSelectionTimeoutMS=500)
    try:
        client.admin.command("ping")
        return True
    except PyMongoError:
        return False
    finally:
        client.close()


@pytest.fixture(scope="session")
def secantus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecantusServer]:
    server = start_secantus(tmp_path_factory.mktemp("secantus"))
    yield server
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


@dataclass
class Backend:
    """Where a store lives; ``open()`` opens it again (reopen tests, crash tests)."""

    name: str
    url: str | None
    data_dir: Path

    async def open(self, schema: Schema = SCHEMA) -> Store:
        return await open_store(self.url, self.data_dir, schema)

    @property
    def is_mongo(self) -> bool:
        return self.url is not None


@pytest.fixture
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    name = request.param
    database = "t" + uuid.uuid4().hex[:16]
    if name == "sqlite":
        yield Backend(name, None, tmp_path)
    elif name == "secantusdb":
        server: SecantusServer = request.getfixturevalue("secantus")
        yield Backend(name, with_database(server.url, database), tmp_path)
    else:
        yield Backend(name, with_database(os.environ[MONGODB_ENV], database), tmp_path)
        _drop_database(os.environ[MONGODB_ENV], database)
    BACKENDS_RUN.add(name)


def _drop_database(url: str, name: str) -> None:
    client: MongoClient[dict[str, object]] = MongoClient(url)
    try:
        client.drop_database(name)
    finally:
        client.close()


@pytest.fixture
async def store(backend: Backend) -> AsyncIterator[Store]:
    opened = await backend.open()
    yield opened
    await opened.close()


async def mongo_database_names(url: str) -> list[str]:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(url)
    try:
        return await client.list_database_names()
    finally:
        await client.close()
