"""Fetching the OB 2.0 graph (assertion, BadgeClass, Profile, keys, revocation lists).

Every request goes through the verifier's guarded fetcher. Each URL is fetched at most once per
verification, so every check sees the same copy. Failures are sorted by what they mean for the
verdict: the server's own answer (404, not JSON) is a *failed* check; a network problem, a
refused address or the absence of a fetcher is *not-checked*; 410 Gone is the issuer's
revocation of a hosted assertion.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from satchel.errors import InputError
from satchel.fetcher import (
    FetchError,
    ForbiddenAddressError,
    GuardedFetcher,
    HttpStatusError,
    SchemeNotAllowedError,
)
from satchel.validator.inputs import parse_json
from satchel.validator.ob2.model import is_http_url
from satchel.validator.report import Outcome

MAX_DOCUMENT_BYTES = 1024 * 1024
ACCEPT = "application/ld+json, application/json;q=0.9"
# Answers from the remote server that settle the question (the resource is not there).
_DEFINITIVE_STATUSES = frozenset({400, 401, 403, 404})
_NC = Outcome.NOT_CHECKED


@dataclass(frozen=True)
class Fetched:
    """One fetch: the JSON object, or the reason there is none and what it means."""

    url: str
    document: dict[str, Any] | None = None
    final_url: str | None = None
    problem: str | None = None
    outcome: Outcome = Outcome.PASSED
    gone: bool = False

    @property
    def ok(self) -> bool:
        return self.document is not None

    @property
    def redirected(self) -> bool:
        return self.final_url is not None and self.final_url != self.url


class Graph:
    """The verifier's fetcher plus a per-verification memo of fetched documents."""

    def __init__(self, fetcher: GuardedFetcher | None) -> None:
        self.fetcher = fetcher
        self._memo: dict[str, Fetched] = {}

    @property
    def online(self) -> bool:
        return self.fetcher is not None

    async def get(self, url: str) -> Fetched:
        if url not in self._memo:
            self._memo[url] = await self._fetch(url)
        return self._memo[url]

    async def _fetch(self, url: str) -> Fetched:
        if self.fetcher is None:
            return Fetched(
                url,
                problem="Satchel was not allowed to fetch anything from the network here.",
                outcome=Outcome.NOT_CHECKED,
            )
        if not is_http_url(url):
            return Fetched(url, problem=f"{url} is not a web address.", outcome=Outcome.FAILED)
        try:
            response = await self.fetcher.get(url, max_bytes=MAX_DOCUMENT_BYTES, accept=ACCEPT)
        except HttpStatusError as exc:
            return _status_problem(url, exc.upstream_status)
        except (ForbiddenAddressError, SchemeNotAllowedError) as exc:
            return Fetched(url, problem=f"Satchel may not fetch {url}: {exc.reason}.", outcome=_NC)
        except FetchError as exc:
            return Fetched(url, problem=f"{url} could not be fetched: {exc.reason}.", outcome=_NC)
        return _parse_body(url, response.url, response.body)


def _status_problem(url: str, status: int) -> Fetched:
    if status == 410:
        return Fetched(
            url,
            problem=f"The server at {url} says it is gone for good (HTTP 410).",
            outcome=Outcome.FAILED,
            gone=True,
        )
    if status in _DEFINITIVE_STATUSES:
        return Fetched(
            url,
            problem=f"The server at {url} answered HTTP {status}: it does not serve it.",
            outcome=Outcome.FAILED,
        )
    return Fetched(
        url,
        problem=f"The server at {url} answered HTTP {status}; try again later.",
        outcome=_NC,
    )


def _parse_body(url: str, final_url: str, body: bytes) -> Fetched:
    try:
        value = parse_json(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, InputError) as exc:
        reason = exc.detail if isinstance(exc, InputError) else "it is not UTF-8 text"
        return Fetched(
            url,
            final_url=final_url,
            problem=f"{url} is not JSON: {reason}.",
            outcome=Outcome.FAILED,
        )
    if not isinstance(value, Mapping):
        return Fetched(
            url, final_url=final_url, problem=f"{url} is not a JSON object.", outcome=Outcome.FAILED
        )
    return Fetched(url, document=dict(value), final_url=final_url)
