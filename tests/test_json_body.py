import json
import math

from hypothesis import given
from hypothesis import strategies as st

from satchel.json_body import dumps, json_response

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=30,
)


@given(JSON_VALUES)
def test_encoded_bodies_read_back_as_the_same_value(value):
    assert json.loads(dumps(value)) == value


def test_integers_beyond_64_bits_fall_back_to_the_standard_encoder():
    value = {"big": 2**70, "list": [-(2**80)]}
    assert json.loads(dumps(value)) == value


def test_non_string_keys_fall_back_to_the_standard_encoder():
    assert json.loads(dumps({1: "one"})) == {"1": "one"}


def test_nan_and_infinity_become_null_so_the_body_stays_json():
    assert json.loads(dumps([math.nan, math.inf])) == [None, None]


def test_responses_say_json_in_utf8():
    response = json_response({"name": "Zoë"}, status=201, content_type="application/problem+json")
    assert response.status == 201
    assert response.content_type == "application/problem+json"
    assert response.charset == "utf-8"
    assert json.loads(response.body) == {"name": "Zoë"}
