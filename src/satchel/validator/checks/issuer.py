"""PLACEHOLDER: replaced by the module that implements it in this session."""

from __future__ import annotations

from satchel.validator.context import CheckContext
from satchel.validator.report import Outcome


async def check_issuer(ctx: CheckContext) -> None:
    ctx.add("issuer", Outcome.NOT_CHECKED, "The issuer profile check is not implemented yet.")
