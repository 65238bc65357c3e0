from satchel.wallet.passwords import hash_password, needs_rehash, verify_password


async def test_password_hash_is_argon2id_and_verifies_only_the_right_password():
    stored = await hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert await verify_password(stored, "correct horse battery")
    assert not await verify_password(stored, "correct horse batterY")
    assert not needs_rehash(stored)


async def test_malformed_stored_hash_never_verifies():
    assert not await verify_password("not-a-hash", "anything")
