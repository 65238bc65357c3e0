"""Typed errors of the DID layer."""

from satchel.errors import SatchelError


class DidResolutionError(SatchelError):
    """A DID could not be resolved (unsupported method, invalid DID, fetch failed...)."""

    type = "did-resolution-error"
    title = "DID resolution failed"
    status = 400


class VerificationMethodError(SatchelError):
    """A verification method is missing, malformed, or not authorised for the purpose."""

    type = "verification-method-error"
    title = "Verification method unusable"
    status = 400
