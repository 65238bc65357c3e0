"""Reading request bodies: a malformed body is the client's error (400), never a 500.

aiohttp's body readers raise plain ``ValueError`` (a multipart body without a boundary),
``HttpProcessingError`` (a malformed part header) or ``UnicodeDecodeError``
(``request.text()`` on bytes that are not UTF-8).
:func:`reading_body` wraps exactly the reading code, so a bug elsewhere still surfaces as one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from aiohttp.http_exceptions import HttpProcessingError

from satchel.errors import SatchelError


class MalformedBodyError(SatchelError):
    type = "malformed-request-body"
    title = "Malformed request body"
    status = 400


@contextmanager
def reading_body(what: str) -> Iterator[None]:
    """Turn a parse failure inside the block into :class:`MalformedBodyError` naming ``what``."""
    try:
        yield
    except SatchelError:
        raise
    except UnicodeDecodeError as exc:
        raise MalformedBodyError(f"The request body is not UTF-8 {what}.") from exc
    except (ValueError, HttpProcessingError) as exc:
        raise MalformedBodyError(f"The request body is not a well-formed {what}: {exc}") from exc
