"""PLACEHOLDER: Open Badges 2.0 hosted and signed verification lands here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from satchel.validator.inputs import ParsedInput
from satchel.validator.options import VerificationOptions
from satchel.validator.report import VerificationReport

if TYPE_CHECKING:
    from satchel.validator.engine import Verifier


def is_ob2(parsed: ParsedInput) -> bool:
    return False


async def verify_ob2(
    parsed: ParsedInput,
    verifier: Verifier,
    options: VerificationOptions,
    report: VerificationReport,
    target: str,
) -> dict[str, Any] | None:
    raise NotImplementedError
