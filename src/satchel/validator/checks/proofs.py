"""Proofs (every Data Integrity proof, or the VC-JWT signature) and issuer key control."""

from __future__ import annotations

from typing import Any

from satchel.did.resolver import CONTROLLER_PREFIXES
from satchel.validator.context import CheckContext, issuer_id
from satchel.validator.proofs.data_integrity import verify_proofs
from satchel.validator.proofs.purposes import AssertionPurpose, AuthenticationPurpose, ProofPurpose
from satchel.validator.proofs.result import ProofResult
from satchel.validator.proofs.suites import LEGACY_NAMES
from satchel.validator.report import Outcome

# Issuer ids that name a document which can list keys; others (urn:uuid:...) cannot.
RESOLVABLE_ID_PREFIXES = CONTROLLER_PREFIXES


async def check_proofs(ctx: CheckContext) -> None:
    """Every proof is reported; a JWT's signature was checked when it was decoded."""
    if ctx.jwt is not None:
        ctx.proof_results = [ctx.jwt.result]
        add_proof_check(ctx, ctx.jwt.result)
        return
    is_presentation = ctx.has_type("VerifiablePresentation")
    purpose: ProofPurpose = (
        AuthenticationPurpose(challenge=ctx.options.challenge, domain=ctx.options.domain)
        if is_presentation
        else AssertionPurpose()
    )
    ctx.proof_results = await verify_proofs(
        ctx.document,
        resolver=ctx.verifier.resolver,
        purpose=purpose,
        now=ctx.options.current_time(),
    )
    if not ctx.proof_results:
        _add_missing_proof(ctx, is_presentation)
    for result in ctx.proof_results:
        add_proof_check(ctx, result)
        if result.verified and result.cryptosuite in LEGACY_NAMES:
            ctx.add(
                "proof-suite",
                Outcome.WARNING,
                f"The proof uses {result.cryptosuite!r}, a pre-standard name of "
                f"{LEGACY_NAMES[result.cryptosuite]}; issuers should re-sign with the "
                "standard name.",
            )


def _add_missing_proof(ctx: CheckContext, is_presentation: bool) -> None:
    """A credential must be signed; an unsigned presentation only binds nobody.

    VC 2.0 allows presentations without a proof: their credentials are still verified one by
    one, but when the caller asked for a challenge an unsigned presentation cannot answer it.
    """
    if is_presentation and ctx.options.challenge is None and ctx.options.domain is None:
        ctx.add(
            "proof",
            Outcome.WARNING,
            "The presentation is not signed, so nothing shows who presents these credentials; "
            "each credential is verified on its own.",
        )
        return
    what = "presentation" if is_presentation else ctx.target
    ctx.add(
        "proof",
        Outcome.FAILED,
        f"The {what} carries no proof, so nothing shows who "
        + ("presents it." if is_presentation else "issued it."),
        error_code="PROOF_VERIFICATION_ERROR",
    )


def add_proof_check(ctx: CheckContext, result: ProofResult) -> None:
    label = result.cryptosuite or result.proof_type
    details: dict[str, Any] = {"proofType": result.proof_type}
    if result.cryptosuite:
        details["cryptosuite"] = result.cryptosuite
    if result.verification_method:
        details["verificationMethod"] = result.verification_method
    details.update(result.details)
    if result.verified:
        message = f"The {label} proof is valid"
        if result.verification_method:
            message += f", signed with {result.verification_method}"
        ctx.add("proof", Outcome.PASSED, message + ".", details=details)
        return
    ctx.add(
        "proof",
        Outcome.FAILED,
        f"The {label} proof failed: {result.reason}",
        error_code=result.error_code or "PROOF_VERIFICATION_ERROR",
        details=details,
    )


async def check_issuer_key(ctx: CheckContext) -> None:
    """The key that signed must be one the issuer controls (its DID or profile lists it)."""
    issuer = issuer_id(ctx.document)
    verified = [r for r in ctx.proof_results if r.verified]
    if issuer is None:
        ctx.add("issuer-key", Outcome.FAILED, "The credential names no issuer.")
        return
    if not verified:
        ctx.add(
            "issuer-key",
            Outcome.NOT_CHECKED,
            f"No valid proof, so it cannot be shown that {issuer} signed this credential.",
        )
        return
    if not issuer.startswith(RESOLVABLE_ID_PREFIXES):
        ctx.add(
            "issuer-key",
            Outcome.WARNING,
            f"The issuer id {issuer} cannot be looked up, so nothing links the signing key "
            f"{verified[0].verification_method} to the issuer.",
        )
        return
    strangers = [r for r in verified if r.controller != issuer]
    if strangers:
        ctx.add(
            "issuer-key",
            Outcome.FAILED,
            f"The credential says it was issued by {issuer}, but it was signed with "
            f"{strangers[0].verification_method}, a key controlled by {strangers[0].controller}.",
            error_code="PROOF_VERIFICATION_ERROR",
        )
        return
    ctx.add("issuer-key", Outcome.PASSED, f"The signing key is controlled by the issuer {issuer}.")
