"""The claim page in a real headless Chromium (Debian's) against a real loopback Satchel: a
learner follows the mailed link, signs in on the page, sees the badge and accepts it — with
JavaScript off, on a phone-sized screen."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

from satchel.app import create_app
from satchel.config import Settings
from satchel.wallet import accounts, offers
from satchel.wallet.services import WALLET_KEY
from tests.support.browser import chromium, start_site

PHONE = {"width": 375, "height": 667}
PASSWORD = "correct horse battery staple"


def outbox_links(outbox: Path, path_pattern: str) -> list[str]:
    found = []
    for eml in sorted(outbox.glob("*.eml")):
        message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
        body = message.get_body(("plain",)).get_content()
        found += re.findall(r"https?://[^\s/]+(" + path_pattern + ")", body)
    return found


async def verified_learner(services, address: str) -> str:
    account_id = await accounts.register(services, address, PASSWORD)
    await accounts.flush_mail()
    (link,) = outbox_links(services.settings.data_dir / "outbox", r"/verify-email\?token=[\w-]+")
    await accounts.verify_email(services, link.split("token=", 1)[1])
    return account_id


async def test_a_learner_signs_in_on_the_claim_page_and_accepts_without_javascript(
    tmp_path, issuer
):
    runner, port = await start_site(create_app(Settings(data_dir=tmp_path / "data", rate_limit=0)))
    try:
        services = runner.app[WALLET_KEY]
        account_id = await verified_learner(services, "ada@example.org")
        dids = await services.store.find("keys", {"account_id": account_id}, limit=1)
        raw = issuer.badge_bytes(dids.items[0]["did"], name="Browser Badge")
        await offers.create_claim_offer(services, raw, email="ada@example.org")
        (path,) = outbox_links(services.settings.data_dir / "outbox", r"/claim/[\w-]+")

        async with chromium() as browser:
            context = await browser.new_context(
                viewport=PHONE, is_mobile=True, java_script_enabled=False
            )
            page = await context.new_page()
            await page.goto(f"http://127.0.0.1:{port}{path}")
            assert await page.locator("#offered-badge").count() == 0  # nothing before sign-in
            await page.screenshot(path=str(tmp_path / "claim-sign-in.png"), full_page=True)
            await page.fill("#email", "ada@example.org")
            await page.fill("#password", PASSWORD)
            await page.click("#sign-in button[type=submit]")
            await page.wait_for_selector("#offered-badge")
            assert "Browser Badge" in await page.inner_text("#badge-title")
            assert (await page.inner_text("#verdict-title .verdict-word")).strip() == "Valid"
            assert await page.get_attribute("#recipient", "data-recipient") == "matched"
            fits = await page.evaluate(
                "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
            )
            assert fits, "the claim page scrolls sideways on a phone"
            shot = tmp_path / "claim-mobile.png"
            await page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 5_000
            await page.click("#accept")
            await page.wait_for_selector("#claim-result")
            assert await page.get_attribute("#claim-result", "data-state") == "accepted"

        stored = await services.store.find("credentials", {"owner": account_id}, limit=5)
        assert [(c["raw"], c["state"]) for c in stored.items] == [(raw, "accepted")]
    finally:
        await runner.cleanup()
