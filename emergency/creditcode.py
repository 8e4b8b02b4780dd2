"""Unified social credit codes (统一社会信用代码, GB 32100-2015): check and make. Pure."""

from __future__ import annotations

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


def check_char(body: str) -> str:
    """The 18th character for the first 17."""
    total = sum(CHARSET.index(ch) * w for ch, w in zip(body, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """Why ``code`` is not a valid credit code, or None when it is."""
    if len(code) != LENGTH:
        return f"应为 18 位，实为 {len(code)} 位"
    bad = sorted({ch for ch in code if ch not in CHARSET})
    if bad:
        return f"含非法字符 {''.join(bad)}"
    if check_char(code[:-1]) != code[-1]:
        return f"校验位应为 {check_char(code[:-1])}"
    return None


def make(body: str) -> str:
    """A valid code from a 17-character body (used to generate sample lists)."""
    return body + check_char(body)
