"""Fetch, verify and decode a status list credential (Bitstring Status List or StatusList2021).

Bitstring Status List v1.0 §3.2 steps 4-8: the list credential is dereferenced (failure:
STATUS_RETRIEVAL_ERROR), all its proofs must verify (failure: STATUS_VERIFICATION_ERROR), its
``encodedList`` is expanded. Satchel adds, as a verifier must before trusting any credential:
the list's type, a key controlled by the list's issuer, and (at use, see
:func:`check_list_validity`) its validity period. A list may be secured by Data Integrity
proofs or be a VC-JWT (the Recommendation's examples show both).

What may be kept in :class:`~satchel.validator.status.cache.StatusListCache` is the
:class:`VerifiedStatusList` this returns; checks that depend on the credential being checked
(purpose, issuer, index, length) and on the clock are made at use.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from satchel.did.resolver import DidResolver
from satchel.errors import SatchelError
from satchel.fetcher import FetchError, FetchResponse, GuardedFetcher, HttpStatusError
from satchel.validator.context import issuer_id
from satchel.validator.dates import DateFormatError, format_datetime, parse_datetime
from satchel.validator.inputs import has_type, parse_json
from satchel.validator.proofs.data_integrity import verify_proofs
from satchel.validator.proofs.purposes import AssertionPurpose
from satchel.validator.proofs.vc_jwt import is_compact_jwt, verify_vc_jwt
from satchel.validator.status.bitstring import decode_encoded_list
from satchel.validator.status.cache import Loaded, ttl_from_headers
from satchel.validator.status.errors import StatusRetrievalError, StatusVerificationError

# A 16 KiB list compresses to well under 1 KiB; 1 MB leaves room for huge lists and proofs.
MAX_LIST_BYTES = 1024 * 1024
# Bitstring Status List v1.0 §3.2: "SHOULD be returned as the media type of the VC secured
# format", e.g. application/vc (VCDM 2.0) or application/vc+jwt.
LIST_ACCEPT = (
    "application/vc, application/vc+ld+json, application/vc+jwt, "
    "application/ld+json;q=0.9, application/json;q=0.8, application/jwt;q=0.8"
)


class ListKind(enum.StrEnum):
    BITSTRING = "BitstringStatusList"
    STATUS_LIST_2021 = "StatusList2021"

    @property
    def credential_type(self) -> str:
        return f"{self.value}Credential"


@dataclass(frozen=True)
class VerifiedStatusList:
    """A list whose proof held, decoded. ``bits`` is the uncompressed bitstring."""

    url: str
    kind: ListKind
    list_id: str | None
    issuer: str | None
    purposes: frozenset[str]
    bits: bytes
    valid_from: datetime | None
    valid_until: datetime | None
    fetched_at: datetime
    secured_by: str


async def load_status_list(
    url: str,
    kind: ListKind,
    *,
    fetcher: GuardedFetcher,
    resolver: DidResolver,
    now: datetime,
    skew: timedelta,
) -> Loaded:
    """Fetch and verify the list at ``url``: a :class:`Loaded` holding a VerifiedStatusList."""
    response = await fetch_list_document(url, fetcher)
    fetched_at = datetime.now(UTC)
    document, secured_by = await _verified_document(response, resolver, now, skew)
    subject = _list_subject(document, kind)
    valid_from, valid_until = _validity_period(document)
    verified = VerifiedStatusList(
        url=url,
        kind=kind,
        list_id=document.get("id") if isinstance(document.get("id"), str) else None,
        issuer=issuer_id(document),
        purposes=_purposes(subject),
        bits=decode_encoded_list(subject.get("encodedList"), multibase=kind is ListKind.BITSTRING),
        valid_from=valid_from,
        valid_until=valid_until,
        fetched_at=fetched_at,
        secured_by=secured_by,
    )
    return Loaded(verified, _lifetime(response, subject))


async def fetch_list_document(url: str, fetcher: GuardedFetcher) -> FetchResponse:
    """GET a status list under the size cap; any failure is a :class:`StatusRetrievalError`."""
    try:
        # The status cache keeps verified lists by their own freshness: always ask the host.
        return await fetcher.get(url, max_bytes=MAX_LIST_BYTES, accept=LIST_ACCEPT, fresh=True)
    except HttpStatusError as exc:
        raise StatusRetrievalError(
            f"the status list host answered HTTP {exc.upstream_status} for {url}"
        ) from exc
    except FetchError as exc:
        raise StatusRetrievalError(
            f"the status list at {url} could not be fetched: {exc.reason}"
        ) from exc


def json_object(response: FetchResponse) -> dict[str, Any]:
    """The response body as a JSON object (depth-capped); else a :class:`StatusRetrievalError`."""
    try:
        value = parse_json(response.body.decode("utf-8"))
    except (UnicodeDecodeError, SatchelError) as exc:
        raise StatusRetrievalError(f"the document at {response.url} is not JSON ({exc})") from exc
    if not isinstance(value, dict):
        raise StatusRetrievalError(f"the document at {response.url} is not a JSON object")
    return value


async def _verified_document(
    response: FetchResponse, resolver: DidResolver, now: datetime, skew: timedelta
) -> tuple[dict[str, Any], str]:
    """The list credential and how it was secured, once its proof (or JWT signature) held."""
    text = response.body.strip()
    if response.content_type in ("application/vc+jwt", "application/jwt") or _is_jwt(text):
        return await _verified_jwt(text.decode("ascii", "replace"), resolver, now, skew)
    document = json_object(response)
    return document, await _verified_proofs(document, resolver, now)


def _is_jwt(text: bytes) -> bool:
    return text[:1] != b"{" and is_compact_jwt(text.decode("ascii", "replace"))


async def _verified_jwt(
    token: str, resolver: DidResolver, now: datetime, skew: timedelta
) -> tuple[dict[str, Any], str]:
    verification = await verify_vc_jwt(token, resolver=resolver, now=now, skew=skew)
    if not verification.result.verified or verification.credential is None:
        raise StatusVerificationError(
            f"the status list's JWT signature does not hold: {verification.result.reason}"
        )
    # verify_vc_jwt takes keys from the issuer's own DID only: a valid signature is the issuer's
    return verification.credential, f"JWT signed with {verification.result.verification_method}"


async def _verified_proofs(
    document: Mapping[str, Any], resolver: DidResolver, now: datetime
) -> str:
    results = await verify_proofs(document, resolver=resolver, purpose=AssertionPurpose(), now=now)
    if not results:
        raise StatusVerificationError("the status list carries no proof, so anyone could forge it")
    failed = next((r for r in results if not r.verified), None)
    if failed is not None:
        raise StatusVerificationError(f"the status list's proof does not hold: {failed.reason}")
    issuer = issuer_id(document)
    stranger = next((r for r in results if r.controller != issuer), None)
    if stranger is not None:
        raise StatusVerificationError(
            f"the status list says it was issued by {issuer}, but it was signed with "
            f"{stranger.verification_method}, a key controlled by {stranger.controller}"
        )
    methods = ", ".join(sorted({r.verification_method or "?" for r in results}))
    return f"{results[0].cryptosuite or results[0].proof_type} proof by {methods}"


def _list_subject(document: Mapping[str, Any], kind: ListKind) -> Mapping[str, Any]:
    if not has_type(document, kind.credential_type):
        raise StatusVerificationError(
            f"the document at the status list URL is not a {kind.credential_type}"
        )
    subject = document.get("credentialSubject")
    if isinstance(subject, list) and len(subject) == 1:
        subject = subject[0]
    if not isinstance(subject, Mapping) or not has_type(subject, kind.value):
        raise StatusVerificationError(
            f"the status list's credentialSubject is not a single {kind.value}"
        )
    return subject


def _purposes(subject: Mapping[str, Any]) -> frozenset[str]:
    # §2.2: statusPurpose is one string or a list of them (a list may serve several purposes)
    raw = subject.get("statusPurpose")
    values = raw if isinstance(raw, list) else [raw]
    purposes = frozenset(v for v in values if isinstance(v, str) and v)
    if not purposes:
        raise StatusVerificationError("the status list does not say what it is for (statusPurpose)")
    return purposes


def _validity_period(document: Mapping[str, Any]) -> tuple[datetime | None, datetime | None]:
    v2 = "validFrom" in document or "validUntil" in document
    start, end = ("validFrom", "validUntil") if v2 else ("issuanceDate", "expirationDate")
    try:
        return _date(document, start), _date(document, end)
    except DateFormatError as exc:
        raise StatusVerificationError(f"the status list has an unreadable date: {exc}") from exc


def _date(document: Mapping[str, Any], key: str) -> datetime | None:
    return parse_datetime(document[key])[0] if key in document else None


def check_list_validity(
    valid_from: datetime | None, valid_until: datetime | None, now: datetime, skew: timedelta
) -> None:
    """A list outside its validity period says nothing about today (VC DM 2.0 §4.9)."""
    if valid_until is not None and valid_until + skew < now:
        raise StatusVerificationError(
            f"the status list expired on {format_datetime(valid_until)}; "
            "the issuer has not published a current one"
        )
    if valid_from is not None and valid_from - skew > now:
        raise StatusVerificationError(
            f"the status list is not valid until {format_datetime(valid_from)}"
        )


def _lifetime(response: FetchResponse, subject: Mapping[str, Any]) -> float | None:
    ttl = ttl_from_headers(response.headers)
    # §2.2 ttl: milliseconds before the list should be fetched again
    list_ttl = subject.get("ttl")
    if isinstance(list_ttl, int | float) and not isinstance(list_ttl, bool) and list_ttl >= 0:
        seconds = list_ttl / 1000
        ttl = seconds if ttl is None else min(ttl, seconds)
    return ttl
