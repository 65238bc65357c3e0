"""refreshService: noted, and contacted only when the caller opts in (``options.fetch_refresh``).

A refresh service is the issuer's offer to hand out a newer copy of the credential; it says
nothing about whether this copy is valid, so it never fails a credential: a malformed entry or
an unreachable service is a ``warning``. When the caller opts in, Satchel only GETs a
``1EdTechCredentialRefresh`` service (OB 3.0: the id is the URL that returns the refreshed
credential) through the guarded fetcher, and reports whether it answered. It never follows
anything that could issue or change a credential (no POST, no VC-API exchange), and the
answer is not verified or substituted for the credential under check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from satchel.fetcher import FetchError, HttpStatusError
from satchel.validator.context import CheckContext
from satchel.validator.report import Outcome

FETCHABLE_TYPES = frozenset({"1EdTechCredentialRefresh"})
MAX_REFRESH_SERVICES = 3
MAX_REFRESH_BYTES = 256 * 1024
REFRESH_ACCEPT = "application/vc+ld+json, application/ld+json, application/json, application/vc+jwt"


@dataclass(frozen=True)
class RefreshService:
    type: str
    id: str

    @property
    def label(self) -> str:
        return f"a {self.type} refresh service at {self.id}"


async def check_refresh(ctx: CheckContext) -> None:
    if "refreshService" not in ctx.document:
        return
    raw = ctx.document["refreshService"]
    entries = raw if isinstance(raw, list) else [raw]
    if not entries:
        _malformed(ctx, "it is an empty list")
        return
    for position, entry in enumerate(entries[:MAX_REFRESH_SERVICES]):
        where = "refreshService" if not isinstance(raw, list) else f"refreshService[{position}]"
        service = _parse(entry)
        if isinstance(service, str):
            _malformed(ctx, f"{where} {service}")
            continue
        await _note(ctx, service)
    if len(entries) > MAX_REFRESH_SERVICES:
        ctx.add(
            "refresh",
            Outcome.NOT_CHECKED,
            f"The credential lists {len(entries)} refresh services; only the first "
            f"{MAX_REFRESH_SERVICES} were looked at.",
        )


def _parse(entry: Any) -> RefreshService | str:
    """The service, or why the entry is malformed (id and type are required strings)."""
    if not isinstance(entry, Mapping):
        return "is not an object"
    kind, ident = entry.get("type"), entry.get("id")
    if not isinstance(kind, str) or not kind:
        return "has no type"
    if not isinstance(ident, str) or not ident.lower().startswith(("https://", "http://")):
        return "has no http(s) URL as its id"
    return RefreshService(kind, ident)


def _malformed(ctx: CheckContext, problem: str) -> None:
    ctx.add(
        "refresh",
        Outcome.WARNING,
        f"The credential's refreshService is malformed: {problem}. The credential can still be "
        "valid, but its issuer's refresh offer cannot be used.",
    )


async def _note(ctx: CheckContext, service: RefreshService) -> None:
    details = {"type": service.type, "id": service.id}
    insecure = not service.id.lower().startswith("https://")
    if not ctx.options.fetch_refresh or service.type not in FETCHABLE_TYPES:
        why = (
            "it was not contacted"
            if not ctx.options.fetch_refresh
            else f"only {', '.join(sorted(FETCHABLE_TYPES))} services are contacted"
        )
        outcome = Outcome.WARNING if insecure else Outcome.PASSED
        suffix = " It is not an https address." if insecure else ""
        ctx.add(
            "refresh",
            outcome,
            f"The issuer offers {service.label}; {why}.{suffix}",
            details=details,
        )
        return
    await _contact(ctx, service, details)


async def _contact(ctx: CheckContext, service: RefreshService, details: dict[str, Any]) -> None:
    fetcher = ctx.verifier.fetcher
    if fetcher is None:
        ctx.add(
            "refresh",
            Outcome.NOT_CHECKED,
            f"The issuer offers {service.label}; this verifier makes no network requests, so it "
            "was not contacted.",
            details=details,
        )
        return
    try:
        response = await fetcher.get(service.id, max_bytes=MAX_REFRESH_BYTES, accept=REFRESH_ACCEPT)
    except HttpStatusError as exc:
        details["httpStatus"] = exc.upstream_status
        _unreachable(ctx, service, f"it answered HTTP {exc.upstream_status}", details)
        return
    except FetchError as exc:
        _unreachable(ctx, service, exc.reason, details)
        return
    details.update(httpStatus=response.status, contentType=response.content_type)
    ctx.add(
        "refresh",
        Outcome.PASSED,
        f"The issuer offers {service.label}; it answered (HTTP {response.status}, "
        f"{len(response.body)} bytes of {response.content_type or 'unlabelled content'}). "
        "What it returned was not verified and does not replace this credential.",
        details=details,
    )


def _unreachable(
    ctx: CheckContext, service: RefreshService, reason: str, details: dict[str, Any]
) -> None:
    ctx.add(
        "refresh",
        Outcome.WARNING,
        f"The issuer offers {service.label}, but it could not be reached: {reason}. This does "
        "not affect whether this copy of the credential is valid.",
        details=details,
    )
