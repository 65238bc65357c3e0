"""Why a status entry could not be checked, named as the Bitstring Status List spec names it.

Bitstring Status List v1.0 §3.2 (Validate Algorithm) and §3.4 (Processing Errors) define
STATUS_RETRIEVAL_ERROR, STATUS_VERIFICATION_ERROR, STATUS_LIST_LENGTH_ERROR and RANGE_ERROR;
VC Data Model 2.0 §7.1 adds MALFORMED_VALUE_ERROR, used here for an entry the credential itself
gets wrong. :attr:`StatusError.error_code` carries the name into the report.
"""

from __future__ import annotations

from satchel.errors import SatchelError


class StatusError(SatchelError):
    """A status entry could not be resolved to a status; ``error_code`` is the spec's name."""

    type = "status-error"
    title = "Credential status could not be checked"
    status = 502
    error_code = "STATUS_VERIFICATION_ERROR"


class StatusRetrievalError(StatusError):
    """The status list could not be fetched, or what came back is not a list document."""

    type = "status-retrieval-error"
    title = "Status list could not be retrieved"
    error_code = "STATUS_RETRIEVAL_ERROR"


class StatusVerificationError(StatusError):
    """The list was fetched but cannot be trusted or read (proof, dates, type, issuer...)."""

    type = "status-verification-error"
    title = "Status list could not be verified"
    error_code = "STATUS_VERIFICATION_ERROR"


class StatusListLengthError(StatusError):
    """The list has fewer entries than the spec's minimum (a herd-privacy requirement)."""

    type = "status-list-length-error"
    title = "Status list too short"
    error_code = "STATUS_LIST_LENGTH_ERROR"


class StatusRangeError(StatusError):
    """The entry's index points beyond the end of the list."""

    type = "status-range-error"
    title = "Status list index out of range"
    error_code = "RANGE_ERROR"


class MalformedStatusEntryError(StatusError):
    """The credential's own ``credentialStatus`` entry breaks its type's rules."""

    type = "malformed-status-entry"
    title = "Malformed credential status entry"
    status = 400
    error_code = "MALFORMED_VALUE_ERROR"
