"""The state one pipeline run shares between its checks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from satchel.validator.inputs import has_type
from satchel.validator.options import VerificationOptions
from satchel.validator.proofs.result import ProofResult
from satchel.validator.report import Check, Outcome, VerificationReport

if TYPE_CHECKING:
    from satchel.validator.engine import Verifier
    from satchel.validator.inputs import ParsedInput
    from satchel.validator.proofs.vc_jwt import JwtVerification


@dataclass
class CheckContext:
    """One document under check (``target`` names it in the report) and what is known of it.

    ``verifier`` gives the checks the resolver, the fetcher, the status-list cache and
    recursion (embedded credentials, endorsements) without importing the engine.
    """

    document: dict[str, Any]
    target: str
    options: VerificationOptions
    verifier: Verifier
    report: VerificationReport
    parsed: ParsedInput | None = None
    jwt: JwtVerification | None = None
    proof_results: list[ProofResult] = field(default_factory=list)
    depth: int = 0
    advisory: bool = False

    def add(
        self,
        check_id: str,
        outcome: Outcome,
        message: str,
        *,
        error_code: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> Check:
        return self.report.add(
            Check(check_id, outcome, message, self.target, error_code, details or {}, self.advisory)
        )

    def has_type(self, name: str) -> bool:
        return has_type(self.document, name)


def issuer_id(document: Mapping[str, Any]) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None
