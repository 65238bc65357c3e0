import asyncio
import socket

import pytest
from aiosmtpd.controller import Controller

from satchel.wallet.mail import MailError, OutboxMailer, SmtpMailer, compose, mailer_for


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


async def test_smtp_mailer_delivers_to_a_real_smtp_server(smtp_server):
    inbox, port = smtp_server
    message = compose("wallet@satchel.test", "ada@example.org", "Verify", "https://x/verify/abc")
    await SmtpMailer(f"smtp://127.0.0.1:{port}").send(message)
    for _ in range(50):
        if inbox.messages:
            break
        await asyncio.sleep(0.02)
    assert b"https://x/verify/abc" in inbox.messages[0]
    assert b"ada@example.org" in inbox.messages[0]


async def test_smtp_mailer_reports_an_unreachable_server_as_mail_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(MailError, match=r"127\.0\.0\.1"):
        await SmtpMailer(f"smtp://127.0.0.1:{port}", timeout=2).send(
            compose("a@b.test", "c@d.test", "s", "b")
        )


async def test_outbox_mailer_writes_an_eml_file_and_logs_the_link(tmp_path, caplog):
    caplog.set_level("INFO")
    await OutboxMailer(tmp_path).send(compose("a@b.test", "c@d.test", "Hi", "open https://x/y"))
    files = list(tmp_path.glob("*.eml"))
    assert len(files) == 1
    assert b"https://x/y" in files[0].read_bytes()
    assert "https://x/y" in caplog.text


def test_without_smtp_url_mail_goes_to_the_outbox(tmp_path):
    assert isinstance(mailer_for(None, tmp_path), OutboxMailer)
    assert isinstance(mailer_for("smtp://mail.example:25", tmp_path), SmtpMailer)
