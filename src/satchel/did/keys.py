"""Public and private keys for every signature algorithm Satchel speaks.

One wrapper over ``cryptography`` keys so proofs never branch on key classes. ECDSA signatures
are raw ``r || s`` (IEEE P1363), the form both Data Integrity and JOSE use.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from satchel.errors import SatchelError


class InvalidKeyError(SatchelError):
    """A key is malformed, of an unsupported type, or unfit for the requested algorithm."""

    type = "invalid-key"
    title = "Invalid key"
    status = 400


class KeyType(enum.StrEnum):
    ED25519 = "Ed25519"
    P256 = "P-256"
    P384 = "P-384"
    RSA = "RSA"


class SignatureAlgorithm(enum.StrEnum):
    """JOSE names, used everywhere for the algorithm that a signature was made with."""

    EDDSA = "EdDSA"
    ES256 = "ES256"
    ES384 = "ES384"
    RS256 = "RS256"
    PS256 = "PS256"


_CURVES: dict[KeyType, ec.EllipticCurve] = {
    KeyType.P256: ec.SECP256R1(),
    KeyType.P384: ec.SECP384R1(),
}
_EC_SIZE = {KeyType.P256: 32, KeyType.P384: 48}
_DEFAULT_ALG = {
    KeyType.ED25519: SignatureAlgorithm.EDDSA,
    KeyType.P256: SignatureAlgorithm.ES256,
    KeyType.P384: SignatureAlgorithm.ES384,
    KeyType.RSA: SignatureAlgorithm.RS256,
}
_ALLOWED_ALGS = {
    KeyType.ED25519: {SignatureAlgorithm.EDDSA},
    KeyType.P256: {SignatureAlgorithm.ES256},
    KeyType.P384: {SignatureAlgorithm.ES384},
    KeyType.RSA: {SignatureAlgorithm.RS256, SignatureAlgorithm.PS256},
}
MIN_RSA_BITS = 2048

PublicKeyObject = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey
PrivateKeyObject = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


def _key_type_of(key: PublicKeyObject) -> KeyType:
    if isinstance(key, ed25519.Ed25519PublicKey):
        return KeyType.ED25519
    if isinstance(key, ec.EllipticCurvePublicKey):
        for key_type, curve in _CURVES.items():
            if key.curve.name == curve.name:
                return key_type
        raise InvalidKeyError(f"unsupported elliptic curve {key.curve.name}")
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            raise InvalidKeyError(
                f"RSA key of {key.key_size} bits is too short (min {MIN_RSA_BITS})"
            )
        return KeyType.RSA
    raise InvalidKeyError(f"unsupported key class {type(key).__name__}")


def _check_alg(key_type: KeyType, algorithm: SignatureAlgorithm | None) -> SignatureAlgorithm:
    alg = algorithm or _DEFAULT_ALG[key_type]
    if alg not in _ALLOWED_ALGS[key_type]:
        raise InvalidKeyError(f"algorithm {alg} cannot be used with a {key_type} key")
    return alg


@dataclass(frozen=True, eq=False)
class PublicKey:
    """A verification key. Compare with :meth:`same_key_as`, not ``==``."""

    key: PublicKeyObject

    @property
    def key_type(self) -> KeyType:
        return _key_type_of(self.key)

    def verify(
        self, signature: bytes, message: bytes, algorithm: SignatureAlgorithm | None = None
    ) -> bool:
        """True when ``signature`` over ``message`` is valid for this key and algorithm."""
        key_type = self.key_type
        alg = _check_alg(key_type, algorithm)
        try:
            if isinstance(self.key, ed25519.Ed25519PublicKey):
                self.key.verify(signature, message)
            elif isinstance(self.key, ec.EllipticCurvePublicKey):
                size = _EC_SIZE[key_type]
                if len(signature) != 2 * size:
                    return False
                der = encode_dss_signature(
                    int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
                )
                self.key.verify(der, message, ec.ECDSA(_ec_hash(key_type)))
            else:
                self.key.verify(signature, message, _rsa_padding(alg), hashes.SHA256())
        except InvalidSignature:
            return False
        return True

    def raw_bytes(self) -> bytes:
        """Ed25519: the 32 raw bytes; EC: the compressed point; RSA: DER SubjectPublicKeyInfo."""
        from cryptography.hazmat.primitives import serialization as ser

        if isinstance(self.key, ed25519.Ed25519PublicKey):
            return self.key.public_bytes(ser.Encoding.Raw, ser.PublicFormat.Raw)
        if isinstance(self.key, ec.EllipticCurvePublicKey):
            return self.key.public_bytes(ser.Encoding.X962, ser.PublicFormat.CompressedPoint)
        return self.key.public_bytes(ser.Encoding.DER, ser.PublicFormat.SubjectPublicKeyInfo)

    def same_key_as(self, other: PublicKey) -> bool:
        return self.key_type == other.key_type and self.raw_bytes() == other.raw_bytes()

    def to_multikey(self) -> str:
        from satchel.did.multikey import encode_public_key

        return encode_public_key(self)

    def to_jwk(self) -> dict[str, str]:
        from satchel.did.jwk import public_key_to_jwk

        return public_key_to_jwk(self)


@dataclass(frozen=True, eq=False)
class PrivateKey:
    """A signing key; never logged, never serialised except on purpose."""

    key: PrivateKeyObject

    @property
    def public_key(self) -> PublicKey:
        return PublicKey(self.key.public_key())

    @property
    def key_type(self) -> KeyType:
        return self.public_key.key_type

    def sign(self, message: bytes, algorithm: SignatureAlgorithm | None = None) -> bytes:
        key_type = self.key_type
        alg = _check_alg(key_type, algorithm)
        if isinstance(self.key, ed25519.Ed25519PrivateKey):
            return self.key.sign(message)
        if isinstance(self.key, ec.EllipticCurvePrivateKey):
            r, s = decode_dss_signature(self.key.sign(message, ec.ECDSA(_ec_hash(key_type))))
            size = _EC_SIZE[key_type]
            return r.to_bytes(size, "big") + s.to_bytes(size, "big")
        return self.key.sign(message, _rsa_padding(alg), hashes.SHA256())

    def to_jwk(self) -> dict[str, str]:
        from satchel.did.jwk import private_key_to_jwk

        return private_key_to_jwk(self)

    def __repr__(self) -> str:
        return f"PrivateKey({self.key_type})"


def generate_private_key(key_type: KeyType) -> PrivateKey:
    if key_type is KeyType.ED25519:
        return PrivateKey(ed25519.Ed25519PrivateKey.generate())
    if key_type in _CURVES:
        return PrivateKey(ec.generate_private_key(_CURVES[key_type]))
    return PrivateKey(rsa.generate_private_key(public_exponent=65537, key_size=2048))


def ec_curve(key_type: KeyType) -> ec.EllipticCurve:
    return _CURVES[key_type]


def _ec_hash(key_type: KeyType) -> hashes.HashAlgorithm:
    return hashes.SHA384() if key_type is KeyType.P384 else hashes.SHA256()


def _rsa_padding(alg: SignatureAlgorithm) -> padding.AsymmetricPadding:
    if alg is SignatureAlgorithm.PS256:
        return padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    return padding.PKCS1v15()
