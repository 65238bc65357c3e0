"""The human verification page (/verify) over HTTP, without a browser."""

from __future__ import annotations

import html
import json
import re
import struct
import zlib
from typing import Any

import pytest
from aiohttp import FormData

from satchel.app import create_app
from satchel.validator.baked import bake_png, bake_svg
from satchel.validator.engine import Verifier
from satchel.validator.report import Check, Outcome, VerificationReport
from satchel.validator.web.pages import badge_summary, prefers_json, verdict_of
from satchel.validator.web.services import VERIFIER_KEY

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
JSON = {"Accept": "application/json"}
CHECK_ITEM = re.compile(r'data-check="([^"]+)" data-target="([^"]+)" data-outcome="([^"]+)"')


@pytest.fixture
async def client(aiohttp_client: Any, make_settings: Any) -> Any:
    return await aiohttp_client(create_app(make_settings()))


def form(**fields: str) -> FormData:
    data = FormData()
    for name, value in fields.items():
        data.add_field(name, value)
    return data


def upload(content: bytes, filename: str = "badge.json") -> FormData:
    data = FormData()
    data.add_field("file", content, filename=filename, content_type="application/octet-stream")
    return data


def verdict_title(page: str) -> str:
    match = re.search(r'<span class="verdict-word">(.*?)</span>', page, re.S)
    assert match, "the page has no verdict banner"
    return match.group(1).strip()


def html_checks(page: str) -> list[tuple[str, str, str]]:
    return CHECK_ITEM.findall(page)


def json_checks(body: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(c["id"], c["target"], c["outcome"]) for c in body["checks"]]


# --- the form -------------------------------------------------------------------------------


async def test_form_is_served_accessible_and_self_contained(client):
    response = await client.get("/verify", headers=HTML)
    page = await response.text()
    assert response.status == 200
    assert response.content_type == "text/html"
    assert '<html lang="en">' in page
    assert 'name="viewport"' in page
    assert 'enctype="multipart/form-data"' in page
    for field in ("file", "text", "url", "expected_email"):
        assert f'<label for="{field}">' in page
        assert f'id="{field}" name="{field}"' in page
    assert "<script" not in page
    assert not re.search(r'(src|href)="(https?:)?//', page), "no resource from another origin"
    stylesheet = await client.get("/static/validator/verify.css")
    assert stylesheet.status == 200
    assert stylesheet.content_type == "text/css"
    assert "@import" not in await stylesheet.text()


async def test_form_and_result_pages_carry_security_headers(client, test_issuer):
    form_page = await client.get("/verify", headers=HTML)
    result = await client.post("/verify", data=form(text="{}"), headers=HTML)
    for response in (form_page, result):
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"


# --- verdicts -------------------------------------------------------------------------------


async def test_pasted_signed_credential_is_valid_with_every_check_listed(client, test_issuer):
    credential = test_issuer.signed()
    response = await client.post("/verify", data=form(text=json.dumps(credential)), headers=HTML)
    page = await response.text()
    assert response.status == 200
    assert verdict_title(page) == "Valid"
    ids = [check_id for check_id, _, _ in html_checks(page)]
    assert ids[:2] == ["parse", "contexts"]
    assert ids.index("proof") < ids.index("validity")
    assert ("proof", "credential", "passed") in html_checks(page)
    assert "Teamwork" in page and "Satchel Test University" in page
    assert test_issuer.did in page


async def test_uploaded_tampered_file_is_not_valid_and_shows_the_proof_failure(
    client, test_issuer, tamper
):
    forged = json.dumps(tamper(test_issuer.signed())).encode()
    response = await client.post("/verify", data=upload(forged), headers=HTML)
    page = await response.text()
    assert response.status == 200
    assert verdict_title(page) == "Not valid"
    assert ("proof", "credential", "failed") in html_checks(page)
    assert "PROOF_VERIFICATION_ERROR" in page
    assert "canonicalDocumentHash" in page, "the intermediate hashes are in the details"
    assert "<details>" in page


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


TINY_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>'


@pytest.mark.parametrize(
    ("bake", "image", "filename", "described"),
    [
        (bake_png, tiny_png(), "badge.png", "a baked PNG image"),
        (bake_svg, TINY_SVG, "badge.svg", "a baked SVG image"),
    ],
)
async def test_uploaded_baked_image_is_verified(
    client, test_issuer, bake, image, filename, described
):
    baked = bake(image, json.dumps(test_issuer.signed()))
    page = await (await client.post("/verify", data=upload(baked, filename), headers=HTML)).text()
    assert verdict_title(page) == "Valid"
    assert described in page


async def test_unusable_input_could_not_verify_with_the_parse_message(client):
    response = await client.post("/verify", data=form(text="this is not a badge"), headers=HTML)
    page = await response.text()
    assert response.status == 400
    assert verdict_title(page) == "Could not verify"
    assert "input is not valid JSON" in page
    assert html_checks(page) == [("parse", "credential", "failed")]


