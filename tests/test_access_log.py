import asyncio
import logging

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from satchel import access_log
from satchel.access_log import REDACTED, RedactingAccessLogger, flush_access_log, redact


def test_one_time_tokens_are_redacted_from_logged_targets():
    assert redact("/claim/abcDEF_123") == f"/claim/{REDACTED}"
    assert redact("/claim/abc?x=1") == f"/claim/{REDACTED}?x=1"
    assert (
        redact("/reset-password?token=s3cr3t&lang=en")
        == f"/reset-password?token={REDACTED}&lang=en"
    )
    assert redact("/verify-email?TOKEN=s3cr3t") == f"/verify-email?TOKEN={REDACTED}"
    assert redact("/verify?url=https://x.example/b.json") == "/verify?url=https://x.example/b.json"


@pytest.fixture
def info_logger():
    logger = logging.getLogger("satchel.test.access")
    logger.setLevel(logging.INFO)
    yield RedactingAccessLogger(logger, "")
    logger.setLevel(logging.NOTSET)
    flush_access_log()


def test_access_log_line_never_holds_the_token(info_logger, capsys):
    request = make_mocked_request("GET", "/reset-password?token=very-secret-token")
    info_logger.log(request, web.Response(text="ok"), 0.01)
    flush_access_log()
    err = capsys.readouterr().err
    assert "very-secret-token" not in err
    assert f'"GET /reset-password?token={REDACTED} HTTP/1.1" 200' in err
    assert " INFO satchel.test.access " in err


async def test_access_lines_are_written_together_after_a_short_delay(info_logger, capsys):
    for number in range(3):
        info_logger.log(make_mocked_request("GET", f"/page/{number}"), web.Response(), 0.001)
    assert capsys.readouterr().err == ""  # gathered, not yet written
    await asyncio.sleep(access_log.FLUSH_SECONDS + 0.3)
    lines = capsys.readouterr().err.splitlines()
    assert [line.split('"')[1] for line in lines] == [f"GET /page/{n} HTTP/1.1" for n in range(3)]


async def test_a_full_buffer_is_written_at_once(info_logger, capsys, monkeypatch):
    monkeypatch.setattr(access_log, "MAX_PENDING_LINES", 2)
    info_logger.log(make_mocked_request("GET", "/a"), web.Response(), 0.001)
    info_logger.log(make_mocked_request("GET", "/b"), web.Response(), 0.001)
    assert len(capsys.readouterr().err.splitlines()) == 2


def test_no_access_lines_above_info(capsys):
    logger = logging.getLogger("satchel.test.quiet")
    logger.setLevel(logging.WARNING)
    RedactingAccessLogger(logger, "").log(make_mocked_request("GET", "/x"), web.Response(), 0.1)
    flush_access_log()
    assert capsys.readouterr().err == ""
