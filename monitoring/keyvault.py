"""The devices' SM4 keys at rest: sealed with AES-256-GCM under a key from the environment.

``LANTIAN_SM4_VAULT_KEY`` holds one or more ``key-id:secret`` pairs separated by commas; the
first seals new keys, the others still open keys they sealed (rotate the vault key by putting
the new one first). Without the variable the development key below is used: it is public (it
is in this file), so keys sealed with it are as good as plain, and ``lantian check --deploy``
says so. A sealed key is bound to its device (associated data), so a row copied onto another
device does not open.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from django.conf import settings

from lantian.lib import keyspec

DEVELOPMENT_KEY_ID = "dev"
DEVELOPMENT_SECRET = b"lantian-development-sm4-vault-key-NOT-SECRET-do-not-use-in-production"
MIN_SECRET_LENGTH = keyspec.MIN_SECRET_LENGTH
NONCE_BYTES = 12


class VaultKeyError(ValueError):
    """``LANTIAN_SM4_VAULT_KEY`` cannot be read, or names a key it does not hold."""


@dataclass(frozen=True)
class Vault:
    current: str
    secrets: dict[str, bytes]

    @property
    def is_development(self) -> bool:
        return self.current == DEVELOPMENT_KEY_ID

    def seal(self, key: bytes, device_id: int) -> tuple[str, bytes]:
        """(vault key id, nonce + ciphertext) of a device key."""
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self._aes(self.current)).encrypt(nonce, key, _bound(device_id))
        return self.current, nonce + sealed

    def open(self, key_id: str, sealed: bytes, device_id: int) -> bytes:
        """The device key; ``VaultKeyError`` if the vault key is unknown or the row was altered."""
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        sealed = bytes(sealed)
        try:
            return AESGCM(self._aes(key_id)).decrypt(
                sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], _bound(device_id)
            )
        except InvalidTag:
            raise VaultKeyError("密钥记录无法解开（记录被改动，或金库密钥不符）") from None

    def _aes(self, key_id: str) -> bytes:
        try:
            secret = self.secrets[key_id]
        except KeyError:
            raise VaultKeyError(
                f"未知的金库密钥编号 {key_id!r}（LANTIAN_SM4_VAULT_KEY 中没有）"
            ) from None
        # a 256-bit AES key from a secret of any length
        return hashlib.sha256(b"lantian-sm4-vault\0" + secret).digest()


def _bound(device_id: int) -> bytes:
    return f"lantian-device-key:{device_id}".encode()


def parse(value: str) -> Vault:
    """``"2026a:secret,2025b:older"`` → a vault sealing with ``2026a``."""
    parsed = keyspec.parse(
        value, variable="LANTIAN_SM4_VAULT_KEY", noun="金库密钥", error=VaultKeyError
    )
    if parsed is None:
        return Vault(DEVELOPMENT_KEY_ID, {DEVELOPMENT_KEY_ID: DEVELOPMENT_SECRET})
    return Vault(*parsed)


_cache: dict[str, Vault] = {}


def vault() -> Vault:
    value = getattr(settings, "LANTIAN_SM4_VAULT_KEY", "")
    found = _cache.get(value)
    if found is None:
        found = _cache[value] = parse(value)
    return found
