"""The state one OB 2.0 verification shares between its checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from satchel.validator.ob2.fetch import Graph
from satchel.validator.options import VerificationOptions
from satchel.validator.report import Check, Outcome, VerificationReport


@dataclass(frozen=True)
class Verdict:
    """An outcome decided by one step and reported later (the proof comes after the policy)."""

    outcome: Outcome
    message: str
    error_code: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Run:
    """Where checks go (``report`` under ``target``), the caller's options, the fetched graph."""

    report: VerificationReport
    target: str
    options: VerificationOptions
    graph: Graph
    depth: int = 0
    gone: bool = False  # the hosted copy answered 410 Gone: the issuer revoked it
    # Only the top-level object reports "proof": the shared verdict counts any passed "proof",
    # so a nested endorsement's confirmation must not stand in for the badge's own.
    proof_id: str = "proof"

    def add(
        self,
        check_id: str,
        outcome: Outcome,
        message: str,
        *,
        error_code: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.report.add(Check(check_id, outcome, message, self.target, error_code, details or {}))

    def add_verdict(self, check_id: str, verdict: Verdict) -> None:
        self.add(
            check_id,
            verdict.outcome,
            verdict.message,
            error_code=verdict.error_code,
            details=verdict.details,
        )

    def child(self, target: str) -> Run:
        """A run for a nested object (an endorsement) sharing the report and the fetched graph."""
        return Run(
            self.report,
            target,
            self.options,
            self.graph,
            self.depth + 1,
            proof_id="endorsement-proof",
        )
