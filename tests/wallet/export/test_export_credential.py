"""GET /api/v1/credentials/{id}/export: the stored bytes as JSON or JWT, or baked into a PNG or
SVG (the credential's own image from a data: URI or the guarded fetcher, else a placeholder),
and the round trip: what is extracted from an export is the stored credential."""

from __future__ import annotations

import base64
import json
import struct
from pathlib import Path

import pytest

from satchel.validator.baked import PNG_SIGNATURE, bake_png, unbake_png, unbake_svg
from satchel.validator.extract import extract_bytes
from satchel.validator.proofs.data_integrity import sign
from satchel.wallet import export

EXTRACT_DIR = Path(__file__).resolve().parents[2] / "validator" / "extract"
PLAIN_PNG = (EXTRACT_DIR / "plain.png").read_bytes()
PLAIN_SVG = (EXTRACT_DIR / "plain.svg").read_bytes()


async def export_as(learner, credential_id, fmt):
    return await learner.client.get(
        f"/api/v1/credentials/{credential_id}/export?format={fmt}", headers=learner.headers
    )


def idat(png: bytes) -> bytes:
    """The first IDAT chunk's data: the picture itself."""
    offset = len(PNG_SIGNATURE)
    while offset < len(png):
        (length,) = struct.unpack_from(">I", png, offset)
        kind = png[offset + 4 : offset + 8]
        if kind == b"IDAT":
            return png[offset + 8 : offset + 8 + length]
        offset += 12 + length
    raise AssertionError("no IDAT chunk")


def badge_with_image(issuer, learner, image):
    document = issuer.unsigned(learner.did)
    document["credentialSubject"]["achievement"]["image"] = {"id": image, "type": "Image"}
    signed = sign(
        document, issuer.key, cryptosuite="eddsa-rdfc-2022", verification_method=issuer.vm
    )
    return json.dumps(signed).encode()


async def test_json_export_is_the_stored_bytes_and_jwt_is_refused(
    make_learner, issuer, put_in_wallet
):
    learner = await make_learner()
    raw = issuer.badge_bytes(learner.did)
    credential_id = await put_in_wallet(learner, raw)
    response = await export_as(learner, credential_id, "json")
    assert response.status == 200
    assert await response.read() == raw
    assert response.content_type == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    refused = await export_as(learner, credential_id, "jwt")
    assert refused.status == 409
    assert (await refused.json())["type"].endswith("/export-format-unavailable")


async def test_jwt_export_is_the_stored_token_and_json_is_refused(
    make_learner, issuer, put_in_wallet
):
    learner = await make_learner()
    token = issuer.jwt_badge(learner.did)
    credential_id = await put_in_wallet(learner, token)
    response = await export_as(learner, credential_id, "jwt")
    assert await response.read() == token
    assert response.content_type == "application/jwt"
    assert (await export_as(learner, credential_id, "json")).status == 409


@pytest.mark.parametrize("fmt", ["png", "svg"])
async def test_baked_export_without_an_image_holds_the_stored_text_in_a_placeholder(
    make_learner, issuer, put_in_wallet, fmt
):
    learner = await make_learner()
    raw = issuer.badge_bytes(learner.did)
    credential_id = await put_in_wallet(learner, raw)
    response = await export_as(learner, credential_id, fmt)
    assert response.status == 200
    assert response.headers["X-Satchel-Image-Source"] == "placeholder"
    body = await response.read()
    payload = unbake_png(body) if fmt == "png" else unbake_svg(body)
    assert payload is not None and payload.keyword in ("openbadgecredential", "credential")
    assert payload.text == raw.decode().strip()  # the stored text exactly, not re-serialised
    assert extract_bytes(body).document == json.loads(raw)
    report = await learner.services.verifier.verify(body)
    assert report.verified


@pytest.mark.parametrize("fmt", ["png", "svg"])
async def test_a_jwt_is_baked_as_the_token_itself(make_learner, issuer, put_in_wallet, fmt):
    learner = await make_learner()
    token = issuer.jwt_badge(learner.did)
    credential_id = await put_in_wallet(learner, token)
    body = await (await export_as(learner, credential_id, fmt)).read()
    payload = unbake_png(body) if fmt == "png" else unbake_svg(body)
    assert payload.text == token.decode()
    assert extract_bytes(body).jwt == token.decode()


async def test_a_stored_baked_png_exports_verbatim_and_gives_its_inner_credential(
    make_learner, issuer, put_in_wallet
):
    learner = await make_learner()
    text = issuer.badge_bytes(learner.did).decode().strip()
    baked = bake_png(PLAIN_PNG, text)
    credential_id = await put_in_wallet(learner, baked)
    png = await export_as(learner, credential_id, "png")
    assert png.headers["X-Satchel-Image-Source"] == "stored"
    assert await png.read() == baked
    assert (await (await export_as(learner, credential_id, "json")).read()).decode() == text
    svg = await (await export_as(learner, credential_id, "svg")).read()
    assert unbake_svg(svg).text == text
    assert (await export_as(learner, credential_id, "jwt")).status == 409


async def test_a_data_uri_png_image_is_the_one_baked(make_learner, issuer, put_in_wallet):
    learner = await make_learner()
    uri = "data:image/png;base64," + base64.b64encode(PLAIN_PNG).decode()
    raw = badge_with_image(issuer, learner, uri)
    credential_id = await put_in_wallet(learner, raw)
    response = await export_as(learner, credential_id, "png")
    assert response.headers["X-Satchel-Image-Source"] == "data-uri"
    body = await response.read()
    assert idat(body) == idat(PLAIN_PNG)
    assert unbake_png(body).text == raw.decode()
    # the image is a PNG: an SVG export cannot use it and falls back to the placeholder
    svg = await export_as(learner, credential_id, "svg")
    assert svg.headers["X-Satchel-Image-Source"] == "placeholder"


