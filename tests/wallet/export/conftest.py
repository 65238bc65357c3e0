"""Fixtures for the export tests: a did:key issuer (Data Integrity and VC-JWT), credentials put
in a learner's wallet through the real import, and a loopback image host reached as
``https://images.example/...`` through the guarded fetcher."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from satchel.did.did_key import did_key_from_public_key, did_key_verification_method_id
from satchel.did.keys import KeyType, generate_private_key
from satchel.fetcher import FetchPolicy
from satchel.validator.proofs.data_integrity import sign
from satchel.validator.proofs.vc_jwt import sign_vc_jwt
from satchel.wallet import credentials
from satchel.wallet.credentials import ImportItem

TESTS = Path(__file__).resolve().parents[2]
TEMPLATE = (TESTS / "data" / "unsigned-ob30.json").read_text()
PLAIN_PNG = (TESTS / "validator" / "extract" / "plain.png").read_bytes()
PLAIN_SVG = (TESTS / "validator" / "extract" / "plain.svg").read_bytes()
IMAGE_HOST = "images.example"


class BadgeIssuer:
    __test__ = False

    def __init__(self) -> None:
        self.key = generate_private_key(KeyType.ED25519)
        self.did = did_key_from_public_key(self.key.public_key)
        self.vm = did_key_verification_method_id(self.did)

    def unsigned(self, subject: str, **changes: Any) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(TEMPLATE.replace("ISSUER", self.did))
        document["id"] = f"urn:uuid:{uuid.uuid4()}"
        document["credentialSubject"]["id"] = subject
        document.update(changes)
        return document

    def badge(self, subject: str, **changes: Any) -> dict[str, Any]:
        return sign(
            self.unsigned(subject, **changes),
            self.key,
            cryptosuite="eddsa-rdfc-2022",
            verification_method=self.vm,
            created=datetime.now(UTC) - timedelta(days=1),
        )

    def badge_bytes(self, subject: str, **changes: Any) -> bytes:
        return json.dumps(self.badge(subject, **changes), indent=2).encode() + b"\n"

    def jwt_badge(self, subject: str, **changes: Any) -> bytes:
        return sign_vc_jwt(self.unsigned(subject, **changes), self.key, kid=self.vm).encode()


@pytest.fixture(scope="module")
def issuer() -> BadgeIssuer:
    return BadgeIssuer()


@pytest.fixture
def put_in_wallet() -> Any:
    """``await put_in_wallet(learner, raw)`` -> the stored credential's id (real import)."""

    async def put(learner: Any, raw: bytes) -> str:
        result = await credentials.import_credential(
            learner.services, learner.account_id, ImportItem(raw), state="accepted"
        )
        assert result.outcome == "stored", result
        assert result.credential_id is not None
        return result.credential_id

    return put


def image_host_app(images: dict[str, tuple[str, bytes]]) -> web.Application:
    """Serves ``images[name] = (content type, body)`` at ``/name``."""

    async def serve(request: web.Request) -> web.Response:
        found = images.get(request.match_info["name"])
        if found is None:
            raise web.HTTPNotFound()
        content_type, body = found
        return web.Response(body=body, headers={"Content-Type": content_type})

    app = web.Application()
    app.router.add_get("/{name}", serve)
    return app


@pytest.fixture
def serve_images(aiohttp_server: Any) -> Any:
    """Start the loopback image host and let ``services``' guarded fetcher reach it as
    ``https://images.example/<name>`` (allowed host, pinned to loopback)."""

    async def start(services: Any, images: dict[str, tuple[str, bytes]]) -> None:
        server = await aiohttp_server(image_host_app(images))
        services.fetcher.policy = FetchPolicy(
            allow_hosts=frozenset({IMAGE_HOST}),
            resolve_overrides={IMAGE_HOST: ("127.0.0.1", server.port)},
        )

    return start
