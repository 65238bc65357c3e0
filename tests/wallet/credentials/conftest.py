"""Fixtures for the credential store tests.

- ``issuer``: a did:key issuer (one Ed25519 key for the session) that signs OB 3.0 credentials
  fast (eddsa-jcs-2022 unless told otherwise), addressed to a DID or a hashed email.
- ``web_host``: a loopback server answering for ``issuer.example`` (and 1EdTech's example
  hosts) with whatever a test puts in its ``routes``; :func:`use_hosts` points the wallet's
  verifier at it through the guarded fetcher's allow list and resolve overrides.
- ``baked_png`` / ``baked_svg``: bake a payload into a tiny PNG / SVG.
- ``secantus`` / ``crash_backend``: the SecantusDB server process for the crash test, started
  the way the storage contract suite starts it.
"""

from __future__ import annotations

import copy
import json
import struct
import subprocess
import sys
import time
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from pymongo import MongoClient
from pymongo.errors import PyMongoError

from satchel.did.did_key import did_key_from_public_key, did_key_verification_method_id
from satchel.did.keys import KeyType, PrivateKey, generate_private_key
from satchel.fetcher import FetchPolicy, GuardedFetcher
from satchel.validator.baked import bake_png, bake_svg
from satchel.validator.engine import Verifier
from satchel.validator.identity import hash_identity
from satchel.validator.proofs.data_integrity import sign
from satchel.wallet.services import WalletServices

REPO = Path(__file__).resolve().parents[3]
SHARED = REPO.parent / "shared"
TEMPLATE = json.loads((REPO / "tests/data/unsigned-ob30.json").read_text())
OB30 = (
    SHARED
    / "vectors/1EdTech-digital-credentials-public-validator/inspector-vc/src/test/resources/ob30"
)
OB20 = (
    SHARED
    / "vectors/1EdTech-digital-credentials-public-validator/inspector-vc/src/test/resources/ob20"
)
HOSTS = ("issuer.example", "example.com", "example.org", "www.example.org")
FIXTURE_NOW = datetime(2025, 6, 1, tzinfo=UTC)


def shared_dir(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"{path} is missing: ../shared must sit beside the repository")
    return path


# ---- issuing --------------------------------------------------------------------------------


@dataclass
class Issuer:
    key: PrivateKey
    did: str
    serial: int = 0

    @property
    def method(self) -> str:
        return did_key_verification_method_id(self.did)

    def credential(
        self,
        *,
        to_did: str | None = None,
        to_email: str | None = None,
        credential_id: str | None = None,
        name: str = "Teamwork",
        description: str = "Works well with others.",
        valid_from: str = "2024-01-01T00:00:00Z",
        valid_until: str | None = None,
        tags: list[str] | None = None,
        extra: dict[str, Any] | None = None,
        suite: str = "eddsa-jcs-2022",
    ) -> dict[str, Any]:
        """A signed OB 3.0 credential; a fresh id unless ``credential_id`` is given."""
        self.serial += 1
        document = copy.deepcopy(TEMPLATE)
        document["id"] = credential_id or f"urn:uuid:{uuid.uuid4()}"
        document["issuer"]["id"] = self.did
        document["name"] = name
        document["validFrom"] = valid_from
        if valid_until:
            document["validUntil"] = valid_until
        subject = document["credentialSubject"]
        subject["achievement"]["name"] = name
        subject["achievement"]["description"] = description
        if tags:
            subject["achievement"]["tag"] = tags
        if to_email is not None:
            del subject["id"]
            subject["identifier"] = [
                {
                    "type": "IdentityObject",
                    "identityHash": hash_identity(to_email, "pepper"),
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": "pepper",
                }
            ]
        elif to_did is not None:
            subject["id"] = to_did
        document.update(extra or {})
        return sign(document, self.key, cryptosuite=suite, verification_method=self.method)

    def json_bytes(self, **options: Any) -> bytes:
        return json.dumps(self.credential(**options), indent=1).encode()


@pytest.fixture(scope="session")
def issuer() -> Issuer:
    key = generate_private_key(KeyType.ED25519)
    return Issuer(key, did_key_from_public_key(key.public_key))


