from datetime import UTC, datetime

import pytest

from satchel.validator.dates import DateFormatError, parse_datetime


def test_utc_and_offset_timestamps_parse_to_the_same_instant():
    a, tz_a = parse_datetime("2024-01-01T12:00:00Z")
    b, tz_b = parse_datetime("2024-01-01T13:00:00+01:00")
    assert a == b == datetime(2024, 1, 1, 12, tzinfo=UTC)
    assert tz_a and tz_b


def test_naive_timestamp_is_read_as_utc_and_flagged():
    value, has_tz = parse_datetime("2024-01-01T12:00:00")
    assert value.tzinfo is UTC
    assert not has_tz


def test_more_than_six_fractional_digits_are_accepted():
    value, _ = parse_datetime("2024-01-01T12:00:00.123456789Z")
    assert value.microsecond == 123456


@pytest.mark.parametrize("bad", ["2024-01-01", "yesterday", 12, None, "2024-13-01T00:00:00Z"])
def test_non_datetime_values_are_refused(bad):
    with pytest.raises(DateFormatError):
        parse_datetime(bad)
