"""What a caller asks of a verification: expectations, the clock, and opt-ins."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

DEFAULT_CLOCK_SKEW = timedelta(minutes=5)
MAX_ENDORSEMENT_DEPTH = 3


@dataclass(frozen=True)
class VerificationOptions:
    """Presentation challenge/domain, expected recipient, the clock and its tolerance.

    ``expected_email`` / ``expected_url`` / ``expected_phone`` turn on the recipient check;
    ``fetch_refresh`` lets the pipeline contact a credential's refreshService.
    """

    challenge: str | None = None
    domain: str | None = None
    now: datetime | None = None
    clock_skew: timedelta = field(default=DEFAULT_CLOCK_SKEW)
    expected_email: str | None = None
    expected_url: str | None = None
    expected_phone: str | None = None
    expected_did: str | None = None
    fetch_refresh: bool = False
    max_endorsement_depth: int = MAX_ENDORSEMENT_DEPTH

    def current_time(self) -> datetime:
        return self.now or datetime.now(UTC)

    @property
    def expects_recipient(self) -> bool:
        return any((self.expected_email, self.expected_url, self.expected_phone, self.expected_did))
