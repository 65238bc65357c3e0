"""PLACEHOLDER: replaced by the module that implements it in this session."""

from __future__ import annotations

from satchel.validator.context import CheckContext
from satchel.validator.report import Outcome


async def check_status(ctx: CheckContext) -> None:
    ctx.add("status", Outcome.NOT_CHECKED, "The status check is not implemented yet.")
