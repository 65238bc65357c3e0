"""The outcome of checking one Data Integrity proof, and the error names it reports.

Error codes are the VC Data Integrity 1.0 names (plus ``UNKNOWN_CRYPTOSUITE``) so the VC-API
and the report can pass them through unchanged.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class ErrorCode(enum.StrEnum):
    PROOF_VERIFICATION_ERROR = "PROOF_VERIFICATION_ERROR"
    PROOF_GENERATION_ERROR = "PROOF_GENERATION_ERROR"
    PROOF_TRANSFORMATION_ERROR = "PROOF_TRANSFORMATION_ERROR"
    MALFORMED_PROOF_ERROR = "MALFORMED_PROOF_ERROR"
    MISMATCHED_PROOF_PURPOSE_ERROR = "MISMATCHED_PROOF_PURPOSE_ERROR"
    INVALID_DOMAIN_ERROR = "INVALID_DOMAIN_ERROR"
    INVALID_CHALLENGE_ERROR = "INVALID_CHALLENGE_ERROR"
    UNKNOWN_CRYPTOSUITE = "UNKNOWN_CRYPTOSUITE"


@dataclass
class ProofResult:
    """One proof's verdict; ``details`` holds hex intermediate values for the report."""

    verified: bool
    proof_type: str
    cryptosuite: str | None = None
    verification_method: str | None = None
    reason: str | None = None
    error_code: str | None = None
    details: dict[str, str] = field(default_factory=dict)
    # The DID that controls the key: the pipeline compares it with the credential's issuer.
    controller: str | None = None
    proof_id: str | None = None


class ProofCheckFailed(Exception):
    """Raised inside the verification steps; turned into a failed :class:`ProofResult`."""

    def __init__(self, error_code: ErrorCode, reason: str) -> None:
        super().__init__(reason)
        self.error_code = error_code
        self.reason = reason
