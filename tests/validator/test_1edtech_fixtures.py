"""1EdTech's validator fixtures whose verdict depends only on parsing, contexts, proofs, dates.

The issuers' https profiles are served by a loopback host that publishes each issuer's keys
(taken from the fixtures' verification methods), as a real issuer's profile would. Fixtures
whose verdict depends on JSON schema or status checks (complete*.json,
credential-status-revoked.json) belong to the validator issue and are not listed here.

Deliberate divergences from 1EdTech's validator, each pinned below: a key that appears only in
a verification method's id (``urn:uuid:…#z6Mk…``) or only in a JWT ``jwk`` header is not
trusted, and draft or beta contexts that were never published are not bundled.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web

from satchel.did.resolver import default_resolver
from satchel.fetcher import FetchPolicy, GuardedFetcher
from satchel.validator.engine import VerificationOptions, Verifier
from satchel.validator.report import Outcome
from tests.support.issuer_keys import VALIDATOR_FIXTURES, hosts_of, published_issuer_documents

NOW = datetime(2025, 6, 1, tzinfo=UTC)
FIXTURES = VALIDATOR_FIXTURES
OB30 = "inspector-vc/src/test/resources/ob30"
CLR20 = "inspector-clr/src/test/resources/clr20"

# fixture -> (verified, {check id: outcome} that must appear)
EXPECTED: dict[str, tuple[bool, dict[str, str]]] = {
    f"{OB30}/simple.json": (True, {}),
    f"{OB30}/simple.1ob": (True, {}),
    f"{OB30}/simple_v1.json": (True, {}),
    f"{OB30}/simple-context-alias.json": (True, {}),
    f"{OB30}/simple-context-version.json": (True, {}),
    f"{OB30}/simple-did-web-method.json": (True, {}),
    f"{OB30}/endorsement-valid.json": (True, {}),
    f"{OB30}/simple-eddsa-2022.json": (True, {"proof-suite": "warning"}),
    f"{OB30}/simple-did-key-method.json": (True, {"issuer-key": "warning"}),
    f"{OB30}/simple-multiple-proofs.json": (False, {"proof": "failed"}),
    f"{OB30}/simple-noproof.json": (False, {"proof": "failed"}),
    f"{OB30}/simple-err-context.json": (False, {"contexts": "failed", "proof": "failed"}),
    f"{OB30}/simple-err-expired.json": (False, {"validity": "failed"}),
    f"{OB30}/simple-err-issued.json": (False, {"validity": "failed"}),
    f"{OB30}/simple-err-issuer.json": (False, {"issuer-key": "failed"}),
    f"{OB30}/simple-err-proof-method.json": (False, {"proof": "failed"}),
    f"{OB30}/simple-err-proof-method-no-scheme.json": (False, {"proof": "failed"}),
    f"{OB30}/simple-err-proof-method-unknown-scheme.json": (False, {"proof": "failed"}),
    f"{OB30}/simple-err-proof-method-unknown-did-method.json": (False, {"proof": "failed"}),
    f"{OB30}/simple-err-proof-value.json": (False, {"proof": "failed"}),
    f"{OB30}/endorsement-err-schema-status-refresh.json": (False, {"proof": "failed"}),
    # beta OB 3.0 context (never a published URL's content) is not bundled
    f"{OB30}/simple.jwt": (False, {"contexts": "failed"}),
    f"{OB30}/velocity.jwt": (False, {"contexts": "failed", "proof": "failed"}),
    f"{CLR20}/simple.json": (True, {}),
    f"{CLR20}/complex.json": (True, {"issuer-key": "warning"}),
    f"{CLR20}/simple-noproof.json": (False, {"proof": "failed"}),
    # divergence: the key appears only in a urn:uuid verification method id
    f"{CLR20}/simple_v1.json": (False, {"proof": "failed"}),
    # divergence: draft CLR context not bundled
    f"{CLR20}/simple_old_safesigned.json": (False, {"contexts": "failed"}),
    # divergence: the key appears only in the JWT's jwk header, unbound to the https issuer
    f"{CLR20}/simple.jwt": (False, {"proof": "failed"}),
}
# Fixtures whose types are undefined in their contexts: safe mode refuses to canonicalize.
for name in (
    "simple-err-type",
    "simple-err-issuer-type",
    "simple-err-issuer-parentorg-type",
    "simple-err-issuer-otheridentifier-type",
    "simple-err-credential-subject-type",
    "simple-err-credential-subject-identifier-type",
    "simple-err-credential-subject-result-type",
    "simple-err-credential-subject-profile-type",
    "simple-err-credential-subject-achievement-result-description-type",
    "simple-err-evidence-type",
):
    EXPECTED[f"{OB30}/{name}.json"] = (False, {"proof": "failed"})


@pytest.fixture(scope="module")
def documents() -> dict[str, dict[str, Any]]:
    if not FIXTURES.is_dir():
        pytest.fail(f"{FIXTURES} is missing: ../shared must sit beside the repository")
    return published_issuer_documents()


async def issuer_hosts(
    aiohttp_server: Any, documents: dict[str, Any], hosts: set[str]
) -> GuardedFetcher:
    async def profile(request: web.Request) -> web.Response:
        url = f"https://{request.host.split(':')[0]}{request.path}"
        if url not in documents:
            raise web.HTTPNotFound()
        return web.json_response(documents[url])

    app = web.Application()
    app.router.add_get("/{path:.*}", profile)
    server = await aiohttp_server(app)
    return GuardedFetcher(
        FetchPolicy(
            allow_hosts=frozenset(hosts),
            resolve_overrides={host: ("127.0.0.1", server.port) for host in hosts},
        )
    )


@pytest.mark.parametrize("fixture", sorted(EXPECTED), ids=lambda f: f.split("/")[-1])
async def test_fixture_gives_the_outcome_its_name_says(aiohttp_server, documents, fixture):
    verified, must_have = EXPECTED[fixture]
    async with await issuer_hosts(aiohttp_server, documents, hosts_of(documents)) as fetcher:
        report = await Verifier(default_resolver(fetcher)).verify(
            (FIXTURES / fixture).read_bytes(), VerificationOptions(now=NOW)
        )
    outcomes = {(c.id, str(c.outcome)) for c in report.checks}
    assert report.verified is verified, report.to_json()
    for check_id, outcome in must_have.items():
        assert (check_id, outcome) in outcomes, report.to_json()
    if verified:
        assert not report.errors


async def test_key_only_in_the_verification_method_id_is_not_trusted(aiohttp_server, documents):
    # the issuer host answers, but publishes no key at all
    async with await issuer_hosts(aiohttp_server, {}, hosts_of(documents)) as fetcher:
        report = await Verifier(default_resolver(fetcher)).verify(
            (FIXTURES / OB30 / "simple.json").read_bytes(), VerificationOptions(now=NOW)
        )
    proof = next(c for c in report.checks if c.id == "proof")
    assert not report.verified
    assert proof.outcome is Outcome.FAILED
    assert "404" in proof.message
