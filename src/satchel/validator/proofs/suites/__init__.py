"""The cryptosuite registry: look suites up by the name a signer uses or by a proof's fields."""

from __future__ import annotations

from satchel.validator.proofs.suites import (
    ecdsa_jcs_2019,
    ecdsa_rdfc_2019,
    ed25519_signature_2020,
    eddsa_jcs_2022,
    eddsa_rdfc_2022,
)
from satchel.validator.proofs.suites.base import DATA_INTEGRITY_PROOF, Cryptosuite

SUITES: dict[str, Cryptosuite] = {
    module.SUITE.name: module.SUITE
    for module in (
        eddsa_rdfc_2022,
        eddsa_jcs_2022,
        ecdsa_rdfc_2019,
        ecdsa_jcs_2019,
        ed25519_signature_2020,
    )
}

# Pre-standard names of eddsa-rdfc-2022 still found on issued badges: verified, never signed.
LEGACY_NAMES: dict[str, str] = {
    "eddsa-2022": "eddsa-rdfc-2022",
    "eddsa-rdf-2022": "eddsa-rdfc-2022",
}


def suite_by_name(name: str) -> Cryptosuite | None:
    """The suite a signer asks for: a cryptosuite name, or a legacy proof type."""
    return SUITES.get(name)


def suite_for_proof(proof_type: object, cryptosuite: object) -> Cryptosuite | None:
    """The suite that verifies a proof of ``type`` / ``cryptosuite``; None when unsupported."""
    if proof_type == DATA_INTEGRITY_PROOF:
        name = LEGACY_NAMES.get(cryptosuite, cryptosuite) if isinstance(cryptosuite, str) else None
        suite = SUITES.get(name) if name else None
    else:
        suite = SUITES.get(proof_type) if isinstance(proof_type, str) else None
    if suite is None or suite.proof_type != proof_type:
        return None
    return suite


__all__ = ["LEGACY_NAMES", "SUITES", "Cryptosuite", "suite_by_name", "suite_for_proof"]
