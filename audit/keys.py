"""The secret that keys the audit chain, kept outside the database.

``LANTIAN_AUDIT_KEY`` holds one or more ``key-id:secret`` pairs separated by commas; the first
signs new rows and checkpoints, the others still verify the rows they signed, so a key can be
rotated by putting the new one first and keeping the old ones after it. Without the variable the
development key below is used: it is public (it is in this file), so a chain keyed with it proves
nothing, and ``lantian check --deploy`` says so.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings

from lantian.lib import keyspec

DEVELOPMENT_KEY_ID = "dev"
DEVELOPMENT_SECRET = b"lantian-development-audit-key-NOT-SECRET-do-not-use-in-production"
MIN_SECRET_LENGTH = keyspec.MIN_SECRET_LENGTH


class AuditKeyError(ValueError):
    """``LANTIAN_AUDIT_KEY`` cannot be read."""


@dataclass(frozen=True)
class Keyring:
    current: str
    secrets: dict[str, bytes]

    def sign(self, key_id: str, blob: bytes) -> str:
        try:
            secret = self.secrets[key_id]
        except KeyError:
            raise AuditKeyError(
                f"未知的审计密钥编号 {key_id!r}（LANTIAN_AUDIT_KEY 中没有）"
            ) from None
        return hmac.new(secret, blob, hashlib.sha256).hexdigest()

    @property
    def is_development(self) -> bool:
        return self.current == DEVELOPMENT_KEY_ID


def parse(value: str) -> Keyring:
    """``"2026a:secret,2025b:older"`` → a keyring whose current key is ``2026a``."""
    parsed = keyspec.parse(
        value, variable="LANTIAN_AUDIT_KEY", noun="审计密钥", error=AuditKeyError
    )
    if parsed is None:
        return Keyring(DEVELOPMENT_KEY_ID, {DEVELOPMENT_KEY_ID: DEVELOPMENT_SECRET})
    return Keyring(*parsed)


_cache: dict[str, Keyring] = {}


def keyring() -> Keyring:
    value = getattr(settings, "LANTIAN_AUDIT_KEY", "")
    ring = _cache.get(value)
    if ring is None:
        ring = _cache[value] = parse(value)
    return ring
