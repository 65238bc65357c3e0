"""Multikey encoding against the published W3C Data Integrity test-vector key pairs.

Values copied from w3c/vc-di-eddsa TestVectors/keyPair.json and w3c/vc-di-ecdsa
TestVectors/p256KeyPair.json and p384KeyPair.json (see ../shared/vectors).
"""

from __future__ import annotations

import pytest

from satchel.did.keys import InvalidKeyError, KeyType, generate_private_key
from satchel.did.multikey import (
    decode_ed25519_raw,
    decode_public_key,
    decode_secret_key,
    encode_public_key,
    encode_secret_key,
    multibase_decode,
    multibase_encode,
)

PUBLISHED = [
    (
        KeyType.ED25519,
        "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
        "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq",
    ),
    (
        KeyType.P256,
        "zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP",
        "z42twTcNeSYcnqg1FLuSFs2bsGH3ZqbRHFmvS9XMsYhjxvHN",
    ),
    (
        KeyType.P384,
        "z82LkuBieyGShVBhvtE2zoiD6Kma4tJGFtkAhxR5pfkp5QPw4LutoYWhvQCnGjdVn14kujQ",
        "z2fanyY7zgwNpZGxX5fXXibvScNaUWNprHU9dKx7qpVj7mws9J8LLt4mDB5TyH2GLHWkUc",
    ),
]


@pytest.mark.parametrize(("key_type", "public", "secret"), PUBLISHED)
def test_published_public_key_decodes_and_re_encodes_identically(key_type, public, secret):
    key = decode_public_key(public)
    assert key.key_type is key_type
    assert encode_public_key(key) == public
    assert key.to_multikey() == public


@pytest.mark.parametrize(("key_type", "public", "secret"), PUBLISHED)
def test_published_secret_key_re_encodes_and_derives_its_public_key(key_type, public, secret):
    private = decode_secret_key(secret)
    assert private.key_type is key_type
    assert encode_secret_key(private) == secret
    assert encode_public_key(private.public_key) == public


@pytest.mark.parametrize(("key_type", "public", "secret"), PUBLISHED)
def test_published_pair_signs_and_verifies(key_type, public, secret):
    signature = decode_secret_key(secret).sign(b"msg")
    assert decode_public_key(public).verify(signature, b"msg")


@pytest.mark.parametrize(
    ("key_type", "prefix"),
    [(KeyType.ED25519, "z6Mk"), (KeyType.P256, "zDn"), (KeyType.P384, "z82")],
)
def test_generated_keys_have_the_documented_multikey_prefix(key_type, prefix):
    private = generate_private_key(key_type)
    encoded = encode_public_key(private.public_key)
    assert encoded.startswith(prefix)
    assert decode_public_key(encoded).same_key_as(private.public_key)
    assert decode_secret_key(encode_secret_key(private)).public_key.same_key_as(private.public_key)


def test_rsa_keys_have_no_multikey_form():
    private = generate_private_key(KeyType.RSA)
    with pytest.raises(InvalidKeyError):
        encode_public_key(private.public_key)
    with pytest.raises(InvalidKeyError):
        encode_secret_key(private)


def test_ed25519_2020_accepts_bare_32_key_bytes_and_multikey_form():
    key = decode_public_key(PUBLISHED[0][1])
    assert decode_ed25519_raw(multibase_encode(key.raw_bytes())).same_key_as(key)
    assert decode_ed25519_raw(PUBLISHED[0][1]).same_key_as(key)
    with pytest.raises(InvalidKeyError, match="Ed25519"):
        decode_ed25519_raw(PUBLISHED[1][1])


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",  # no multibase prefix
        "u7QE",  # base64url multibase, not base58btc
        "z0OIl",  # characters outside the base58 alphabet
        "z6Mkr",  # Ed25519 prefix, too few key bytes
        multibase_encode(b"\x12\x34" + b"\0" * 32),  # unknown codec
        multibase_encode(b"\x80\x24" + b"\x05" + b"\0" * 32),  # P-256 prefix, not a point
        "z" + "1" * 3000,  # absurdly long
    ],
)
def test_garbage_public_multikey_is_refused_with_invalid_key_error(garbage):
    with pytest.raises(InvalidKeyError):
        decode_public_key(garbage)


@pytest.mark.parametrize(
    "garbage",
    ["z", multibase_encode(b"\x80\x26" + b"\0" * 5), PUBLISHED[0][1]],
)
def test_garbage_secret_multikey_is_refused_with_invalid_key_error(garbage):
    with pytest.raises(InvalidKeyError):
        decode_secret_key(garbage)


def test_multibase_rejects_non_strings():
    with pytest.raises(InvalidKeyError):
        multibase_decode(123)  # type: ignore[arg-type]
