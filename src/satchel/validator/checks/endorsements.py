"""PLACEHOLDER: replaced by the module that implements it in this session."""

from __future__ import annotations

from satchel.validator.context import CheckContext
from satchel.validator.report import Outcome


async def check_endorsements(ctx: CheckContext) -> None:
    ctx.add("endorsements", Outcome.NOT_CHECKED, "Endorsement verification is not implemented yet.")
