"""Signed verification: a JWS whose key the issuer's profile lists as its own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from satchel.validator.ob2.jws import JwsError, verify_signature
from satchel.validator.ob2.model import node_id, verification_of, verification_type
from satchel.validator.ob2.run import Run, Verdict
from satchel.validator.ob2.shapes import key_problems, profile_keys
from satchel.validator.proofs.jws import CompactJws
from satchel.validator.report import Outcome

MAX_KEYS_TRIED = 10


async def verify_signed(
    run: Run, jws: CompactJws, issuer_ref: str | None, profile: Mapping[str, Any] | None
) -> Verdict:
    """Add the ``verification`` check (key ownership); return the proof verdict."""
    assertion = jws.payload
    if verification_type(assertion) != "signed":
        run.add(
            "verification",
            Outcome.FAILED,
            "It arrives signed, but its verification type says it is hosted: a signed badge "
            "must say it is signed.",
        )
        return Verdict(Outcome.NOT_CHECKED, "The signature was not checked (see verification).")
    if profile is None:
        message = "Without the issuer's profile, nobody can say which keys the issuer owns."
        run.add("verification", Outcome.NOT_CHECKED, message)
        return Verdict(Outcome.NOT_CHECKED, "The signature was not checked: " + message)
    key_urls = _candidate_keys(assertion, profile)
    if not key_urls:
        run.add("verification", Outcome.FAILED, "Neither the badge nor its issuer names a key.")
        return _proof_failed("There is no key to check the signature with.")
    outcome = (Verdict(Outcome.NOT_CHECKED, "No key was tried."), _NOT_TRIED)
    for url in key_urls[:MAX_KEYS_TRIED]:
        outcome = await _try_key(run, jws, url, issuer_ref, profile)
        if outcome[1].outcome is Outcome.PASSED:
            break
    run.add_verdict("verification", outcome[0])
    return outcome[1]


_NOT_TRIED = Verdict(Outcome.NOT_CHECKED, "The signature was not checked.")


def _candidate_keys(assertion: Mapping[str, Any], profile: Mapping[str, Any]) -> list[str]:
    """The key the badge names (``creator``), else every key the issuer lists."""
    verification = verification_of(assertion)
    creator = node_id(verification.get("creator")) if isinstance(verification, Mapping) else None
    return [creator] if creator else profile_keys(profile)


async def _try_key(
    run: Run,
    jws: CompactJws,
    url: str,
    issuer_ref: str | None,
    profile: Mapping[str, Any],
) -> tuple[Verdict, Verdict]:
    """The (verification, proof) verdicts for one key."""
    fetched = await run.graph.get(url)
    if fetched.document is None:
        message = f"The signing key could not be read: {fetched.problem}"
        return Verdict(fetched.outcome, message), Verdict(
            Outcome.NOT_CHECKED, "The signature was not checked: " + message
        )
    key = fetched.document
    ownership = _ownership_problem(key, url, issuer_ref, profile)
    if ownership:
        return Verdict(Outcome.FAILED, ownership, details={"key": url}), _proof_failed(
            "It was signed with a key the issuer does not vouch for."
        )
    owned = Verdict(
        Outcome.PASSED,
        f"It is signed, and the issuer's profile lists the key {url} as its own.",
        details={"key": url},
    )
    return owned, _signature_verdict(jws, url, str(key["publicKeyPem"]))


def _signature_verdict(jws: CompactJws, url: str, pem: str) -> Verdict:
    try:
        valid = verify_signature(jws, pem)
    except JwsError as exc:
        return _proof_failed(f"The signature cannot be checked: {exc.detail}.")
    if not valid:
        return _proof_failed("The signature does not match: the badge was altered after signing.")
    return Verdict(
        Outcome.PASSED,
        f"The {jws.algorithm} signature is valid for the issuer's key {url}.",
        details={"key": url, "alg": jws.algorithm},
    )


def _ownership_problem(
    key: Mapping[str, Any], url: str, issuer_ref: str | None, profile: Mapping[str, Any]
) -> str | None:
    problems = key_problems(key)
    if problems:
        return f"The key document at {url} is malformed: {'; '.join(problems)}."
    owners = {v for v in (issuer_ref, node_id(profile)) if v}
    if key.get("owner") not in owners:
        return f"The key {url} belongs to {key.get('owner')!r}, not to the badge's issuer."
    listed = profile_keys(profile)
    if url not in listed and node_id(key) not in listed:
        return f"The issuer's profile does not list the key {url} among its keys."
    return None


def _proof_failed(message: str) -> Verdict:
    return Verdict(Outcome.FAILED, message, "PROOF_VERIFICATION_ERROR")
