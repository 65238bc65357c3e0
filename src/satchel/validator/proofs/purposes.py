"""Proof purposes: what a verifier expects a proof to be for.

A purpose names the ``proofPurpose`` value it accepts, the DID-document verification
relationship the key must be listed under, and any extra checks (challenge, domain).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from satchel.validator.proofs.result import ErrorCode, ProofCheckFailed


class ProofPurpose:
    """Base purpose: ``proofPurpose`` must equal :attr:`term`."""

    term: str = ""
    relationship: str = ""

    def check(self, proof: Mapping[str, Any]) -> None:
        """Raise :class:`ProofCheckFailed` when ``proof`` does not serve this purpose."""
        actual = proof.get("proofPurpose")
        if actual != self.term:
            raise ProofCheckFailed(
                ErrorCode.MISMATCHED_PROOF_PURPOSE_ERROR,
                f"the proof was made for {actual!r}, but {self.term!r} was expected",
            )


class AssertionPurpose(ProofPurpose):
    """An issuer asserting the claims of a credential."""

    term = "assertionMethod"
    relationship = "assertionMethod"


class AuthenticationPurpose(ProofPurpose):
    """A holder proving control, e.g. of a presentation; guards replay by challenge/domain."""

    term = "authentication"
    relationship = "authentication"

    def __init__(
        self, challenge: str | None = None, domain: str | Sequence[str] | None = None
    ) -> None:
        self.challenge = challenge
        self.domain = domain

    def check(self, proof: Mapping[str, Any]) -> None:
        super().check(proof)
        self._check_challenge(proof.get("challenge"))
        self._check_domain(proof.get("domain"))

    def _check_challenge(self, actual: object) -> None:
        if self.challenge is None:
            return
        if actual is None:
            raise ProofCheckFailed(
                ErrorCode.INVALID_CHALLENGE_ERROR,
                "the proof has no challenge, so it could be a replay of an older presentation",
            )
        if actual != self.challenge:
            raise ProofCheckFailed(
                ErrorCode.INVALID_CHALLENGE_ERROR,
                "the proof answers a different challenge: it was not made for this request",
            )

    def _check_domain(self, actual: object) -> None:
        if self.domain is None:
            return
        expected = _string_set(self.domain)
        if actual is None:
            raise ProofCheckFailed(
                ErrorCode.INVALID_DOMAIN_ERROR,
                "the proof names no domain, so it is not bound to this verifier",
            )
        if _string_set(actual) != expected:
            raise ProofCheckFailed(
                ErrorCode.INVALID_DOMAIN_ERROR,
                f"the proof was made for domain {actual!r}, not for {sorted(expected or ())!r}",
            )


def _string_set(value: object) -> frozenset[str] | None:
    """A domain is one string or an array of strings; compared as a set (VC DI 1.0)."""
    if isinstance(value, str):
        return frozenset([value])
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return frozenset(value)
    return None
