"""The OB 2.0 pipeline: load the input, then check the assertion and everything it links to."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from satchel.validator.ob2 import nodes
from satchel.validator.ob2.hosted import check_hosting_policy, hosted_copy, hosted_url
from satchel.validator.ob2.jws import JwsError, parse_compact_jws
from satchel.validator.ob2.model import (
    PROFILE_TYPES,
    as_list,
    has_ob2_type,
    node_id,
    verification_type,
)
from satchel.validator.ob2.revocation import check_revocation
from satchel.validator.ob2.run import Run, Verdict
from satchel.validator.ob2.shapes import (
    assertion_problems,
    badge_class_problems,
    endorsement_problems,
    profile_problems,
)
from satchel.validator.ob2.signed import verify_signed
from satchel.validator.proofs.jws import CompactJws
from satchel.validator.report import Outcome

MAX_ENDORSEMENTS = 20


@dataclass(frozen=True)
class Loaded:
    """The document to check, and ``jws`` when it arrived signed."""

    document: dict[str, Any]
    jws: CompactJws | None = None


async def load(
    run: Run, document: dict[str, Any] | None, jwt: str | None, url: str | None
) -> Loaded | None:
    if jwt is not None:
        try:
            jws = parse_compact_jws(jwt)
        except JwsError as exc:
            run.add("parse", Outcome.FAILED, f"The signed badge cannot be read: {exc.detail}.")
            return None
        return Loaded(jws.payload, jws=jws)
    if document is not None:
        return Loaded(document)
    fetched = await run.graph.get(str(url))
    if fetched.document is None:
        run.gone = fetched.gone
        run.add(
            run.proof_id,
            fetched.outcome,
            f"The hosted assertion could not be read: {fetched.problem}",
        )
        if fetched.gone:
            await check_revocation(run, {}, None)
        return None
    return Loaded(fetched.document)


async def verify_document(run: Run, loaded: Loaded) -> None:
    document = loaded.document
    nodes.check_contexts(run, document)
    if not nodes.check_types(run, document):
        run.add(run.proof_id, Outcome.NOT_CHECKED, "A badge with an invalid type is not verified.")
        return
    if has_ob2_type(document, "Assertion"):
        await verify_assertion(run, loaded)
    elif has_ob2_type(document, "Endorsement"):
        await verify_endorsement(run, document, claimed=None)
    elif has_ob2_type(document, "BadgeClass"):
        nodes.check_properties(run, badge_class_problems(document), "BadgeClass")
        await nodes.resolve_issuer(run, document.get("issuer"))
        _not_a_credential(run, "a BadgeClass (a badge description)")
    elif has_ob2_type(document, *PROFILE_TYPES):
        nodes.check_properties(run, profile_problems(document), "issuer profile")
        _not_a_credential(run, "an issuer profile")
    else:
        _not_a_credential(run, f"an Open Badges 2.0 {document.get('type')!r} object")


def _not_a_credential(run: Run, what: str) -> None:
    run.add(
        run.proof_id,
        Outcome.NOT_CHECKED,
        f"This is {what}, not a badge awarded to someone: there is nothing to verify beyond "
        "its shape.",
    )


async def verify_assertion(run: Run, loaded: Loaded) -> None:
    assertion = loaded.document
    if not nodes.check_properties(run, assertion_problems(assertion), "assertion"):
        run.add(run.proof_id, Outcome.NOT_CHECKED, "A malformed assertion is not verified further.")
        return
    proof = None
    authoritative: Mapping[str, Any] = assertion
    if loaded.jws is None and verification_type(assertion) == "hosted":
        proof, hosted = await hosted_copy(run, assertion, "assertion")
        authoritative = hosted or assertion
    badge = await nodes.resolve_badge(run, authoritative.get("badge"))
    issuer_ref = node_id(badge.get("issuer")) if badge else None
    profile = await nodes.resolve_issuer(run, badge.get("issuer")) if badge else None
    if run.depth == 0:
        _keep_linked(run, badge=badge, issuer=profile)
    proof = await _verification(run, loaded, proof, issuer_ref, profile)
    run.add_verdict(run.proof_id, proof)
    nodes.check_recipient(run, authoritative.get("recipient"))
    nodes.check_validity(run, authoritative)
    await check_revocation(run, authoritative, profile)
    nodes.check_images(
        run, {"assertion": authoritative.get("image"), "badge": _get(badge, "image")}
    )
    await check_endorsements(run, {"": authoritative, ".badge": badge, ".issuer": profile})
    nodes.check_extensions(run, {"assertion": authoritative, "badge": badge, "issuer": profile})


def _keep_linked(run: Run, **documents: dict[str, Any] | None) -> None:
    for name, document in documents.items():
        if document is not None:
            run.report.linked[name] = document


async def _verification(
    run: Run,
    loaded: Loaded,
    hosted_proof: Verdict | None,
    issuer_ref: str | None,
    profile: Mapping[str, Any] | None,
) -> Verdict:
    """The ``verification`` check, and the proof verdict it leads to."""
    if loaded.jws is not None:
        return await verify_signed(run, loaded.jws, issuer_ref, profile)
    if hosted_proof is None:
        run.add(
            "verification",
            Outcome.NOT_CHECKED,
            "It says it is signed, but it was given without its signature (the JWS).",
        )
        return Verdict(
            Outcome.NOT_CHECKED,
            "A signed badge can only be verified in its signed form; give the JWS or the baked "
            "image instead.",
        )
    check_hosting_policy(run, hosted_url(loaded.document), profile)
    return hosted_proof


def _get(node: Mapping[str, Any] | None, key: str) -> Any:
    return node.get(key) if node is not None else None


async def verify_endorsement(
    run: Run, endorsement: Mapping[str, Any], *, claimed: str | None
) -> None:
    """An OB 2.0 Endorsement: a hosted claim about a badge, issuer or assertion."""
    if not nodes.check_properties(run, endorsement_problems(endorsement), "endorsement"):
        run.add(
            run.proof_id, Outcome.NOT_CHECKED, "A malformed endorsement is not verified further."
        )
        return
    if claimed is not None:
        _check_claim(run, endorsement, claimed)
    if verification_type(endorsement) != "hosted":
        run.add(run.proof_id, Outcome.NOT_CHECKED, "Signed OB 2.0 endorsements are not verified.")
        return
    proof, hosted = await hosted_copy(run, endorsement, "endorsement")
    authoritative = hosted or endorsement
    profile = await nodes.resolve_issuer(run, authoritative.get("issuer"))
    check_hosting_policy(run, hosted_url(authoritative), profile)
    run.add_verdict(run.proof_id, proof)
    nodes.check_validity(run, authoritative)


def _check_claim(run: Run, endorsement: Mapping[str, Any], claimed: str) -> None:
    subject = node_id(endorsement.get("claim"))
    if subject == claimed:
        run.add("claim", Outcome.PASSED, f"It endorses {claimed}.")
    else:
        run.add(
            "claim",
            Outcome.WARNING,
            f"It is attached to {claimed} but endorses {subject!r}.",
        )


async def check_endorsements(run: Run, holders: dict[str, Mapping[str, Any] | None]) -> None:
    """The ``endorsements`` check; each endorsement is verified under its own target.

    ``holders`` maps a target suffix ("" for the object itself, ".badge", ".issuer") to the node
    whose ``endorsement`` list is read.
    """
    entries = [
        (where, index, node_id(holder), entry)
        for where, holder in holders.items()
        if holder is not None
        for index, entry in enumerate(as_list(holder.get("endorsement")))
    ]
    if not entries:
        return
    if run.depth >= run.options.max_endorsement_depth or len(entries) > MAX_ENDORSEMENTS:
        run.add(
            "endorsements",
            Outcome.NOT_CHECKED,
            f"{len(entries)} endorsement(s) were not verified (too many or nested too deeply).",
        )
        return
    for where, index, claimed, entry in entries:
        child = run.child(f"{run.target}{where}.endorsement[{index}]")
        await _verify_endorsement_entry(child, entry, claimed)
    failed = _failed_targets(run, run.target + ".")
    if failed:
        run.add(
            "endorsements",
            Outcome.FAILED,
            f"{len(failed)} of {len(entries)} endorsement(s) failed verification.",
            details={"failed": failed},
        )
    else:
        run.add("endorsements", Outcome.PASSED, f"{len(entries)} endorsement(s) were checked.")


async def _verify_endorsement_entry(run: Run, entry: Any, claimed: str | None) -> None:
    if isinstance(entry, Mapping):
        endorsement = dict(entry)
    else:
        fetched = await run.graph.get(str(entry))
        if fetched.document is None:
            message = f"The endorsement could not be read: {fetched.problem}"
            run.add(run.proof_id, fetched.outcome, message)
            return
        endorsement = fetched.document
    if nodes.check_types(run, endorsement, ("Endorsement",)):
        await verify_endorsement(run, endorsement, claimed=claimed)


def _failed_targets(run: Run, prefix: str) -> list[str]:
    return sorted(
        {
            c.target
            for c in run.report.checks
            if c.target.startswith(prefix) and c.outcome is Outcome.FAILED
        }
    )
