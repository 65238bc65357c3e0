import logging

from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from satchel.access_log import REDACTED, RedactingAccessLogger, redact


def test_one_time_tokens_are_redacted_from_logged_targets():
    assert redact("/claim/abcDEF_123") == f"/claim/{REDACTED}"
    assert redact("/claim/abc?x=1") == f"/claim/{REDACTED}?x=1"
    assert (
        redact("/reset-password?token=s3cr3t&lang=en")
        == f"/reset-password?token={REDACTED}&lang=en"
    )
    assert redact("/verify-email?TOKEN=s3cr3t") == f"/verify-email?TOKEN={REDACTED}"
    assert redact("/verify?url=https://x.example/b.json") == "/verify?url=https://x.example/b.json"


def test_access_log_line_never_holds_the_token(caplog):
    caplog.set_level(logging.INFO, logger="satchel.access")
    logger = RedactingAccessLogger(logging.getLogger("satchel.access"), "")
    request = make_mocked_request("GET", "/reset-password?token=very-secret-token")
    logger.log(request, web.Response(text="ok"), 0.01)
    assert "very-secret-token" not in caplog.text
    assert f"/reset-password?token={REDACTED}" in caplog.text
