"""Credential status: each ``credentialStatus`` entry is checked and reported as a "status" check.

Outcomes, and why:

- revoked or suspended: ``failed`` (Bitstring Status List v1.0 §2.1: revocation cancels the
  credential for good, suspension until the issuer lifts it);
- not revoked / not suspended: ``passed``, saying when the list was fetched;
- ``message`` purpose: ``passed`` with the issuer's message (the spec gives it no bearing on
  validity; its meaning lies in ``statusReference``), ``warning`` when the value has no message;
  ``refresh`` set: ``warning`` (a newer credential is available, this one still stands);
- the list could not be fetched, verified or read: ``not-checked`` with the spec's error name,
  never "not revoked";
- the credential's own entry breaks its type's rules: ``failed`` (MALFORMED_VALUE_ERROR);
- an unknown status type: ``not-checked`` naming it;
- no ``credentialStatus``: one ``passed`` check saying there is nothing the issuer can revoke.

A list whose issuer is not the credential's issuer, or whose ``id`` is not the URL the entry
names (§2.2 requires both to match), cannot vouch that the credential is *not* revoked:
``not-checked``. A set revocation or suspension bit in such a list still fails the credential,
so a mismatch never makes a badge look better than it is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from satchel.fetcher import GuardedFetcher
from satchel.validator.context import CheckContext, issuer_id
from satchel.validator.dates import format_datetime
from satchel.validator.report import Outcome
from satchel.validator.status.bitstring import MIN_STATUS_LIST_ENTRIES, entry_count, read_status
from satchel.validator.status.cache import Loaded
from satchel.validator.status.entries import (
    BITSTRING_ENTRY,
    REVOCATION_LIST_1EDTECH,
    STATUS_LIST_2021_ENTRY,
    ListEntry,
    Purpose,
    RevocationListEntry,
    entry_type,
    parse_list_entry,
    parse_revocation_entry,
)
from satchel.validator.status.errors import (
    MalformedStatusEntryError,
    StatusError,
    StatusListLengthError,
    StatusRetrievalError,
    StatusVerificationError,
)
from satchel.validator.status.lists import (
    ListKind,
    VerifiedStatusList,
    check_list_validity,
    load_status_list,
)
from satchel.validator.status.revocation_1edtech import RevocationList, load_revocation_list

# Each entry may cost a fetch: a credential cannot make one verification fetch without bound.
MAX_STATUS_ENTRIES = 8


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    message: str
    error_code: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


async def check_status(ctx: CheckContext) -> None:
    raw = ctx.document.get("credentialStatus")
    entries = raw if isinstance(raw, list) else [] if raw is None else [raw]
    if not entries:
        ctx.add(
            "status",
            Outcome.PASSED,
            f"The {ctx.target} has no status entry (credentialStatus), so its issuer cannot "
            "revoke or suspend it; there is no status to check.",
            details={"entries": 0},
        )
        return
    checked = entries[:MAX_STATUS_ENTRIES]
    verdicts = await asyncio.gather(*(_check_entry(ctx, entry) for entry in checked))
    for position, verdict in enumerate(verdicts):
        details = {"entry": position, **verdict.details} if len(entries) > 1 else verdict.details
        ctx.add(
            "status",
            verdict.outcome,
            verdict.message,
            error_code=verdict.error_code,
            details=details,
        )
    if len(entries) > MAX_STATUS_ENTRIES:
        ctx.add(
            "status",
            Outcome.NOT_CHECKED,
            f"The {ctx.target} has {len(entries)} status entries; only the first "
            f"{MAX_STATUS_ENTRIES} were checked.",
            error_code="STATUS_RETRIEVAL_ERROR",
        )


async def _check_entry(ctx: CheckContext, entry: object) -> Verdict:
    if not isinstance(entry, Mapping):
        return Verdict(
            Outcome.FAILED,
            "A credentialStatus entry must be a JSON object.",
            MalformedStatusEntryError.error_code,
        )
    type_name = entry_type(entry)
    details = _entry_details(entry, type_name)
    try:
        if type_name in (BITSTRING_ENTRY, STATUS_LIST_2021_ENTRY):
            verdict = await _check_list_entry(ctx, parse_list_entry(entry, type_name))
        elif type_name == REVOCATION_LIST_1EDTECH:
            verdict = await _check_revocation_entry(ctx, parse_revocation_entry(entry))
        elif type_name is None:
            raise MalformedStatusEntryError("the status entry has no type")
        else:
            return Verdict(
                Outcome.NOT_CHECKED,
                f"The status type {type_name!r} is not one Satchel knows, so this status "
                "entry was not checked.",
                details=details,
            )
    except MalformedStatusEntryError as exc:
        return Verdict(
            Outcome.FAILED,
            f"The credential's status entry is malformed: {exc.detail}.",
            exc.error_code,
            details,
        )
    except StatusError as exc:
        return Verdict(
            Outcome.NOT_CHECKED,
            "The status could not be checked, so it is unknown whether the issuer revoked or "
            f"suspended this credential: {exc.detail}.",
            exc.error_code,
            details,
        )
    return Verdict(verdict.outcome, verdict.message, verdict.error_code, details | verdict.details)


def _entry_details(entry: Mapping[str, Any], type_name: str | None) -> dict[str, Any]:
    details: dict[str, Any] = {"type": type_name}
    for key in ("statusPurpose", "statusListCredential", "statusListIndex", "statusSize"):
        if isinstance(entry.get(key), str | int):
            details[key] = entry[key]
    if type_name == REVOCATION_LIST_1EDTECH and isinstance(entry.get("id"), str):
        details["revocationList"] = entry["id"]
    return details


def _fetcher(ctx: CheckContext, url: str) -> GuardedFetcher:
    if ctx.verifier.fetcher is None:
        raise StatusRetrievalError(
            f"this verifier is set up to fetch nothing, so the list at {url} was not retrieved"
        )
    return ctx.verifier.fetcher


# --- Bitstring Status List and StatusList2021 ---------------------------------------------


async def _check_list_entry(ctx: CheckContext, entry: ListEntry) -> Verdict:
    fetcher = _fetcher(ctx, entry.list_url)
    kind = ListKind.BITSTRING if entry.type == BITSTRING_ENTRY else ListKind.STATUS_LIST_2021
    now, skew = ctx.options.current_time(), ctx.options.clock_skew

    async def load() -> Loaded:
        return await load_status_list(
            entry.list_url,
            kind,
            fetcher=fetcher,
            resolver=ctx.verifier.resolver,
            now=now,
            skew=skew,
        )

    status_list, cached = await ctx.verifier.status_cache.get_or_load(
        (kind.value, entry.list_url), VerifiedStatusList, load
    )
    check_list_validity(status_list.valid_from, status_list.valid_until, now, skew)
    if entry.purpose not in status_list.purposes:
        raise StatusVerificationError(
            f"the entry is for {entry.purpose!r}, but the list at {entry.list_url} is for "
            f"{', '.join(sorted(status_list.purposes))}"
        )
    if entry_count(status_list.bits, entry.size) < MIN_STATUS_LIST_ENTRIES:
        raise StatusListLengthError(
            f"the list at {entry.list_url} holds {entry_count(status_list.bits, entry.size)} "
            f"entries; the spec requires at least {MIN_STATUS_LIST_ENTRIES} so that a status "
            "says little about who holds the credential"
        )
    value = read_status(status_list.bits, entry.index, entry.size)
    verdict = _list_verdict(entry, status_list, value, _binding_problem(ctx, entry, status_list))
    details = {
        "status": hex(value),
        "fetchedAt": format_datetime(status_list.fetched_at),
        "fromCache": cached,
        "securedBy": status_list.secured_by,
    }
    if entry.references:
        details["statusReference"] = list(entry.references)
    if value in entry.messages:
        details["statusMessage"] = entry.messages[value]
    return Verdict(verdict.outcome, verdict.message, verdict.error_code, details)


def _binding_problem(ctx: CheckContext, entry: ListEntry, status_list: VerifiedStatusList) -> str:
    """Why this list cannot vouch for this credential, or "" when it can."""
    issuer = issuer_id(ctx.document)
    if status_list.issuer != issuer:
        return (
            f"the list is issued by {status_list.issuer}, not by the credential's issuer {issuer}"
        )
    if status_list.list_id not in (entry.list_url, _without_fragment(entry.list_url)):
        return f"the list's id is {status_list.list_id}, not the URL {entry.list_url} that names it"
    return ""


def _without_fragment(url: str) -> str:
    return url.split("#", 1)[0]


def _list_verdict(
    entry: ListEntry, status_list: VerifiedStatusList, value: int, problem: str
) -> Verdict:
    when = format_datetime(status_list.fetched_at)
    where = f"(list {entry.list_url}, entry {entry.index})"
    label = f" ({entry.messages[value]!r})" if value in entry.messages else ""
    caveat = f" Note: {problem}." if problem else ""
    if entry.purpose in (Purpose.REVOCATION, Purpose.SUSPENSION) and value:
        if entry.purpose == Purpose.REVOCATION:
            return Verdict(
                Outcome.FAILED,
                f"The issuer has revoked this credential{label} {where}, as of {when}.{caveat}",
            )
        return Verdict(
            Outcome.FAILED,
            f"The issuer has suspended this credential{label} {where}, as of {when}; a "
            f"suspension may be lifted later.{caveat}",
        )
    if problem:
        raise StatusVerificationError(f"{problem}, so it cannot vouch for this credential")
    return _clear_or_informational(entry, value, label, where, when)


def _clear_or_informational(
    entry: ListEntry, value: int, label: str, where: str, when: str
) -> Verdict:
    if entry.purpose == Purpose.REVOCATION:
        return Verdict(Outcome.PASSED, f"Not revoked as of {when} {where}.")
    if entry.purpose == Purpose.SUSPENSION:
        return Verdict(Outcome.PASSED, f"Not suspended as of {when} {where}.")
    if entry.purpose == Purpose.MESSAGE:
        if not label:
            return Verdict(
                Outcome.WARNING,
                f"The status list holds {hex(value)} for this credential, a value its "
                f"statusMessage does not explain {where}.",
            )
        reference = f" Explained at: {', '.join(entry.references)}." if entry.references else ""
        return Verdict(
            Outcome.PASSED,
            f"The issuer's status message for this credential is{label}, status {hex(value)} "
            f"{where}, as of {when}.{reference}",
        )
    if entry.purpose == Purpose.REFRESH:
        if value:
            return Verdict(
                Outcome.WARNING,
                f"The issuer has published a newer version of this credential {where}, as of "
                f"{when}; ask the holder for it (this one is not revoked by that).",
            )
        return Verdict(Outcome.PASSED, f"No newer version is signalled as of {when} {where}.")
    if value:
        return Verdict(
            Outcome.WARNING,
            f"The status {entry.purpose!r} is set to {hex(value)}{label} {where}, as of {when}; "
            "Satchel does not know what this purpose means.",
        )
    return Verdict(Outcome.PASSED, f"The status {entry.purpose!r} is not set as of {when} {where}.")


# --- 1EdTech Revocation List ---------------------------------------------------------------


async def _check_revocation_entry(ctx: CheckContext, entry: RevocationListEntry) -> Verdict:
    fetcher = _fetcher(ctx, entry.list_url)

    async def load() -> Loaded:
        return await load_revocation_list(entry.list_url, fetcher=fetcher)

    revocations, cached = await ctx.verifier.status_cache.get_or_load(
        (REVOCATION_LIST_1EDTECH, entry.list_url), RevocationList, load
    )
    credential_id = ctx.document.get("id")
    if not isinstance(credential_id, str):
        raise MalformedStatusEntryError(
            "the credential has no id, so it cannot be looked up in its revocation list"
        )
    issuer = issuer_id(ctx.document)
    when = format_datetime(revocations.fetched_at)
    where = f"(revocation list {entry.list_url})"
    details = {"fetchedAt": when, "fromCache": cached}
    other_issuer = revocations.issuer is not None and revocations.issuer != issuer
    caveat = f" Note: the list is issued by {revocations.issuer}." if other_issuer else ""
    if credential_id in revocations.revoked:
        reason = revocations.revoked[credential_id]
        because = f" The reason given: {reason}." if reason else ""
        return Verdict(
            Outcome.FAILED,
            f"The issuer has revoked this credential {where}, as of {when}.{because}{caveat}",
            details=details | ({"revocationReason": reason} if reason else {}),
        )
    if other_issuer:
        raise StatusVerificationError(
            f"the revocation list at {entry.list_url} is issued by {revocations.issuer}, not by "
            f"the credential's issuer {issuer}, so it cannot vouch for this credential"
        )
    return Verdict(
        Outcome.PASSED,
        f"Not revoked as of {when}: the issuer's revocation list does not list this credential "
        f"{where}. The list is not signed; it is trusted because the credential names it.",
        details=details,
    )
