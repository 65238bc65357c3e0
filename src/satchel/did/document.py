"""DID documents and verification methods: lookup by DID URL and relationship checks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from satchel.did.errors import VerificationMethodError
from satchel.did.jwk import public_key_from_jwk
from satchel.did.keys import InvalidKeyError, PublicKey
from satchel.did.multikey import decode_ed25519_raw, decode_public_key

RELATIONSHIPS = (
    "assertionMethod",
    "authentication",
    "capabilityInvocation",
    "capabilityDelegation",
    "keyAgreement",
)

_MULTIBASE_TYPES = {"Multikey", "Ed25519VerificationKey2020"}
_JWK_TYPES = {"JsonWebKey2020", "JsonWebKey", "Multikey", "EcdsaSecp256r1VerificationKey2019"}


@dataclass(frozen=True)
class VerificationMethod:
    id: str
    type: str
    controller: str
    public_key: PublicKey


def did_of(did_url: str) -> str:
    """The DID part of a DID URL (no path, query or fragment)."""
    for sep in ("#", "?", "/"):
        did_url = did_url.split(sep, 1)[0]
    return did_url


def parse_verification_method(entry: Mapping[str, Any], base_did: str) -> VerificationMethod:
    """A verification-method object to a :class:`VerificationMethod` with its public key."""
    vm_id = _absolute(str(entry.get("id", "")), base_did)
    vm_type = entry.get("type")
    controller = entry.get("controller")
    if not vm_id or not isinstance(vm_type, str) or not isinstance(controller, str):
        raise VerificationMethodError("verification method needs id, type and controller")
    try:
        if "publicKeyMultibase" in entry and vm_type in _MULTIBASE_TYPES:
            value = entry["publicKeyMultibase"]
            key = (
                decode_ed25519_raw(value)
                if vm_type == "Ed25519VerificationKey2020"
                else decode_public_key(value)
            )
        elif "publicKeyJwk" in entry and vm_type in _JWK_TYPES:
            jwk = entry["publicKeyJwk"]
            if isinstance(jwk, Mapping) and "d" in jwk:
                raise VerificationMethodError(f"{vm_id} publishes a private key")
            key = public_key_from_jwk(jwk)
        else:
            raise VerificationMethodError(
                f"verification method {vm_id} of type {vm_type!r} has no supported key"
            )
    except InvalidKeyError as exc:
        raise VerificationMethodError(f"verification method {vm_id}: {exc.detail}") from exc
    return VerificationMethod(id=vm_id, type=vm_type, controller=controller, public_key=key)


def _absolute(ref: str, base_did: str) -> str:
    if ref.startswith("#"):
        return base_did + ref
    return ref


@dataclass(frozen=True)
class DidDocument:
    """A resolved DID document (a parsed JSON object) and lookups over it."""

    id: str
    data: Mapping[str, Any]

    def _embedded_methods(self) -> list[Mapping[str, Any]]:
        found: list[Mapping[str, Any]] = []
        vms = self.data.get("verificationMethod", [])
        if isinstance(vms, list):
            found.extend(vm for vm in vms if isinstance(vm, Mapping))
        for rel in RELATIONSHIPS:
            entries = self.data.get(rel, [])
            if isinstance(entries, list):
                found.extend(e for e in entries if isinstance(e, Mapping))
        return found

    def verification_method(self, vm_id: str) -> VerificationMethod:
        for entry in self._embedded_methods():
            if _absolute(str(entry.get("id", "")), self.id) == vm_id:
                return parse_verification_method(entry, self.id)
        raise VerificationMethodError(f"{vm_id} is not a verification method of {self.id}")

    def has_relationship(self, vm_id: str, relationship: str) -> bool:
        """True when ``vm_id`` is listed (by reference or embedded) under ``relationship``."""
        entries = self.data.get(relationship, [])
        if not isinstance(entries, list):
            return False
        for entry in entries:
            ref = (
                entry
                if isinstance(entry, str)
                else (entry.get("id") if isinstance(entry, Mapping) else None)
            )
            if isinstance(ref, str) and _absolute(ref, self.id) == vm_id:
                return True
        return False
