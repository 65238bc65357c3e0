"""The checks, in the fixed order the report shows them.

Each step is ``async def check_x(ctx: CheckContext) -> None`` and adds its own checks to the
report; a step never raises for bad input (a failed or not-checked outcome says why).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from satchel.validator.checks.contexts import check_contexts
from satchel.validator.checks.endorsements import check_endorsements
from satchel.validator.checks.holder import check_holder
from satchel.validator.checks.issuer import check_issuer
from satchel.validator.checks.proofs import check_issuer_key, check_proofs
from satchel.validator.checks.refresh import check_refresh
from satchel.validator.checks.schema import check_schema
from satchel.validator.checks.status import check_status
from satchel.validator.checks.subject import check_subject
from satchel.validator.checks.types import check_types
from satchel.validator.checks.validity import check_validity
from satchel.validator.context import CheckContext

CheckStep = Callable[[CheckContext], Awaitable[None]]

CREDENTIAL_STEPS: tuple[CheckStep, ...] = (
    check_contexts,
    check_types,
    check_schema,
    check_subject,
    check_issuer,
    check_proofs,
    check_issuer_key,
    check_validity,
    check_status,
    check_refresh,
    check_endorsements,
)

# Embedded credentials are verified by the engine after these steps.
PRESENTATION_STEPS: tuple[CheckStep, ...] = (
    check_contexts,
    check_types,
    check_proofs,
    check_holder,
)
