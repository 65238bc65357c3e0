"""Bitstring Status List entries, through the whole engine, against a loopback status host."""

from __future__ import annotations

import copy
from datetime import timedelta

from satchel.validator.engine import Verifier
from satchel.validator.report import Outcome

URL = "https://status.example/lists/1"


async def test_clear_revocation_bit_passes_and_credential_is_verified(
    kit, issuer, status_host, fetcher
):
    status_host.serve(URL, issuer.status_list({3}))
    report = await kit.verify(issuer.credential(kit.bitstring_entry(7)), fetcher)
    check = kit.only_status(report)
    assert check.outcome is Outcome.PASSED, check
    assert check.message.startswith("Not revoked as of ")
    assert check.details["status"] == "0x0"
    assert check.details["fromCache"] is False
    assert report.verified, report.to_json()


async def test_set_revocation_bit_fails_and_credential_is_not_verified(
    kit, issuer, status_host, fetcher
):
    status_host.serve(URL, issuer.status_list({7}))
    report = await kit.verify(issuer.credential(kit.bitstring_entry(7)), fetcher)
    check = kit.only_status(report)
    assert check.outcome is Outcome.FAILED
    assert "revoked" in check.message
    assert kit.failed_ids(report) == ["status"]  # the revocation alone makes it unverified
    assert not report.verified
    assert any("revoked" in error for error in report.errors)


async def test_set_suspension_bit_fails_as_suspended(kit, issuer, status_host, fetcher):
    status_host.serve(URL, issuer.status_list({7}, purpose="suspension"))
    entry = kit.bitstring_entry(7, purpose="suspension")
    report = await kit.verify(issuer.credential(entry), fetcher)
    check = kit.only_status(report)
    assert check.outcome is Outcome.FAILED
    assert "suspended" in check.message
    assert kit.failed_ids(report) == ["status"]
    assert not report.verified


async def test_clear_suspension_bit_passes(kit, issuer, status_host, fetcher):
    status_host.serve(URL, issuer.status_list({8}, purpose="suspension"))
    entry = kit.bitstring_entry(7, purpose="suspension")
    check = kit.only_status(await kit.verify(issuer.credential(entry), fetcher))
    assert check.outcome is Outcome.PASSED
    assert check.message.startswith("Not suspended as of ")


async def test_revoked_by_one_of_two_entries_is_never_verified(kit, issuer, status_host, fetcher):
    suspension_url = "https://status.example/lists/2"
    status_host.serve(URL, issuer.status_list())
    status_host.serve(
        suspension_url, issuer.status_list({5}, url=suspension_url, purpose="suspension")
    )
    entries = [
        kit.bitstring_entry(5),
        kit.bitstring_entry(5, purpose="suspension", url=suspension_url),
    ]
    report = await kit.verify(issuer.credential(entries), fetcher)
    checks = kit.status_checks(report)
    assert [c.outcome for c in checks] == [Outcome.PASSED, Outcome.FAILED]
    assert [c.details["entry"] for c in checks] == [0, 1]
    assert not report.verified


STATUS_MESSAGES = [
    {"status": "0x0", "message": "pending_review"},
    {"status": "0x1", "message": "accepted"},
    {"status": "0x2", "message": "rejected"},
    {"status": "0x3", "message": "withdrawn"},
]


async def test_message_list_reports_the_issuers_message_for_the_value(
    kit, issuer, status_host, fetcher
):
    status_host.serve(URL, issuer.status_list({7: 2, 8: 1}, purpose="message", status_size=2))
    entry = kit.bitstring_entry(
        7,
        purpose="message",
        statusSize=2,
        statusMessage=STATUS_MESSAGES,
        statusReference="https://example.org/status-dictionary/",
    )
    report = await kit.verify(issuer.credential(entry), fetcher)
    check = kit.only_status(report)
    assert check.outcome is Outcome.PASSED, check
    assert "'rejected'" in check.message
    assert "https://example.org/status-dictionary/" in check.message
    assert check.details["status"] == "0x2"
    assert check.details["statusMessage"] == "rejected"
    assert report.verified


async def test_message_value_without_a_message_is_a_warning(kit, issuer, status_host, fetcher):
    status_host.serve(URL, issuer.status_list({7: 3}, purpose="message", status_size=2))
    entry = kit.bitstring_entry(
        7, purpose="message", statusSize=2, statusMessage=STATUS_MESSAGES[:3]
    )
    check = kit.only_status(await kit.verify(issuer.credential(entry), fetcher))
    assert check.outcome is Outcome.WARNING
    assert "0x3" in check.message


