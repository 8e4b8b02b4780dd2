"""The host's requests to a device (反控) and the device's answers: pure builders and readers.

A request goes out with the version bits of the device's own edition and bit 0 of Flag set (an
answer is wanted). The device answers 9011 (``QnRtn``) echoing the request's QN, then for most
requests uploads (a 1011 with ``SystemTime``, a 1061 with ``RtdInterval``, history data …), then
9012 (``ExeRtn``) with the same QN (HJ 212-2017 §6.6 and Appendix C; 2025 keeps the exchange).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from monitoring.hj212.frame import build_segment, digits_only

# HJ 212-2017 Table 6 (QnRtn) and Table 7 (ExeRtn) [research/hj212.md §1.5]
QN_RTN = {
    1: "准备执行请求",
    2: "请求被拒绝",
    3: "PW 错误",
    4: "MN 错误",
    5: "ST 错误",
    6: "Flag 错误",
    7: "QN 错误",
    8: "CN 错误",
    9: "CRC 校验错误",
    100: "未知错误",
}
EXE_RTN = {
    1: "执行成功",
    2: "执行失败，原因不明",
    3: "命令请求条件错误",
    4: "通讯超时",
    5: "系统繁忙不能执行",
    6: "系统故障",
    100: "没有数据",
}
RTD_INTERVAL_RANGE = (30, 3600)  # RtdInterval, seconds (HJ 212-2017 1062)
MIN_INTERVALS = (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30)  # MinInterval, minutes (1064)
HISTORY_CNS = {"2051": "minute", "2061": "hour", "2031": "day", "2041": "day"}
BEIJING = dt.timezone(dt.timedelta(hours=8))


def request_flag(version_bits: int, *, answer: bool = True) -> int:
    return (version_bits << 2) | (1 if answer else 0)


def request(
    cn: str,
    *,
    mn: str,
    pw: str,
    qn: str,
    st: str = "22",
    version_bits: int = 1,
    cp: str = "",
    answer: bool = True,
    flag: bool = True,
) -> str:
    """The data segment of a request; ``flag=False`` for 2005-style devices that send none."""
    return build_segment(
        cn=cn,
        mn=mn,
        pw=pw,
        st=st,
        qn=qn,
        flag=request_flag(version_bits, answer=answer) if flag else None,
        cp=cp,
    )


def stamp(moment: dt.datetime) -> str:
    """Beijing time as HJ 212 writes it (``YYYYMMDDhhmmss``)."""
    return moment.astimezone(BEIJING).strftime("%Y%m%d%H%M%S")


def qn_at(moment: dt.datetime, serial: int = 0) -> str:
    """A QN for a request sent at ``moment`` (Beijing time to the millisecond; ``serial`` keeps
    QNs of requests sent within one millisecond apart)."""
    local = moment.astimezone(BEIJING) + dt.timedelta(milliseconds=serial)
    return local.strftime("%Y%m%d%H%M%S") + f"{local.microsecond // 1000:03d}"


def system_time_cp(moment: dt.datetime, pol_id: str = "") -> str:
    cp = f"SystemTime={stamp(moment)}"
    return f"PolId={pol_id};{cp}" if pol_id else cp


def history_cp(begin: dt.datetime, end: dt.datetime) -> str:
    return f"BeginTime={stamp(begin)};EndTime={stamp(end)}"


def rtd_interval_cp(seconds: int) -> str:
    low, high = RTD_INTERVAL_RANGE
    if not low <= seconds <= high:
        raise ValueError(f"实时数据间隔应在 {low}–{high} 秒之间")
    return f"RtdInterval={seconds}"


def min_interval_cp(minutes: int) -> str:
    if minutes not in MIN_INTERVALS:
        raise ValueError("分钟数据间隔应为 " + "、".join(map(str, MIN_INTERVALS)) + " 分钟之一")
    return f"MinInterval={minutes}"


@dataclass(frozen=True)
class Answer:
    """What a 9011 or 9012 says."""

    cn: str
    code: int | None

    @property
    def text(self) -> str:
        table = QN_RTN if self.cn == "9011" else EXE_RTN
        return table.get(self.code, f"未定义的返回码 {self.code}") if self.code is not None else ""

    @property
    def ok(self) -> bool:
        return self.code == 1


def answer_of(frame) -> Answer | None:
    """The 9011/9012 answer a frame carries, or None for other frames."""
    key = {"9011": "QnRtn", "9012": "ExeRtn"}.get(frame.cn)
    if key is None:
        return None
    text = frame.extra.get(key, "")
    return Answer(frame.cn, int(text) if digits_only(text) else None)


def device_time(frame) -> dt.datetime | None:
    """``SystemTime`` of a 1011 upload as an aware datetime, or None."""
    text = frame.extra.get("SystemTime", "")
    if len(text) < 14 or not digits_only(text[:14]):
        return None
    try:
        return dt.datetime.strptime(text[:14], "%Y%m%d%H%M%S").replace(tzinfo=BEIJING)
    except ValueError:
        return None
