"""Encoding, decoding and reading bitstrings; validating status entries."""

from __future__ import annotations

import base64
import gzip
import time

import pytest

from satchel.validator.status import (
    MIN_STATUS_LIST_ENTRIES,
    decode_encoded_list,
    encode_bitstring,
    read_status,
)
from satchel.validator.status.entries import entry_type, parse_list_entry
from satchel.validator.status.errors import (
    MalformedStatusEntryError,
    StatusRangeError,
    StatusVerificationError,
)


def test_index_zero_is_the_leftmost_bit_of_the_first_byte():
    bits = decode_encoded_list(encode_bitstring({0, 9}), multibase=True)
    assert bits[:2] == bytes([0b1000_0000, 0b0100_0000])
    assert [read_status(bits, i) for i in range(11)] == [1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]


def test_multi_bit_entries_are_read_most_significant_bit_first():
    bits = decode_encoded_list(encode_bitstring({1: 0b10, 2: 0b01}, 4, 2), multibase=True)
    assert bits == bytes([0b00_10_01_00])
    assert [read_status(bits, i, 2) for i in range(4)] == [0, 2, 1, 0]


def test_default_length_is_the_spec_minimum_and_the_form_is_multibase_base64url():
    encoded = encode_bitstring(set())
    assert encoded.startswith("uH4sI")
    assert "=" not in encoded and "+" not in encoded and "/" not in encoded
    assert len(decode_encoded_list(encoded, multibase=True)) * 8 == MIN_STATUS_LIST_ENTRIES


def test_raw_bytes_are_encoded_as_given_and_padded_to_length():
    bits = decode_encoded_list(encode_bitstring(b"\xff", length=16), multibase=True)
    assert bits == b"\xff\x00"


@pytest.mark.parametrize(
    ("statuses", "length", "size"), [({5}, 5, 1), ({0: 4}, 8, 2), ({-1}, 8, 1)]
)
def test_encoding_refuses_statuses_that_do_not_fit(statuses, length, size):
    with pytest.raises(ValueError):
        encode_bitstring(statuses, length, size)


def test_status_list_2021_plain_base64_in_either_alphabet_decodes():
    raw = gzip.compress(bytes([0xF0]) + bytes(200), mtime=0)
    for text in (base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode()):
        assert decode_encoded_list(text, multibase=False)[:1] == b"\xf0"


def test_unprefixed_gzip_is_tolerated_but_another_multibase_is_refused():
    encoded = encode_bitstring({3})
    assert decode_encoded_list(encoded[1:], multibase=True) == decode_encoded_list(
        encoded, multibase=True
    )
    with pytest.raises(StatusVerificationError, match="Multibase"):
        decode_encoded_list("z" + encoded[1:], multibase=True)


@pytest.mark.parametrize("encoded", ["", 42, "u!!!", "uAAAA", "u" + "A" * 40])
def test_garbage_encoded_lists_are_refused(encoded):
    with pytest.raises(StatusVerificationError):
        decode_encoded_list(encoded, multibase=True)


def test_decompression_stops_at_the_cap_quickly():
    bomb = gzip.compress(bytes(24 * 1024 * 1024), compresslevel=9, mtime=0)
    encoded = "u" + base64.urlsafe_b64encode(bomb).decode().rstrip("=")
    started = time.monotonic()
    with pytest.raises(StatusVerificationError, match="more than"):
        decode_encoded_list(encoded, multibase=True)
    assert time.monotonic() - started < 1.0


def test_reading_past_the_end_is_a_range_error():
    bits = bytes(2)
    assert read_status(bits, 7, 2) == 0
    with pytest.raises(StatusRangeError):
        read_status(bits, 8, 2)


ENTRY = {
    "type": "BitstringStatusListEntry",
    "statusPurpose": "revocation",
    "statusListIndex": "94567",
    "statusListCredential": "https://example.com/credentials/status/3",
}


def test_a_spec_entry_parses():
    entry = parse_list_entry(ENTRY, "BitstringStatusListEntry")
    assert (entry.purpose, entry.index, entry.size, entry.list_url) == (
        "revocation",
        94567,
        1,
        "https://example.com/credentials/status/3",
    )


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"statusListIndex": "-1"}, "statusListIndex"),
        ({"statusListIndex": "1e3"}, "statusListIndex"),
        ({"statusListIndex": True}, "statusListIndex"),
        ({"statusListIndex": "9" * 40}, "statusListIndex"),
        ({"statusListCredential": "ftp://example.com/list"}, "https URL"),
        ({"statusListCredential": None}, "statusListCredential"),
        ({"statusPurpose": ""}, "statusPurpose"),
        ({"statusSize": 0}, "statusSize"),
        ({"statusSize": 64}, "statusSize"),
        ({"statusSize": 2}, "statusMessage"),
        ({"statusSize": 2, "statusMessage": [{"status": "1", "message": "x"}]}, "hexadecimal"),
        ({"statusMessage": "revoked"}, "statusMessage"),
        ({"statusReference": 7}, "statusReference"),
    ],
)
def test_malformed_entries_are_refused_with_the_reason(change, complaint):
    with pytest.raises(MalformedStatusEntryError, match=complaint):
        parse_list_entry({**ENTRY, **change}, "BitstringStatusListEntry")


def test_integer_index_is_tolerated():
    assert parse_list_entry({**ENTRY, "statusListIndex": 23}, ENTRY["type"]).index == 23


def test_entry_type_prefers_a_known_type_in_a_list():
    assert entry_type({"type": ["Extra", "StatusList2021Entry"]}) == "StatusList2021Entry"
    assert entry_type({"type": ["Extra"]}) == "Extra"
    assert entry_type({"type": 3}) is None
