import json

import pytest

from satchel.validator.inputs import (
    MAX_NESTING_DEPTH,
    InputTooLargeError,
    MalformedInputError,
    nesting_depth,
    parse_input,
)

JWT = "eyJhbGciOiJFZERTQSJ9.eyJ2YyI6e319.c2ln"


def test_json_object_is_parsed_as_a_document():
    assert parse_input(b'{"a": 1}').document == {"a": 1}


def test_compact_jwt_is_recognised_as_text_or_as_a_json_string():
    assert parse_input(JWT).jwt == JWT
    assert parse_input(json.dumps(JWT)).jwt == JWT
    assert parse_input(JWT + "\n").jwt == JWT


def test_utf8_byte_order_mark_is_tolerated():
    assert parse_input(b'\xef\xbb\xbf{"a": 1}').document == {"a": 1}


def test_twenty_megabytes_of_json_is_refused_before_parsing():
    data = b'{"a": "' + b"x" * (20 * 1024 * 1024) + b'"}'
    with pytest.raises(InputTooLargeError, match="limit"):
        parse_input(data)


def test_ten_thousand_deep_nesting_is_refused_without_recursion():
    with pytest.raises(MalformedInputError, match="10000 levels"):
        parse_input("[" * 10_000 + "]" * 10_000)
    with pytest.raises(MalformedInputError, match="levels"):
        parse_input('{"a":' * 10_000 + "1" + "}" * 10_000)


def test_nesting_up_to_the_limit_is_parsed_and_one_level_more_is_refused():
    deepest = "[" * MAX_NESTING_DEPTH + "]" * MAX_NESTING_DEPTH
    assert parse_input('{"a": ' + deepest[1:-1] + "}").document is not None
    with pytest.raises(MalformedInputError, match=f"{MAX_NESTING_DEPTH + 1} levels"):
        parse_input('{"a": ' + deepest + "}")


def test_many_shallow_brackets_are_not_mistaken_for_depth():
    wide = "[" + ",".join(["[]"] * (MAX_NESTING_DEPTH * 3)) + "]"
    assert parse_input('{"a": ' + wide + "}").document == {"a": [[]] * (MAX_NESTING_DEPTH * 3)}


def test_brackets_inside_strings_do_not_count_as_nesting():
    assert nesting_depth('{"a": "[[[[{{{{\\"[["}') == 1
    parse_input('{"a": "' + "[" * (MAX_NESTING_DEPTH * 2) + '"}')


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   ", "empty"),
        (b"\xff\xfe\x00", "UTF-8"),
        (b'{"a": ', "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"a": NaN}', "not valid JSON"),
        (b'"just a string"', "JSON object"),
    ],
)
def test_malformed_input_is_refused_with_a_reason(data, reason):
    with pytest.raises(MalformedInputError, match=reason):
        parse_input(data)


def test_raw_member_returns_the_exact_source_text_of_a_member():
    from satchel.validator.inputs import raw_member

    text = (
        '{ "url" : "x",\n "credential":  {"b": 1,   "a":"é\\u00e9"} , '
        '"z": [1, {"credential": 2}] }'
    )
    assert raw_member(text, "credential") == '{"b": 1,   "a":"é\\u00e9"}'
    assert raw_member(text, "missing") is None
    assert raw_member("[1, 2]", "credential") is None
    assert raw_member('{"credential": {"a": 1}', "credential") is None  # truncated
    assert raw_member('{"credential" {"a": 1}}', "credential") is None  # no colon
