import gzip
import zlib

import pytest

from satchel.inflate import GZIP, InflateError, InflateFailure, inflate


def test_inflates_within_the_cap():
    assert inflate(zlib.compress(b"badge" * 10), max_bytes=50) == b"badge" * 10
    assert inflate(gzip.compress(b"list"), max_bytes=4, wbits=GZIP) == b"list"


def test_a_64_megabyte_bomb_stops_at_the_cap():
    bomb = zlib.compressobj()
    data = b"".join(bomb.compress(b"\0" * (1 << 20)) for _ in range(64)) + bomb.flush()
    with pytest.raises(InflateError) as raised:
        inflate(data, max_bytes=1 << 20)
    assert raised.value.failure is InflateFailure.TOO_LARGE


def test_damaged_and_truncated_data_are_told_apart():
    with pytest.raises(InflateError) as damaged:
        inflate(b"not zlib at all", max_bytes=100)
    assert damaged.value.failure is InflateFailure.DAMAGED
    with pytest.raises(InflateError) as truncated:
        inflate(zlib.compress(b"x" * 1000)[:-6], max_bytes=2000)
    assert truncated.value.failure is InflateFailure.TRUNCATED
    assert inflate(zlib.compress(b"abc")[:-4], max_bytes=10, require_end=False) == b"abc"
