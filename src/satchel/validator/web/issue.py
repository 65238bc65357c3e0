"""Input validation for ``POST /credentials/issue``: what the W3C VC 2.0 test suite expects.

A credential is signed only when it is a well-formed VC (1.1 or 2.0): known contexts with a VC
context first, a ``type`` including ``VerifiableCredential``, an issuer URL (string or object
``id``), non-empty ``credentialSubject`` objects, valid dates in order, URL ids, typed
``credentialStatus`` / ``credentialSchema`` / ``evidence`` / ``termsOfUse`` /
``refreshService`` / ``proof`` entries, and JSON-LD that expands without losing or redefining
anything (safe mode). Every refusal is a :class:`CredentialInputError` naming what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from satchel.contexts import VC_V1_CONTEXT, VC_V2_CONTEXT, bundled_urls
from satchel.errors import InputError
from satchel.validator.dates import DateFormatError, parse_datetime
from satchel.validator.jsonld_safe import expand_safe
from satchel.validator.rdfc import CanonicalizationError

VC_V1, VC_V2 = VC_V1_CONTEXT, VC_V2_CONTEXT
# An absolute URL/IRI as the VC data model means it: a scheme, a colon, no whitespace.
_URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")
# Properties whose every entry must be an object with a ``type`` (VC DM 2.0 sections 4-5).
TYPED_ENTRIES = ("credentialStatus", "credentialSchema", "evidence", "termsOfUse", "refreshService")


class CredentialInputError(InputError):
    """The credential to issue is not a well-formed VC; ``error_code`` is the VC error name."""

    type = "invalid-credential"
    title = "Invalid credential"

    def __init__(self, detail: str, error_code: str = "MALFORMED_VALUE_ERROR") -> None:
        super().__init__(detail)
        self.error_code = error_code


def is_url(value: object) -> bool:
    return isinstance(value, str) and _URL_RE.match(value) is not None


def issuer_url(credential: Mapping[str, Any]) -> str:
    """The issuer URL (string, or an object's ``id``); refuses anything else."""
    if "issuer" not in credential:
        raise CredentialInputError("The credential has no issuer.")
    issuer = credential["issuer"]
    ident = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if not is_url(ident):
        raise CredentialInputError(
            f"The issuer must be a URL, or an object whose id is a URL; got {_show(ident)}."
        )
    return str(ident)


def validate_credential(credential: object) -> dict[str, Any]:
    """The credential as a dict when it may be signed; raises :class:`CredentialInputError`."""
    if not isinstance(credential, dict):
        raise CredentialInputError("credential must be a JSON object.", "PARSING_ERROR")
    _check_contexts(credential)
    _check_types(credential)
    _check_id(credential, "id")
    issuer_url(credential)
    _check_subjects(credential.get("credentialSubject"))
    _check_dates(credential)
    for name in (*TYPED_ENTRIES, "proof"):
        _check_typed_entries(credential, name)
    _check_expansion(credential)
    return credential


def _show(value: object) -> str:
    return "nothing" if value is None else repr(value)[:80]


def _check_contexts(credential: Mapping[str, Any]) -> None:
    if "@context" not in credential:
        raise CredentialInputError("The credential has no @context.", "PARSING_ERROR")
    contexts = credential["@context"]
    listed = contexts if isinstance(contexts, list) else [contexts]
    if not listed or listed[0] not in (VC_V2, VC_V1):
        raise CredentialInputError(
            f"The first @context must be {VC_V2} (VC 2.0) or {VC_V1} (VC 1.1).", "PARSING_ERROR"
        )
    known = bundled_urls()
    for entry in listed:
        if isinstance(entry, str) and entry not in known:
            raise CredentialInputError(
                f"Unknown @context {entry!r}: only contexts this service ships can be used.",
                "PARSING_ERROR",
            )
        if not isinstance(entry, str | dict):
            raise CredentialInputError(
                f"Each @context entry must be a URL or an object, not {_show(entry)}.",
                "PARSING_ERROR",
            )


def _check_types(credential: Mapping[str, Any]) -> None:
    types = credential.get("type")
    listed = types if isinstance(types, list) else [types]
    if types is None or not all(isinstance(t, str) for t in listed):
        raise CredentialInputError("The credential's type must be a string or list of strings.")
    if "VerifiableCredential" not in listed:
        raise CredentialInputError("The credential's type must include VerifiableCredential.")


def _check_id(node: Mapping[str, Any], where: str) -> None:
    if "id" in node and not is_url(node["id"]):
        raise CredentialInputError(f"{where} must be a single URL, not {_show(node['id'])}.")


def _check_subjects(subjects: object) -> None:
    listed = subjects if isinstance(subjects, list) else [subjects]
    if subjects is None or not listed:
        raise CredentialInputError("The credential has no credentialSubject.")
    for subject in listed:
        if not isinstance(subject, dict) or not subject:
            raise CredentialInputError(
                "Each credentialSubject must be an object with at least one claim or an id."
            )
        _check_id(subject, "credentialSubject.id")


def _check_dates(credential: Mapping[str, Any]) -> None:
    moments = {}
    for name in ("validFrom", "validUntil", "issuanceDate", "expirationDate"):
        if name in credential:
            try:
                moments[name], _ = parse_datetime(credential[name])
            except DateFormatError as exc:
                raise CredentialInputError(f"{name}: {exc}.") from exc
    start, end = moments.get("validFrom"), moments.get("validUntil")
    if start and end and start > end:
        raise CredentialInputError("validFrom is after validUntil.")


def _check_typed_entries(credential: Mapping[str, Any], name: str) -> None:
    if name not in credential:
        return
    value = credential[name]
    for entry in value if isinstance(value, list) else [value]:
        if not isinstance(entry, dict) or "type" not in entry:
            raise CredentialInputError(f"Each {name} entry must be an object with a type.")
        _check_id(entry, f"{name}.id")
        if name == "credentialSchema" and "id" not in entry:
            raise CredentialInputError("Each credentialSchema entry must have an id (a URL).")


def _check_expansion(credential: Mapping[str, Any]) -> None:
    """JSON-LD safe mode: undefined terms or types, relative IRIs, protected-term redefinitions
    and malformed value objects would make the signature cover less than the document says.

    Existing proofs are left out, as Data Integrity leaves them out of what it signs.
    """
    unsecured = {key: value for key, value in credential.items() if key != "proof"}
    try:
        expand_safe(unsecured)
    except CanonicalizationError as exc:
        raise CredentialInputError(
            f"The credential's JSON-LD cannot be processed: {exc.detail}", "PARSING_ERROR"
        ) from exc
    except KeyError as exc:
        # pyld fails with a bare KeyError on some contexts (e.g. {"@vocab": null} after the
        # VC 2.0 context) instead of a JsonLdError: still a document it cannot process.
        raise CredentialInputError(
            f"The credential's JSON-LD cannot be processed (context error near {exc}).",
            "PARSING_ERROR",
        ) from exc
