"""Status lists that cannot be had: unreachable, slow, too big, bombs, not lists; other formats."""

from __future__ import annotations

import base64
import gzip
import json
import time
import zlib

from satchel.validator.proofs.vc_jwt import sign_vc_jwt
from satchel.validator.report import Outcome
from satchel.validator.status import ListKind

URL = "https://status.example/lists/1"


def assert_unknown(check, error_code: str) -> None:
    assert check.outcome is Outcome.NOT_CHECKED, check
    assert check.error_code == error_code, check
    assert "Not revoked" not in check.message


async def test_missing_list_404_is_a_retrieval_error(kit, issuer, fetcher):
    report = await kit.verify(issuer.credential(kit.bitstring_entry(7)), fetcher)
    check = kit.only_status(report)
    assert_unknown(check, "STATUS_RETRIEVAL_ERROR")
    assert "HTTP 404" in check.message
    # the status is unknown, which does not by itself fail the credential
    assert report.verified
    assert report.not_checked


async def test_too_slow_host_is_a_retrieval_error(kit, issuer, status_host):
    status_host.serve(URL, issuer.status_list(), delay=0.6)
    async with status_host.fetcher(timeout=0.3) as fetcher:
        started = time.monotonic()
        report = await kit.verify(issuer.credential(kit.bitstring_entry(7)), fetcher)
    assert time.monotonic() - started < 0.6 + 1.0
    check = kit.only_status(report)
    assert_unknown(check, "STATUS_RETRIEVAL_ERROR")
    assert "0.3 s" in check.message


async def test_oversized_list_is_refused_before_it_is_read(kit, issuer, status_host, fetcher):
    padded = issuer.status_list()
    padded["description"] = "x" * (1024 * 1024)
    status_host.serve(URL, padded)
    check = kit.only_status(await kit.verify(issuer.credential(kit.bitstring_entry(7)), fetcher))
    assert_unknown(check, "STATUS_RETRIEVAL_ERROR")
    assert "cap" in check.message


def gzip_bomb(expanded_bytes: int) -> str:
    """Multibase base64url of a GZIP member that expands to ``expanded_bytes`` zero bytes."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(1024 * 1024)
    parts = [compressor.compress(chunk) for _ in range(expanded_bytes // len(chunk))]
    parts.append(compressor.flush())
    return "u" + base64.urlsafe_b64encode(b"".join(parts)).decode().rstrip("=")


async def test_gzip_bomb_list_is_refused_quickly(kit, issuer, status_host, fetcher):
    bomb = issuer.status_list(sign_list=False)
    bomb["credentialSubject"]["encodedList"] = gzip_bomb(24 * 1024 * 1024)
    assert len(json.dumps(bomb)) < 1024 * 1024  # small on the wire, 24 MiB expanded
    status_host.serve(URL, issuer.sign(bomb))
    started = time.monotonic()
    check = kit.only_status(await kit.verify(issuer.credential(kit.bitstring_entry(7)), fetcher))
    assert time.monotonic() - started < 3
    assert_unknown(check, "STATUS_VERIFICATION_ERROR")
    assert "expands to more than" in check.message


async def test_list_that_is_not_json_is_a_retrieval_error(kit, issuer, status_host, fetcher):
    status_host.serve(URL, "<html>maintenance</html>", content_type="text/html")
    check = kit.only_status(await kit.verify(issuer.credential(kit.bitstring_entry(7)), fetcher))
    assert_unknown(check, "STATUS_RETRIEVAL_ERROR")
    assert "not JSON" in check.message


async def test_credential_that_is_not_a_status_list_is_refused(kit, issuer, status_host, fetcher):
    status_host.serve(URL, issuer.credential(None))
    check = kit.only_status(await kit.verify(issuer.credential(kit.bitstring_entry(7)), fetcher))
    assert_unknown(check, "STATUS_VERIFICATION_ERROR")
    assert "BitstringStatusListCredential" in check.message


async def test_list_with_broken_encoding_is_a_verification_error(kit, issuer, status_host, fetcher):
    broken = issuer.status_list(sign_list=False)
    broken["credentialSubject"]["encodedList"] = "u" + base64.urlsafe_b64encode(
        gzip.compress(bytes(16384))[:-12]
    ).decode().rstrip("=")
    status_host.serve(URL, issuer.sign(broken))
    check = kit.only_status(await kit.verify(issuer.credential(kit.bitstring_entry(7)), fetcher))
    assert_unknown(check, "STATUS_VERIFICATION_ERROR")
    assert "GZIP" in check.message


async def test_list_secured_as_a_vc_jwt_is_verified(kit, issuer, status_host, fetcher):
    unsigned = issuer.status_list({7}, sign_list=False)
    token = sign_vc_jwt(unsigned, issuer.key, kid=issuer.vm)
    status_host.serve(URL, token, content_type="application/vc+jwt")
    check = kit.only_status(await kit.verify(issuer.credential(kit.bitstring_entry(7)), fetcher))
    assert check.outcome is Outcome.FAILED, check
    assert check.details["securedBy"].startswith("JWT signed with")


async def test_vc_jwt_list_with_a_bad_signature_is_not_checked(kit, issuer, status_host, fetcher):
    token = sign_vc_jwt(issuer.status_list({7}, sign_list=False), issuer.key, kid=issuer.vm)
    header, payload, signature = token.split(".")
    forged = ".".join(
        [header, payload, signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")]
    )
    status_host.serve(URL, forged, content_type="application/vc+jwt")
    check = kit.only_status(await kit.verify(issuer.credential(kit.bitstring_entry(7)), fetcher))
    assert_unknown(check, "STATUS_VERIFICATION_ERROR")
    assert "JWT signature" in check.message


STATUS_LIST_2021_CONTEXT = "https://w3id.org/vc/status-list/2021/v1"


def status_list_2021_entry(index: int, purpose: str = "revocation") -> dict[str, str]:
    return {
        "id": f"{URL}#{index}",
        "type": "StatusList2021Entry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": URL,
    }


async def test_status_list_2021_revoked_bit_fails(kit, issuer, status_host, fetcher):
    status_host.serve(URL, issuer.status_list({9}, kind=ListKind.STATUS_LIST_2021))
    credential = issuer.credential(status_list_2021_entry(9), contexts=[STATUS_LIST_2021_CONTEXT])
    report = await kit.verify(credential, fetcher)
    check = kit.only_status(report)
    assert check.outcome is Outcome.FAILED, check
    assert "revoked" in check.message
    assert not report.verified


async def test_status_list_2021_clear_bit_passes(kit, issuer, status_host, fetcher):
    status_host.serve(URL, issuer.status_list({9}, kind=ListKind.STATUS_LIST_2021))
    credential = issuer.credential(status_list_2021_entry(10), contexts=[STATUS_LIST_2021_CONTEXT])
    report = await kit.verify(credential, fetcher)
    check = kit.only_status(report)
    assert check.outcome is Outcome.PASSED, check
    assert check.message.startswith("Not revoked")
    assert report.verified, report.to_json()


async def test_status_list_2021_entry_is_not_answered_by_a_bitstring_list(
    kit, issuer, status_host, fetcher
):
    status_host.serve(URL, issuer.status_list())
    credential = issuer.credential(status_list_2021_entry(10), contexts=[STATUS_LIST_2021_CONTEXT])
    check = kit.only_status(await kit.verify(credential, fetcher))
    assert_unknown(check, "STATUS_VERIFICATION_ERROR")
    assert "StatusList2021Credential" in check.message
