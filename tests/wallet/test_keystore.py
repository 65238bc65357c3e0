import os
import stat

import pytest

from satchel.did.keys import KeyType, generate_private_key
from satchel.wallet.keystore import Keystore, KeystoreError, load_or_create_kek


def test_kek_file_is_created_once_with_owner_only_permissions(tmp_path):
    path = tmp_path / "secret.key"
    first = load_or_create_kek(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_or_create_kek(path) == first
    assert len(first) == 32


def test_kek_file_readable_by_others_is_refused(tmp_path):
    path = tmp_path / "secret.key"
    load_or_create_kek(path)
    path.chmod(0o644)
    with pytest.raises(KeystoreError, match="chmod 600"):
        load_or_create_kek(path)


@pytest.mark.parametrize("key_type", [KeyType.ED25519, KeyType.P256, KeyType.P384])
def test_sealed_key_opens_to_the_same_key(tmp_path, key_type):
    store = Keystore(load_or_create_kek(tmp_path / "k"))
    key = generate_private_key(key_type)
    sealed = store.seal(key, owner="acct-1", key_id="key-1")
    assert key.to_jwk()["d"] not in sealed
    assert store.open(sealed, owner="acct-1", key_id="key-1").public_key.same_key_as(key.public_key)


@pytest.mark.parametrize(
    ("owner", "key_id"), [("acct-2", "key-1"), ("acct-1", "key-2")], ids=["owner", "key-id"]
)
def test_sealed_key_moved_to_another_slot_does_not_open(tmp_path, owner, key_id):
    store = Keystore(load_or_create_kek(tmp_path / "k"))
    sealed = store.seal(generate_private_key(KeyType.ED25519), owner="acct-1", key_id="key-1")
    with pytest.raises(KeystoreError):
        store.open(sealed, owner=owner, key_id=key_id)


def test_sealed_key_does_not_open_under_another_kek(tmp_path):
    sealed = Keystore(load_or_create_kek(tmp_path / "a")).seal(
        generate_private_key(KeyType.ED25519), owner="o", key_id="k"
    )
    with pytest.raises(KeystoreError):
        Keystore(load_or_create_kek(tmp_path / "b")).open(sealed, owner="o", key_id="k")


@pytest.mark.parametrize("garbage", ["", "v1.x.y", "v2.AAAA.AAAA", "not sealed at all"])
def test_garbage_ciphertext_is_a_keystore_error(tmp_path, garbage):
    with pytest.raises(KeystoreError):
        Keystore(load_or_create_kek(tmp_path / "k")).open(garbage, owner="o", key_id="k")
