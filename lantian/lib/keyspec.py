"""Secrets given in the environment as ``编号:密钥[,旧编号:旧密钥…]``: the first is current, the
others still open what they sealed (rotation). Shared by the audit chain's key
(``LANTIAN_AUDIT_KEY``) and the SM4 key vault (``LANTIAN_SM4_VAULT_KEY``)."""

from __future__ import annotations

MIN_SECRET_LENGTH = 32


def parse(
    value: str, *, variable: str, noun: str, error: type[Exception]
) -> tuple[str, dict[str, bytes]] | None:
    """(current key id, {key id: secret}); ``None`` when ``value`` is empty. ``error`` is raised
    with a sentence naming ``variable`` or the ``noun`` (审计密钥, 金库密钥) of the bad entry."""
    value = (value or "").strip()
    if not value:
        return None
    secrets: dict[str, bytes] = {}
    order = []
    for item in value.split(","):
        key_id, sep, secret = item.strip().partition(":")
        key_id, secret = key_id.strip(), secret.strip()
        if not sep or not key_id or not secret:
            raise error(f"{variable} 应为 编号:密钥[,旧编号:旧密钥…]")
        if len(key_id) > 16 or not key_id.replace("-", "").replace("_", "").isalnum():
            raise error(f"{noun}编号 {key_id!r} 应为至多 16 个字母、数字、-、_")
        if len(secret) < MIN_SECRET_LENGTH:
            raise error(f"{noun} {key_id} 过短（至少 {MIN_SECRET_LENGTH} 个字符）")
        if key_id in secrets:
            raise error(f"{noun}编号 {key_id} 重复")
        secrets[key_id] = secret.encode("utf-8")
        order.append(key_id)
    return order[0], secrets
