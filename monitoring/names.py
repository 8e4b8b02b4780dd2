"""What monitoring things are called on a page: pollutants, alarms, device profiles.

Codes (``a34001``, ``LANTIAN-扬尘-默认``) stay in the data; a person reads names.
"""

from __future__ import annotations

from monitoring import codes


def pollutant(code: str) -> str:
    """``a34001`` → ``总悬浮颗粒物 TSP``; an unknown code is named as such, never shown bare."""
    if not code:
        return ""
    found = codes.CODES.get(code)
    return found[0] if found else f"未登记因子（{code}）"


def alarm_title(alarm) -> str:
    """``某工地 · 超标报警 · 总悬浮颗粒物 TSP``."""
    parts = [alarm.site.name, str(alarm.get_kind_display())]
    if alarm.code:
        parts.append(pollutant(alarm.code))
    return " · ".join(parts)


def regulation_titles() -> dict[str, str]:
    """Platform configuration ids (``LANTIAN-扬尘-默认``) → their titles."""
    from regulations import lookup

    return {
        v.code: v.title
        for family in ("alarm_ladder", "device_health")
        for v in lookup.versions(family)
        if v.code.startswith("LANTIAN-")
    }


def basis(text: str) -> str:
    """An alarm's 依据 with configuration ids named: ``…；扬尘在线监测三级超标报警（默认配置）``."""
    for code, title in regulation_titles().items():
        text = text.replace(code, title)
    return text
