"""PLACEHOLDER: replaced by the module that implements it in this session."""

from __future__ import annotations

from satchel.validator.context import CheckContext
from satchel.validator.report import Outcome


async def check_holder(ctx: CheckContext) -> None:
    ctx.add("holder", Outcome.NOT_CHECKED, "The holder binding check is not implemented yet.")
