"""Hosted verification: the issuer serves the assertion at its own id, on an allowed origin."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from satchel.validator.ob2.model import as_list, authority, is_http_url, node_id, verification_of
from satchel.validator.ob2.run import Run, Verdict
from satchel.validator.report import Outcome


def hosted_url(document: Mapping[str, Any]) -> str | None:
    """Where the issuer hosts it: its id, or (OB 1.x) ``verify.url``."""
    ident = node_id(document)
    if is_http_url(ident):
        return ident
    verification = verification_of(document)
    url = verification.get("url") if isinstance(verification, Mapping) else None
    return url if is_http_url(url) else None


async def hosted_copy(
    run: Run, document: Mapping[str, Any], what: str
) -> tuple[Verdict, dict[str, Any] | None]:
    """Fetch the hosted copy; the proof verdict and the issuer's copy (None when unavailable).

    The copy at hand must equal the hosted one (a document just fetched from that same address
    trivially does: the graph fetches each address once).
    """
    url = hosted_url(document)
    if url is None:
        return _failed(
            f"It is hosted, but its id {node_id(document)!r} is not a web address."
        ), None
    fetched = await run.graph.get(url)
    if fetched.gone:
        run.gone = True
        return Verdict(
            Outcome.NOT_CHECKED,
            f"The issuer no longer serves it at {url} (HTTP 410 Gone): it has been revoked.",
        ), None
    if fetched.document is None:
        verdict = Verdict(fetched.outcome, f"Its hosted copy could not be read: {fetched.problem}")
        return verdict, None
    hosted = fetched.document
    if node_id(hosted) != url:
        return _failed(
            f"The {what} served at {url} says its id is {node_id(hosted)!r}; a hosted "
            f"{what}'s id must be the address it is served from.",
            details={"url": url, "servedId": node_id(hosted)},
        ), None
    if hosted != document:
        return _failed(
            f"This copy differs from the one the issuer hosts at {url}: it was altered.",
            details={"url": url, "differentProperties": _different_keys(document, hosted)},
        ), hosted
    details = {"url": url}
    if fetched.redirected:
        details["servedFrom"] = str(fetched.final_url)
    return Verdict(
        Outcome.PASSED, f"The issuer hosts this exact {what} at its id {url}.", details=details
    ), hosted


def _failed(message: str, details: dict[str, Any] | None = None) -> Verdict:
    return Verdict(Outcome.FAILED, message, "PROOF_VERIFICATION_ERROR", details or {})


def _different_keys(given: Mapping[str, Any], hosted: Mapping[str, Any]) -> list[str]:
    keys = set(given) | set(hosted)
    return sorted(k for k in keys if given.get(k) != hosted.get(k))


def check_hosting_policy(run: Run, url: str | None, profile: Mapping[str, Any] | None) -> None:
    """The ``verification`` check of a hosted assertion: ``startsWith`` and ``allowedOrigins``.

    Without an explicit policy the issuer's own domain (the authority of its id) is the only
    allowed origin, as the OB 2.0 VerificationObject defaults say.
    """
    if url is None:
        return
    if profile is None:
        run.add(
            "verification",
            Outcome.NOT_CHECKED,
            "Without the issuer's profile, nobody can say where it allows its badges to be hosted.",
        )
        return
    policy = verification_of(profile)
    policy = policy if isinstance(policy, Mapping) else {}
    prefixes = [p for p in as_list(policy.get("startsWith")) if isinstance(p, str)]
    if prefixes and not any(url.startswith(p) for p in prefixes):
        run.add(
            "verification",
            Outcome.FAILED,
            f"It is hosted at {url}, which does not start with any address the issuer allows "
            f"({', '.join(prefixes)}).",
            details={"startsWith": prefixes},
        )
        return
    _check_origins(run, url, profile, policy)


def _check_origins(
    run: Run, url: str, profile: Mapping[str, Any], policy: Mapping[str, Any]
) -> None:
    origins = [o.lower() for o in as_list(policy.get("allowedOrigins")) if isinstance(o, str)]
    issuer_id = node_id(profile)
    if not origins and is_http_url(issuer_id):
        origins = [authority(str(issuer_id))]
    if not origins:
        run.add(
            "verification",
            Outcome.WARNING,
            f"The issuer's id {issuer_id!r} has no web domain, so there is no rule saying where "
            "its badges may be hosted.",
        )
        return
    if authority(url) not in origins:
        run.add(
            "verification",
            Outcome.FAILED,
            f"It is hosted on {authority(url)}, which the issuer does not allow "
            f"(allowed: {', '.join(origins)}).",
            details={"allowedOrigins": origins},
        )
        return
    run.add(
        "verification",
        Outcome.PASSED,
        f"It is hosted on {authority(url)}, where the issuer allows its badges to be hosted.",
        details={"allowedOrigins": origins},
    )
