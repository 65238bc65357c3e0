"""Compact JWS as OB 2.0 signed badges use it: the payload is the assertion itself.

Only asymmetric algorithms are accepted (RS*, PS*, ES*): ``none`` and the HMAC family would let
anyone who knows the public key forge a signature, so they are refused outright.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from satchel.errors import SatchelError
from satchel.validator.proofs.jws import CompactJws, JwsFormatError
from satchel.validator.proofs.jws import parse_compact_jws as parse_strict

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "256": hashes.SHA256,
    "384": hashes.SHA384,
    "512": hashes.SHA512,
}
_EC_CURVES = {"ES256": ec.SECP256R1, "ES384": ec.SECP384R1, "ES512": ec.SECP521R1}
SUPPORTED_ALGORITHMS = frozenset(
    [f"{family}{bits}" for family in ("RS", "PS") for bits in _HASHES] + list(_EC_CURVES)
)


class JwsError(SatchelError):
    """The JWS cannot be read, or its algorithm or key cannot be used."""

    type = "ob2-jws-error"
    title = "Unusable signed badge"
    status = 400


def parse_compact_jws(token: str) -> CompactJws:
    """Split and decode a compact JWS (the shared strict parser) or raise :class:`JwsError`."""
    try:
        return parse_strict(token)
    except JwsFormatError as exc:
        raise JwsError(str(exc)) from exc


def verify_signature(jws: CompactJws, public_key_pem: str) -> bool:
    """True when the signature is valid for ``public_key_pem``; JwsError if it cannot be tried."""
    alg = jws.algorithm
    if alg not in SUPPORTED_ALGORITHMS:
        raise JwsError(f"the signing algorithm {alg or '(none)'!r} is not accepted")
    try:
        key = load_pem_public_key(public_key_pem.encode("utf-8"))
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise JwsError("the issuer's public key is not a readable PEM public key") from exc
    digest = _HASHES[alg[2:]]()
    try:
        if alg.startswith(("RS", "PS")):
            if not isinstance(key, rsa.RSAPublicKey):
                raise JwsError(f"{alg} needs an RSA key")
            pad = padding.PKCS1v15() if alg.startswith("RS") else _pss(digest)
            key.verify(jws.signature, jws.signing_input, pad, digest)
        else:
            _verify_ec(jws, key, alg, digest)
    except InvalidSignature:
        return False
    return True


def _pss(digest: hashes.HashAlgorithm) -> padding.PSS:
    return padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size)


def _verify_ec(jws: CompactJws, key: object, alg: str, digest: hashes.HashAlgorithm) -> None:
    curve = _EC_CURVES[alg]
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, curve):
        raise JwsError(f"{alg} needs an elliptic-curve key on {curve.name}")
    size = (key.curve.key_size + 7) // 8
    if len(jws.signature) != 2 * size:
        raise InvalidSignature
    r = int.from_bytes(jws.signature[:size], "big")
    s = int.from_bytes(jws.signature[size:], "big")
    key.verify(encode_dss_signature(r, s), jws.signing_input, ec.ECDSA(digest))
