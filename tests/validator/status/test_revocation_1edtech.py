"""1EdTech Revocation List Status Method 1.0 entries against a loopback list host."""

from __future__ import annotations

from satchel.validator.report import Outcome

LIST = "https://issuer.example/revocations/1"
EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
CREDENTIAL_ID = "urn:uuid:3f0b1c2a-5d4e-4f7a-9c1b-2a3d4e5f6a7b"  # the template's id
ENTRY = {"id": LIST, "type": "1EdTechRevocationList"}


def revocation_list(issuer: str, *revoked: dict[str, object]) -> dict[str, object]:
    return {"id": LIST, "issuer": issuer, "revokedCredentials": list(revoked)}


def credential(issuer):
    return issuer.credential(dict(ENTRY), contexts=[EXTENSIONS])


async def test_listed_credential_is_revoked_with_its_reason(kit, issuer, status_host, fetcher):
    status_host.serve(
        LIST,
        revocation_list(
            issuer.did,
            {"id": "urn:uuid:other"},
            {"id": CREDENTIAL_ID, "revoked": True, "revocationReason": "Awarded in error"},
        ),
        content_type="application/json",
    )
    report = await kit.verify(credential(issuer), fetcher)
    check = kit.only_status(report)
    assert check.outcome is Outcome.FAILED, check
    assert "revoked" in check.message
    assert "Awarded in error" in check.message
    assert check.details["revocationReason"] == "Awarded in error"
    assert not report.verified


async def test_listed_without_a_revoked_flag_counts_as_revoked(kit, issuer, status_host, fetcher):
    status_host.serve(LIST, revocation_list(issuer.did, {"id": CREDENTIAL_ID}))
    check = kit.only_status(await kit.verify(credential(issuer), fetcher))
    assert check.outcome is Outcome.FAILED


async def test_listed_with_revoked_false_is_not_revoked(kit, issuer, status_host, fetcher):
    status_host.serve(LIST, revocation_list(issuer.did, {"id": CREDENTIAL_ID, "revoked": "false"}))
    report = await kit.verify(credential(issuer), fetcher)
    check = kit.only_status(report)
    assert check.outcome is Outcome.PASSED, check
    assert check.message.startswith("Not revoked as of ")
    assert report.verified, report.to_json()


async def test_unlisted_credential_passes(kit, issuer, status_host, fetcher):
    status_host.serve(LIST, revocation_list(issuer.did, {"id": "urn:uuid:other"}))
    check = kit.only_status(await kit.verify(credential(issuer), fetcher))
    assert check.outcome is Outcome.PASSED
    assert "not signed" in check.message


async def test_list_from_another_issuer_cannot_vouch(kit, issuer, status_host, fetcher):
    status_host.serve(LIST, revocation_list("did:example:someone-else"))
    check = kit.only_status(await kit.verify(credential(issuer), fetcher))
    assert check.outcome is Outcome.NOT_CHECKED
    assert check.error_code == "STATUS_VERIFICATION_ERROR"
    assert "did:example:someone-else" in check.message


async def test_unreachable_list_is_not_checked(kit, issuer, fetcher):
    check = kit.only_status(await kit.verify(credential(issuer), fetcher))
    assert check.outcome is Outcome.NOT_CHECKED
    assert check.error_code == "STATUS_RETRIEVAL_ERROR"


async def test_list_with_malformed_entries_is_not_checked(kit, issuer, status_host, fetcher):
    status_host.serve(LIST, {"id": LIST, "issuer": issuer.did, "revokedCredentials": [{"x": 1}]})
    check = kit.only_status(await kit.verify(credential(issuer), fetcher))
    assert check.outcome is Outcome.NOT_CHECKED
    assert "no credential id" in check.message


async def test_entry_without_a_list_url_is_malformed(kit, issuer, fetcher):
    document = issuer.credential({"type": "1EdTechRevocationList"}, contexts=[EXTENSIONS])
    check = kit.only_status(await kit.verify(document, fetcher))
    assert check.outcome is Outcome.FAILED
    assert check.error_code == "MALFORMED_VALUE_ERROR"
