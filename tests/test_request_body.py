"""Malformed request bodies answer 400 on every route that reads one (found by fuzzing)."""

from __future__ import annotations

import pytest

from satchel.app import create_app
from satchel.config import Settings

BOUNDARY = "a222103b9b30b1f9e8be6882ecedb1d2"
BROKEN_PART = f"--{BOUNDARY}\r\n[]--{BOUNDARY}--\r\n".encode()


@pytest.fixture
async def client(aiohttp_client, tmp_path):
    return await aiohttp_client(create_app(Settings(data_dir=tmp_path / "data", rate_limit=0)))


@pytest.mark.parametrize("path", ["/verify", "/reset-password", "/claim/0/sign-in", "/claim/0"])
async def test_multipart_without_a_boundary_is_a_client_error(client, path):
    response = await client.post(
        path, data=b"email=&password=", headers={"Content-Type": "multipart/form-data"}
    )
    assert 400 <= response.status < 500, (path, response.status)
    assert "Traceback" not in await response.text()


async def test_multipart_with_a_broken_part_header_is_a_client_error(client):
    response = await client.post(
        "/verify",
        data=BROKEN_PART,
        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )
    assert response.status == 400


@pytest.mark.parametrize("path", ["/credentials/verify", "/presentations/verify"])
async def test_json_body_that_is_not_utf8_is_a_parsing_error(client, path):
    response = await client.post(
        path, data=b"\x13\xf7\xdf(", headers={"Content-Type": "application/json"}
    )
    assert response.status == 400
    assert response.content_type == "application/problem+json"
