"""The same verdict and the same checks from the CLI, the HTTP JSON API and the HTML page.

Every 1EdTech fixture (OB 3.0, CLR 2.0, OB 2.0, baked PNG and SVG) goes through all three
channels against one loopback host that publishes the issuers' keys and the OB 2.0 assets.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiohttp import FormData, web

from satchel.app import create_app
from satchel.cli import main
from satchel.config import Settings
from tests.support.issuer_keys import (
    CLR20,
    OB20,
    OB30,
    published_issuer_documents,
)
from tests.support.issuer_keys import (
    VALIDATOR_FIXTURES as ROOT,
)

OB2_HOSTS = ("example.org", "www.example.org")
CHECK_RE = re.compile(
    r'data-check="(?P<id>[^"]*)" data-target="(?P<target>[^"]*)" data-outcome="(?P<outcome>[^"]*)"'
)


def fixtures() -> list[Path]:
    if not OB30.is_dir():
        pytest.fail(f"{ROOT} is missing: ../shared must sit beside the repository")
    found = [p for p in sorted(OB30.iterdir()) if p.is_file()]
    found += [p for p in sorted(CLR20.iterdir()) if p.is_file()]
    found += [
        p
        for p in sorted(OB20.iterdir())
        # not inputs: a file with JavaScript comments
        if p.is_file() and p.name != "redirected-validation-subject.json"
    ]
    return found


@pytest.fixture(scope="module")
def published() -> dict[str, dict[str, Any]]:
    return published_issuer_documents()


@pytest.fixture
async def channels(aiohttp_server, aiohttp_client, published, monkeypatch, tmp_path):
    async def serve(request: web.Request) -> web.Response:
        host = request.host.split(":")[0]
        url = f"https://{host}{request.path}"
        if url in published:
            return web.json_response(published[url])
        asset = OB20 / "assets" / request.path.lstrip("/")
        if host in OB2_HOSTS and asset.is_file():
            return web.Response(body=asset.read_bytes(), content_type="application/json")
        raise web.HTTPNotFound()

    app = web.Application()
    app.router.add_get("/{path:.*}", serve)
    server = await aiohttp_server(app)
    hosts = {urlsplit(url).hostname for url in published} | set(OB2_HOSTS)
    monkeypatch.setenv("SATCHEL_FETCH_ALLOW_HOSTS", ",".join(sorted(hosts)))
    monkeypatch.setenv(
        "SATCHEL_FETCH_RESOLVE", ",".join(f"{h}=127.0.0.1:{server.port}" for h in sorted(hosts))
    )
    monkeypatch.setenv("SATCHEL_RATE_LIMIT", "0")
    monkeypatch.setenv("SATCHEL_DATA_DIR", str(tmp_path / "data"))
    return await aiohttp_client(create_app(Settings.from_env()))


def summary(checks: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(c["target"], c["id"], c["outcome"]) for c in checks]


async def via_cli(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[bool, list]:
    # main() runs its own event loop: give it a thread so the loopback host keeps serving.
    await asyncio.to_thread(main, ["verify", "--json", str(path)])
    report = json.loads(capsys.readouterr().out)
    return report["verified"], summary(report["checks"])


async def via_page(client, path: Path, accept: str) -> Any:
    form = FormData()
    form.add_field(
        "file", path.read_bytes(), filename="badge", content_type="application/octet-stream"
    )
    return await client.post("/verify", data=form, headers={"Accept": accept})


@pytest.mark.parametrize("path", fixtures(), ids=lambda p: f"{p.parent.name}/{p.name}")
async def test_cli_http_json_and_html_agree(channels, capsys, path):
    cli_verified, cli_checks = await via_cli(path, capsys)

    response = await via_page(channels, path, "application/json")
    report = await response.json()
    assert (report["verified"], summary(report["checks"])) == (cli_verified, cli_checks)

    page = await (await via_page(channels, path, "text/html")).text()
    html_checks = [
        (html.unescape(m["target"]), m["id"], m["outcome"]) for m in CHECK_RE.finditer(page)
    ]
    assert html_checks == cli_checks
    verdict = "Valid" if cli_verified else ("Not valid" if "failed" in str(cli_checks) else "")
    if verdict:
        assert verdict in page

    if path.suffix in (".json", ".jwt", ".1ob") and "ob20" not in str(path):
        text = path.read_text().strip()
        body = text if path.suffix == ".jwt" else json.loads(text)
        api = await channels.post("/credentials/verify", json={"verifiableCredential": body})
        result = await api.json()
        if api.status in (200, 400) and "checks" in result:
            assert (result["verified"], summary(result["checks"])) == (cli_verified, cli_checks)
            assert api.status == (200 if cli_verified else 400)
