"""VC-JWT and VC-JOSE: credentials secured as a compact JWS — sign and verify in one place.

Two payload shapes are read:

* ``"vc-jwt"`` — VC Data Model 1.1 §6.3.1: the credential sits in the ``vc`` claim (a
  presentation in ``vp``) and the registered claims ``iss``, ``sub``, ``nbf``, ``exp``, ``jti``
  stand for ``issuer``, ``credentialSubject.id``, the start and end dates and ``id``.
* ``"vc+jwt"`` — Open Badges 3.0 §8.2 / VC-JOSE-COSE: the payload *is* the credential, with the
  same registered claims added beside its own members (OB 3.0 §8.2.3 requires ``iss``, ``jti``,
  ``nbf``, ``sub``, and ``exp`` when the credential has ``validUntil``).

The shape follows the payload, never the ``typ`` header: a ``vc`` (or ``vp``) object member
means ``"vc-jwt"``; otherwise a payload with ``@context`` and ``type`` is ``"vc+jwt"``. ``typ``
may be absent, ``JWT`` (what OB 3.0 §8.2.2 asks for), ``vc+jwt`` / ``vp+jwt`` (VC-JOSE-COSE), or
the draft names ``vc+ld+json+jwt`` / ``vp+ld+json+jwt``; anything else (an SD-JWT, an access
token...) is refused.

A claim is compared with the credential only when both are present (VC-JOSE-COSE makes the claims
optional). Dates are matched against the property of the credential's own data model: VC 1.1
(``https://www.w3.org/2018/credentials/v1`` first in ``@context``) uses ``issuanceDate`` /
``expirationDate``, VC 2.0 ``validFrom`` / ``validUntil``; the other name is the fallback. The
comparison is to the second, since a NumericDate usually drops the fraction.

Keys come from the issuer's DID only, so a valid signature always means "signed by the issuer":
a DID URL ``kid`` (absolute or ``#fragment``) whose DID is the issuer, otherwise the issuer's
``assertionMethod`` keys (exactly one must verify). A ``jwk`` header is never a key source on its
own: it is accepted only when the issuer is a did:jwk embedding that very key. An issuer that is
an HTTP URL cannot be checked offline, so such tokens fail with ``KEY_NOT_FOUND``.
"""

from __future__ import annotations

import copy
import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, NoReturn

from satchel.contexts import VC_V1_CONTEXT
from satchel.did.document import VerificationMethod, did_of
from satchel.did.jwk import b64url_encode, public_key_from_jwk
from satchel.did.keys import KeyType, PrivateKey, PublicKey, SignatureAlgorithm
from satchel.did.resolver import CONTROLLER_PREFIXES, DidResolver
from satchel.errors import InputError, SatchelError
from satchel.validator.dates import DateFormatError, format_datetime, parse_datetime
from satchel.validator.proofs.jws import (
    MAX_HEADER_BYTES,
    MAX_TOKEN_CHARS,
    CompactJws,
    JwsFormatError,
    parse_compact_jws,
    parse_header_segment,
    split_segments,
)
from satchel.validator.proofs.result import ProofResult

JwtShape = Literal["vc-jwt", "vc+jwt"]

PROOF_TYPE = "JWT"

_VC11_CONTEXT = VC_V1_CONTEXT
_ACCEPTED_TYP = {"jwt", "vc+jwt", "vp+jwt", "vc+ld+json+jwt", "vp+ld+json+jwt"}
_REGISTERED_CLAIMS = ("iss", "sub", "nbf", "exp", "jti", "iat")
_ALG_KEY_TYPE = {
    SignatureAlgorithm.EDDSA: KeyType.ED25519,
    SignatureAlgorithm.ES256: KeyType.P256,
    SignatureAlgorithm.ES384: KeyType.P384,
    SignatureAlgorithm.RS256: KeyType.RSA,
    SignatureAlgorithm.PS256: KeyType.RSA,
}
_DEFAULT_ALG = {
    KeyType.ED25519: SignatureAlgorithm.EDDSA,
    KeyType.P256: SignatureAlgorithm.ES256,
    KeyType.P384: SignatureAlgorithm.ES384,
    KeyType.RSA: SignatureAlgorithm.RS256,
}


