"""PublicKey / PrivateKey: signing and verifying for every key type and algorithm."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from satchel.did.keys import (
    InvalidKeyError,
    KeyType,
    PrivateKey,
    PublicKey,
    SignatureAlgorithm,
    generate_private_key,
)

MESSAGE = b"an Open Badges credential"

ROUND_TRIPS = [
    (KeyType.ED25519, SignatureAlgorithm.EDDSA),
    (KeyType.P256, SignatureAlgorithm.ES256),
    (KeyType.P384, SignatureAlgorithm.ES384),
    (KeyType.RSA, SignatureAlgorithm.RS256),
    (KeyType.RSA, SignatureAlgorithm.PS256),
]


@pytest.fixture(scope="module")
def keys() -> dict[KeyType, PrivateKey]:
    return {key_type: generate_private_key(key_type) for key_type in KeyType}


@pytest.mark.parametrize(("key_type", "alg"), ROUND_TRIPS)
def test_signature_round_trips_for_every_key_type_and_algorithm(keys, key_type, alg):
    private = keys[key_type]
    signature = private.sign(MESSAGE, alg)
    assert private.public_key.verify(signature, MESSAGE, alg)
    assert not private.public_key.verify(signature, MESSAGE + b"!", alg)


@pytest.mark.parametrize(("key_type", "size"), [(KeyType.P256, 64), (KeyType.P384, 96)])
def test_ecdsa_signatures_are_raw_r_and_s(keys, key_type, size):
    assert len(keys[key_type].sign(MESSAGE)) == size


def test_default_algorithm_follows_key_type(keys):
    private = keys[KeyType.P384]
    assert private.public_key.verify(private.sign(MESSAGE), MESSAGE, SignatureAlgorithm.ES384)


def test_rs256_signature_does_not_verify_as_ps256(keys):
    private = keys[KeyType.RSA]
    signature = private.sign(MESSAGE, SignatureAlgorithm.RS256)
    assert not private.public_key.verify(signature, MESSAGE, SignatureAlgorithm.PS256)


@pytest.mark.parametrize(
    ("key_type", "alg"),
    [
        (KeyType.ED25519, SignatureAlgorithm.ES256),
        (KeyType.P256, SignatureAlgorithm.ES384),
        (KeyType.P384, SignatureAlgorithm.EDDSA),
        (KeyType.RSA, SignatureAlgorithm.ES256),
        (KeyType.P256, SignatureAlgorithm.RS256),
    ],
)
def test_algorithm_not_matching_the_key_is_refused(keys, key_type, alg):
    private = keys[key_type]
    with pytest.raises(InvalidKeyError, match="cannot be used"):
        private.sign(MESSAGE, alg)
    with pytest.raises(InvalidKeyError, match="cannot be used"):
        private.public_key.verify(b"\0" * 64, MESSAGE, alg)


def test_ecdsa_signature_of_wrong_length_does_not_verify(keys):
    private = keys[KeyType.P256]
    assert not private.public_key.verify(private.sign(MESSAGE)[:-1], MESSAGE)


def test_rsa_key_shorter_than_2048_bits_is_refused():
    short = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - the point
    with pytest.raises(InvalidKeyError, match="1024 bits"):
        PublicKey(short.public_key()).key_type  # noqa: B018
    with pytest.raises(InvalidKeyError, match="too short"):
        PrivateKey(short).sign(MESSAGE)


def test_unsupported_curve_is_refused():
    key = ec.generate_private_key(ec.SECP521R1())
    with pytest.raises(InvalidKeyError, match="curve"):
        PublicKey(key.public_key()).key_type  # noqa: B018


def test_same_key_as_compares_key_material_not_objects(keys):
    private = keys[KeyType.ED25519]
    assert private.public_key.same_key_as(private.public_key)
    assert not private.public_key.same_key_as(keys[KeyType.P256].public_key)


def test_private_key_repr_never_shows_key_material(keys):
    assert repr(keys[KeyType.ED25519]) == "PrivateKey(Ed25519)"
