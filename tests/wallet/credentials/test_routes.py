"""The credential API over HTTP: uploads in every body form, the raw bytes back verbatim, list
filters and cursors, edits, re-verification, verdicts, collections, and another learner's
credentials answering exactly like missing ones. Responses validate against /openapi.json."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import aiohttp
import pytest

API = "/api/v1/credentials"


async def upload(learner: Any, data: bytes, content_type: str = "application/json") -> Any:
    return await learner.client.post(
        API, data=data, headers={**learner.headers, "Content-Type": content_type}
    )


async def uploaded_id(learner: Any, data: bytes, content_type: str = "application/json") -> str:
    response = await upload(learner, data, content_type)
    assert response.status == 201, await response.text()
    return str((await response.json())["id"])


@pytest.mark.parametrize(
    ("form", "content_type"),
    [("json", "application/ld+json"), ("png", "image/png"), ("svg", "image/svg+xml")],
)
async def test_raw_upload_comes_back_byte_for_byte_with_its_media_type(
    make_learner, issuer, kit, openapi_check, form, content_type
):
    learner = await make_learner()
    payload = json.dumps(issuer.credential(to_did=learner.did))
    data = {"json": payload.encode(), "png": kit.png(payload), "svg": kit.svg(payload)}[form]
    response = await upload(learner, data, content_type)
    assert response.status == 201, await response.text()
    await openapi_check(response, API, "post")
    body = await response.json()
    assert response.headers["Location"] == f"{API}/{body['id']}"
    assert (body["status"], body["recipient"], body["format"]) == ("valid", "matched", form)
    raw = await learner.client.get(f"{API}/{body['id']}/raw", headers=learner.headers)
    assert raw.status == 200
    assert await raw.read() == data
    assert raw.content_type == {"json": "application/json"}.get(form, content_type)
    assert raw.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in raw.headers["Content-Disposition"]


async def test_multipart_and_wrapped_json_uploads_are_accepted(make_learner, issuer, use_hosts):
    learner = await make_learner()
    form = aiohttp.FormData()
    form.add_field("file", issuer.json_bytes(), filename="badge.json")
    response = await learner.client.post(API, data=form, headers=learner.headers)
    assert response.status == 201, await response.text()
    assert (await response.json())["fileName"] == "badge.json"
    wrapped = await learner.client.post(
        API, json={"credential": issuer.credential()}, headers=learner.headers
    )
    assert wrapped.status == 201, await wrapped.text()
    use_hosts.serve("https://issuer.example/b/7", issuer.json_bytes())
    by_url = await learner.client.post(
        API, json={"url": "https://issuer.example/b/7"}, headers=learner.headers
    )
    assert by_url.status == 201, await by_url.text()
    assert (await by_url.json())["sourceUrl"] == "https://issuer.example/b/7"


async def test_wrapped_json_credential_is_stored_as_the_bytes_the_client_sent(make_learner, issuer):
    learner = await make_learner()
    sent = json.dumps(issuer.credential(), indent=3, ensure_ascii=False)  # unusual spacing
    body = '{"credential" :  ' + sent + "  }"
    response = await learner.client.post(
        API, data=body.encode(), headers={**learner.headers, "Content-Type": "application/json"}
    )
    assert response.status == 201, await response.text()
    stored_id = (await response.json())["id"]
    raw = await learner.client.get(f"{API}/{stored_id}/raw", headers=learner.headers)
    assert await raw.read() == sent.encode()


async def test_duplicate_upload_answers_409_pointing_at_the_credential_held(
    make_learner, issuer, openapi_check
):
    learner = await make_learner()
    data = issuer.json_bytes()
    first = await uploaded_id(learner, data)
    again = await upload(learner, data)
    assert again.status == 409
    await openapi_check(again, API, "post")
    problem = await again.json()
    assert problem["existingId"] == first
    assert problem["existing"] == f"{API}/{first}"


async def test_forged_upload_answers_422_with_the_reason(make_learner, issuer, openapi_check):
    learner = await make_learner()
    forged = json.dumps({**issuer.credential(), "name": "Forged"}).encode()
    response = await upload(learner, forged)
    assert response.status == 422
    await openapi_check(response, API, "post")
    assert "failed verification" in (await response.json())["detail"]
    listing = await learner.client.get(API, headers=learner.headers)
    assert (await listing.json())["items"] == []


async def test_list_filters_searches_and_pages_with_cursors(make_learner, issuer, openapi_check):
    learner = await make_learner()
    for index in range(5):
        await uploaded_id(learner, issuer.json_bytes(name=f"Python level {index}"))
    await uploaded_id(learner, issuer.json_bytes(name="Pottery"))
    seen: list[str] = []
    url = f"{API}?q=pyth&limit=2"
    while url:
        response = await learner.client.get(url, headers=learner.headers)
        assert response.status == 200
        await openapi_check(response, API, "get")
        body = await response.json()
        seen += [item["name"] for item in body["items"]]
        url = f"{API}?q=pyth&limit=2&cursor={body['nextCursor']}" if body["nextCursor"] else ""
    assert sorted(seen) == [f"Python level {i}" for i in range(5)]
    bad = await learner.client.get(f"{API}?status=great", headers=learner.headers)
    assert bad.status == 400
    too_many = await learner.client.get(f"{API}?limit=101", headers=learner.headers)
    assert too_many.status == 400


async def test_patch_changes_state_visibility_and_labels(make_learner, issuer, openapi_check):
    learner = await make_learner()
    credential_id = await uploaded_id(learner, issuer.json_bytes())
    path = f"{API}/{credential_id}"
    response = await learner.client.patch(
        path,
        json={"visibility": "public", "addLabels": ["work"], "state": "accepted"},
        headers=learner.headers,
    )
    assert response.status == 200, await response.text()
    await openapi_check(response, API + "/{id}", "patch")
    body = await response.json()
    assert (body["visibility"], body["labels"]) == ("public", ["work"])
    assert len(body["publicId"]) >= 32
    labelled = await learner.client.get(f"{API}?label=work", headers=learner.headers)
    assert [c["id"] for c in (await labelled.json())["items"]] == [credential_id]
    refused = await learner.client.patch(path, json={"state": "pending"}, headers=learner.headers)
    assert refused.status == 400
    wrong = await learner.client.patch(path, json={"labels": "work"}, headers=learner.headers)
    assert wrong.status == 400


async def test_reverify_adds_a_verdict_and_delete_removes_everything(
    make_learner, issuer, openapi_check
):
    learner = await make_learner()
    credential_id = await uploaded_id(learner, issuer.json_bytes())
    path = f"{API}/{credential_id}"
    verified = await learner.client.post(f"{path}/verify", headers=learner.headers)
    assert verified.status == 200
    await openapi_check(verified, API + "/{id}/verify", "post")
    history = await learner.client.get(f"{path}/verdicts", headers=learner.headers)
    await openapi_check(history, API + "/{id}/verdicts", "get")
    assert len((await history.json())["items"]) == 2
    everything = await learner.client.post(f"{API}/verify-all", headers=learner.headers)
    await openapi_check(everything, f"{API}/verify-all", "post")
    assert (await everything.json())["checked"] == 1
    detail = await learner.client.get(path, headers=learner.headers)
    await openapi_check(detail, API + "/{id}", "get")
    assert (await detail.json())["report"]["verified"] is True
    deleted = await learner.client.delete(path, headers=learner.headers)
    assert deleted.status == 204
    gone = await learner.client.get(path, headers=learner.headers)
    assert gone.status == 404


async def test_collections_crud(make_learner, issuer, openapi_check):
    learner = await make_learner()
    credential_id = await uploaded_id(learner, issuer.json_bytes())
    created = await learner.client.post(
        "/api/v1/collections", json={"name": "CV"}, headers=learner.headers
    )
    assert created.status == 201
    await openapi_check(created, "/api/v1/collections", "post")
    cid = (await created.json())["id"]
    again = await learner.client.post(
        "/api/v1/collections", json={"name": "CV"}, headers=learner.headers
    )
    assert again.status == 409
    changed = await learner.client.patch(
        f"/api/v1/collections/{cid}", json={"add": [credential_id]}, headers=learner.headers
    )
    assert (await changed.json())["size"] == 1
    await openapi_check(changed, "/api/v1/collections/{id}", "patch")
    members = await learner.client.get(f"{API}?collection={cid}", headers=learner.headers)
    assert [c["id"] for c in (await members.json())["items"]] == [credential_id]
    listing = await learner.client.get("/api/v1/collections", headers=learner.headers)
    await openapi_check(listing, "/api/v1/collections", "get")
    one = await learner.client.get(f"/api/v1/collections/{cid}", headers=learner.headers)
    await openapi_check(one, "/api/v1/collections/{id}", "get")
    deleted = await learner.client.delete(f"/api/v1/collections/{cid}", headers=learner.headers)
    assert deleted.status == 204
    kept = await learner.client.get(f"{API}/{credential_id}", headers=learner.headers)
    assert (await kept.json())["collections"] == []


async def test_another_learner_gets_404_everywhere_and_anonymous_callers_401(make_learner, issuer):
    owner, stranger = await make_learner(), await make_learner()
    credential_id = await uploaded_id(owner, issuer.json_bytes())
    created = await owner.client.post(
        "/api/v1/collections", json={"name": "Mine"}, headers=owner.headers
    )
    cid = (await created.json())["id"]
    path = f"{API}/{credential_id}"
    attempts = [
        ("get", path, None),
        ("get", f"{path}/raw", None),
        ("get", f"{path}/verdicts", None),
        ("post", f"{path}/verify", None),
        ("patch", path, {"visibility": "public"}),
        ("delete", path, None),
        ("get", f"/api/v1/collections/{cid}", None),
        ("patch", f"/api/v1/collections/{cid}", {"name": "Theirs"}),
        ("delete", f"/api/v1/collections/{cid}", None),
    ]
    missing = f"{API}/{'0' * 24}"
    for method, url, body in attempts:
        response = await stranger.client.request(method, url, json=body, headers=stranger.headers)
        assert response.status == 404, (method, url)
        anonymous = await stranger.client.request(method, url, json=body)
        assert anonymous.status == 401, (method, url)
    absent = await stranger.client.get(missing, headers=stranger.headers)
    assert (await absent.json())["detail"] == (
        await (await stranger.client.get(path, headers=stranger.headers)).json()
    )["detail"]
    listing = await stranger.client.get(API, headers=stranger.headers)
    assert (await listing.json())["items"] == []
    foreign_add = await stranger.client.post(
        "/api/v1/collections", json={"name": "Grab"}, headers=stranger.headers
    )
    grab = (await foreign_add.json())["id"]
    refused = await stranger.client.patch(
        f"/api/v1/collections/{grab}", json={"add": [credential_id]}, headers=stranger.headers
    )
    assert refused.status == 404
    still = await owner.client.get(path, headers=owner.headers)
    assert (await still.json())["visibility"] == "private"


def zip_of(files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


async def test_batch_of_files_reports_each_item(make_learner, issuer, openapi_check):
    learner = await make_learner()
    form = aiohttp.FormData()
    good = issuer.json_bytes()
    for name, data in (("a.json", good), ("b.json", good), ("c.txt", b"nope")):
        form.add_field("file", data, filename=name)
    response = await learner.client.post(f"{API}/batch", data=form, headers=learner.headers)
    assert response.status == 200, await response.text()
    await openapi_check(response, f"{API}/batch", "post")
    body = await response.json()
    assert [i["outcome"] for i in body["items"]] == ["stored", "duplicate", "rejected"]
    assert (body["stored"], body["duplicate"], body["rejected"]) == (1, 1, 1)


async def test_batch_zip_refuses_traversal_and_bombs_but_stores_the_rest(make_learner, issuer):
    learner = await make_learner()
    archive = zip_of(
        {
            "badges/one.json": issuer.json_bytes(),
            "../escape.json": issuer.json_bytes(),
            "/etc/absolute.json": issuer.json_bytes(),
            "bomb.json": b"{" + b" " * (4 * 1024 * 1024) + b"}",
            "__MACOSX/._one.json": b"junk",
            "two.json": issuer.json_bytes(),
        }
    )
    response = await learner.client.post(
        f"{API}/batch",
        data=archive,
        headers={**learner.headers, "Content-Type": "application/zip"},
    )
    assert response.status == 200, await response.text()
    outcomes = {item["name"]: item for item in (await response.json())["items"]}
    assert outcomes["badges/one.json"]["outcome"] == outcomes["two.json"]["outcome"] == "stored"
    for name in ("../escape.json", "/etc/absolute.json"):
        assert "outside" in outcomes[name]["reason"]
    assert "zip bomb" in outcomes["bomb.json"]["reason"]
    assert "__MACOSX/._one.json" not in outcomes


async def test_batch_refuses_a_zip_with_too_many_entries_or_not_a_zip(make_learner):
    learner = await make_learner()
    crowded = zip_of({f"{i}.json": b"{}" for i in range(2001)}, zipfile.ZIP_STORED)
    for data in (crowded, b"PK\x03\x04 not really"):
        response = await learner.client.post(
            f"{API}/batch",
            data=data,
            headers={**learner.headers, "Content-Type": "application/zip"},
        )
        assert response.status == 400, await response.text()


async def test_oversized_upload_answers_413_and_an_oversized_batch_file_is_refused_alone(
    make_learner, issuer, openapi_check
):
    learner = await make_learner()
    huge = b"{" + b" " * (5 * 1024 * 1024 + 1) + b"}"
    response = await upload(learner, huge)
    assert response.status == 413
    await openapi_check(response, API, "post")
    form = aiohttp.FormData()
    form.add_field("file", huge, filename="huge.json")
    form.add_field("file", issuer.json_bytes(), filename="fine.json")
    batch = await learner.client.post(f"{API}/batch", data=form, headers=learner.headers)
    assert batch.status == 200, await batch.text()
    outcomes = {item["name"]: item for item in (await batch.json())["items"]}
    assert outcomes["fine.json"]["outcome"] == "stored"
    assert outcomes["huge.json"]["outcome"] == "rejected"
    assert "larger than" in outcomes["huge.json"]["reason"]