class JwtErrorCode(enum.StrEnum):
    """Stable names for why a JWT was refused (``ProofResult.error_code``)."""

    MALFORMED_JWT = "MALFORMED_JWT"
    UNSUPPORTED_ALGORITHM = "UNSUPPORTED_ALGORITHM"
    UNSUPPORTED_CRITICAL_HEADER = "UNSUPPORTED_CRITICAL_HEADER"
    UNSUPPORTED_JWT_TYPE = "UNSUPPORTED_JWT_TYPE"
    NOT_A_CREDENTIAL = "NOT_A_CREDENTIAL"
    KEY_NOT_FOUND = "KEY_NOT_FOUND"
    KEY_NOT_BOUND_TO_ISSUER = "KEY_NOT_BOUND_TO_ISSUER"
    KEY_ALGORITHM_MISMATCH = "KEY_ALGORITHM_MISMATCH"
    AMBIGUOUS_KEY = "AMBIGUOUS_KEY"
    INVALID_SIGNATURE = "INVALID_SIGNATURE"
    CLAIM_MISMATCH = "CLAIM_MISMATCH"
    JWT_EXPIRED = "JWT_EXPIRED"
    JWT_NOT_YET_VALID = "JWT_NOT_YET_VALID"


@dataclass
class JwtVerification:
    """What a token said and whether it holds.

    ``credential`` is the credential (or presentation) to hand to the rest of the pipeline: for
    ``"vc-jwt"`` the ``vc``/``vp`` claim with the registered claims filled in where it lacks
    them; for ``"vc+jwt"`` the payload without the registered JWT claims. ``payload`` and
    ``header`` are the decoded originals. Fields the token never got to are ``None``.
    """

    credential: dict[str, Any] | None
    payload: dict[str, Any] | None
    header: dict[str, Any] | None
    shape: JwtShape | None
    result: ProofResult


