"""Input detection and extraction: every form sniffed from content, URLs fetched once, safely."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from satchel.errors import InputError
from satchel.fetcher import FetchPolicy, GuardedFetcher
from satchel.validator.baked import PNG_SIGNATURE, bake_png, bake_svg
from satchel.validator.extract import (
    FetchingDisabledError,
    InputFetchError,
    NoBadgeInImageError,
    extract_input,
    looks_like_markup,
    single_url,
)
from satchel.validator.inputs import InputTooLargeError, MalformedInputError

DATA = Path(__file__).resolve().parent / "extract"
PLAIN_PNG = (DATA / "plain.png").read_bytes()
PLAIN_SVG = (DATA / "plain.svg").read_bytes()
FIXTURES = "vectors/1EdTech-digital-credentials-public-validator/inspector-vc/src/test/resources"

CREDENTIAL = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "id": "urn:uuid:5c3a4a8e-1f0b-4a57-8d0c-3e2a1b4c5d6e",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
}
CREDENTIAL_JSON = json.dumps(CREDENTIAL)
JWT = "eyJhbGciOiJFZERTQSJ9.eyJ2YyI6e319.c2lnbmF0dXJl"
HOSTED_URL = "https://issuer.example/assertions/1"


def extract(data: bytes | str) -> object:
    return asyncio.run(extract_input(data))


@pytest.fixture(scope="module")
def fixtures(shared_dir: Path) -> Path:
    folder = shared_dir / FIXTURES
    if not folder.is_dir():
        pytest.fail(f"{folder} is missing")
    return folder


# --- local content ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "source", "form"),
    [
        ("ob30/simple-json.png", "png", "document"),
        ("ob30/simple-jwt.png", "png", "jwt"),
        ("ob30/simple-jwt_v1.png", "png", "jwt"),
        ("ob30/simple-json.svg", "svg", "document"),
        ("ob30/simple-jwt.svg", "svg", "jwt"),
        ("ob30/simple-jwt_v1.svg", "svg", "jwt"),
        ("ob20/simple-badge.png", "png", "document"),
        ("ob30/simple.json", "json", "document"),
        ("ob30/simple.jwt", "jwt", "jwt"),
        ("ob20/simple.jwt", "jwt", "jwt"),
    ],
)
async def test_1edtech_fixture_extracts_to_its_form_and_source(fixtures, name, source, form):
    parsed = await extract_input((fixtures / name).read_bytes())
    assert parsed.source == source
    assert (parsed.document is not None, parsed.jwt is not None) == (
        form == "document",
        form == "jwt",
    )
    if parsed.document is not None:
        assert "@context" in parsed.document


async def test_1edtech_ob20_baked_png_gives_the_assertion_json(fixtures):
    parsed = await extract_input((fixtures / "ob20" / "simple-badge.png").read_bytes())
    assert parsed.document is not None and parsed.document["type"] == "Assertion"


@pytest.mark.parametrize("name", ["beths-robot-badge.png", "robotics-badge.png"])
async def test_1edtech_ob20_asset_image_without_badge_is_unusable_input(fixtures, name):
    with pytest.raises(NoBadgeInImageError, match="holds no Open Badge"):
        await extract_input((fixtures / "ob20" / "assets" / name).read_bytes())


async def test_plain_svg_without_badge_is_unusable_input():
    with pytest.raises(NoBadgeInImageError, match="holds no Open Badge"):
        await extract_input(PLAIN_SVG)


@pytest.mark.parametrize("bake", [bake_png, bake_svg])
async def test_ob20_image_holding_only_a_url_becomes_a_hosted_assertion_address(bake):
    image = PLAIN_PNG if bake is bake_png else PLAIN_SVG
    parsed = await extract_input(bake(image, HOSTED_URL, ob_version="2.0"))
    assert parsed.url == HOSTED_URL
    assert parsed.document is None and parsed.jwt is None
    assert parsed.source == ("png" if bake is bake_png else "svg")


async def test_ob30_image_holding_only_a_url_is_refused():
    with pytest.raises(MalformedInputError, match="JSON or a JWT"):
        await extract_input(bake_png(PLAIN_PNG, HOSTED_URL, ob_version="3.0"))


@pytest.mark.parametrize("bake", [bake_png, bake_svg])
async def test_baked_jwt_and_json_keep_the_image_as_source(bake):
    image = PLAIN_PNG if bake is bake_png else PLAIN_SVG
    as_jwt = await extract_input(bake(image, JWT))
    as_json = await extract_input(bake(image, CREDENTIAL_JSON))
    assert as_jwt.jwt == JWT and as_json.document == CREDENTIAL
    assert as_jwt.source == as_json.source == ("png" if bake is bake_png else "svg")


async def test_baked_payload_that_is_neither_json_nor_jwt_is_unusable_input():
    with pytest.raises(MalformedInputError, match="JSON"):
        await extract_input(bake_png(PLAIN_PNG, "hello there"))


async def test_svg_is_sniffed_after_a_bom_and_whitespace_not_by_name():
    parsed = await extract_input(b"\xef\xbb\xbf \n\t" + bake_svg(PLAIN_SVG, JWT))
    assert parsed.jwt == JWT and parsed.source == "svg"


async def test_json_and_jwt_text_are_parsed_as_json_and_jwt():
    assert (await extract_input(CREDENTIAL_JSON)).source == "json"
    assert (await extract_input(f"  {JWT}\n")).source == "jwt"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", MalformedInputError),
        (b"   \n", MalformedInputError),
        (bytes(range(256)), MalformedInputError),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, InputError),
        (b"<svg", InputError),
        (b"<!DOCTYPE html><html></html>", InputError),
    ],
)
async def test_garbage_and_empty_input_are_unusable_input(data, error):
    with pytest.raises(error):
        await extract_input(data)


@pytest.mark.parametrize(
    "page",
    [b"<!DOCTYPE html><html><body>x</body></html>", b"\n<!-- hi -->\n<HTML lang=en><p>x"],
)
async def test_html_page_is_named_as_a_web_page_not_a_badge(page):
    with pytest.raises(MalformedInputError, match="web page"):
        await extract_input(page)


async def test_input_over_the_size_limit_is_refused_before_parsing():
    with pytest.raises(InputTooLargeError):
        await extract_input(b"{" + b" " * 100, max_bytes=64)


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("https://issuer.example/a", "https://issuer.example/a"),
        ("  HTTP://issuer.example/a?b=c#d \n", "HTTP://issuer.example/a?b=c#d"),
        ("see https://issuer.example/a", None),
        ("https://issuer.example/a https://issuer.example/b", None),
        ("https://", None),
        ("ftp://issuer.example/a", None),
        ('"https://issuer.example/a"', None),
    ],
)
def test_only_text_that_is_exactly_one_http_url_counts_as_a_url(text, url):
    assert single_url(text.encode()) == url


@pytest.mark.parametrize(
    ("data", "markup"),
    [
        (b"<svg/>", True),
        (b"\xef\xbb\xbf\n  <?xml version='1.0'?>", True),
        ("<svg/>".encode("utf-16"), True),
        (b'{"a": "<svg>"}', False),
        (b"", False),
    ],
)
def test_markup_is_recognised_by_its_first_character(data, markup):
    assert looks_like_markup(data) is markup


# --- URLs ------------------------------------------------------------------------------------


@dataclass
class Host:
    fetcher: GuardedFetcher
    requests: list[str]


BODIES: dict[str, tuple[bytes, str]] = {
    "/credential.json": (CREDENTIAL_JSON.encode(), "application/json"),
    "/credential.jwt": (JWT.encode(), "application/vc+jwt"),
    "/badge.png": (bake_png(PLAIN_PNG, CREDENTIAL_JSON), "image/png"),
    "/badge.svg": (bake_svg(PLAIN_SVG, JWT), "image/svg+xml"),
    "/old-badge.png": (bake_png(PLAIN_PNG, HOSTED_URL, ob_version="2.0"), "image/png"),
    "/plain.png": (PLAIN_PNG, "image/png"),
    "/pointer": (b"https://issuer.example/credential.json\n", "text/plain"),
}


@pytest.fixture
async def host(aiohttp_server) -> AsyncIterator[Host]:
    requests: list[str] = []

    async def serve(request: web.Request) -> web.Response:
        requests.append(request.path)
        if request.path not in BODIES:
            raise web.HTTPNotFound()
        body, content_type = BODIES[request.path]
        return web.Response(body=body, content_type=content_type)

    app = web.Application()
    app.router.add_get("/{tail:.*}", serve)
    server = await aiohttp_server(app)
    policy = FetchPolicy(
        allow_hosts=frozenset({"issuer.example"}),
        resolve_overrides={"issuer.example": ("127.0.0.1", server.port)},
    )
    async with GuardedFetcher(policy) as fetcher:
        yield Host(fetcher, requests)


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/credential.json", "document"),
        ("/credential.jwt", "jwt"),
        ("/badge.png", "document"),
        ("/badge.svg", "jwt"),
        ("/old-badge.png", "url"),
    ],
)
async def test_url_is_fetched_and_the_body_sniffed_again(host, path, form):
    url = f"https://issuer.example{path}"
    parsed = await extract_input(f" {url}\n", fetcher=host.fetcher)
    assert parsed.source == "url" and parsed.source_url == url
    assert host.requests == [path]
    if form == "document":
        assert parsed.document == CREDENTIAL
    elif form == "jwt":
        assert parsed.jwt == JWT
    else:
        assert parsed.url == HOSTED_URL and parsed.document is None


async def test_url_answering_404_is_unusable_input_naming_url_and_status(host):
    url = "https://issuer.example/missing.json"
    with pytest.raises(InputFetchError) as caught:
        await extract_input(url, fetcher=host.fetcher)
    assert url in caught.value.detail and "404" in caught.value.detail


async def test_url_to_an_image_without_badge_is_unusable_input(host):
    with pytest.raises(NoBadgeInImageError):
        await extract_input("https://issuer.example/plain.png", fetcher=host.fetcher)


async def test_url_whose_body_is_another_url_is_not_followed(host):
    with pytest.raises(MalformedInputError, match="one address"):
        await extract_input("https://issuer.example/pointer", fetcher=host.fetcher)
    assert host.requests == ["/pointer"]


async def test_url_without_a_fetcher_is_refused_saying_fetching_is_disabled():
    with pytest.raises(FetchingDisabledError, match="fetching is disabled"):
        await extract_input(HOSTED_URL)


async def test_text_with_a_url_and_other_words_is_not_fetched(host):
    with pytest.raises(MalformedInputError):
        await extract_input(
            "please check https://issuer.example/credential.json", fetcher=host.fetcher
        )
    assert host.requests == []


async def test_url_to_a_loopback_address_is_refused_with_the_address_named():
    async with GuardedFetcher(FetchPolicy()) as fetcher:
        with pytest.raises(InputFetchError, match=r"127\.0\.0\.1") as caught:
            await extract_input("https://127.0.0.1:1/credential.json", fetcher=fetcher)
    assert caught.value.status == 400


# --- no input escapes as anything but InputError ---------------------------------------------

HOSTILE_PREFIXES = [b"", PNG_SIGNATURE, PLAIN_PNG[:33], b"<svg ", b"<?xml ", b"\xef\xbb\xbf<", b"{"]


@st.composite
def mutated_images(draw: st.DrawFn) -> bytes:
    """A baked image with a few bytes overwritten and possibly cut short."""
    image = bytearray(draw(st.sampled_from([BODIES["/badge.png"][0], BODIES["/badge.svg"][0]])))
    for _ in range(draw(st.integers(1, 4))):
        image[draw(st.integers(0, len(image) - 1))] = draw(st.integers(0, 255))
    return bytes(image[: draw(st.integers(0, len(image)))])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=512),
        st.tuples(st.sampled_from(HOSTILE_PREFIXES), st.binary(max_size=512)).map(b"".join),
        mutated_images(),
    )
)
def test_arbitrary_bytes_never_raise_anything_but_input_error(data):
    with contextlib.suppress(InputError):
        extract(data)
