"""Endorsements and a CLR's nested credentials, each verified by the same pipeline, recursively.

Endorsements (OB 3.0 ``endorsement``: EndorsementCredential objects, ``endorsementJwt``:
compact JWS) may sit on the credential, on its issuer Profile, on
``credentialSubject.achievement`` and on that achievement's ``creator`` Profile. Each one is
verified under its own target (``credential.issuer.endorsement[0]``…) and the parent gets one
``endorsements`` summary.

Decision: an endorsement is a third party's claim *about* the badge, its issuer or its
achievement; it is not part of what the issuer signed as the badge. So a forged or expired
endorsement makes the summary a ``warning`` ("do not rely on it"), not a failure of the badge.
(1EdTech's validator adds endorsement errors to the badge's own report; we keep them visible
but apart.) The report's verdict must therefore ignore checks under endorsement targets:
:func:`is_endorsement_target` says which those are.

A ClrCredential's ``credentialSubject.verifiableCredential`` entries are different: they are
the record's content, so a nested credential that fails makes the CLR fail
(``clr-credentials`` summary ``failed``), like a credential inside a presentation.

Recursion is bounded: ``options.max_endorsement_depth`` levels of nesting (endorsements and
CLR entries share the budget), at most :data:`MAX_ENDORSEMENTS` endorsements and
:data:`MAX_CLR_CREDENTIALS` nested credentials per document, and
:data:`MAX_NESTED_PER_REPORT` verified documents per input; what is left over is
``not-checked``. Nested documents are verified without the caller's expected recipient: the
recipient is a question about the outer document.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from satchel.validator.context import CheckContext, issuer_id
from satchel.validator.inputs import ParsedInput, embedded_input, has_type, looks_like_jwt
from satchel.validator.options import VerificationOptions
from satchel.validator.report import Check, Outcome

MAX_ENDORSEMENTS = 20
MAX_CLR_CREDENTIALS = 100
# Nested documents verified per report, all levels together: without it, 20 endorsements each
# carrying 20 more (and so on) would multiply into thousands of signature checks.
MAX_NESTED_PER_REPORT = 200
ENDORSEMENT_KEYS = ("endorsement", "endorsementJwt")

# A target at or under an endorsement: "credential.issuer.endorsement[0]", "…endorsementJwt[2]…"
ENDORSEMENT_TARGET = re.compile(r"\.endorsement(?:Jwt)?\[\d+\]")


def is_endorsement_target(target: str) -> bool:
    """True for checks about an endorsement (or something inside one): advisory for the verdict.

    ``VerificationReport.verified`` should consider only checks for which this is False.
    """
    return ENDORSEMENT_TARGET.search(target) is not None


@dataclass(frozen=True)
class Nested:
    """One nested document to verify: where it sits and its raw entry."""

    path: str  # relative to the parent target, e.g. "issuer.endorsement[0]"
    entry: Any
    jwt_only: bool = False


@dataclass(frozen=True)
class NestedVerdict:
    target: str
    outcome: Outcome  # passed, failed or not-checked
    reason: str


async def check_endorsements(ctx: CheckContext) -> None:
    """CLR nested credentials first (they are the record's content), then endorsements."""
    await check_clr_credentials(ctx)
    found = list(endorsement_entries(ctx.document))
    if not found:
        return
    verdicts = [await _verify_endorsement(ctx, item) for item in found[:MAX_ENDORSEMENTS]]
    _summarise_endorsements(ctx, verdicts, skipped=len(found) - MAX_ENDORSEMENTS)


async def check_clr_credentials(ctx: CheckContext) -> None:
    """A ClrCredential's nested AchievementCredentials (JSON, JWT or enveloped)."""
    if not ctx.has_type("ClrCredential"):
        return
    found = list(clr_entries(ctx.document))
    if not found:
        return
    verdicts = [await _verify_clr_entry(ctx, item) for item in found[:MAX_CLR_CREDENTIALS]]
    _summarise_clr(ctx, verdicts, skipped=len(found) - MAX_CLR_CREDENTIALS)


# --- where nested documents are ---------------------------------------------------------


def endorsement_entries(document: Mapping[str, Any]) -> Iterator[Nested]:
    """Every endorsement where OB 3.0 allows one, with its path from the document."""
    yield from _endorsements_on(document, "")
    issuer = document.get("issuer")
    if isinstance(issuer, Mapping):
        yield from _endorsements_on(issuer, "issuer.")
    for subject_path, subject in _subjects(document):
        for achievement_path, achievement in _achievements(subject, subject_path):
            yield from _endorsements_on(achievement, achievement_path + ".")
            creator = achievement.get("creator")
            if isinstance(creator, Mapping):
                yield from _endorsements_on(creator, achievement_path + ".creator.")


def clr_entries(document: Mapping[str, Any]) -> Iterator[Nested]:
    for subject_path, subject in _subjects(document):
        entries = subject.get("verifiableCredential", [])
        for index, entry in enumerate(entries if isinstance(entries, list) else [entries]):
            yield Nested(f"{subject_path}.verifiableCredential[{index}]", entry)


def _endorsements_on(node: Mapping[str, Any], prefix: str) -> Iterator[Nested]:
    for key in ENDORSEMENT_KEYS:
        entries = node.get(key, [])
        for index, entry in enumerate(entries if isinstance(entries, list) else [entries]):
            yield Nested(f"{prefix}{key}[{index}]", entry, jwt_only=key == "endorsementJwt")


def _subjects(document: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    subject = document.get("credentialSubject")
    if isinstance(subject, Mapping):
        yield "credentialSubject", subject
    elif isinstance(subject, list):
        for index, entry in enumerate(subject):
            if isinstance(entry, Mapping):
                yield f"credentialSubject[{index}]", entry


def _achievements(
    subject: Mapping[str, Any], subject_path: str
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """AchievementSubject has one achievement; a CLR's ClrSubject lists several."""
    achievement = subject.get("achievement")
    if isinstance(achievement, Mapping):
        yield f"{subject_path}.achievement", achievement
    elif isinstance(achievement, list):
        for index, entry in enumerate(achievement):
            if isinstance(entry, Mapping):
                yield f"{subject_path}.achievement[{index}]", entry


# --- verifying one nested document -------------------------------------------------------


async def _verify_endorsement(ctx: CheckContext, item: Nested) -> NestedVerdict:
    # An endorsement informs the verdict on its parent; it does not decide it.
    verdict, document = await _verify_nested(ctx, item, advisory=True)
    if verdict.outcome is Outcome.NOT_CHECKED or document is None:
        return verdict
    if not has_type(document, "EndorsementCredential"):
        reason = "it is not an EndorsementCredential"
        message = f"Not an endorsement: {reason}."
        _add(ctx, verdict.target, "endorsement", Outcome.FAILED, message, advisory=True)
        return NestedVerdict(verdict.target, Outcome.FAILED, reason)
    return verdict


async def _verify_clr_entry(ctx: CheckContext, item: Nested) -> NestedVerdict:
    # A CLR's credentials are its content: they decide its verdict like the CLR's own proof.
    verdict, _ = await _verify_nested(ctx, item, advisory=ctx.advisory)
    return verdict


async def _verify_nested(
    ctx: CheckContext, item: Nested, *, advisory: bool
) -> tuple[NestedVerdict, dict[str, Any] | None]:
    """Run the pipeline on one nested entry; its verdict and the document it turned out to be."""
    target = f"{ctx.target}.{item.path}"
    depth = ctx.depth + 1
    reason = None
    if depth > ctx.options.max_endorsement_depth:
        reason = (
            f"it is too deeply nested ({depth} levels; Satchel checks "
            f"{ctx.options.max_endorsement_depth})"
        )
    elif _verified_documents(ctx) >= MAX_NESTED_PER_REPORT:
        reason = f"this input already had {MAX_NESTED_PER_REPORT} documents verified"
    if reason is not None:
        message = f"Not verified: {reason}."
        _add(ctx, target, "nesting", Outcome.NOT_CHECKED, message, advisory=advisory)
        return NestedVerdict(target, Outcome.NOT_CHECKED, reason), None
    parsed = _nested_input(item)
    if parsed is None:
        expected = "a compact JWT" if item.jwt_only else "a credential object or a JWT"
        message = f"This entry is not {expected}."
        _add(
            ctx,
            target,
            "parse",
            Outcome.FAILED,
            message,
            error_code="PARSING_ERROR",
            advisory=advisory,
        )
        return NestedVerdict(target, Outcome.FAILED, f"it is not {expected}"), None
    first = len(ctx.report.checks)
    document = await ctx.verifier.verify_parsed(
        parsed,
        nested_options(ctx.options),
        ctx.report,
        target=target,
        depth=depth,
        advisory=advisory,
    )
    return _judge(target, ctx.report.checks[first:], document), document


def _verified_documents(ctx: CheckContext) -> int:
    """How many documents this report has run the pipeline on (each gets a proof check)."""
    return len({c.target for c in ctx.report.checks if c.id == "proof"})


def _nested_input(item: Nested) -> ParsedInput | None:
    if item.jwt_only:
        return ParsedInput(jwt=item.entry, source="jwt") if _is_jwt(item.entry) else None
    return embedded_input(item.entry)


def _is_jwt(entry: Any) -> bool:
    return isinstance(entry, str) and looks_like_jwt(entry)


def nested_options(options: VerificationOptions) -> VerificationOptions:
    """The caller's options minus the expected recipient (a question about the outer document)."""
    return dataclasses.replace(
        options, expected_email=None, expected_url=None, expected_phone=None, expected_did=None
    )


def _judge(target: str, added: list[Check], document: dict[str, Any] | None) -> NestedVerdict:
    """Failed when a check of its own failed or no proof of its own passed.

    Its own checks are those under ``target`` that are not inside a further endorsement
    (whose failure is advisory for this document too).
    """
    own = [c for c in added if _belongs_to(c.target, target)]
    failed = [c for c in own if c.outcome is Outcome.FAILED]
    if failed:
        return NestedVerdict(target, Outcome.FAILED, failed[0].message)
    if not any(c.id == "proof" and c.outcome is Outcome.PASSED for c in own):
        return NestedVerdict(target, Outcome.FAILED, "no proof of it could be verified")
    about = issuer_id(document or {}) or "an unnamed issuer"
    return NestedVerdict(target, Outcome.PASSED, f"issued by {about}")


def _belongs_to(check_target: str, target: str) -> bool:
    if check_target == target:
        return True
    if not check_target.startswith(target + "."):
        return False
    return not is_endorsement_target(check_target[len(target) :])


def _add(
    ctx: CheckContext,
    target: str,
    check_id: str,
    outcome: Outcome,
    message: str,
    *,
    error_code: str | None = None,
    advisory: bool,
) -> None:
    ctx.report.add(Check(check_id, outcome, message, target, error_code, advisory=advisory))


# --- summaries on the parent --------------------------------------------------------------


def _summarise_endorsements(
    ctx: CheckContext, verdicts: list[NestedVerdict], *, skipped: int
) -> None:
    total = len(verdicts) + max(skipped, 0)
    failed = [v for v in verdicts if v.outcome is Outcome.FAILED]
    unchecked = [v for v in verdicts if v.outcome is Outcome.NOT_CHECKED]
    passed = len(verdicts) - len(failed) - len(unchecked)
    details = {"endorsements": [_verdict_json(v) for v in verdicts]}
    if failed:
        first = failed[0]
        ctx.add(
            "endorsements",
            Outcome.WARNING,
            f"{len(failed)} of {total} endorsements could not be verified, so do not rely on "
            f"them (for example {first.target}: {first.reason}). The {ctx.target} itself does "
            "not depend on its endorsements.",
            details=details,
        )
    elif unchecked or skipped > 0:
        not_checked = len(unchecked) + max(skipped, 0)
        limit = f" (only the first {MAX_ENDORSEMENTS} are checked)" if skipped > 0 else ""
        ctx.add(
            "endorsements",
            Outcome.NOT_CHECKED,
            f"{passed} of {total} endorsements verified; {not_checked} not checked{limit}.",
            details=details,
        )
    else:
        noun = "endorsement" if total == 1 else "endorsements"
        ctx.add("endorsements", Outcome.PASSED, f"{total} {noun} verified.", details=details)


def _summarise_clr(ctx: CheckContext, verdicts: list[NestedVerdict], *, skipped: int) -> None:
    total = len(verdicts) + max(skipped, 0)
    failed = [v for v in verdicts if v.outcome is Outcome.FAILED]
    unchecked = len([v for v in verdicts if v.outcome is Outcome.NOT_CHECKED]) + max(skipped, 0)
    details = {"credentials": [_verdict_json(v) for v in verdicts]}
    if failed:
        first = failed[0]
        ctx.add(
            "clr-credentials",
            Outcome.FAILED,
            f"{len(failed)} of the {total} credentials in this record failed verification "
            f"(for example {first.target}: {first.reason}).",
            details=details,
        )
    elif unchecked:
        ctx.add(
            "clr-credentials",
            Outcome.NOT_CHECKED,
            f"{total - unchecked} of the {total} credentials in this record were verified; "
            f"{unchecked} could not be checked (at most {MAX_CLR_CREDENTIALS} are checked, "
            f"{ctx.options.max_endorsement_depth} levels deep).",
            details=details,
        )
    else:
        ctx.add(
            "clr-credentials",
            Outcome.PASSED,
            f"All {total} credentials in this record were verified.",
            details=details,
        )


def _verdict_json(verdict: NestedVerdict) -> dict[str, str]:
    return {"target": verdict.target, "outcome": str(verdict.outcome), "reason": verdict.reason}
