"""refreshService: noted without contact unless the caller opts in; never fails a credential."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from satchel.did.resolver import DidResolver
from satchel.fetcher import FetchPolicy, GuardedFetcher
from satchel.validator.checks.refresh import MAX_REFRESH_SERVICES
from satchel.validator.engine import VerificationOptions, Verifier
from satchel.validator.report import Check, Outcome, VerificationReport

NOW = datetime(2025, 6, 1, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[3]
TEMPLATE = (REPO / "tests" / "data" / "unsigned-ob30.json").read_text()
FIXTURES = REPO.parent / "shared/vectors/1EdTech-digital-credentials-public-validator"
REFRESH_URL = "https://issuer.example/refresh/3732"


def credential(refresh: object) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(TEMPLATE.replace("ISSUER", "did:example:issuer"))
    document["refreshService"] = refresh
    return document


def service(url: str = REFRESH_URL, kind: str = "1EdTechCredentialRefresh") -> dict[str, str]:
    return {"id": url, "type": kind}


def refresh_checks(report: VerificationReport) -> list[Check]:
    return [c for c in report.checks if c.id == "refresh"]


class RefreshHost:
    """A loopback stand-in for issuer.example that counts the requests it gets."""

    def __init__(self) -> None:
        self.hits: list[str] = []

    def app(self) -> web.Application:
        async def refreshed(request: web.Request) -> web.Response:
            self.hits.append(request.path)
            if request.path != "/refresh/3732":
                raise web.HTTPNotFound()
            return web.json_response({"type": ["VerifiableCredential"]})

        app = web.Application()
        app.router.add_get("/{path:.*}", refreshed)
        return app


@pytest.fixture
async def host_and_verifier(aiohttp_server: Any) -> Any:
    host = RefreshHost()
    server = await aiohttp_server(host.app())
    policy = FetchPolicy(
        allow_hosts=frozenset({"issuer.example"}),
        resolve_overrides={"issuer.example": ("127.0.0.1", server.port)},
    )
    async with GuardedFetcher(policy) as fetcher:
        yield host, Verifier(DidResolver(), fetcher=fetcher)


async def test_refresh_service_is_noted_and_not_contacted_without_opt_in(host_and_verifier):
    host, verifier = host_and_verifier
    report = await verifier.verify(credential(service()), VerificationOptions(now=NOW))
    (check,) = refresh_checks(report)
    assert check.outcome is Outcome.PASSED
    assert REFRESH_URL in check.message
    assert "not contacted" in check.message
    assert check.details == {"type": "1EdTechCredentialRefresh", "id": REFRESH_URL}
    assert host.hits == []


async def test_opt_in_contacts_the_refresh_service_and_reports_it_reachable(host_and_verifier):
    host, verifier = host_and_verifier
    options = VerificationOptions(now=NOW, fetch_refresh=True)
    report = await verifier.verify(credential([service()]), options)
    (check,) = refresh_checks(report)
    assert check.outcome is Outcome.PASSED
    assert "answered (HTTP 200" in check.message
    assert check.details["httpStatus"] == 200
    assert host.hits == ["/refresh/3732"]


async def test_refresh_service_answering_404_is_a_warning(host_and_verifier):
    _, verifier = host_and_verifier
    options = VerificationOptions(now=NOW, fetch_refresh=True)
    report = await verifier.verify(
        credential(service("https://issuer.example/refresh/gone")), options
    )
    (check,) = refresh_checks(report)
    assert check.outcome is Outcome.WARNING
    assert "HTTP 404" in check.message
    assert not any(c.outcome is Outcome.FAILED for c in refresh_checks(report))


async def test_unreachable_refresh_service_is_a_warning():
    with socket.socket() as probe:  # a loopback port with nothing listening
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    policy = FetchPolicy(
        allow_hosts=frozenset({"issuer.example"}),
        resolve_overrides={"issuer.example": ("127.0.0.1", closed_port)},
    )
    async with GuardedFetcher(policy) as fetcher:
        report = await Verifier(DidResolver(), fetcher=fetcher).verify(
            credential(service()), VerificationOptions(now=NOW, fetch_refresh=True)
        )
    (check,) = refresh_checks(report)
    assert check.outcome is Outcome.WARNING
    assert "could not be reached" in check.message


async def test_refresh_service_on_a_forbidden_address_is_refused_without_contact():
    async with GuardedFetcher(FetchPolicy()) as fetcher:
        report = await Verifier(DidResolver(), fetcher=fetcher).verify(
            credential(service("https://127.0.0.1/refresh")),
            VerificationOptions(now=NOW, fetch_refresh=True),
        )
    (check,) = refresh_checks(report)
    assert check.outcome is Outcome.WARNING
    assert "loopback" in check.message


async def test_only_1edtech_refresh_services_are_contacted(host_and_verifier):
    host, verifier = host_and_verifier
    options = VerificationOptions(now=NOW, fetch_refresh=True)
    other = service(kind="VerifiableCredentialRefreshService2021")
    report = await verifier.verify(credential(other), options)
    (check,) = refresh_checks(report)
    assert check.outcome is Outcome.PASSED
    assert "only 1EdTechCredentialRefresh services are contacted" in check.message
    assert host.hits == []


async def test_opt_in_without_a_fetcher_is_not_checked():
    report = await Verifier(DidResolver()).verify(
        credential(service()), VerificationOptions(now=NOW, fetch_refresh=True)
    )
    (check,) = refresh_checks(report)
    assert check.outcome is Outcome.NOT_CHECKED


@pytest.mark.parametrize(
    ("refresh", "phrase"),
    [
        ({"type": "1EdTechCredentialRefresh"}, "has no http(s) URL"),
        ({"id": REFRESH_URL}, "has no type"),
        ("https://issuer.example/refresh", "is not an object"),
        ([], "empty list"),
    ],
)
async def test_malformed_refresh_service_is_a_warning(refresh, phrase):
    report = await Verifier(DidResolver()).verify(credential(refresh), VerificationOptions(now=NOW))
    (check,) = refresh_checks(report)
    assert check.outcome is Outcome.WARNING
    assert phrase in check.message


async def test_credential_without_refresh_service_adds_no_refresh_check():
    document = credential(None)
    del document["refreshService"]
    report = await Verifier(DidResolver()).verify(document, VerificationOptions(now=NOW))
    assert refresh_checks(report) == []


async def test_1edtech_fixture_with_plain_http_refresh_service_is_warned_about():
    path = (
        FIXTURES / "inspector-vc/src/test/resources/ob30/endorsement-err-schema-status-refresh.json"
    )
    if not path.is_file():
        pytest.fail(f"{path} is missing: ../shared must sit beside the repository")
    report = await Verifier(DidResolver()).verify(path.read_bytes(), VerificationOptions(now=NOW))
    (check,) = refresh_checks(report)
    assert check.outcome is Outcome.WARNING
    assert "http://state.gov/credentials/3732" in check.message
    assert "not an https address" in check.message


async def test_only_the_first_few_refresh_services_are_looked_at(host_and_verifier):
    host, verifier = host_and_verifier
    options = VerificationOptions(now=NOW, fetch_refresh=True)
    report = await verifier.verify(credential([service()] * (MAX_REFRESH_SERVICES + 2)), options)
    checks = refresh_checks(report)
    assert [c.outcome for c in checks] == [Outcome.PASSED] * MAX_REFRESH_SERVICES + [
        Outcome.NOT_CHECKED
    ]
    assert f"only the first {MAX_REFRESH_SERVICES}" in checks[-1].message
    assert len(host.hits) <= MAX_REFRESH_SERVICES
