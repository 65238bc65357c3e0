"""Fixtures for the offer tests: a did:key issuer that signs OB 3.0 badges for a learner, and
a browser-like client signed in through the claim page's own sign-in form."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession, CookieJar
from aiohttp.test_utils import TestClient

from satchel.did.did_key import did_key_from_public_key, did_key_verification_method_id
from satchel.did.keys import KeyType, generate_private_key
from satchel.validator.proofs.data_integrity import sign

TEMPLATE = (Path(__file__).resolve().parents[2] / "data" / "unsigned-ob30.json").read_text()


class BadgeIssuer:
    """Signs the shared unsigned OB 3.0 credential (eddsa-rdfc-2022) for a given subject."""

    __test__ = False

    def __init__(self) -> None:
        self.key = generate_private_key(KeyType.ED25519)
        self.did = did_key_from_public_key(self.key.public_key)

    def badge(self, subject: str, name: str = "Teamwork", **changes: Any) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(TEMPLATE.replace("ISSUER", self.did))
        document["id"] = f"urn:uuid:{uuid.uuid4()}"
        document["name"] = name
        document["credentialSubject"]["id"] = subject
        document.update(changes)
        return sign(
            document,
            self.key,
            cryptosuite="eddsa-rdfc-2022",
            verification_method=did_key_verification_method_id(self.did),
            created=datetime.now(UTC) - timedelta(days=1),
        )

    def badge_bytes(self, subject: str, name: str = "Teamwork", **changes: Any) -> bytes:
        return json.dumps(self.badge(subject, name, **changes), indent=2).encode() + b"\n"


@pytest.fixture(scope="module")
def issuer() -> BadgeIssuer:
    return BadgeIssuer()


@pytest.fixture
async def browser_for(wallet_app: TestClient) -> Any:
    """``await browser_for(learner, "/claim/<token>")``: a cookie-keeping session against the
    test server, signed in through the claim page's own sign-in form (what a person does)."""
    sessions: list[ClientSession] = []

    async def open_as(learner: Any, path: str) -> ClientSession:
        # unsafe=True: keep cookies set by an IP-address host (the loopback test server)
        session = ClientSession(
            base_url=str(wallet_app.make_url("/")), cookie_jar=CookieJar(unsafe=True)
        )
        sessions.append(session)
        async with session.post(
            f"{path}/sign-in",
            data={"email": learner.email, "password": learner.password},
            allow_redirects=False,
        ) as response:
            assert response.status == 303, await response.text()
            assert response.headers["Location"] == path
        return session

    yield open_as
    for session in sessions:
        await session.close()
