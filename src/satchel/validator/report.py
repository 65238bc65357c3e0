"""The one verification report model shared by the CLI, the HTTP JSON API and the HTML page.

``verified`` is true only when no check failed and at least one proof was verified. A check
that could not be run is ``not-checked`` with its reason: it never makes a credential look valid.
Checks on *advisory* targets (an endorsement of the credential) are reported in full but do not
decide the verdict: a bad endorsement is flagged on its parent, it does not void the badge.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Outcome(enum.StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    WARNING = "warning"
    NOT_CHECKED = "not-checked"


@dataclass(frozen=True)
class Check:
    """One explained step of the pipeline. ``id`` is stable; ``target`` says which document."""

    id: str
    outcome: Outcome
    message: str
    target: str = "credential"
    error_code: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    advisory: bool = False

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "outcome": str(self.outcome),
            "message": self.message,
            "target": self.target,
        }
        if self.error_code:
            data["errorCode"] = self.error_code
        if self.details:
            data["details"] = self.details
        if self.advisory:
            data["advisory"] = True
        return data


@dataclass
class VerificationReport:
    """The verdict on one input: every check in pipeline order, and the document if any."""

    checks: list[Check] = field(default_factory=list)
    kind: str | None = None
    document: dict[str, Any] | None = None
    unusable_input: bool = False
    # Documents the input only links to and verification fetched (OB 2.0: "badge", "issuer"),
    # for naming and indexing the badge; never part of the verdict.
    linked: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, check: Check) -> Check:
        self.checks.append(check)
        return check

    @property
    def verified(self) -> bool:
        if self.unusable_input or not self.checks:
            return False
        deciding = [c for c in self.checks if not c.advisory]
        if any(c.outcome is Outcome.FAILED for c in deciding):
            return False
        return any(c.id == "proof" and c.outcome is Outcome.PASSED for c in deciding)

    @property
    def errors(self) -> list[str]:
        return [
            f"{c.target}: {c.message}"
            for c in self.checks
            if c.outcome is Outcome.FAILED and not c.advisory
        ]

    @property
    def warnings(self) -> list[str]:
        """Warnings, and failures on advisory targets (they inform; they do not decide)."""
        return [
            f"{c.target}: {c.message}"
            for c in self.checks
            if c.outcome is Outcome.WARNING or (c.advisory and c.outcome is Outcome.FAILED)
        ]

    @property
    def not_checked(self) -> list[str]:
        return [f"{c.target}: {c.message}" for c in self.checks if c.outcome is Outcome.NOT_CHECKED]

    def to_json(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "kind": self.kind,
            "checks": [c.to_json() for c in self.checks],
            "errors": self.errors,
            "warnings": self.warnings,
            "notChecked": self.not_checked,
        }
