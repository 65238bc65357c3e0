"""Ed25519Signature2020 (legacy): the proof type names the suite; no ``cryptosuite``.

Its algorithm is the one eddsa-rdfc-2022 later standardised (SHA-256 of the RDFC canonical
proof configuration, with the document's @context, then of the document; Ed25519 over both),
but its terms are defined only by the ed25519-2020 context, which the document must carry.
"""

from __future__ import annotations

from satchel.validator.proofs.suites.eddsa_rdfc_2022 import EddsaRdfc2022

CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"


class Ed25519Signature2020(EddsaRdfc2022):
    """eddsa-rdfc-2022's transform, signature and key type under the legacy proof type."""

    name = "Ed25519Signature2020"
    proof_type = "Ed25519Signature2020"
    proof_contexts = (CONTEXT,)


SUITE = Ed25519Signature2020()
