"""PLACEHOLDER: replaced by the module that implements it in this session."""

from __future__ import annotations

from satchel.validator.context import CheckContext
from satchel.validator.report import Outcome


async def check_types(ctx: CheckContext) -> None:
    ctx.add("types", Outcome.NOT_CHECKED, "Type checks is not implemented yet.")
