"""Multikey (multibase base58btc + multicodec) encoding of public and secret keys.

Ed25519 public keys start ``z6Mk``, P-256 ``zDn``, P-384 ``z82``.
"""

from __future__ import annotations

import base58
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from satchel.did.keys import InvalidKeyError, KeyType, PrivateKey, PublicKey, ec_curve

# multicodec varint prefixes
_PUBLIC_PREFIX = {
    KeyType.ED25519: b"\xed\x01",
    KeyType.P256: b"\x80\x24",
    KeyType.P384: b"\x81\x24",
}
_SECRET_PREFIX = {
    KeyType.ED25519: b"\x80\x26",
    KeyType.P256: b"\x86\x26",
    KeyType.P384: b"\x87\x26",
}
_PUBLIC_LENGTH = {KeyType.ED25519: 32, KeyType.P256: 33, KeyType.P384: 49}
_SECRET_LENGTH = {KeyType.ED25519: 32, KeyType.P256: 32, KeyType.P384: 48}


def multibase_decode(value: str) -> bytes:
    """Decode a base58btc (``z``) multibase string."""
    if not isinstance(value, str) or not value.startswith("z") or len(value) > 2048:
        raise InvalidKeyError("multibase value must be a base58btc string starting with 'z'")
    try:
        return base58.b58decode(value[1:])
    except ValueError as exc:
        raise InvalidKeyError(f"invalid base58btc: {exc}") from exc


def multibase_encode(data: bytes) -> str:
    return "z" + base58.b58encode(data).decode("ascii")


def encode_public_key(key: PublicKey) -> str:
    key_type = key.key_type
    if key_type not in _PUBLIC_PREFIX:
        raise InvalidKeyError(f"{key_type} keys have no Multikey form here")
    return multibase_encode(_PUBLIC_PREFIX[key_type] + key.raw_bytes())


def decode_public_key(multibase: str) -> PublicKey:
    """A Multikey ``publicKeyMultibase`` value to a :class:`PublicKey`."""
    data = multibase_decode(multibase)
    for key_type, prefix in _PUBLIC_PREFIX.items():
        if data.startswith(prefix):
            raw = data[len(prefix) :]
            if len(raw) != _PUBLIC_LENGTH[key_type]:
                raise InvalidKeyError(f"{key_type} Multikey has {len(raw)} key bytes")
            return _public_from_raw(key_type, raw)
    raise InvalidKeyError("unsupported Multikey codec (expected Ed25519, P-256 or P-384)")


def decode_ed25519_raw(multibase: str) -> PublicKey:
    """Ed25519VerificationKey2020 may also carry the bare 32 key bytes without a codec."""
    data = multibase_decode(multibase)
    if len(data) == 32:
        return _public_from_raw(KeyType.ED25519, data)
    key = decode_public_key(multibase)
    if key.key_type is not KeyType.ED25519:
        raise InvalidKeyError("Ed25519VerificationKey2020 must hold an Ed25519 key")
    return key


def encode_secret_key(key: PrivateKey) -> str:
    key_type = key.key_type
    if isinstance(key.key, ed25519.Ed25519PrivateKey):
        from cryptography.hazmat.primitives import serialization as ser

        raw = key.key.private_bytes(ser.Encoding.Raw, ser.PrivateFormat.Raw, ser.NoEncryption())
    elif isinstance(key.key, ec.EllipticCurvePrivateKey):
        raw = key.key.private_numbers().private_value.to_bytes(_SECRET_LENGTH[key_type], "big")
    else:
        raise InvalidKeyError(f"{key_type} keys have no Multikey form here")
    return multibase_encode(_SECRET_PREFIX[key_type] + raw)


def decode_secret_key(multibase: str) -> PrivateKey:
    data = multibase_decode(multibase)
    for key_type, prefix in _SECRET_PREFIX.items():
        if data.startswith(prefix):
            raw = data[len(prefix) :]
            if len(raw) != _SECRET_LENGTH[key_type]:
                raise InvalidKeyError(f"{key_type} secret Multikey has {len(raw)} bytes")
            if key_type is KeyType.ED25519:
                return PrivateKey(ed25519.Ed25519PrivateKey.from_private_bytes(raw))
            value = int.from_bytes(raw, "big")
            return PrivateKey(ec.derive_private_key(value, ec_curve(key_type)))
    raise InvalidKeyError("unsupported secret Multikey codec")


def _public_from_raw(key_type: KeyType, raw: bytes) -> PublicKey:
    try:
        if key_type is KeyType.ED25519:
            return PublicKey(ed25519.Ed25519PublicKey.from_public_bytes(raw))
        return PublicKey(ec.EllipticCurvePublicKey.from_encoded_point(ec_curve(key_type), raw))
    except ValueError as exc:
        raise InvalidKeyError(f"invalid {key_type} public key: {exc}") from exc