class _Refusal(Exception):
    """One step refused the token; carries the code and the reason shown to the user."""

    def __init__(self, code: JwtErrorCode, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _refuse(code: JwtErrorCode, reason: str) -> NoReturn:
    raise _Refusal(code, reason)


@dataclass(frozen=True)
class _Failure:
    code: JwtErrorCode
    key: str  # the details key, e.g. "claim.iss" or "date.exp"
    message: str


@dataclass
class _Context:
    """What the verification steps learn, for the final result."""

    header: dict[str, Any] | None = None
    payload: dict[str, Any] | None = None
    shape: JwtShape | None = None
    credential: dict[str, Any] | None = None
    alg: str | None = None
    method: VerificationMethod | None = None
    details: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------- parsing


def is_compact_jwt(text: str) -> bool:
    """True when ``text`` looks like a compact JWS: 3 base64url segments, a JSON header with alg.

    Cheap and never raises: input detection calls it on anything a user uploads.
    """
    if not isinstance(text, str):
        return False
    try:
        header = parse_header_segment(split_segments(text.strip())[0])
    except JwsFormatError:
        return False
    return isinstance(header.get("alg"), str)


def _parse(token: object) -> CompactJws:
    try:
        return parse_compact_jws(token)
    except JwsFormatError as exc:
        _refuse(JwtErrorCode.MALFORMED_JWT, str(exc))


# --------------------------------------------------------------------------- header


def _check_header(header: Mapping[str, Any]) -> SignatureAlgorithm:
    """The algorithm to verify with, after refusing every header we must not act on."""
    alg = _check_alg(header.get("alg"))
    if "crit" in header:
        # We implement no JWS extension, so every critical one is one we do not understand.
        _refuse(
            JwtErrorCode.UNSUPPORTED_CRITICAL_HEADER,
            f"critical header parameters {header['crit']!r} are not understood",
        )
    if header.get("b64", True) is not True:
        _refuse(JwtErrorCode.MALFORMED_JWT, "unencoded payloads (b64: false) are not supported")
    typ = header.get("typ")
    if typ is not None and _normal_typ(typ) not in _ACCEPTED_TYP:
        _refuse(JwtErrorCode.UNSUPPORTED_JWT_TYPE, f"typ {typ!r} is not a credential JWT")
    if "kid" in header and not isinstance(header["kid"], str):
        _refuse(JwtErrorCode.MALFORMED_JWT, "kid must be a string")
    return alg


def _check_alg(alg: object) -> SignatureAlgorithm:
    if alg is None:
        _refuse(JwtErrorCode.UNSUPPORTED_ALGORITHM, "the header has no alg")
    if not isinstance(alg, str):
        _refuse(JwtErrorCode.UNSUPPORTED_ALGORITHM, "alg must be a string")
    if alg.lower() == "none":
        _refuse(JwtErrorCode.UNSUPPORTED_ALGORITHM, "alg 'none' (an unsecured JWT) is refused")
    if alg.upper().startswith("HS"):
        _refuse(
            JwtErrorCode.UNSUPPORTED_ALGORITHM,
            f"alg {alg!r} is a shared-secret MAC, not an issuer's signature: refused",
        )
    try:
        return SignatureAlgorithm(alg)
    except ValueError:
        supported = ", ".join(a.value for a in SignatureAlgorithm)
        _refuse(
            JwtErrorCode.UNSUPPORTED_ALGORITHM,
            f"alg {alg!r} is not supported (supported: {supported})",
        )


def _normal_typ(typ: object) -> str:
    if not isinstance(typ, str):
        return ""
    typ = typ.lower()
    # RFC 7515 §4.1.9: "application/" may be omitted, so compare without it.
    return typ.removeprefix("application/")


# --------------------------------------------------------------------------- payload


def _envelope_claim(payload: Mapping[str, Any]) -> str | None:
    for name in ("vc", "vp"):
        if name in payload:
            return name
    return None


def _detect(payload: Mapping[str, Any]) -> tuple[JwtShape, dict[str, Any]]:
    """The shape and the credential exactly as signed (before any claim is merged in)."""
    claim = _envelope_claim(payload)
    if claim is not None:
        inner = payload[claim]
        if not isinstance(inner, dict):
            _refuse(JwtErrorCode.NOT_A_CREDENTIAL, f"the {claim} claim is not a JSON object")
        return "vc-jwt", inner
    if "@context" in payload and "type" in payload:
        return "vc+jwt", dict(payload)
    _refuse(
        JwtErrorCode.NOT_A_CREDENTIAL,
        "the payload has neither a vc/vp claim nor a credential's @context and type",
    )


def _is_presentation(document: Mapping[str, Any]) -> bool:
    types = document.get("type")
    values = types if isinstance(types, list) else [types]
    return "VerifiablePresentation" in values


def _is_vc11(document: Mapping[str, Any]) -> bool:
    context = document.get("@context")
    first = context[0] if isinstance(context, list) and context else context
    return first == _VC11_CONTEXT


def _date_property(document: Mapping[str, Any], claim: str) -> str:
    """The credential property that ``nbf``/``exp`` stands for, by the document's data model."""
    v11, v2 = ("issuanceDate", "validFrom") if claim == "nbf" else ("expirationDate", "validUntil")
    primary, fallback = (v11, v2) if _is_vc11(document) else (v2, v11)
    return fallback if primary not in document and fallback in document else primary


def _party_property(document: Mapping[str, Any]) -> str:
    return "holder" if _is_presentation(document) else "issuer"


def _party_id(document: Mapping[str, Any]) -> str | None:
    """``issuer`` (or a presentation's ``holder``) id; the party may be a string or an object."""
    party = document.get(_party_property(document))
    if isinstance(party, Mapping):
        party = party.get("id")
    return party if isinstance(party, str) else None


def _subject_ids(document: Mapping[str, Any]) -> list[str]:
    subject = document.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [subject]
    return [s["id"] for s in subjects if isinstance(s, Mapping) and isinstance(s.get("id"), str)]


def _credential_view(
    shape: JwtShape, signed: dict[str, Any], payload: Mapping[str, Any]
) -> dict[str, Any]:
    if shape == "vc+jwt":
        return {k: v for k, v in signed.items() if k not in _REGISTERED_CLAIMS}
    return _merge_vc11_claims(signed, payload)


def _merge_vc11_claims(signed: Mapping[str, Any], payload: Mapping[str, Any]) -> dict[str, Any]:
    """VC 1.1 §6.3.1 decoding: registered claims fill the properties the ``vc`` claim lacks."""
    merged = copy.deepcopy(dict(signed))
    party = _party_property(merged)
    if isinstance(payload.get("iss"), str) and party not in merged:
        merged[party] = payload["iss"]
    if isinstance(payload.get("jti"), str) and "id" not in merged:
        merged["id"] = payload["jti"]
    subject = merged.get("credentialSubject")
    if isinstance(payload.get("sub"), str) and isinstance(subject, dict) and "id" not in subject:
        subject["id"] = payload["sub"]
    if not _is_presentation(merged):
        for claim in ("nbf", "exp"):
            when = _numeric_date(payload.get(claim))
            name = _date_property(merged, claim)
            if isinstance(when, datetime) and name not in merged:
                merged[name] = format_datetime(when)
    return merged


# --------------------------------------------------------------------------- dates


def _numeric_date(value: object) -> datetime | str | None:
    """A NumericDate claim as a datetime; ``None`` when absent; an error message when invalid."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "is not a NumericDate"
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return "is out of range"


def _parse_datetime(value: object) -> datetime | None:
    try:
        return parse_datetime(value)[0]
    except DateFormatError:
        return None


def _date_failures(payload: Mapping[str, Any], now: datetime, skew: timedelta) -> list[_Failure]:
    failures: list[_Failure] = []
    exp, nbf = _numeric_date(payload.get("exp")), _numeric_date(payload.get("nbf"))
    # Subtract the skew from now: exp + skew overflows for an exp at the end of year 9999.
    if isinstance(exp, datetime) and now - skew > exp:
        failures.append(
            _Failure(JwtErrorCode.JWT_EXPIRED, "date.exp", f"expired at {exp.isoformat()} (exp)")
        )
    if isinstance(nbf, datetime) and now + skew < nbf:
        failures.append(
            _Failure(
                JwtErrorCode.JWT_NOT_YET_VALID,
                "date.nbf",
                f"not valid before {nbf.isoformat()} (nbf)",
            )
        )
    return failures


# --------------------------------------------------------------------------- claims


def _claim_failures(payload: Mapping[str, Any], signed: Mapping[str, Any]) -> list[_Failure]:
    """Each registered claim that disagrees with the credential it secures (OB 3.0 §8.2.4)."""
    checks = [
        _check_string_claim(payload, "iss", _party_id(signed), _party_property(signed) + ".id"),
        _check_string_claim(payload, "jti", _str_or_none(signed.get("id")), "id"),
    ]
    if not _is_presentation(signed):
        checks.append(_check_sub(payload, signed))
        checks.extend(_check_date_claim(payload, signed, claim) for claim in ("nbf", "exp"))
    return [failure for failure in checks if failure is not None]


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _claim_failure(claim: str, message: str) -> _Failure:
    return _Failure(JwtErrorCode.CLAIM_MISMATCH, f"claim.{claim}", f"{claim} {message}")


def _check_string_claim(
    payload: Mapping[str, Any], claim: str, expected: str | None, property_name: str
) -> _Failure | None:
    if claim not in payload:
        return None
    value = payload[claim]
    if not isinstance(value, str):
        return _claim_failure(claim, "is not a string")
    if expected is not None and value != expected:
        return _claim_failure(claim, f"{value!r} does not match {property_name} {expected!r}")
    return None


def _check_sub(payload: Mapping[str, Any], signed: Mapping[str, Any]) -> _Failure | None:
    if "sub" not in payload:
        return None
    value, ids = payload["sub"], _subject_ids(signed)
    if not isinstance(value, str):
        return _claim_failure("sub", "is not a string")
    if ids and value not in ids:
        return _claim_failure("sub", f"{value!r} does not match credentialSubject.id {ids[0]!r}")
    return None


def _check_date_claim(
    payload: Mapping[str, Any], signed: Mapping[str, Any], claim: str
) -> _Failure | None:
    when = _numeric_date(payload.get(claim))
    if when is None:
        return None
    if isinstance(when, str):
        return _claim_failure(claim, when)
    name = _date_property(signed, claim)
    if name not in signed:
        return None
    stated = _parse_datetime(signed[name])
    if stated is None:
        return _claim_failure(claim, f"cannot be compared: {name} {signed[name]!r} is not a date")
    # NumericDate usually drops the fraction of a second: compare whole seconds.
    if int(stated.timestamp()) != int(when.timestamp()):
        return _claim_failure(claim, f"{when.isoformat()} does not match {name} {signed[name]!r}")
    return None


# --------------------------------------------------------------------------- keys


async def _candidate_methods(
    header: Mapping[str, Any], issuer: str | None, resolver: DidResolver
) -> list[VerificationMethod]:
    """The issuer's keys that may have signed, chosen from ``kid`` or the issuer's document.

    The issuer's document is its DID document, or for an https issuer its controller document.
    """
    issuer_did = issuer if issuer and issuer.startswith("did:") else None
    controller = issuer if issuer and issuer.startswith(_CONTROLLER_PREFIXES) else None
    if "jwk" in header:
        await _check_jwk_header(header["jwk"], issuer_did, resolver)
    kid = header.get("kid")
    try:
        if isinstance(kid, str) and _is_method_reference(kid):
            return [await _method_from_kid(kid, controller, resolver)]
        if isinstance(kid, str) and kid.startswith("did:") and kid != issuer_did:
            _refuse(JwtErrorCode.KEY_NOT_BOUND_TO_ISSUER, f"kid {kid} is not the issuer {issuer}")
        if controller is None:
            _refuse(JwtErrorCode.KEY_NOT_FOUND, _no_key_reason(kid, issuer))
        # No kid, the issuer's bare id, or an opaque label: try the issuer's own keys.
        return await _assertion_methods(controller, resolver)
    except SatchelError as exc:  # resolution failed or a verification method is unusable
        _refuse(JwtErrorCode.KEY_NOT_FOUND, exc.detail)


_CONTROLLER_PREFIXES = CONTROLLER_PREFIXES


def _controller_of(method_id: str) -> str:
    return did_of(method_id) if method_id.startswith("did:") else method_id.split("#", 1)[0]


def _is_method_reference(kid: str) -> bool:
    """A ``#fragment`` relative to the issuer, or an absolute DID or https URL with a fragment."""
    return kid.startswith("#") or (kid.startswith(_CONTROLLER_PREFIXES) and "#" in kid)


def _no_key_reason(kid: object, issuer: str | None) -> str:
    if issuer is None:
        return "the credential names no issuer to take a key from"
    if isinstance(kid, str):
        return f"kid {kid!r} is not a key URL and issuer {issuer} cannot be looked up"
    return f"issuer {issuer} cannot be looked up and the token names no key"


async def _method_from_kid(
    kid: str, controller: str | None, resolver: DidResolver
) -> VerificationMethod:
    if kid.startswith("#"):
        if controller is None:
            _refuse(JwtErrorCode.KEY_NOT_FOUND, f"relative kid {kid!r} needs a DID or URL issuer")
        kid = controller + kid
    elif _controller_of(kid) != controller:
        _refuse(
            JwtErrorCode.KEY_NOT_BOUND_TO_ISSUER,
            f"kid {kid} belongs to {_controller_of(kid)}, not to the issuer {controller}",
        )
    return await resolver.dereference(kid, relationship="assertionMethod")


async def _assertion_methods(controller: str, resolver: DidResolver) -> list[VerificationMethod]:
    document = await (
        resolver.resolve(controller)
        if controller.startswith("did:")
        else resolver.resolve_controller_document(controller)
    )
    entries = document.data.get("assertionMethod", [])
    methods: list[VerificationMethod] = []
    for entry in entries if isinstance(entries, list) else []:
        ref = entry.get("id") if isinstance(entry, Mapping) else entry
        if not isinstance(ref, str):
            continue
        url = controller + ref if ref.startswith("#") else ref
        try:
            methods.append(await resolver.dereference(url, relationship="assertionMethod"))
        except SatchelError:
            continue  # an unusable entry must not hide a usable one
    if not methods:
        _refuse(JwtErrorCode.KEY_NOT_FOUND, f"{controller} lists no usable assertionMethod key")
    return methods


async def _check_jwk_header(jwk: object, issuer_did: str | None, resolver: DidResolver) -> None:
    """A ``jwk`` header is trusted only as a restatement of a did:jwk issuer's own key."""
    if not isinstance(jwk, Mapping):
        _refuse(JwtErrorCode.MALFORMED_JWT, "the jwk header is not a JSON object")
    if "d" in jwk:
        _refuse(JwtErrorCode.MALFORMED_JWT, "the jwk header contains a private key")
    if issuer_did is None or not issuer_did.startswith("did:jwk:"):
        _refuse(
            JwtErrorCode.KEY_NOT_BOUND_TO_ISSUER,
            "a jwk header is only accepted when the issuer is the did:jwk of that key",
        )
    try:
        header_key = public_key_from_jwk(jwk)
        issuer_keys = [m.public_key for m in await _assertion_methods(issuer_did, resolver)]
    except SatchelError as exc:
        _refuse(JwtErrorCode.KEY_NOT_FOUND, f"jwk header: {exc.detail}")
    if not any(_same_key(header_key, key) for key in issuer_keys):
        _refuse(
            JwtErrorCode.KEY_NOT_BOUND_TO_ISSUER,
            f"the jwk header is not the key of the issuer {issuer_did}",
        )


def _same_key(a: PublicKey, b: PublicKey) -> bool:
    try:
        return a.same_key_as(b)
    except SatchelError:
        return False


def _fits(key: PublicKey, alg: SignatureAlgorithm) -> bool:
    try:
        return key.key_type is _ALG_KEY_TYPE[alg]
    except SatchelError:  # e.g. an RSA key that is too short
        return False


def _verify_with(
    methods: list[VerificationMethod], alg: SignatureAlgorithm, parsed: CompactJws
) -> VerificationMethod:
    fitting = [m for m in methods if _fits(m.public_key, alg)]
    if not fitting:
        names = ", ".join(m.id for m in methods)
        _refuse(
            JwtErrorCode.KEY_ALGORITHM_MISMATCH,
            f"alg {alg} needs a {_ALG_KEY_TYPE[alg]} key; {names} cannot verify it",
        )
    valid = [m for m in fitting if m.public_key.verify(parsed.signature, parsed.signing_input, alg)]
    if not valid:
        _refuse(
            JwtErrorCode.INVALID_SIGNATURE, "the signature does not verify with the issuer's key"
        )
    if len(valid) > 1:
        _refuse(JwtErrorCode.AMBIGUOUS_KEY, "more than one issuer key verifies; name one in kid")
    return valid[0]


# --------------------------------------------------------------------------- verify


async def verify_vc_jwt(
    token: str,
    *,
    resolver: DidResolver,
    now: datetime | None = None,
    skew: timedelta = timedelta(minutes=5),
) -> JwtVerification:
    """Verify a VC-JWT or vc+jwt token; a bad token gives ``verified=False``, never an exception.

    The signature is checked first; claim mismatches and date failures are then all reported
    (``details`` keys ``claim.<name>`` and ``date.<name>``), the first one giving ``error_code``.
    Dates are the JWT's ``nbf``/``exp`` with ``skew`` leeway; the credential's own
    validFrom/validUntil are left to the pipeline's date check.
    """
    ctx = _Context()
    now = now or datetime.now(UTC)
    if now.tzinfo is None:  # a naive "now" is read as UTC, like naive credential dates
        now = now.replace(tzinfo=UTC)
    try:
        failures = await _verify_steps(token, resolver, ctx, now, skew)
    except _Refusal as refusal:
        failures = [_Failure(refusal.code, "error", refusal.reason)]
    return _outcome(ctx, failures)


async def _verify_steps(
    token: str, resolver: DidResolver, ctx: _Context, now: datetime, skew: timedelta
) -> list[_Failure]:
    parsed = _parse(token)
    ctx.header, ctx.payload = parsed.header, parsed.payload
    alg = _check_header(parsed.header)
    ctx.alg = alg.value
    ctx.shape, signed = _detect(parsed.payload)
    ctx.credential = _credential_view(ctx.shape, signed, parsed.payload)
    # The credential's issuer is what the key must belong to; iss only when it names none.
    issuer = _party_id(ctx.credential) or _str_or_none(parsed.payload.get("iss"))
    methods = await _candidate_methods(parsed.header, issuer, resolver)
    ctx.method = _verify_with(methods, alg, parsed)
    ctx.details["signature"] = "valid"
    return _claim_failures(parsed.payload, signed) + _date_failures(parsed.payload, now, skew)


def _outcome(ctx: _Context, failures: list[_Failure]) -> JwtVerification:
    details = dict(ctx.details)
    for name, value in (("alg", ctx.alg), ("shape", ctx.shape)):
        if value:
            details[name] = value
    if ctx.header and isinstance(ctx.header.get("kid"), str):
        details["kid"] = ctx.header["kid"]
    for failure in failures:
        details[failure.key] = failure.message
    result = ProofResult(
        verified=not failures,
        proof_type=PROOF_TYPE,
        cryptosuite=ctx.alg,
        verification_method=ctx.method.id if ctx.method else None,
        controller=ctx.method.controller if ctx.method else None,
        reason="; ".join(f.message for f in failures) or None,
        error_code=failures[0].code.value if failures else None,
        details=details,
    )
    return JwtVerification(ctx.credential, ctx.payload, ctx.header, ctx.shape, result)


# --------------------------------------------------------------------------- sign


def sign_vc_jwt(
    credential: Mapping[str, Any],
    private_key: PrivateKey,
    *,
    kid: str,
    algorithm: SignatureAlgorithm | None = None,
    shape: JwtShape = "vc+jwt",
) -> str:
    """Secure ``credential`` (or a presentation) as a compact JWS signed by ``private_key``.

    ``"vc+jwt"`` (OB 3.0 §8.2 / VC-JOSE-COSE): the payload is the credential itself with the
    registered claims ``iss``, ``sub``, ``nbf``, ``exp`` and ``jti`` *added* beside its members,
    as OB 3.0 §8.2.3 requires (VC-JOSE-COSE allows them); header ``typ`` is ``vc+jwt``
    (``vp+jwt`` for a presentation). Note OB 3.0 §8.2.2 itself says ``typ`` "JWT"; we verify
    both. ``"vc-jwt"`` (VC 1.1 §6.3.1): the same claims, the credential in the ``vc`` claim
    (``vp`` for a presentation), ``typ`` "JWT"; the credential keeps its own properties too.

    Raises :class:`InputError` when the credential cannot be expressed (an unparseable date,
    a top-level member that collides with a claim, a value that is not JSON).
    """
    if shape not in ("vc-jwt", "vc+jwt"):
        raise InputError(f"unknown JWT shape {shape!r} (use 'vc-jwt' or 'vc+jwt')")
    alg = SignatureAlgorithm(algorithm) if algorithm else _DEFAULT_ALG[private_key.key_type]
    document = dict(credential)
    claims = _claims_for(document)
    presentation = _is_presentation(document)
    if shape == "vc-jwt":
        payload = {**claims, "vp" if presentation else "vc": document}
        typ = "JWT"
    else:
        _check_no_collision(document, claims)
        payload = {**document, **claims}
        typ = "vp+jwt" if presentation else "vc+jwt"
    header = {"alg": alg.value, "typ": typ, "kid": kid}
    signing_input = f"{_encode_json(header)}.{_encode_json(payload)}"
    signature = private_key.sign(signing_input.encode("ascii"), alg)
    return f"{signing_input}.{b64url_encode(signature)}"


def _claims_for(document: Mapping[str, Any]) -> dict[str, Any]:
    claims: dict[str, Any] = {}
    issuer, ids = _party_id(document), _subject_ids(document)
    if issuer is not None:
        claims["iss"] = issuer
    if len(ids) == 1 and not _is_presentation(document):
        claims["sub"] = ids[0]
    if not _is_presentation(document):
        for claim in ("nbf", "exp"):
            name = _date_property(document, claim)
            if name in document:
                claims[claim] = _to_numeric_date(document[name], name)
    if isinstance(document.get("id"), str):
        claims["jti"] = document["id"]
    return claims


def _to_numeric_date(value: object, name: str) -> int:
    parsed = _parse_datetime(value)
    if parsed is None:
        raise InputError(f"{name} {value!r} is not a date-time")
    return int(parsed.timestamp())


def _check_no_collision(document: Mapping[str, Any], claims: Mapping[str, Any]) -> None:
    for name, value in claims.items():
        if name in document and document[name] != value:
            raise InputError(f"the credential's own {name!r} member collides with the JWT claim")


def _encode_json(value: Mapping[str, Any]) -> str:
    try:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InputError(f"the credential is not JSON: {exc}") from exc
    return b64url_encode(text.encode("utf-8"))


__all__ = [
    "MAX_HEADER_BYTES",
    "MAX_TOKEN_CHARS",
    "PROOF_TYPE",
    "JwtErrorCode",
    "JwtShape",
    "JwtVerification",
    "is_compact_jwt",
    "sign_vc_jwt",
    "verify_vc_jwt",
]
