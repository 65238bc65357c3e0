"""Open Badges 2.0 verification: hosted and signed assertions, and what they link to.

:func:`is_ob2` tells the engine an input is OB 2.0 (a JSON document using the OB 2.0 context or
typed ``Assertion``; a compact JWS whose payload is such a document; or only the address of a
hosted assertion, the old baked form). :func:`verify_ob2` adds these checks under ``target``
("assertion" at the top level), in this order:

=================  ==============================================================================
id                 what it says
=================  ==============================================================================
``parse``          the JWS could not be read (only when it fails; the engine reports parsing)
``contexts``       the OB 2.0 context is used (failed without it; warning for an alias or a copy)
``types``          every type is an OB 2.0 class or an IRI, and the main one is known
``properties``     the object has its required properties, of the right kinds
``badge``          the BadgeClass (embedded or fetched) is well formed
``issuer``         the issuer's Profile, always fetched from its web id, is well formed
``issuer-https``   the issuer's id is an https address (warning ``issuer-non-https`` otherwise)
``verification``   hosted: the address is allowed by the issuer's ``startsWith`` and
                   ``allowedOrigins`` (default: the issuer's own domain); signed: the JWS says it
                   is signed and its key belongs to the issuer (key ``owner`` and the profile's
                   ``publicKey``)
``proof``          the final confirmation (below)
``recipient``      the recipient matches the expected email/URL/phone (not-checked without one)
``validity``       issuedOn not in the future, expires not passed nor before issuedOn
``revocation``     not revoked: no 410 Gone on the hosted copy, not in the issuer's RevocationList
``image``          each image is a web address or a base64 PNG/SVG data URI (never fetched)
``endorsements``   every endorsement passed; each is checked under its own target
                   (``<target>.endorsement[i]``, ``<target>.badge.endorsement[i]``,
                   ``<target>.issuer.endorsement[i]``) with ``types``, ``properties``, ``claim``
                   (does it endorse what it is attached to; warning if not), ``issuer``,
                   ``issuer-https``, ``verification``, ``endorsement-proof`` (the hosted
                   confirmation, named apart so it never counts as the badge's own ``proof``)
                   and ``validity``
``extensions``     not-checked: extension contexts and schemas are never fetched
=================  ==============================================================================

``proof`` is what the shared verdict needs (``verified`` requires a passed ``proof``): for a
hosted assertion it passes when the assertion was fetched from its own id, declares that id, and
equals the copy given; for a signed one when the JWS signature verifies with a key the issuer
owns. A BadgeClass or Profile given alone gets ``proof`` not-checked: it is not a credential.

Without a fetcher everything needing the network is not-checked, never passed. Two 1EdTech
choices are kept: an assertion without the OB 2.0 context fails ``contexts`` (their OB 2.0 test
expects a fatal error), and a node whose declared id differs from the address it was fetched
from (a redirect-like indirection) is a warning, except for the hosted assertion itself, whose
id must be its address.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from satchel.validator.inputs import ParsedInput
from satchel.validator.ob2.fetch import Graph
from satchel.validator.ob2.jws import JwsError, parse_compact_jws
from satchel.validator.ob2.model import has_ob2_context, has_ob2_type, is_http_url
from satchel.validator.ob2.run import Run
from satchel.validator.ob2.verify import load, verify_document
from satchel.validator.options import VerificationOptions
from satchel.validator.report import VerificationReport

if TYPE_CHECKING:
    from satchel.validator.engine import Verifier

__all__ = ["is_ob2", "is_ob2_document", "verify_ob2"]


def is_ob2_document(document: dict[str, Any]) -> bool:
    return has_ob2_context(document) or has_ob2_type(document, "Assertion")


def is_ob2(parsed: ParsedInput) -> bool:
    if parsed.document is not None:
        return is_ob2_document(parsed.document)
    if parsed.jwt is not None:
        try:
            payload = parse_compact_jws(parsed.jwt).payload
        except JwsError:
            return False
        # a VC-JWT carries its credential in the "vc" claim; an OB 2.0 JWS is the assertion
        return "vc" not in payload and is_ob2_document(payload)
    return is_http_url(parsed.url)


async def verify_ob2(
    parsed: ParsedInput,
    verifier: Verifier,
    options: VerificationOptions,
    report: VerificationReport,
    target: str,
) -> dict[str, Any] | None:
    """Check an OB 2.0 input; the assertion (the issuer's hosted copy when fetched) or None."""
    run = Run(report, target, options, Graph(verifier.fetcher))
    loaded = await load(run, parsed.document, parsed.jwt, parsed.url)
    if loaded is None:
        return None
    await verify_document(run, loaded)
    return loaded.document
