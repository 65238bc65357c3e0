"""Outgoing email: SMTP (``SATCHEL_SMTP_URL``) or, with none configured, an outbox folder.

The outbox is what ``make run`` uses: each message is written as an ``.eml`` file under the data
folder and its links are logged, so a developer can follow a verification link without a mail
server.
"""

from __future__ import annotations

import logging
import ssl
import time
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlparse

import aiosmtplib

from satchel.errors import SatchelError

log = logging.getLogger(__name__)


class MailError(SatchelError):
    type = "mail-error"
    title = "Email could not be sent"
    status = 502


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


def compose(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message.set_content(body)
    return message


@dataclass(frozen=True)
class SmtpMailer:
    """``smtp://user:pass@host:port`` (STARTTLS when offered) or ``smtps://`` (implicit TLS)."""

    url: str
    timeout: float = 10.0

    async def send(self, message: EmailMessage) -> None:
        parts = urlparse(self.url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise MailError(f"SATCHEL_SMTP_URL must be smtp:// or smtps://, not {parts.scheme!r}")
        try:
            await aiosmtplib.send(
                message,
                hostname=parts.hostname,
                port=parts.port or (465 if parts.scheme == "smtps" else 25),
                username=unquote(parts.username) if parts.username else None,
                password=unquote(parts.password) if parts.password else None,
                use_tls=parts.scheme == "smtps",
                start_tls=None if parts.scheme == "smtp" else False,
                tls_context=ssl.create_default_context(),
                timeout=self.timeout,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise MailError(f"cannot send mail through {parts.hostname}: {exc}") from exc


@dataclass(frozen=True)
class OutboxMailer:
    """Writes each message to ``folder`` as an .eml file and logs that it did."""

    folder: Path

    async def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}.eml"
        (self.folder / name).write_bytes(bytes(message))
        log.info("mail to %s (%s) written to %s", message["To"], message["Subject"], name)
        body = message.get_body(("plain",))
        if body is not None:
            for line in body.get_content().splitlines():
                if "://" in line:
                    log.info("  link: %s", line.strip())


def mailer_for(smtp_url: str | None, data_dir: Path) -> Mailer:
    return SmtpMailer(smtp_url) if smtp_url else OutboxMailer(data_dir / "outbox")
