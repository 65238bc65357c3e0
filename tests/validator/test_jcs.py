"""RFC 8785 JSON canonicalization: the JCS cryptosuite vectors and the number/string rules."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from satchel.validator.jcs import JcsError, canonicalize_json

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
VECTORS = SHARED / "vectors"
if not VECTORS.is_dir():
    pytest.fail(f"shared test vectors not found at {VECTORS}", pytrace=False)

JCS_VECTORS = [
    (VECTORS / "w3c-vc-di-eddsa" / "TestVectors" / "eddsa-jcs-2022", "JCS"),
    (VECTORS / "w3c-vc-di-ecdsa" / "TestVectors" / "ecdsa-jcs-2019-p256", "JCSECDSAP256"),
    (VECTORS / "w3c-vc-di-ecdsa" / "TestVectors" / "ecdsa-jcs-2019-p384", "JCSECDSAP384"),
]
JCS_IDS = [folder.name for folder, _ in JCS_VECTORS]


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


@pytest.mark.parametrize(("folder", "suffix"), JCS_VECTORS, ids=JCS_IDS)
def test_unsigned_document_canonical_form_is_published_one(folder: Path, suffix: str) -> None:
    document = _read_json(folder / f"signed{suffix}.json")
    document.pop("proof")
    assert canonicalize_json(document) == (folder / f"canonDoc{suffix}.txt").read_bytes()


@pytest.mark.parametrize(("folder", "suffix"), JCS_VECTORS, ids=JCS_IDS)
def test_proof_config_canonical_form_is_published_one(folder: Path, suffix: str) -> None:
    config = _read_json(folder / f"proofConfig{suffix}.json")
    assert canonicalize_json(config) == (folder / f"proofCanon{suffix}.txt").read_bytes()


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (0, "0"),
        (-0.0, "0"),
        (1.0, "1"),
        (-1.5, "-1.5"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (123456789012345680000.0, "123456789012345680000"),
        (1e-6, "0.000001"),
        (1e-7, "1e-7"),
        (2.5e-7, "2.5e-7"),
        (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (0.1 + 0.2, "0.30000000000000004"),
        (333333333.3333333, "333333333.3333333"),
        (2**53 - 1, "9007199254740991"),
        (4.35e22, "4.35e+22"),
    ],
)
def test_numbers_print_as_ecmascript_does(number: float, text: str) -> None:
    assert canonicalize_json(number) == text.encode()


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_finite_double_round_trips(number: float) -> None:
    assert float(canonicalize_json(number)) == number


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, 2**53, {1: "x"}, {"k": {1}}])
def test_values_without_a_canonical_form_are_refused(bad: Any) -> None:
    with pytest.raises(JcsError):
        canonicalize_json(bad)


def test_lone_surrogate_is_refused() -> None:
    with pytest.raises(JcsError, match="surrogate"):
        canonicalize_json("\ud800")


def test_keys_sort_by_utf16_code_units_not_code_points() -> None:
    # U+1F600 is D83D DE00 in UTF-16, so it sorts before U+E000 although its code point is higher.
    value = {"\ue000": 1, "\U0001f600": 2, "a": 3}
    assert canonicalize_json(value) == '{"a":3,"\U0001f600":2,"\ue000":1}'.encode()


def test_strings_escape_like_json_stringify() -> None:
    value = ['"\\', "\b\t\n\f\r", "\x00\x1f", "\x7f\u2028é"]
    expected = '["\\"\\\\","\\b\\t\\n\\f\\r","\\u0000\\u001f","\x7f\u2028é"]'
    assert canonicalize_json(value) == expected.encode()


def test_nesting_and_literals() -> None:
    value = {"b": [True, False, None, {"y": 1, "x": []}], "a": {}}
    assert canonicalize_json(value) == b'{"a":{},"b":[true,false,null,{"x":[],"y":1}]}'
