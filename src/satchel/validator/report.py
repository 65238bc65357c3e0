"""The one verification report model shared by the CLI, the HTTP JSON API and the HTML page.

``verified`` is true only when no check failed and at least one proof was verified. A check
that could not be run is ``not-checked`` with its reason: it never makes a credential look valid.
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
        return data


@dataclass
class VerificationReport:
    """The verdict on one input: every check in pipeline order, and the document if any."""

    checks: list[Check] = field(default_factory=list)
    kind: str | None = None
    document: dict[str, Any] | None = None
    unusable_input: bool = False

    def add(self, check: Check) -> Check:
        self.checks.append(check)
        return check

    @property
    def verified(self) -> bool:
        if self.unusable_input or not self.checks:
            return False
        if any(c.outcome is Outcome.FAILED for c in self.checks):
            return False
        return any(c.id == "proof" and c.outcome is Outcome.PASSED for c in self.checks)

    @property
    def errors(self) -> list[str]:
        return [f"{c.target}: {c.message}" for c in self.checks if c.outcome is Outcome.FAILED]

    @property
    def warnings(self) -> list[str]:
        return [f"{c.target}: {c.message}" for c in self.checks if c.outcome is Outcome.WARNING]

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