async def test_multi_bit_revocation_value_names_its_message(kit, issuer, status_host, fetcher):
    status_host.serve(URL, issuer.status_list({7: 2}, status_size=2))
    messages = [
        {"status": "0x0", "message": "valid"},
        {"status": "0x1", "message": "revoked: superseded"},
        {"status": "0x2", "message": "revoked: fraud"},
        {"status": "0x3", "message": "revoked: other"},
    ]
    entry = kit.bitstring_entry(7, statusSize=2, statusMessage=messages)
    check = kit.only_status(await kit.verify(issuer.credential(entry), fetcher))
    assert check.outcome is Outcome.FAILED
    assert "revoked: fraud" in check.message


async def test_refresh_purpose_set_is_a_warning_not_a_failure(kit, issuer, status_host, fetcher):
    status_host.serve(URL, issuer.status_list({7}, purpose="refresh"))
    report = await kit.verify(issuer.credential(kit.bitstring_entry(7, purpose="refresh")), fetcher)
    check = kit.only_status(report)
    assert check.outcome is Outcome.WARNING
    assert "newer version" in check.message
    assert report.verified


async def test_list_serving_several_purposes_answers_each(kit, issuer, status_host, fetcher):
    status_host.serve(URL, issuer.status_list({7}, purpose=["revocation", "suspension"]))
    entry = kit.bitstring_entry(7, purpose="suspension")
    check = kit.only_status(await kit.verify(issuer.credential(entry), fetcher))
    assert check.outcome is Outcome.FAILED
    assert "suspended" in check.message


async def test_tampered_list_is_not_checked_and_never_called_not_revoked(
    kit, issuer, status_host, fetcher
):
    signed = issuer.status_list({7})
    clean = issuer.status_list()
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["encodedList"] = clean["credentialSubject"]["encodedList"]
    status_host.serve(URL, tampered)
    report = await kit.verify(issuer.credential(kit.bitstring_entry(7)), fetcher)
    check = kit.only_status(report)
    assert check.outcome is Outcome.NOT_CHECKED
    assert check.error_code == "STATUS_VERIFICATION_ERROR"
    assert "proof does not hold" in check.message
    assert "Not revoked" not in check.message
    assert any("could not be checked" in item for item in report.not_checked)


async def test_unsigned_list_is_not_checked(kit, issuer, status_host, fetcher):
    status_host.serve(URL, issuer.status_list(sign_list=False))
    check = kit.only_status(await kit.verify(issuer.credential(kit.bitstring_entry(7)), fetcher))
    assert check.outcome is Outcome.NOT_CHECKED
    assert check.error_code == "STATUS_VERIFICATION_ERROR"
    assert "no proof" in check.message


async def test_list_signed_by_a_key_its_issuer_does_not_control_is_not_checked(
    kit, issuer, status_host, fetcher
):
    impostor = type(issuer)()
    # claims to be the credential's issuer, but is signed with the impostor's key
    status_host.serve(URL, impostor.status_list(issuer=issuer.did))
    check = kit.only_status(await kit.verify(issuer.credential(kit.bitstring_entry(7)), fetcher))
    assert check.outcome is Outcome.NOT_CHECKED
    assert "controlled by" in check.message


async def test_expired_list_is_not_checked(kit, issuer, status_host, fetcher):
    status_host.serve(URL, issuer.status_list(valid_until=kit.now - timedelta(days=1)))
    check = kit.only_status(await kit.verify(issuer.credential(kit.bitstring_entry(7)), fetcher))
    assert check.outcome is Outcome.NOT_CHECKED
    assert check.error_code == "STATUS_VERIFICATION_ERROR"
    assert "expired" in check.message


async def test_list_within_clock_skew_of_its_expiry_is_still_used(
    kit, issuer, status_host, fetcher
):
    status_host.serve(URL, issuer.status_list(valid_until=kit.now - timedelta(minutes=1)))
    check = kit.only_status(await kit.verify(issuer.credential(kit.bitstring_entry(7)), fetcher))
    assert check.outcome is Outcome.PASSED


async def test_list_not_yet_valid_is_not_checked(kit, issuer, status_host, fetcher):
    status_host.serve(URL, issuer.status_list(valid_from=kit.now + timedelta(days=1)))
    check = kit.only_status(await kit.verify(issuer.credential(kit.bitstring_entry(7)), fetcher))
    assert check.outcome is Outcome.NOT_CHECKED
    assert "not valid until" in check.message


async def test_list_for_another_purpose_is_not_checked(kit, issuer, status_host, fetcher):
    status_host.serve(URL, issuer.status_list({7}, purpose="suspension"))
    check = kit.only_status(await kit.verify(issuer.credential(kit.bitstring_entry(7)), fetcher))
    assert check.outcome is Outcome.NOT_CHECKED
    assert check.error_code == "STATUS_VERIFICATION_ERROR"
    assert "'revocation'" in check.message


