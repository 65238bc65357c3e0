"""Data Integrity proofs (VC Data Integrity 1.0): add a proof, verify every proof.

The flow here is the same for every cryptosuite: proof options, the proof configuration and
its @context, proof sets and chains, purposes, dates, key lookup. A suite only provides the
transformation, hashing, signing and verifying (``suites``). Verification never raises: each
proof yields a :class:`ProofResult` with a named reason.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from satchel.did.did_key import did_key_verification_method_id
from satchel.did.document import VerificationMethod
from satchel.did.keys import InvalidKeyError, KeyType, PrivateKey
from satchel.errors import SatchelError
from satchel.validator.proofs.purposes import AssertionPurpose, ProofPurpose
from satchel.validator.proofs.result import ErrorCode, ProofCheckFailed, ProofResult
from satchel.validator.proofs.suites import Cryptosuite, suite_by_name, suite_for_proof

# A signer's clock may run a little ahead of ours.
CLOCK_SKEW = timedelta(minutes=5)

TAMPERED = (
    "signature does not match the document: the credential or the proof was changed after signing"
)

# XML Schema dateTime, as VC Data Integrity requires for created/expires.
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")

# Errors a hostile document can provoke while being canonicalized (deep nesting, bad values).
_TRANSFORM_ERRORS = (SatchelError, RecursionError, ValueError, TypeError)


class VerificationMethodResolver(Protocol):
    """What verification needs from DID resolution (``satchel.did.resolver.DidResolver``)."""

    async def dereference(
        self, vm_url: str, *, relationship: str | None = None
    ) -> VerificationMethod: ...


class ProofGenerationError(SatchelError):
    """A proof cannot be created with the given key, suite or options."""

    type = "proof-generation-error"
    title = "Proof generation failed"
    status = 400

    error_code = ErrorCode.PROOF_GENERATION_ERROR


# --- verification -------------------------------------------------------------------------


async def verify_proofs(
    document: Mapping[str, Any],
    *,
    resolver: VerificationMethodResolver,
    purpose: ProofPurpose,
    now: datetime | None = None,
) -> list[ProofResult]:
    """One result per proof in ``document.proof`` (a set: all must verify). Never raises.

    A proof with ``previousProof`` is checked over the document carrying the proofs it
    names (a chain). No proof at all gives an empty list.
    """
    proofs = _proof_list(document.get("proof"))
    moment = _aware(now or datetime.now(UTC))
    return [
        await _verify_one(document, proof, proofs, resolver, purpose, moment) for proof in proofs
    ]


async def _verify_one(
    document: Mapping[str, Any],
    proof: object,
    all_proofs: list[Any],
    resolver: VerificationMethodResolver,
    purpose: ProofPurpose,
    now: datetime,
) -> ProofResult:
    result = _blank_result(proof)
    try:
        if not isinstance(proof, Mapping):
            raise ProofCheckFailed(ErrorCode.MALFORMED_PROOF_ERROR, "a proof must be a JSON object")
        await _check_proof(result, document, proof, all_proofs, resolver, purpose, now)
    except ProofCheckFailed as failure:
        result.error_code = failure.error_code
        result.reason = failure.reason
        return result
    result.verified = True
    return result


def _blank_result(proof: object) -> ProofResult:
    fields = proof if isinstance(proof, Mapping) else {}
    return ProofResult(
        verified=False,
        proof_type=_str_or_none(fields.get("type")) or "",
        cryptosuite=_str_or_none(fields.get("cryptosuite")),
        verification_method=_str_or_none(fields.get("verificationMethod")),
        proof_id=_str_or_none(fields.get("id")),
    )


async def _check_proof(
    result: ProofResult,
    document: Mapping[str, Any],
    proof: Mapping[str, Any],
    all_proofs: list[Any],
    resolver: VerificationMethodResolver,
    purpose: ProofPurpose,
    now: datetime,
) -> None:
    """Every check of one proof, cheapest first; raises :class:`ProofCheckFailed`."""
    suite = _suite_of(proof)
    _check_shape(proof)
    purpose.check(proof)
    _check_dates(proof, now)
    method = await _dereference(resolver, proof["verificationMethod"], purpose)
    result.controller = method.controller
    key_type = _usable_key_type(suite, method)
    unsecured = _unsecured_document(document, proof, all_proofs)
    _apply_proof_context(unsecured, proof)
    config = _proof_config(suite, proof, unsecured)
    hash_data, result.details = _hash_data(suite, unsecured, config, key_type)
    if not suite.verify(method.public_key, hash_data, proof["proofValue"]):
        raise ProofCheckFailed(ErrorCode.PROOF_VERIFICATION_ERROR, TAMPERED)


def _suite_of(proof: Mapping[str, Any]) -> Cryptosuite:
    proof_type, cryptosuite = proof.get("type"), proof.get("cryptosuite")
    suite = suite_for_proof(proof_type, cryptosuite)
    if suite is not None:
        return suite
    if proof_type == "DataIntegrityProof":
        reason = f"the cryptosuite {cryptosuite!r} is not supported"
    else:
        reason = f"the proof type {proof_type!r} is not supported"
    raise ProofCheckFailed(ErrorCode.UNKNOWN_CRYPTOSUITE, reason)


def _check_shape(proof: Mapping[str, Any]) -> None:
    for name in ("verificationMethod", "proofPurpose", "proofValue"):
        if not isinstance(proof.get(name), str) or not proof[name]:
            raise ProofCheckFailed(
                ErrorCode.MALFORMED_PROOF_ERROR, f"the proof has no usable {name!r}"
            )
    if not proof["proofValue"].startswith("z"):
        raise ProofCheckFailed(
            ErrorCode.MALFORMED_PROOF_ERROR, "the proofValue is not a base58btc multibase value"
        )


def _check_dates(proof: Mapping[str, Any], now: datetime) -> None:
    created = _parse_datetime(proof.get("created"), "created")
    expires = _parse_datetime(proof.get("expires"), "expires")
    if created is not None and created > now + CLOCK_SKEW:
        raise ProofCheckFailed(
            ErrorCode.PROOF_VERIFICATION_ERROR,
            f"the proof says it was created in the future ({proof['created']})",
        )
    if expires is not None and expires < now:
        raise ProofCheckFailed(
            ErrorCode.PROOF_VERIFICATION_ERROR, f"the proof expired on {proof['expires']}"
        )


def _parse_datetime(value: object, name: str) -> datetime | None:
    if value is None:
        return None
    malformed = ProofCheckFailed(
        ErrorCode.MALFORMED_PROOF_ERROR, f"the proof's {name!r} is not a valid date-time"
    )
    if not isinstance(value, str) or not _DATETIME.fullmatch(value):
        raise malformed
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise malformed from None
    return _aware(parsed)


def _aware(moment: datetime) -> datetime:
    # A date-time without a zone is read as UTC rather than as the server's local time.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def _dereference(
    resolver: VerificationMethodResolver, vm_url: str, purpose: ProofPurpose
) -> VerificationMethod:
    try:
        return await resolver.dereference(_vm_url(vm_url), relationship=purpose.relationship)
    except SatchelError as exc:
        raise ProofCheckFailed(
            ErrorCode.PROOF_VERIFICATION_ERROR,
            f"the signing key {vm_url} cannot be used: {exc.detail}",
        ) from exc


def _vm_url(vm_url: str) -> str:
    # A did:key holds exactly one key, so a bare did:key names it unambiguously (the Bitstring
    # Status List Recommendation's examples are signed that way).
    if vm_url.startswith("did:key:") and "#" not in vm_url:
        return did_key_verification_method_id(vm_url)
    return vm_url


def _usable_key_type(suite: Cryptosuite, method: VerificationMethod) -> KeyType:
    try:
        key_type = method.public_key.key_type
    except InvalidKeyError as exc:
        raise ProofCheckFailed(
            ErrorCode.PROOF_VERIFICATION_ERROR,
            f"the signing key {method.id} is unusable: {exc.detail}",
        ) from exc
    problem = suite.key_type_problem(key_type)
    if problem:
        raise ProofCheckFailed(ErrorCode.PROOF_VERIFICATION_ERROR, problem)
    return key_type


def _apply_proof_context(unsecured: dict[str, Any], proof: Mapping[str, Any]) -> None:
    """A proof that carries @context was signed over the document with exactly that context."""
    if "@context" not in proof:
        return
    proof_context = _as_list(proof["@context"])
    if _as_list(unsecured.get("@context"))[: len(proof_context)] != proof_context:
        raise ProofCheckFailed(
            ErrorCode.PROOF_VERIFICATION_ERROR,
            "the document's @context does not start with the @context the proof was made with",
        )
    unsecured["@context"] = proof["@context"]


# --- shared by signing and verifying ------------------------------------------------------


def _unsecured_document(
    document: Mapping[str, Any], proof: Mapping[str, Any], all_proofs: list[Any]
) -> dict[str, Any]:
    """The document as it was when ``proof`` was made: no proofs, or those it chains to."""
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    previous = proof.get("previousProof")
    if previous is None:
        return unsecured
    wanted = [previous] if isinstance(previous, str) else previous
    if not isinstance(wanted, list) or not all(isinstance(i, str) for i in wanted):
        raise ProofCheckFailed(
            ErrorCode.MALFORMED_PROOF_ERROR, "previousProof must be a proof id or a list of them"
        )
    found = [p for p in all_proofs if isinstance(p, Mapping) and p.get("id") in wanted]
    missing = sorted(set(wanted) - {p["id"] for p in found})
    if missing:
        raise ProofCheckFailed(
            ErrorCode.PROOF_VERIFICATION_ERROR,
            f"the proof extends proof {missing[0]}, which is not in the document",
        )
    unsecured["proof"] = found
    return unsecured


def _proof_config(
    suite: Cryptosuite, proof: Mapping[str, Any], unsecured: Mapping[str, Any]
) -> dict[str, Any]:
    """The proof options without proofValue; RDFC suites read them in the document's context.

    JCS suites sign exactly the proof's own properties (their @context travels in the proof).
    """
    config = {key: value for key, value in proof.items() if key != "proofValue"}
    if not suite.context_in_proof and "@context" not in config and "@context" in unsecured:
        config["@context"] = unsecured["@context"]
    return config


def _hash_data(
    suite: Cryptosuite,
    unsecured: Mapping[str, Any],
    config: Mapping[str, Any],
    key_type: KeyType,
) -> tuple[bytes, dict[str, str]]:
    """hashData = hash(canonical proof configuration) || hash(canonical document)."""
    try:
        proof_hash = suite.hash(suite.transform(config, key_type), key_type)
        document_hash = suite.hash(suite.transform(unsecured, key_type), key_type)
    except _TRANSFORM_ERRORS as exc:
        detail = _describe(exc)
        raise ProofCheckFailed(
            ErrorCode.PROOF_TRANSFORMATION_ERROR,
            f"the credential could not be put in canonical form for {suite.name}: {detail}",
        ) from exc
    details = {
        "proofConfigHash": proof_hash.hex(),
        "canonicalDocumentHash": document_hash.hex(),
        "hashData": (proof_hash + document_hash).hex(),
    }
    return proof_hash + document_hash, details


def _describe(exc: BaseException) -> str:
    if isinstance(exc, SatchelError):
        return exc.detail
    if isinstance(exc, RecursionError):
        return "it is nested too deeply"
    return str(exc) or type(exc).__name__


def _proof_list(value: object) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _as_list(value: object) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


# --- signing ------------------------------------------------------------------------------


def sign(
    document: Mapping[str, Any],
    private_key: PrivateKey,
    *,
    cryptosuite: str,
    verification_method: str,
    proof_purpose: str = AssertionPurpose.term,
    created: datetime | None = None,
    expires: datetime | None = None,
    challenge: str | None = None,
    domain: str | Sequence[str] | None = None,
    previous_proof: str | Sequence[str] | None = None,
    proof_id: str | None = None,
) -> dict[str, Any]:
    """A new document with a proof added (to the proof set, if there is one).

    ``cryptosuite`` is a cryptosuite name or the legacy ``Ed25519Signature2020``.
    Raises :class:`ProofGenerationError`.
    """
    suite = _signing_suite(cryptosuite, private_key.key_type)
    signed = _with_proof_context(copy.deepcopy(dict(document)), suite)
    options = _proof_options(
        suite,
        signed,
        {
            "id": proof_id,
            "created": format_datetime(created or datetime.now(UTC)),
            "expires": format_datetime(expires) if expires else None,
            "verificationMethod": verification_method,
            "proofPurpose": proof_purpose,
            "challenge": challenge,
            "domain": _json_value(domain),
            "previousProof": _json_value(previous_proof),
        },
    )
    try:
        unsecured = _unsecured_document(signed, options, _proof_list(signed.get("proof")))
        config = _proof_config(suite, options, unsecured)
        hash_data, _ = _hash_data(suite, unsecured, config, private_key.key_type)
    except ProofCheckFailed as failure:
        raise ProofGenerationError(failure.reason) from failure
    proof = {**options, "proofValue": suite.sign(private_key, hash_data)}
    signed["proof"] = _add_to_set(signed.get("proof"), proof)
    return signed


def _signing_suite(name: str, key_type: KeyType) -> Cryptosuite:
    suite = suite_by_name(name)
    if suite is None:
        raise ProofGenerationError(f"the cryptosuite {name!r} is not supported")
    problem = suite.key_type_problem(key_type)
    if problem:
        raise ProofGenerationError(problem)
    return suite


def _with_proof_context(document: dict[str, Any], suite: Cryptosuite) -> dict[str, Any]:
    """Add a context defining the proof's terms when the document lacks one, as
    jsonld-signatures does; otherwise the proof could not be read as JSON-LD."""
    if "@context" not in document:  # plain JSON (JCS suites): nothing to define terms in
        return document
    contexts = _as_list(document["@context"])
    if not any(context in contexts for context in suite.proof_contexts):
        document["@context"] = [*contexts, suite.proof_contexts[0]]
    return document


def _proof_options(
    suite: Cryptosuite, document: Mapping[str, Any], values: dict[str, Any]
) -> dict[str, Any]:
    """Proof options in the order the W3C vectors use; unset options are left out."""
    ordered = {"type": suite.proof_type, "id": values.pop("id"), "cryptosuite": suite.cryptosuite}
    ordered.update(values)
    if suite.context_in_proof:
        ordered["@context"] = document.get("@context")
    return {key: value for key, value in ordered.items() if value is not None}


def _json_value(value: str | Sequence[str] | None) -> str | list[str] | None:
    if value is None or isinstance(value, str):
        return value
    return list(value)


def _add_to_set(existing: object, proof: dict[str, Any]) -> object:
    if existing is None:
        return proof
    return [*existing, proof] if isinstance(existing, list) else [existing, proof]


def format_datetime(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ``: UTC, second precision (naive values are taken as UTC)."""
    return _aware(moment).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
