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


# Why the gateway set bytes aside (``hj212.errors`` and the gateway's own refusals).
FRAME_REASONS = {
    "bad_header": "报文头错误（不是 ## 加四位长度）",
    "bad_length": "长度与数据段不符",
    "truncated": "报文不完整",
    "bad_crc": "CRC 校验错误",
    "bad_crc_case": "CRC 为小写（严格模式）",
    "bad_encoding": "字符编码错误",
    "bad_segment": "数据段格式错误",
    "missing_field": "缺少必需字段",
    "bad_field": "字段值错误",
    "garbage": "报文之间的无效字节",
    "encrypted": "加密报文，无密钥",
    "sm4_no_key": "加密报文，设备未登记有效密钥",
    "sm4_failed": "加密报文，现有密钥均无法解密",
    "unknown_mn": "设备编号 MN 未登记",
    "bad_password": "访问密码 PW 不符",
    "not_stored": "非数据上传命令，不入库",
    "rate_limited": "来源地址发送过频，已限流",
    "out_of_range": "数据时间超出可存储范围",
    "bad_bus_message": "消息总线上的消息无法解读",
    "incomplete_split": "分包上传未收齐",
}


def frame_reason(code: str) -> str:
    """``bad_crc`` → ``CRC 校验错误``; an unknown code is named as such, never shown bare."""
    return FRAME_REASONS.get(code) or f"其他原因（{code}）"