def tiny_png() -> bytes:
    """A valid 1x1 grey PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        record = kind + data
        return struct.pack(">I", len(data)) + record + struct.pack(">I", zlib.crc32(record))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\0\x80")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


TINY_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>'


def baked_png(payload: str) -> bytes:
    return bake_png(tiny_png(), payload)


def baked_svg(payload: str) -> bytes:
    return bake_svg(TINY_SVG, payload)


# ---- loopback web host ----------------------------------------------------------------------


@dataclass
class WebHost:
    """Serves ``routes[(host, path)] = (status, body, content type)`` for every HOSTS name."""

    port: int = 0
    routes: dict[tuple[str, str], tuple[int, bytes, str]] = field(default_factory=dict)

    def serve(self, url: str, body: Any, *, status: int = 200, content_type: str = "") -> None:
        parts = urlsplit(url)
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        media = content_type or ("application/json" if not isinstance(body, bytes) else "")
        self.routes[(parts.hostname or "", parts.path)] = (
            status,
            raw,
            media or "application/octet-stream",
        )

    async def handle(self, request: web.Request) -> web.Response:
        host = request.host.split(":", 1)[0]
        status, body, media = self.routes.get((host, request.path), (404, b"{}", "text/plain"))
        return web.Response(status=status, body=body, content_type=media)


@pytest.fixture
async def web_host(aiohttp_server: Any) -> WebHost:
    host = WebHost()
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", host.handle)
    server: TestServer = await aiohttp_server(app)
    host.port = server.port or 0
    return host


@pytest.fixture
async def use_hosts(web_host: WebHost, wallet_services: WalletServices) -> Any:
    """The wallet's verifier, fetching HOSTS from the loopback ``web_host`` (no cache)."""
    policy = FetchPolicy(
        allow_hosts=frozenset(HOSTS),
        resolve_overrides={h: ("127.0.0.1", web_host.port) for h in HOSTS},
        cache_ttl=0,
    )
    original = wallet_services.verifier
    async with GuardedFetcher(policy) as fetcher:
        wallet_services.verifier = Verifier(fetcher=fetcher)
        yield web_host
    wallet_services.verifier = original


def publish_issuer_keys(host: WebHost, document: dict[str, Any]) -> None:
    """Publish the https controller document of every proof's key, as the issuer would."""
    for proof in _proofs(document):
        vm = proof.get("verificationMethod", "")
        controller, _, fragment = vm.partition("#")
        if not vm.startswith("https://"):
            continue
        legacy = proof.get("type") == "Ed25519Signature2020"
        host.serve(
            controller,
            {
                "id": controller,
                "verificationMethod": [
                    {
                        "id": vm,
                        "type": "Ed25519VerificationKey2020" if legacy else "Multikey",
                        "controller": controller,
                        "publicKeyMultibase": fragment,
                    }
                ],
                "assertionMethod": [vm],
            },
        )


def _proofs(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        proofs = node.get("proof", [])
        yield from proofs if isinstance(proofs, list) else [proofs]
        for value in node.values():
            yield from _proofs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _proofs(value)


# ---- SecantusDB (as tests/wallet/storage/conftest.py starts it) -----------------------------

SECANTUS_START_SECONDS = 60


@dataclass
class Secantus:
    url: str
    process: subprocess.Popen[bytes]


def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
def secantus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Secantus]:
    executable = Path(sys.executable).parent / "secantusd-py"
    if not executable.exists():
        pytest.fail(f"{executable} is missing: install the test dependencies (secantusdb)")
    port = _free_port()
    log = tmp_path_factory.mktemp("secantus") / "secantus.log"
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
    while not _pings(url):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"secantusd-py did not start: {log.read_text()}")
        time.sleep(0.2)
    yield Secantus(url, process)
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return parts._replace(path="/" + name).geturl()


@dataclass(frozen=True)
class Kit:
    """Helpers for test modules (they cannot import this conftest under importlib mode)."""

    now: datetime = FIXTURE_NOW

    @property
    def ob30(self) -> Path:
        return shared_dir(OB30)

    @property
    def ob20(self) -> Path:
        return shared_dir(OB20)

    @staticmethod
    def template() -> dict[str, Any]:
        return copy.deepcopy(TEMPLATE)

    @staticmethod
    def png(payload: str) -> bytes:
        return baked_png(payload)

    @staticmethod
    def svg(payload: str) -> bytes:
        return baked_svg(payload)

    @staticmethod
    def plain_png() -> bytes:
        return tiny_png()

    @staticmethod
    def publish_keys(host: WebHost, document: dict[str, Any]) -> None:
        publish_issuer_keys(host, document)

    def serve_ob20_assets(self, host: WebHost) -> None:
        for path in (self.ob20 / "assets").iterdir():
            for name in ("example.org", "www.example.org"):
                host.serve(
                    f"https://{name}/{path.name}",
                    path.read_bytes(),
                    content_type="application/ld+json",
                )


@pytest.fixture(scope="session")
def kit() -> Kit:
    return Kit()


# ---- OpenAPI ----------------------------------------------------------------------------


async def matches_openapi(response: Any, path: str, method: str) -> None:
    """The response validates against the schema the OpenAPI document gives it."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    from satchel.openapi import build_openapi

    document = build_openapi()
    responses = document["paths"][path][method]["responses"]
    described = responses[str(response.status)]
    schema = copy.deepcopy(described["content"][response.content_type]["schema"])
    uri = "urn:satchel:openapi"
    registry = Registry().with_resource(
        uri, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    if "$ref" in schema:
        schema["$ref"] = uri + schema["$ref"]
    Draft202012Validator(schema, registry=registry).validate(await response.json())


@pytest.fixture(scope="session")
def openapi_check() -> Any:
    return matches_openapi
