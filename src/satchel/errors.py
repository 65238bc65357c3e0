"""The root of Satchel's typed errors.

Every error a user can cause is a :class:`SatchelError` subclass carrying a stable ``type``
slug and an HTTP status; the web layer maps them to RFC 9457 problem details in one place.
"""

from __future__ import annotations

PROBLEM_TYPE_BASE = "https://satchel.dev/problems/"


class SatchelError(Exception):
    """Base class: ``type`` is a stable slug, ``status`` the HTTP status it maps to."""

    type: str = "internal-error"
    title: str = "Internal error"
    status: int = 500

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    @property
    def type_uri(self) -> str:
        return PROBLEM_TYPE_BASE + self.type


class InputError(SatchelError):
    """The caller's input cannot be used at all (exit code 2 in the CLI)."""

    type = "unusable-input"
    title = "Unusable input"
    status = 400
