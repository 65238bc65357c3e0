"""Bad input: every supported format truncated, oversized, or of the wrong type is rejected per
item with a reason while the good items beside it are stored; a batch of 1 000 badges with
invalid ones in it stores every valid one and reports every item."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from satchel.validator.proofs.vc_jwt import sign_vc_jwt
from satchel.wallet import credentials as store
from satchel.wallet.credentials import MAX_ITEM_BYTES, ImportItem

OVERSIZE = MAX_ITEM_BYTES + 1


def good_files(issuer: Any, kit: Any) -> dict[str, bytes]:
    signed = issuer.credential()
    unsigned = {k: v for k, v in issuer.credential().items() if k != "proof"}
    unsigned["@context"] = [c for c in unsigned["@context"] if "data-integrity" not in c]
    return {
        "json": json.dumps(signed).encode(),
        "jwt": sign_vc_jwt(unsigned, issuer.key, kid=issuer.method).encode(),
        "png": kit.png(json.dumps(issuer.credential())),
        "svg": kit.svg(json.dumps(issuer.credential())),
    }


def oversized(form: str, good: bytes) -> bytes:
    if form == "json":
        return good[:-1] + b', "padding": "' + b"x" * OVERSIZE + b'"}'
    if form == "jwt":
        return good + b"A" * OVERSIZE
    if form == "png":
        return good[:-12] + b"\0" * OVERSIZE + good[-12:]
    return good.replace(b"</svg>", b"<!--" + b"x" * OVERSIZE + b"--></svg>")


WRONG_TYPES = {
    "empty": b"",
    "blank": b"  \n\t ",
    "pdf": b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
    "zip": b"PK\x03\x04" + bytes(60),
    "jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(100),
    "random": random.Random(7).randbytes(4096),
    "json array": b"[1, 2, 3]",
    "json number": b"42",
    "utf-16 text": "{}".encode("utf-16"),
    "deep json": b"[" * 5000 + b"]" * 5000,
    "not a jwt": b"aaa.bbb.ccc",
    "html": b"<html><body>not a badge</body></html>",
}


def truncations(files: dict[str, bytes]) -> dict[str, bytes]:
    return {f"{form} truncated": data[: len(data) * 2 // 3] for form, data in files.items()}


async def test_truncated_oversized_and_wrong_files_are_rejected_each_with_a_reason(
    wallet_services, make_learner, issuer, kit
):
    learner = await make_learner()
    good = good_files(issuer, kit)
    bad = {
        **truncations(good),
        **{f"{form} oversized": oversized(form, data) for form, data in good.items()},
        **{f"{name} (wrong type)": data for name, data in WRONG_TYPES.items()},
        "png without badge": kit.plain_png(),
        "svg without badge": b'<svg xmlns="http://www.w3.org/2000/svg"></svg>',
    }
    items = [ImportItem(data, name=f"good {form}") for form, data in good.items()]
    items += [ImportItem(data, name=name) for name, data in bad.items()]
    results = await store.import_many(wallet_services, learner.account_id, items)
    by_name = {r.name: r for r in results}
    for form in good:
        assert by_name[f"good {form}"].outcome == "stored", by_name[f"good {form}"]
    for name in bad:
        result = by_name[name]
        assert result.outcome == "rejected", result
        assert result.reason and len(result.reason) > 20, result
        assert result.credential_id is None
    for form in good:
        assert "limit" in (by_name[f"{form} oversized"].reason or ""), by_name[f"{form} oversized"]
    assert await wallet_services.store.count("credentials", {"owner": learner.account_id}) == 4


@pytest.mark.parametrize("form", ["json", "jwt", "png", "svg"])
async def test_a_truncated_file_alone_is_rejected_and_stores_nothing(
    wallet_services, make_learner, issuer, kit, form
):
    learner = await make_learner()
    data = good_files(issuer, kit)[form]
    for cut in (1, len(data) // 2, len(data) - 1):
        result = await store.import_credential(
            wallet_services, learner.account_id, ImportItem(data[:cut])
        )
        assert result.outcome == "rejected", (cut, result)
    assert await wallet_services.store.count("credentials", {"owner": learner.account_id}) == 0
    assert await wallet_services.store.count("verdicts", {"owner": learner.account_id}) == 0


async def test_a_thousand_badges_with_invalid_ones_store_every_valid_one(
    wallet_services, make_learner, issuer
):
    learner = await make_learner()
    rng = random.Random(1000)
    items: list[ImportItem] = []
    expected: dict[str, str] = {}
    for index in range(1000):
        data = json.dumps(issuer.credential(to_did=learner.did, name=f"Badge {index}")).encode()
        kind = rng.choices(["good", "tampered", "truncated", "garbage"], [90, 4, 3, 3])[0]
        if kind == "tampered":
            data = data.replace(f"Badge {index}".encode(), f"Badge X{index}".encode())
        elif kind == "truncated":
            data = data[: rng.randrange(1, len(data))]
        elif kind == "garbage":
            data = rng.randbytes(200)
        items.append(ImportItem(data, name=f"{index}.json"))
        expected[f"{index}.json"] = "stored" if kind == "good" else "rejected"
    results = await store.import_many(wallet_services, learner.account_id, items)
    assert [r.index for r in results] == list(range(1000))
    assert {r.name: r.outcome for r in results} == expected
    stored = [r for r in results if r.outcome == "stored"]
    assert all(r.status == "valid" and r.recipient == "matched" for r in stored)
    assert all(r.reason for r in results if r.outcome == "rejected")
    assert await wallet_services.store.count("credentials", {"owner": learner.account_id}) == len(
        stored
    )
    assert 850 < len(stored) < 950
