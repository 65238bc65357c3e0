"""Holder binding: the presentation's ``holder`` must control the key that authenticated it.

Without this, anyone who copied a learner's credentials could present them under the
learner's name. A presentation may carry several proofs; one valid proof by a key the holder
controls is enough (other valid proofs, e.g. by a co-signer, do not unbind it).
"""

from __future__ import annotations

from collections.abc import Mapping

from satchel.validator.context import CheckContext
from satchel.validator.report import Outcome


async def check_holder(ctx: CheckContext) -> None:
    holder = ctx.document.get("holder")
    if holder is None:
        ctx.add(
            "holder",
            Outcome.WARNING,
            "The presentation names no holder, so nothing ties it to the person presenting it.",
        )
        return
    holder_id = _holder_id(holder)
    if holder_id is None:
        ctx.add(
            "holder",
            Outcome.FAILED,
            "The presentation's holder must be a URI or an object with an id.",
            error_code="MALFORMED_HOLDER",
        )
        return
    verified = [r for r in ctx.proof_results if r.verified]
    if not ctx.proof_results:
        # Unsigned but naming a holder: a claim of who presents it that nothing backs.
        ctx.add(
            "holder",
            Outcome.FAILED,
            f"The presentation names {holder_id} as its holder but is not signed, so nothing "
            "shows that they presented it.",
        )
        return
    if not verified:
        ctx.add(
            "holder",
            Outcome.NOT_CHECKED,
            f"No valid proof, so it cannot be shown that {holder_id} presented this.",
        )
        return
    bound = next((r for r in verified if _same_subject(r.controller, holder_id)), None)
    if bound is not None:
        ctx.add(
            "holder",
            Outcome.PASSED,
            f"The holder {holder_id} signed the presentation (key {bound.verification_method}).",
        )
        return
    signer = verified[0]
    ctx.add(
        "holder",
        Outcome.FAILED,
        f"The presentation says it is held by {holder_id}, but it was signed with "
        f"{signer.verification_method}, a key controlled by {signer.controller or 'someone else'}.",
        error_code="PROOF_VERIFICATION_ERROR",
    )


def _holder_id(holder: object) -> str | None:
    if isinstance(holder, Mapping):
        holder = holder.get("id")
    return holder if isinstance(holder, str) and holder else None


def _same_subject(controller: str | None, holder_id: str) -> bool:
    """A holder written as a DID URL (``did:x#key``) still names the DID that controls keys."""
    return controller is not None and controller == holder_id.partition("#")[0]
