"""Private keys at rest: AES-256-GCM under a key-encryption key (KEK) kept in a file.

The KEK file (``SATCHEL_SECRET_KEY_FILE``) holds 32 random bytes, base64; it is created with
mode 0600 on first start when absent. Each sealed key binds its owner and key id as associated
data, so a ciphertext copied onto another account or key slot does not decrypt.
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from satchel.did.jwk import private_key_from_jwk
from satchel.did.keys import PrivateKey
from satchel.errors import SatchelError
from satchel.private_files import create_private_file

KEK_BYTES = 32
NONCE_BYTES = 12
SEAL_VERSION = "v1"


class KeystoreError(SatchelError):
    type = "keystore-error"
    title = "Key store error"
    status = 500


def load_or_create_kek(path: Path) -> bytes:
    """The KEK from ``path``; a new random one (mode 0600) when the file does not exist."""
    if not path.exists():
        key = base64.b64encode(secrets.token_bytes(KEK_BYTES)).decode("ascii")
        create_private_file(path, key + "\n")
    return _read_kek(path)


def _read_kek(path: Path) -> bytes:
    if path.stat().st_mode & 0o077:
        raise KeystoreError(f"{path} is readable by others: chmod 600 it")
    try:
        kek = base64.b64decode(path.read_text("ascii").strip(), validate=True)
    except ValueError as exc:
        raise KeystoreError(f"{path} does not hold a base64 key") from exc
    if len(kek) != KEK_BYTES:
        raise KeystoreError(f"{path} holds {len(kek)} bytes; a 32-byte key is needed")
    return kek


@dataclass(frozen=True)
class Keystore:
    """Seals and opens private keys; ``owner`` and ``key_id`` are bound to each ciphertext."""

    kek: bytes

    def seal(self, key: PrivateKey, *, owner: str, key_id: str) -> str:
        nonce = secrets.token_bytes(NONCE_BYTES)
        plaintext = json.dumps(key.to_jwk(), separators=(",", ":")).encode()
        sealed = AESGCM(self.kek).encrypt(nonce, plaintext, _aad(owner, key_id))
        return f"{SEAL_VERSION}.{_b64(nonce)}.{_b64(sealed)}"

    def open(self, sealed: str, *, owner: str, key_id: str) -> PrivateKey:
        try:
            version, nonce, ciphertext = sealed.split(".")
            if version != SEAL_VERSION:
                raise ValueError(version)
            plaintext = AESGCM(self.kek).decrypt(
                _unb64(nonce), _unb64(ciphertext), _aad(owner, key_id)
            )
        except (ValueError, InvalidTag) as exc:
            raise KeystoreError(f"key {key_id} of {owner} cannot be opened") from exc
        return private_key_from_jwk(json.loads(plaintext))


def _aad(owner: str, key_id: str) -> bytes:
    return json.dumps([owner, key_id]).encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.encode("ascii"))
