"""OB 2.0 revocation: HTTP 410 on the hosted copy, or the issuer's RevocationList."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from satchel.validator.ob2.model import node_id
from satchel.validator.ob2.run import Run
from satchel.validator.ob2.shapes import revocation_list_problems, revoked_entry_matches
from satchel.validator.report import Outcome


async def check_revocation(
    run: Run, assertion: Mapping[str, Any], profile: Mapping[str, Any] | None
) -> None:
    if run.gone:
        run.add(
            "revocation",
            Outcome.FAILED,
            "The issuer has revoked this badge: its hosted copy answers 410 Gone.",
            error_code="STATUS_VERIFICATION_ERROR",
        )
        return
    if profile is None:
        run.add(
            "revocation",
            Outcome.NOT_CHECKED,
            "Without the issuer's profile, its revocation list cannot be found.",
            error_code="STATUS_RETRIEVAL_ERROR",
        )
        return
    reference = profile.get("revocationList")
    if reference is None:
        run.add(
            "revocation",
            Outcome.PASSED,
            "The issuer publishes no revocation list, so it has revoked nothing through one.",
        )
        return
    await _check_list(run, assertion, reference)


async def _check_list(run: Run, assertion: Mapping[str, Any], reference: Any) -> None:
    url = node_id(reference) or "(unnamed)"
    if isinstance(reference, Mapping):
        revocation_list = dict(reference)
    else:
        fetched = await run.graph.get(url)
        if fetched.document is None:
            _not_checked(run, f"The revocation list could not be read: {fetched.problem}")
            return
        revocation_list = fetched.document
    problems = revocation_list_problems(revocation_list)
    if problems:
        _not_checked(run, f"The revocation list at {url} is malformed: {'; '.join(problems)}.")
        return
    for entry in revocation_list.get("revokedAssertions", []):
        if revoked_entry_matches(entry, assertion):
            reason = entry.get("revocationReason") if isinstance(entry, Mapping) else None
            because = f" Reason given: {reason}" if isinstance(reason, str) else ""
            run.add(
                "revocation",
                Outcome.FAILED,
                f"The issuer has revoked this badge (listed in {url}).{because}",
                error_code="STATUS_VERIFICATION_ERROR",
                details={"revocationList": url, "revocationReason": reason},
            )
            return
    run.add("revocation", Outcome.PASSED, f"It is not in the issuer's revocation list {url}.")


def _not_checked(run: Run, message: str) -> None:
    run.add("revocation", Outcome.NOT_CHECKED, message, error_code="STATUS_RETRIEVAL_ERROR")
