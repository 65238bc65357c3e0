"""Published material: 1EdTech's validator fixtures and the Bitstring Status List REC examples.

1EdTech's ``bit-string-list`` credentials name ``testlist`` on raw.githubusercontent.com, a list
signed by ``https://1edtech.edu/issuers/565049`` with bit 23 set: the loopback host serves that
list at that URL and the issuer's key in its controller document. ``credential-status-revoked``
names a 1EdTech revocation list that was never published, so the host serves one listing the
credential, as its issuer would have.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from satchel.did.resolver import DidResolver
from satchel.validator.report import Outcome
from satchel.validator.status import decode_encoded_list, read_status
from satchel.validator.status.entries import parse_list_entry

OB30 = "vectors/1EdTech-digital-credentials-public-validator/inspector-vc/src/test/resources/ob30"
REC = "vectors/w3c-vc-bitstring-status-list/REC-2025-examples"
ISSUER_1EDTECH = "https://1edtech.edu/issuers/565049"
KEY_1EDTECH = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
DID_WEB = (
    "did:web:dc.1edtech.org:wellspring2022:wellspring-portal:org:"
    "da1e96e9-afcc-4eed-b9a2-2ddf7353214c"
)


def load(kit, relative: str) -> Any:
    return json.loads(kit.shared_path(relative).read_text())


def controller_document(controller: str, key_type: str = "Multikey") -> dict[str, Any]:
    vm = f"{controller}#{KEY_1EDTECH}"
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": controller,
        "verificationMethod": [
            {
                "id": vm,
                "type": key_type,
                "controller": controller,
                "publicKeyMultibase": KEY_1EDTECH,
            }
        ],
        "assertionMethod": [vm],
    }


def serve_1edtech_issuer(status_host) -> None:
    status_host.serve(
        ISSUER_1EDTECH, controller_document(ISSUER_1EDTECH), content_type="application/json"
    )


@pytest.mark.parametrize(
    "fixture", ["credential-status-revoked.json", "credential-status-revoked-blank-nodes.json"]
)
async def test_bitstring_fixture_is_revoked_by_its_signed_testlist(
    kit, status_host, fetcher, fixture
):
    credential = load(kit, f"{OB30}/bit-string-list/{fixture}")
    list_url = credential["credentialStatus"]["statusListCredential"]
    serve_1edtech_issuer(status_host)
    status_host.serve(list_url, kit.shared_path(f"{OB30}/bit-string-list/testlist").read_bytes())
    report = await kit.verify(credential, fetcher)
    check = kit.only_status(report)
    assert check.outcome is Outcome.FAILED, report.to_json()
    assert "revoked" in check.message
    assert check.details["statusListIndex"] == 23
    assert check.details["securedBy"].startswith("eddsa-rdfc-2022 proof by https://1edtech.edu/")
    # the list's id is not its URL; a set bit still fails, and the report says so
    assert "https://example.com/credentials/status/3" in check.message
    assert kit.failed_ids(report) == ["status"]
    assert not report.verified


async def test_bitstring_fixture_list_proof_is_really_checked(kit, status_host, fetcher):
    credential = load(kit, f"{OB30}/bit-string-list/credential-status-revoked.json")
    list_url = credential["credentialStatus"]["statusListCredential"]
    # the issuer host publishes no key, so neither the credential nor the list can be verified
    status_host.serve(list_url, kit.shared_path(f"{OB30}/bit-string-list/testlist").read_bytes())
    check = kit.only_status(await kit.verify(credential, fetcher))
    assert check.outcome is Outcome.NOT_CHECKED
    assert check.error_code == "STATUS_VERIFICATION_ERROR"
    assert "proof does not hold" in check.message


async def test_revocation_list_fixture_is_revoked(kit, status_host, fetcher):
    credential = load(kit, f"{OB30}/credential-status-revoked.json")
    did_path = DID_WEB.removeprefix("did:web:").replace(":", "/")
    status_host.serve(
        f"https://{did_path}/did.json",
        controller_document(DID_WEB, "Ed25519VerificationKey2020"),
        content_type="application/json",
    )
    list_url = credential["credentialStatus"]["id"]
    status_host.serve(
        list_url,
        {
            "id": list_url,
            "issuer": DID_WEB,
            "revokedCredentials": [{"id": credential["id"], "revocationReason": "Test"}],
        },
        content_type="application/json",
    )
    report = await kit.verify(credential, fetcher)
    check = kit.only_status(report)
    assert check.outcome is Outcome.FAILED, report.to_json()
    assert "revoked" in check.message
    assert kit.failed_ids(report) == ["status"]
    assert not report.verified


def test_rec_example_3_list_decodes_to_the_minimum_length_with_no_bit_set(kit):
    status_list = load(kit, f"{REC}/example-03-example-bitstringstatuslistcredential/example.json")
    bits = decode_encoded_list(status_list["credentialSubject"]["encodedList"], multibase=True)
    assert len(bits) * 8 == 131_072
    assert not any(bits)
    assert read_status(bits, 94567) == 0


def test_rec_example_1_entries_parse(kit):
    credential = load(
        kit, f"{REC}/example-01-example-statuslistcredential-using-simple-entries/example.json"
    )
    entries = [parse_list_entry(e, e["type"]) for e in credential["credentialStatus"]]
    assert [(e.purpose, e.index, e.list_url) for e in entries] == [
        ("revocation", 94567, "https://example.com/credentials/status/3"),
        ("suspension", 23452, "https://example.com/credentials/status/4"),
    ]


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "ecdsa-rdfc-2019"])
async def test_rec_example_list_proof_verifies_but_its_key_is_not_the_issuers(
    kit, status_host, fetcher, suite
):
    credential = load(kit, f"{REC}/example-04-a-revocable-verifiable-credential/{suite}.json")
    status_list = load(kit, f"{REC}/example-05-a-status-list-verifiable-credential/{suite}.json")
    status_host.serve("https://example.com/credentials/status/3", status_list)
    report = await kit.verify(credential, fetcher)
    check = kit.only_status(report)
    # the example list is signed by a did:key while it names did:example:12345 as its issuer:
    # its proof holds, yet it cannot speak for that issuer
    assert check.outcome is Outcome.NOT_CHECKED, check
    assert "a key controlled by did:key:" in check.message
    assert check.error_code == "STATUS_VERIFICATION_ERROR"


async def test_rec_example_list_signature_itself_verifies(kit):
    from satchel.validator.proofs.data_integrity import verify_proofs
    from satchel.validator.proofs.purposes import AssertionPurpose

    status_list = load(
        kit, f"{REC}/example-05-a-status-list-verifiable-credential/eddsa-rdfc-2022.json"
    )
    results = await verify_proofs(
        status_list, resolver=DidResolver(), purpose=AssertionPurpose(), now=kit.now
    )
    assert [r.verified for r in results] == [True]
