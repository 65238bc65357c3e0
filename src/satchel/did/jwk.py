"""JSON Web Keys (RFC 7517) to and from :class:`PublicKey` / :class:`PrivateKey`."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from satchel.did.keys import InvalidKeyError, KeyType, PrivateKey, PublicKey, ec_curve

_EC_SIZE = {KeyType.P256: 32, KeyType.P384: 48}
_CRV_TO_TYPE = {"P-256": KeyType.P256, "P-384": KeyType.P384}


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(value: str) -> bytes:
    if not isinstance(value, str):
        raise InvalidKeyError("JWK member must be a base64url string")
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (ValueError, TypeError) as exc:
        raise InvalidKeyError(f"invalid base64url: {exc}") from exc


def _int(value: Any) -> int:
    return int.from_bytes(b64url_decode(value), "big")


def _uint(value: int, size: int | None = None) -> str:
    length = size if size is not None else max(1, (value.bit_length() + 7) // 8)
    return b64url_encode(value.to_bytes(length, "big"))


def public_key_from_jwk(jwk: Mapping[str, Any]) -> PublicKey:
    if not isinstance(jwk, Mapping):
        raise InvalidKeyError("JWK must be a JSON object")
    kty, crv = jwk.get("kty"), jwk.get("crv")
    try:
        if kty == "OKP" and crv == "Ed25519":
            return PublicKey(ed25519.Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"])))
        if kty == "EC" and crv in _CRV_TO_TYPE:
            key_type = _CRV_TO_TYPE[crv]
            x, y = b64url_decode(jwk["x"]), b64url_decode(jwk["y"])
            if len(x) != _EC_SIZE[key_type] or len(y) != _EC_SIZE[key_type]:
                raise InvalidKeyError(f"{crv} JWK coordinates have the wrong length")
            numbers = ec.EllipticCurvePublicNumbers(
                int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec_curve(key_type)
            )
            return PublicKey(numbers.public_key())
        if kty == "RSA":
            key = PublicKey(rsa.RSAPublicNumbers(_int(jwk["e"]), _int(jwk["n"])).public_key())
            key.key_type  # noqa: B018 - raises for keys that are too short
            return key
    except KeyError as exc:
        raise InvalidKeyError(f"JWK is missing member {exc}") from exc
    except ValueError as exc:
        raise InvalidKeyError(f"invalid JWK: {exc}") from exc
    raise InvalidKeyError(f"unsupported JWK kty={kty!r} crv={crv!r}")


def public_key_to_jwk(key: PublicKey) -> dict[str, str]:
    obj = key.key
    if isinstance(obj, ed25519.Ed25519PublicKey):
        raw = obj.public_bytes(ser.Encoding.Raw, ser.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw)}
    if isinstance(obj, ec.EllipticCurvePublicKey):
        key_type = key.key_type
        nums = obj.public_numbers()
        size = _EC_SIZE[key_type]
        return {
            "kty": "EC",
            "crv": str(key_type),
            "x": _uint(nums.x, size),
            "y": _uint(nums.y, size),
        }
    rsa_nums = obj.public_numbers()
    return {"kty": "RSA", "n": _uint(rsa_nums.n), "e": _uint(rsa_nums.e)}


def private_key_from_jwk(jwk: Mapping[str, Any]) -> PrivateKey:
    if not isinstance(jwk, Mapping) or "d" not in jwk:
        raise InvalidKeyError("private JWK must be a JSON object with a 'd' member")
    public = public_key_from_jwk(jwk)
    try:
        if public.key_type is KeyType.ED25519:
            private = PrivateKey(
                ed25519.Ed25519PrivateKey.from_private_bytes(b64url_decode(jwk["d"]))
            )
        elif public.key_type in _EC_SIZE:
            private = PrivateKey(ec.derive_private_key(_int(jwk["d"]), ec_curve(public.key_type)))
        else:
            pub = rsa.RSAPublicNumbers(_int(jwk["e"]), _int(jwk["n"]))
            p, q, d = _int(jwk["p"]), _int(jwk["q"]), _int(jwk["d"])
            nums = rsa.RSAPrivateNumbers(
                p, q, d, _int(jwk["dp"]), _int(jwk["dq"]), _int(jwk["qi"]), pub
            )
            private = PrivateKey(nums.private_key())
    except KeyError as exc:
        raise InvalidKeyError(f"private JWK is missing member {exc}") from exc
    except ValueError as exc:
        raise InvalidKeyError(f"invalid private JWK: {exc}") from exc
    if not private.public_key.same_key_as(public):
        raise InvalidKeyError("private JWK 'd' does not match its public members")
    return private


def private_key_to_jwk(key: PrivateKey) -> dict[str, str]:
    jwk = public_key_to_jwk(key.public_key)
    obj = key.key
    if isinstance(obj, ed25519.Ed25519PrivateKey):
        jwk["d"] = b64url_encode(
            obj.private_bytes(ser.Encoding.Raw, ser.PrivateFormat.Raw, ser.NoEncryption())
        )
    elif isinstance(obj, ec.EllipticCurvePrivateKey):
        jwk["d"] = _uint(obj.private_numbers().private_value, _EC_SIZE[key.key_type])
    else:
        nums = obj.private_numbers()
        jwk.update(
            d=_uint(nums.d),
            p=_uint(nums.p),
            q=_uint(nums.q),
            dp=_uint(nums.dmp1),
            dq=_uint(nums.dmq1),
            qi=_uint(nums.iqmp),
        )
    return jwk