async def test_a_non_web_address_could_not_verify(client):
    response = await client.post("/verify", data=form(url="file:///etc/passwd"), headers=HTML)
    page = await response.text()
    assert response.status == 400
    assert verdict_title(page) == "Could not verify"
    assert "must start with https://" in page


async def test_empty_form_is_shown_again_with_an_error(client):
    response = await client.post("/verify", data=form(text="  ", url=""), headers=HTML)
    page = await response.text()
    assert response.status == 400
    assert 'role="alert"' in page
    assert "Choose a file, paste a credential, or enter a web address." in page


async def test_two_inputs_at_once_are_refused(client):
    response = await client.post(
        "/verify", data=form(text="{}", url="https://issuer.example/x"), headers=HTML
    )
    assert response.status == 400
    assert "in one way only" in await response.text()


async def test_url_is_fetched_through_the_guarded_fetcher_by_post_and_by_query(
    aiohttp_client, make_settings, serve_credentials, test_issuer
):
    policy = await serve_credentials({"badge.json": test_issuer.signed()})
    client = await aiohttp_client(create_app(make_settings(fetch_policy=policy)))
    url = "https://issuer.example/badge.json"
    posted = await client.post("/verify", data=form(url=url), headers=HTML)
    opened = await client.get("/verify", params={"url": url}, headers=HTML)
    for response in (posted, opened):
        page = await response.text()
        assert response.status == 200, page
        assert verdict_title(page) == "Valid"
        assert ("proof", "credential", "passed") in html_checks(page)


async def test_expected_email_reaches_the_engine_options(client, test_issuer):
    seen = []
    verifier = client.app[VERIFIER_KEY]
    real_verify = verifier.verify

    async def recording_verify(data, options=None):
        seen.append(options)
        return await real_verify(data, options)

    verifier.verify = recording_verify
    data = form(text=json.dumps(test_issuer.signed()), expected_email="ada@example.org")
    page = await (await client.post("/verify", data=data, headers=HTML)).text()
    assert seen[0].expected_email == "ada@example.org"
    assert "Recipient checked against <strong>ada@example.org</strong>" in page


# --- content negotiation ------------------------------------------------------------------


async def test_json_answer_is_the_engine_report_with_the_checks_the_html_shows(client, test_issuer):
    text = json.dumps(test_issuer.signed())
    as_json = await client.post("/verify", data=form(text=text), headers=JSON)
    as_html = await client.post("/verify", data=form(text=text), headers=HTML)
    body = await as_json.json()
    assert as_json.content_type == "application/json"
    assert body == (await Verifier().verify(text)).to_json()
    assert json_checks(body) == html_checks(await as_html.text())
    assert body["verified"] is True


async def test_json_for_query_url_without_url_is_a_problem(client):
    response = await client.get("/verify", headers=JSON)
    assert response.status == 400
    assert response.content_type == "application/problem+json"
    assert (await response.json())["type"].endswith("/invalid-submission")


@pytest.mark.parametrize(
    ("accept", "json_wanted"),
    [
        ("application/json", True),
        ("application/json, text/html;q=0.5", True),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", False),
        ("*/*", False),
        ("", False),
        ("application/json;q=0.2, text/html", False),
        ("application/json;q=oops", False),
    ],
)
async def test_accept_header_decides_json_or_html(
    aiohttp_client, make_settings, accept, json_wanted
):
    from aiohttp.test_utils import make_mocked_request

    request = make_mocked_request("GET", "/verify", headers={"Accept": accept})
    assert prefers_json(request) is json_wanted


# --- escaping and images ------------------------------------------------------------------


async def test_script_in_credential_fields_renders_inert(client, test_issuer):
    attack = "<script>alert(1)</script>"
    issuer = {"id": test_issuer.did, "type": ["Profile"], "name": attack}
    credential = test_issuer.signed(name=attack, issuer=issuer)
    page = await (await client.post("/verify", data=form(text=json.dumps(credential)))).text()
    assert verdict_title(page) == "Valid"
    assert attack not in page
    assert "<script" not in page
    assert html.escape(attack) in page


async def test_only_embedded_data_images_are_shown_never_remote_ones(test_issuer):
    pixel = "data:image/png;base64,iVBORw0KGgo="
    embedded = test_issuer.unsigned()
    embedded["credentialSubject"]["achievement"]["image"] = {"id": pixel, "type": "Image"}
    remote = test_issuer.unsigned()
    remote["credentialSubject"]["achievement"]["image"] = "https://tracker.example/p.png"
    scripted = test_issuer.unsigned()
    scripted["credentialSubject"]["achievement"]["image"] = "data:text/html,<script>x</script>"
    assert badge_summary(embedded).image == pixel
    assert badge_summary(remote).image is None
    assert badge_summary(scripted).image is None


