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

DEVELOPMENT_KEY_ID = "dev"
DEVELOPMENT_SECRET = b"lantian-development-audit-key-NOT-SECRET-do-not-use-in-production"
MIN_SECRET_LENGTH = 32


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
    value = (value or "").strip()
    if not value:
        return Keyring(DEVELOPMENT_KEY_ID, {DEVELOPMENT_KEY_ID: DEVELOPMENT_SECRET})
    secrets: dict[str, bytes] = {}
    order = []
    for item in value.split(","):
        key_id, sep, secret = item.strip().partition(":")
        key_id, secret = key_id.strip(), secret.strip()
        if not sep or not key_id or not secret:
            raise AuditKeyError("LANTIAN_AUDIT_KEY 应为 编号:密钥[,旧编号:旧密钥…]")
        if len(key_id) > 16 or not key_id.replace("-", "").replace("_", "").isalnum():
            raise AuditKeyError(f"审计密钥编号 {key_id!r} 应为至多 16 个字母、数字、-、_")
        if len(secret) < MIN_SECRET_LENGTH:
            raise AuditKeyError(f"审计密钥 {key_id} 过短（至少 {MIN_SECRET_LENGTH} 个字符）")
        if key_id in secrets:
            raise AuditKeyError(f"审计密钥编号 {key_id} 重复")
        secrets[key_id] = secret.encode("utf-8")
        order.append(key_id)
    return Keyring(order[0], secrets)


_cache: dict[str, Keyring] = {}


def keyring() -> Keyring:
    value = getattr(settings, "LANTIAN_AUDIT_KEY", "")
    ring = _cache.get(value)
    if ring is None:
        ring = _cache[value] = parse(value)
    return ring
