"""PLACEHOLDER: replaced by the module that implements it in this session."""

from __future__ import annotations

from satchel.validator.context import CheckContext
from satchel.validator.report import Outcome


async def check_schema(ctx: CheckContext) -> None:
    ctx.add("schema", Outcome.NOT_CHECKED, "JSON schema validation is not implemented yet.")