async def test_badge_basics_show_recipient_only_when_not_hashed(test_issuer):
    credential = test_issuer.unsigned()
    subject = credential["credentialSubject"]
    subject["identifier"] = [
        {
            "type": "IdentityObject",
            "identityType": "emailAddress",
            "hashed": True,
            "identityHash": "sha256$abc",
        },
    ]
    del subject["id"]
    assert badge_summary(credential).recipient is None
    subject["identifier"].append(
        {
            "type": "IdentityObject",
            "identityType": "emailAddress",
            "hashed": False,
            "identityHash": "ada@example.org",
        }
    )
    summary = badge_summary(credential)
    assert summary.recipient == "ada@example.org"
    assert summary.issued == "1 January 2024, 00:00 UTC"
    assert summary.name == "Teamwork"


def test_an_ob2_badge_given_by_url_is_named_from_the_fetched_badge_class_and_issuer():
    assertion = {
        "type": "Assertion",
        "recipient": {"type": "email", "hashed": True, "identity": "sha256$abc"},
        "badge": "https://example.org/robotics-badge.json",
        "issuedOn": "2016-12-31T23:59:59Z",
    }
    linked = {
        "badge": {"name": "Awesome Robotics Badge", "issuer": "https://example.org/org.json"},
        "issuer": {"id": "https://example.org/org.json", "name": "An Example Badge Issuer"},
    }
    assert badge_summary(assertion).name is None
    summary = badge_summary(assertion, linked)
    assert (summary.name, summary.issuer_name) == (
        "Awesome Robotics Badge",
        "An Example Badge Issuer",
    )
    assert summary.issuer_id == "https://example.org/org.json"


# --- the verdict never hides what was not checked ---------------------------------------


def report_of(*checks: tuple[str, Outcome]) -> VerificationReport:
    report = VerificationReport()
    for check_id, outcome in checks:
        report.add(Check(check_id, outcome, f"{check_id} says {outcome}"))
    return report


def test_valid_verdict_states_unchecked_status_prominently():
    report = report_of(
        ("parse", Outcome.PASSED), ("proof", Outcome.PASSED), ("status", Outcome.NOT_CHECKED)
    )
    verdict = verdict_of(report)
    assert verdict.title == "Valid"
    assert "revoked or suspended could not be checked" in verdict.summary
    assert verdict.not_checked == ["Revocation and suspension status: status says not-checked"]


def test_revoked_badge_is_not_valid_even_with_unchecked_steps():
    report = report_of(
        ("parse", Outcome.PASSED),
        ("proof", Outcome.PASSED),
        ("issuer", Outcome.NOT_CHECKED),
        ("status", Outcome.FAILED),
    )
    verdict = verdict_of(report)
    assert verdict.title == "Not valid"
    assert verdict.failures == ["Revocation and suspension status: status says failed"]
    assert verdict.not_checked == ["Issuer profile: issuer says not-checked"]


def test_no_verified_proof_without_failure_could_not_verify():
    report = report_of(("parse", Outcome.PASSED), ("proof", Outcome.NOT_CHECKED))
    verdict = verdict_of(report)
    assert verdict.title == "Could not verify"
    assert verdict.key == "unknown"


# --- limits --------------------------------------------------------------------------------


async def test_oversized_upload_answers_a_readable_page_and_problem_details_for_json(
    aiohttp_client, make_settings
):
    client = await aiohttp_client(create_app(make_settings(max_body_bytes=1024)))
    big = b"{" + b" " * 4096 + b"}"
    page = await client.post("/verify", data=upload(big), headers=HTML)
    text = await page.text()
    assert page.status == 413
    assert page.content_type == "text/html"
    assert "Request body too large" in text and "Traceback" not in text
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    problem = await client.post("/verify", data=upload(big), headers=JSON)
    assert problem.status == 413
    assert problem.content_type == "application/problem+json"
    assert (await problem.json())["type"].endswith("/request-too-large")


async def test_oversized_chunked_upload_is_cut_off_while_streaming(aiohttp_client, make_settings):
    client = await aiohttp_client(create_app(make_settings(max_body_bytes=1024)))

    async def body():
        boundary = b"--XyZ\r\n"
        yield boundary + b'Content-Disposition: form-data; name="text"\r\n\r\n'
        for _ in range(64):
            yield b" " * 256
        yield b"\r\n--XyZ--\r\n"

    headers = {**HTML, "Content-Type": "multipart/form-data; boundary=XyZ"}
    response = await client.post("/verify", data=body(), headers=headers)
    assert response.status == 413
    assert "larger than the limit of 1 KB" in await response.text()


async def test_rate_limited_client_gets_a_readable_page_with_retry_after(
    aiohttp_client, make_settings
):
    client = await aiohttp_client(create_app(make_settings(rate_limit=1)))
    first = await client.post("/verify", data=form(text="not a badge"), headers=HTML)
    second = await client.post("/verify", data=form(text="not a badge"), headers=HTML)
    assert first.status == 400
    assert second.status == 429
    assert second.content_type == "text/html"
    assert int(second.headers["Retry-After"]) >= 1
    assert "Too many requests" in await second.text()