async def test_a_remote_image_is_fetched_through_the_guarded_fetcher(
    make_learner, issuer, put_in_wallet, serve_images
):
    learner = await make_learner()
    await serve_images(
        learner.services,
        {"badge.png": ("image/png", PLAIN_PNG), "badge.svg": ("image/svg+xml", PLAIN_SVG)},
    )
    for name, fmt in (("badge.png", "png"), ("badge.svg", "svg")):
        raw = badge_with_image(issuer, learner, f"https://images.example/{name}")
        credential_id = await put_in_wallet(learner, raw)
        response = await export_as(learner, credential_id, fmt)
        assert response.headers["X-Satchel-Image-Source"] == "remote", name
        body = await response.read()
        if fmt == "png":
            assert idat(body) == idat(PLAIN_PNG)
            assert unbake_png(body).text == raw.decode()
        else:
            assert b"Satchel test image: a blue disc" in body
            assert unbake_svg(body).text == raw.decode()


OVERSIZED = PNG_SIGNATURE + b"\0" * (export.MAX_IMAGE_BYTES + 1)


@pytest.mark.parametrize(
    ("image", "served"),
    [
        ("https://images.example/huge.png", ("image/png", OVERSIZED)),
        ("https://images.example/page.png", ("text/html", b"<html>not an image</html>")),
        ("https://images.example/lying.png", ("image/png", b"GIF89a" + b"\0" * 64)),
        ("https://images.example/missing.png", None),
        ("http://images.invalid/badge.png", None),  # not allowed: plain http, unknown host
        ("https://127.0.0.1/badge.png", None),  # loopback address: forbidden
        ("data:image/gif;base64,R0lGODlhAQABAAAAACw=", None),
        ("data:image/png;base64," + "A" * ((export.MAX_IMAGE_BYTES // 3 + 1) * 4), None),
        ("data:image/png;base64,@@not-base64@@", None),
        ("javascript:alert(1)", None),
    ],
    ids=[
        "oversized",
        "wrong-type",
        "lying-type",
        "missing",
        "http-not-allowed",
        "loopback",
        "gif-data-uri",
        "oversized-data-uri",
        "bad-data-uri",
        "javascript",
    ],
)
async def test_an_unusable_image_falls_back_to_the_placeholder(
    make_learner, issuer, put_in_wallet, serve_images, image, served
):
    learner = await make_learner()
    images = {image.rsplit("/", 1)[-1]: served} if served else {}
    await serve_images(learner.services, images)
    raw = badge_with_image(issuer, learner, image)
    credential_id = await put_in_wallet(learner, raw)
    response = await export_as(learner, credential_id, "png")
    assert response.status == 200
    assert response.headers["X-Satchel-Image-Source"] == "placeholder"
    assert unbake_png(await response.read()).text == raw.decode()


async def test_the_placeholder_svg_escapes_the_badge_name(make_learner, issuer, put_in_wallet):
    learner = await make_learner()
    raw = issuer.badge_bytes(learner.did, name='<script>alert("x")</script> & co')
    credential_id = await put_in_wallet(learner, raw)
    response = await export_as(learner, credential_id, "svg")
    body = await response.read()
    outside_badge = body.split(b"<openbadges:credential")[0] + body.split(b"</openbadges:")[-1]
    assert b"<script>" not in outside_badge
    assert b"&lt;script&gt;" in outside_badge
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert unbake_svg(body).text == raw.decode().strip()


async def test_unknown_format_anonymous_and_missing_credential(
    wallet_app, make_learner, issuer, put_in_wallet
):
    learner = await make_learner()
    credential_id = await put_in_wallet(learner, issuer.badge_bytes(learner.did))
    assert (await export_as(learner, credential_id, "pdf")).status == 400
    anonymous = await wallet_app.get(f"/api/v1/credentials/{credential_id}/export?format=json")
    assert anonymous.status == 401
    assert (await export_as(learner, "no-such-credential", "json")).status == 404


async def test_an_ob2_assertion_is_baked_with_the_ob2_keyword():
    assertion = {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": "https://issuer.example/assertions/1",
        "badge": {"type": "BadgeClass", "name": "Old School"},
        "recipient": {"type": "email", "hashed": False, "identity": "a@example.org"},
        "verification": {"type": "hosted"},
        "issuedOn": "2020-01-01T00:00:00Z",
    }
    raw = json.dumps(assertion).encode()
    png = await export.export_credential(raw, "png")
    assert unbake_png(png.body).keyword == "openbadges"
    assert unbake_png(png.body).text == raw.decode()
    svg = await export.export_credential(raw, "svg")
    assert unbake_svg(svg.body).keyword == "assertion"
    assert png.filename == "Old-School.png"


async def test_without_a_format_the_stored_form_is_returned(make_learner, issuer, put_in_wallet):
    learner = await make_learner()
    token = issuer.jwt_badge(learner.did)
    credential_id = await put_in_wallet(learner, token)
    response = await learner.client.get(
        f"/api/v1/credentials/{credential_id}/export", headers=learner.headers
    )
    assert response.status == 200 and response.content_type == "application/jwt"
    assert await response.read() == token