async def test_clear_bit_in_a_list_from_another_issuer_is_not_checked(
    kit, issuer, status_host, fetcher
):
    other = type(issuer)()
    status_host.serve(URL, other.status_list())
    check = kit.only_status(await kit.verify(issuer.credential(kit.bitstring_entry(7)), fetcher))
    assert check.outcome is Outcome.NOT_CHECKED
    assert other.did in check.message


async def test_set_bit_in_a_list_from_another_issuer_still_fails(kit, issuer, status_host, fetcher):
    other = type(issuer)()
    status_host.serve(URL, other.status_list({7}))
    check = kit.only_status(await kit.verify(issuer.credential(kit.bitstring_entry(7)), fetcher))
    assert check.outcome is Outcome.FAILED
    assert "revoked" in check.message
    assert other.did in check.message


async def test_list_whose_id_is_not_its_url_cannot_vouch_for_a_clear_bit(
    kit, issuer, status_host, fetcher
):
    status_host.serve(URL, issuer.status_list(url="https://status.example/lists/other"))
    check = kit.only_status(await kit.verify(issuer.credential(kit.bitstring_entry(7)), fetcher))
    assert check.outcome is Outcome.NOT_CHECKED
    assert "lists/other" in check.message


async def test_list_shorter_than_the_minimum_is_a_length_error(kit, issuer, status_host, fetcher):
    status_host.serve(URL, issuer.status_list(length=1024))
    check = kit.only_status(await kit.verify(issuer.credential(kit.bitstring_entry(7)), fetcher))
    assert check.outcome is Outcome.NOT_CHECKED
    assert check.error_code == "STATUS_LIST_LENGTH_ERROR"


async def test_minimum_length_counts_entries_not_bits(kit, issuer, status_host, fetcher):
    # 131,072 bits hold only 65,536 two-bit entries
    status_host.serve(URL, issuer.status_list(length=65_536, status_size=2, purpose="message"))
    entry = kit.bitstring_entry(7, purpose="message", statusSize=2, statusMessage=STATUS_MESSAGES)
    check = kit.only_status(await kit.verify(issuer.credential(entry), fetcher))
    assert check.error_code == "STATUS_LIST_LENGTH_ERROR"


async def test_index_beyond_the_list_is_a_range_error(kit, issuer, status_host, fetcher):
    status_host.serve(URL, issuer.status_list())
    entry = kit.bitstring_entry(131_072)
    check = kit.only_status(await kit.verify(issuer.credential(entry), fetcher))
    assert check.outcome is Outcome.NOT_CHECKED
    assert check.error_code == "RANGE_ERROR"


async def test_last_index_of_the_list_is_in_range(kit, issuer, status_host, fetcher):
    status_host.serve(URL, issuer.status_list({131_071}))
    check = kit.only_status(
        await kit.verify(issuer.credential(kit.bitstring_entry(131_071)), fetcher)
    )
    assert check.outcome is Outcome.FAILED


async def test_without_a_fetcher_the_status_is_not_checked(kit, issuer):
    report = await kit.verify(issuer.credential(kit.bitstring_entry(7)), None)
    check = kit.only_status(report)
    assert check.outcome is Outcome.NOT_CHECKED
    assert "fetch nothing" in check.message
    assert check.error_code == "STATUS_RETRIEVAL_ERROR"


async def test_credential_without_status_passes_saying_it_cannot_be_revoked(kit, issuer):
    report = await Verifier().verify(issuer.credential(None))
    check = kit.only_status(report)
    assert check.outcome is Outcome.PASSED
    assert "cannot revoke or suspend" in check.message
    assert report.verified


async def test_unknown_status_type_is_not_checked_by_name(kit, issuer, fetcher):
    entry = {
        "id": "https://status.example/rl/1#3",
        "type": "RevocationList2020Status",
        "revocationListIndex": "3",
        "revocationListCredential": "https://status.example/rl/1",
    }
    document = issuer.credential(None)
    document["credentialStatus"] = entry  # unsigned change: the status check reads it anyway
    check = kit.only_status(await kit.verify(document, fetcher))
    assert check.outcome is Outcome.NOT_CHECKED
    assert "RevocationList2020Status" in check.message


async def test_status_entries_beyond_the_limit_are_reported_unchecked(
    kit, issuer, status_host, fetcher
):
    status_host.serve(URL, issuer.status_list())
    entries = [kit.bitstring_entry(index) for index in range(10)]
    checks = kit.status_checks(await kit.verify(issuer.credential(entries), fetcher))
    assert [c.outcome for c in checks] == [Outcome.PASSED] * 8 + [Outcome.NOT_CHECKED]
    assert "10 status entries" in checks[-1].message
    assert status_host.hits[URL] == 1  # one list, fetched once for all its entries
