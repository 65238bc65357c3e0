"""JWK (RFC 7517) conversion of public and private keys."""

from __future__ import annotations

import pytest

from satchel.did.jwk import (
    b64url_decode,
    b64url_encode,
    private_key_from_jwk,
    private_key_to_jwk,
    public_key_from_jwk,
    public_key_to_jwk,
)
from satchel.did.keys import InvalidKeyError, KeyType, generate_private_key
from satchel.did.multikey import decode_public_key

# RFC 8037 appendix A.1/A.2: the Ed25519 example key
RFC8037_PUBLIC = {
    "kty": "OKP",
    "crv": "Ed25519",
    "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
}
RFC8037_D = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"


@pytest.fixture(scope="module")
def keys():
    return {key_type: generate_private_key(key_type) for key_type in KeyType}


@pytest.mark.parametrize("key_type", list(KeyType))
def test_public_jwk_round_trips_for_every_key_type(keys, key_type):
    public = keys[key_type].public_key
    jwk = public_key_to_jwk(public)
    assert "d" not in jwk
    assert public_key_from_jwk(jwk).same_key_as(public)


@pytest.mark.parametrize("key_type", list(KeyType))
def test_private_jwk_round_trips_and_signs_like_the_original(keys, key_type):
    private = keys[key_type]
    restored = private_key_from_jwk(private_key_to_jwk(private))
    assert restored.public_key.same_key_as(private.public_key)
    assert private.public_key.verify(restored.sign(b"m"), b"m")


def test_rfc8037_example_private_key_derives_its_public_key():
    private = private_key_from_jwk({**RFC8037_PUBLIC, "d": RFC8037_D})
    assert public_key_to_jwk(private.public_key) == RFC8037_PUBLIC


def test_ec_coordinates_are_fixed_length(keys):
    jwk = public_key_to_jwk(keys[KeyType.P384].public_key)
    assert len(b64url_decode(jwk["x"])) == len(b64url_decode(jwk["y"])) == 48


def test_jwk_and_multikey_describe_the_same_p256_key():
    key = decode_public_key("zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP")
    assert public_key_from_jwk(key.to_jwk()).to_multikey() == key.to_multikey()


def test_private_jwk_whose_d_does_not_match_public_members_is_refused(keys):
    jwk = private_key_to_jwk(keys[KeyType.P256])
    jwk["d"] = private_key_to_jwk(generate_private_key(KeyType.P256))["d"]
    with pytest.raises(InvalidKeyError, match="does not match"):
        private_key_from_jwk(jwk)


@pytest.mark.parametrize(
    "jwk",
    [
        "not an object",
        {},
        {"kty": "OKP", "crv": "X25519", "x": RFC8037_PUBLIC["x"]},
        {"kty": "OKP", "crv": "Ed25519"},
        {"kty": "OKP", "crv": "Ed25519", "x": "AAAA"},
        {"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"},
        {"kty": "EC", "crv": "P-256", "x": "A" * 43, "y": "A" * 43},  # not on the curve
        {"kty": "EC", "crv": "secp256k1", "x": "A" * 43, "y": "A" * 43},
        {"kty": "oct", "k": "AAAA"},
        {"kty": "OKP", "crv": "Ed25519", "x": 5},
    ],
)
def test_malformed_or_unsupported_public_jwk_is_refused(jwk):
    with pytest.raises(InvalidKeyError):
        public_key_from_jwk(jwk)


def test_rsa_jwk_shorter_than_2048_bits_is_refused():
    n = b64url_encode((1 << 1023 | 1).to_bytes(128, "big"))
    with pytest.raises(InvalidKeyError, match="too short"):
        public_key_from_jwk({"kty": "RSA", "n": n, "e": "AQAB"})


def test_private_jwk_without_d_is_refused():
    with pytest.raises(InvalidKeyError, match="'d'"):
        private_key_from_jwk(RFC8037_PUBLIC)


def test_base64url_has_no_padding_and_round_trips():
    assert b64url_encode(b"\xff\xfe") == "__4"
    assert b64url_decode("__4") == b"\xff\xfe"
    with pytest.raises(InvalidKeyError):
        b64url_decode("a")
