"""The /verify page in a real headless Chromium (Debian's), against a real loopback server.

One browser and one Satchel server for the whole module (module-scoped event loop); each test
opens its own browser context.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.asyncio(loop_scope="module")

MOBILE = {"width": 375, "height": 667}


async def verdict(page) -> str:
    return (await page.inner_text("#verdict-title .verdict-word")).strip()


async def submit_pasted(page, base_url: str, text: str) -> None:
    await page.goto(f"{base_url}/verify")
    await page.fill("#text", text)
    await page.click("button[type=submit]")
    await page.wait_for_selector("#verdict-title")


async def test_pasted_signed_credential_shows_valid_and_the_checks(browser, live_satchel):
    context = await browser.new_context()
    page = await context.new_page()
    await submit_pasted(page, live_satchel.base_url, json.dumps(live_satchel.credential))
    assert await verdict(page) == "Valid"
    checks = page.locator("li.check")
    assert await checks.count() >= 5
    assert await page.locator('li.check[data-check="proof"][data-outcome="passed"]').count() == 1
    assert "Passed" in await checks.first.inner_text()
    await context.close()


async def test_uploaded_tampered_file_shows_not_valid_with_the_proof_failure(
    browser, live_satchel, tamper
):
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"{live_satchel.base_url}/verify")
    forged = json.dumps(tamper(live_satchel.credential)).encode()
    await page.set_input_files(
        "#file", {"name": "badge.json", "mimeType": "application/json", "buffer": forged}
    )
    await page.click("button[type=submit]")
    await page.wait_for_selector("#verdict-title")
    assert await verdict(page) == "Not valid"
    proof = page.locator('li.check[data-check="proof"]')
    assert await proof.get_attribute("data-outcome") == "failed"
    assert "Failed" in await proof.inner_text()
    await proof.locator("summary").click()
    assert "PROOF_VERIFICATION_ERROR" in await proof.locator("details").inner_text()
    await context.close()


async def test_query_url_as_a_qr_code_opens_it_shows_the_verdict(browser, live_satchel):
    context = await browser.new_context()
    page = await context.new_page()
    url = quote(live_satchel.credential_url, safe="")
    response = await page.goto(f"{live_satchel.base_url}/verify?url={url}")
    assert response is not None and response.status == 200
    assert await verdict(page) == "Valid"
    assert "Teamwork" in await page.inner_text("#badge-title")
    await context.close()


async def test_mobile_viewport_has_no_horizontal_scroll(browser, live_satchel, tmp_path):
    context = await browser.new_context(viewport=MOBILE, is_mobile=True, has_touch=True)
    page = await context.new_page()
    await page.goto(f"{live_satchel.base_url}/verify")
    assert await _fits_width(page), "the form scrolls sideways on a phone"
    await submit_pasted(page, live_satchel.base_url, json.dumps(live_satchel.credential))
    await page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert await _fits_width(page), "the result (with hashes shown) scrolls sideways on a phone"
    await page.evaluate("document.querySelectorAll('details').forEach(d => d.open = false)")
    shot = tmp_path / "verify-result-mobile.png"
    await page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    await context.close()


async def _fits_width(page) -> bool:
    return bool(
        await page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


async def test_form_works_with_javascript_disabled(browser, live_satchel):
    context = await browser.new_context(java_script_enabled=False)
    page = await context.new_page()
    await submit_pasted(page, live_satchel.base_url, json.dumps(live_satchel.credential))
    assert await verdict(page) == "Valid"
    assert await page.locator("li.check").count() >= 5
    await context.close()


async def test_unusable_paste_shows_could_not_verify(browser, live_satchel):
    context = await browser.new_context()
    page = await context.new_page()
    await submit_pasted(page, live_satchel.base_url, "definitely not a badge")
    assert await verdict(page) == "Could not verify"
    assert "not valid JSON" in await page.inner_text(".verdict")
    await context.close()
