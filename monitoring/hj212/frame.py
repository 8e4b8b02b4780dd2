"""HJ 212 frames: parse one, build one, and the host's replies (9011, 9012, 9013, 9014).

A frame is ``##`` + four-digit length + data segment + four hex CRC digits + CRLF. The data
segment is ``QN=…;ST=…;CN=…;PW=…;MN=…;Flag=…;[PNUM=…;PNO=…;]CP=&&…&&``; fields are read by key,
never by position, because real devices reorder and omit them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from monitoring.hj212 import errors as E
from monitoring.hj212 import sm4
from monitoring.hj212.crc import crc16, crc16_hex
from monitoring.hj212.errors import FrameError
from monitoring.hj212.profiles import TOLERANT, Profile

MAX_SEGMENT = 9999  # the four-digit field's ceiling; the standard says 1024, devices exceed it
VERSIONS = {0: "2005", 1: "2017", 2: "2025"}
VERSION_BITS = {v: k for k, v in VERSIONS.items()}
# Value fields that are text, not numbers.
TEXT_FIELDS = frozenset({"Flag", "EFlag", "SampleTime", "Info", "SN"})
HEADER_KEYS = frozenset({"QN", "ST", "CN", "PW", "MN", "Flag", "PNUM", "PNO", "RF"})
MAX_2025_SEGMENT = 1024  # HJ 212-2025 §8.1.2: a longer data segment must be split
# One ``key=value`` pair; the fast path uses it when the text is nothing but such pairs.
_PAIR = re.compile(r"([^;,=]+)=([^;,=]*)")
# ``code-Field=value`` where the code has no "-" (the rare ones that do take the slow path).
_TRIPLE = re.compile(r"([^;,=\-]+)-([^;,=\-]+)=([^;,= ]*)")
_ONLY_TRIPLES = re.compile(r"[^;,=\- ]+-[^;,=\- ]+=[^;,= ]*(?:[;,][^;,=\- ]+-[^;,=\- ]+=[^;,= ]*)*")
_ONLY_PAIRS = re.compile(r"[^;,= ]+=[^;,= ]*(?:[;,][^;,= ]+=[^;,= ]*)*")
_valid_times: dict[str, str] = {}


@dataclass(slots=True)
class Frame:
    """One parsed message. ``values`` maps a (canonical) code to its fields: ``{"Rtd": 75.6}``."""

    cn: str
    mn: str
    qn: str | None = None
    st: str | None = None
    pw: str | None = None
    flag: int | None = None
    pnum: int | None = None
    pno: int | None = None
    data_time: str | None = None
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)
    raw: bytes = b""
    rf: bool = False  # HJ 212-2025 RF=1: a back-filled (补传) upload
    encrypted: bool = False  # the CP came SM4-encrypted (HJ 212-2025)
    fetched_by: int | None = None  # set by the host: the history request this upload answers

    @property
    def version(self) -> str:
        return VERSIONS.get((self.flag or 0) >> 2, "2005")

    @property
    def needs_ack(self) -> bool:
        """Bit 0 of Flag: the device waits for a 9014 (2017 names it A, 2025 names it D)."""
        return bool((self.flag or 0) & 1)

    @property
    def is_split(self) -> bool:
        """Bit 1 of Flag: PNUM/PNO present (2017: a split upload; 2025: "是否有数据包序号")."""
        return bool((self.flag or 0) & 2) or self.pnum is not None

    @property
    def version_bits(self) -> int:
        return (self.flag or 0) >> 2

    def data_datetime(self, tz: dt.tzinfo) -> dt.datetime | None:
        """DataTime as an aware datetime in the device's zone (Beijing time in practice)."""
        return parse_data_time(self.data_time, tz) if self.data_time else None

    def as_json(self) -> dict[str, Any]:
        """The ``lantian hj212 parse`` contract."""
        return {
            "ok": True,
            "version": self.version,
            "qn": self.qn,
            "st": self.st,
            "cn": self.cn,
            "pw": self.pw,
            "mn": self.mn,
            "flag": self.flag,
            "pnum": self.pnum,
            "pno": self.pno,
            "data_time": self.data_time,
            "values": self.values,
        }


def parse_data_time(text: str, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime(
        int(text[0:4]),
        int(text[4:6]),
        int(text[6:8]),
        int(text[8:10]),
        int(text[10:12]),
        int(text[12:14]),
        tzinfo=tz,
    )


# --- parsing ---------------------------------------------------------------------------------


def parse_frame(
    raw: bytes | str,
    profile: Profile = TOLERANT,
    *,
    verified: bool = False,
    keys: Sequence[bytes] = (),
) -> Frame:
    """Check and parse one complete frame (a trailing CRLF is optional).

    ``verified`` skips the CRC computation when the stream decoder has already checked it.
    An SM4-encrypted frame (HJ 212-2025) is opened with the first of ``keys`` that yields a
    plaintext with the frame's CRC (``encrypted`` without keys, ``sm4_failed`` when none fits).
    Raises ``FrameError`` with a short reason; never anything else.
    """
    if isinstance(raw, str):
        try:
            raw = raw.encode("utf-8")
        except UnicodeEncodeError:
            raise FrameError(E.BAD_ENCODING, "not UTF-8 text") from None
    stripped = raw.strip(b" \t\r\n")
    if sm4.MARK in stripped[: 6 + 400]:
        if not keys:
            raise FrameError(E.ENCRYPTED, "SM4 加密报文，需要密钥（--sm4-key）")
        segment, _ = sm4.open_frame(stripped, keys)
        return _parse_plain(segment, profile, raw, encrypted=True)
    segment, crc_text = split_frame(stripped, profile)
    check_crc(segment, crc_text, profile, verified=verified)
    return _parse_plain(segment, profile, raw)


def _parse_plain(segment: bytes, profile: Profile, raw: bytes, *, encrypted=False) -> Frame:
    try:
        text = segment.decode("utf-8")
    except UnicodeDecodeError:
        raise FrameError(E.BAD_ENCODING, "data segment is not UTF-8") from None
    frame = parse_segment(text, profile)
    frame.raw = raw
    frame.encrypted = encrypted
    return frame


def parse_verified(segment: bytes, crc_text: bytes, profile: Profile = TOLERANT) -> Frame:
    """Parse a frame the stream decoder has cut and whose CRC has been checked (fast path)."""
    if not profile.accept_lowercase_crc and crc_text != crc_text.upper():
        raise FrameError(E.BAD_CRC_CASE, "lower-case CRC refused in strict mode")
    try:
        text = segment.decode("ascii")
    except UnicodeDecodeError:
        try:
            text = segment.decode("utf-8")
        except UnicodeDecodeError:
            raise FrameError(E.BAD_ENCODING, "data segment is not UTF-8") from None
    return parse_segment(text, profile)


def split_frame(raw: bytes, profile: Profile = TOLERANT) -> tuple[bytes, bytes]:
    """``(data segment, CRC text)`` of a frame without its CRLF, checking header and length."""
    if raw[:2] != b"##":
        raise FrameError(E.BAD_HEADER, "frame does not start with ##")
    digits = raw[2:6]
    if len(digits) < 4:
        raise FrameError(E.TRUNCATED, "no length field")
    if not digits.isdigit():
        raise FrameError(E.BAD_HEADER, "length field is not four digits")
    length = int(digits)
    body = raw[6:]
    if len(body) < length + 4:
        raise FrameError(E.TRUNCATED, f"length field says {length}, only {len(body) - 4} follow")
    if len(body) != length + 4:
        segment = body[:-4]
        if not (profile.accept_char_length and _char_length(segment) == length):
            raise FrameError(
                E.BAD_LENGTH, f"length field says {length}, segment has {len(segment)}"
            )
        return segment, body[-4:]
    return body[:length], body[length:]


def _char_length(segment: bytes) -> int:
    try:
        return len(segment.decode("utf-8"))
    except UnicodeDecodeError:
        return -1


def check_crc(segment: bytes, crc_text: bytes, profile: Profile, *, verified: bool = False) -> None:
    try:
        sent = int(crc_text, 16)
    except ValueError:
        raise FrameError(E.BAD_CRC, "CRC is not four hex digits") from None
    if len(crc_text) != 4 or not crc_text.isalnum():
        raise FrameError(E.BAD_CRC, "CRC is not four hex digits")
    if not verified:
        expected = crc16(segment)
        if sent != expected:
            raise FrameError(E.BAD_CRC, f"expected {expected:04X}, got {crc_text.decode()}")
    if not profile.accept_lowercase_crc and crc_text != crc_text.upper():
        raise FrameError(E.BAD_CRC_CASE, "lower-case CRC refused in strict mode")


def parse_segment(text: str, profile: Profile = TOLERANT) -> Frame:
    """Parse a data segment (``QN=…;…;CP=&&…&&``) by key."""
    start = text.find("CP=&&")
    end = text.rfind("&&")
    if start < 0 or end < start + 5:
        raise FrameError(E.BAD_SEGMENT, "no CP=&&…&& data area")
    head = text[:start]
    if _ONLY_PAIRS.fullmatch(head, 0, len(head) - 1 if head.endswith(";") else len(head)):
        header = dict(_PAIR.findall(head))
    else:
        header = _pairs(head.replace(",", ";").split(";"))
    if text[end + 2 :].strip(" ;"):
        raise FrameError(E.BAD_SEGMENT, "text after the closing && of CP")
    for key in ("MN", "CN"):
        if not header.get(key):
            raise FrameError(E.MISSING_FIELD, key)
    for key, needed in (("QN", profile.require_qn), ("Flag", profile.require_flag)):
        if needed and key not in header:
            raise FrameError(E.MISSING_FIELD, key)
    frame = Frame(
        cn=header["CN"],
        mn=header["MN"],
        qn=header.get("QN"),
        st=header.get("ST"),
        pw=header.get("PW"),
        flag=_int_field(header, "Flag", 0, 255),
        pnum=_int_field(header, "PNUM", 1, 9999),
        pno=_int_field(header, "PNO", 1, 9999),
        # "RF=1 标志数据报文属于补传报文；非补传时，无本字段": any other value is not a back-fill
        rf=header.get("RF") == "1",
    )
    if frame.flag is not None and (frame.flag >> 2) not in VERSIONS:
        raise FrameError(E.BAD_FIELD, f"Flag={frame.flag}: unknown version bits")
    if (frame.pnum is None) != (frame.pno is None) or (
        frame.pnum is not None and frame.pno > frame.pnum
    ):
        raise FrameError(E.BAD_FIELD, "PNUM/PNO inconsistent")
    _parse_cp(text[start + 5 : end], frame, profile)
    return frame


def _pairs(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        item = item.strip()
        if not item:
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise FrameError(E.BAD_SEGMENT, f"not key=value: {item[:40]!r}")
        out[key.strip()] = value.strip()
    return out


def digits_only(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also accepts ``²`` and ``①``, which ``int`` refuses
    (``Flag=²`` was a ValueError where a FrameError was due)."""
    return text.isascii() and text.isdigit()


def _int_field(header: dict[str, str], key: str, low: int, high: int) -> int | None:
    text = header.get(key)
    if text is None:
        return None
    if not digits_only(text) or not low <= int(text) <= high:
        raise FrameError(E.BAD_FIELD, f"{key}={text[:20]}")
    return int(text)


def _parse_cp(cp: str, frame: Frame, profile: Profile) -> None:
    head, sep, rest = cp.partition(";")
    if (
        head.startswith("DataTime=")
        and digits_only(head[9:])
        and (not rest or _ONLY_TRIPLES.fullmatch(rest))
    ):
        # The usual upload: DataTime first, then code-Field=value items only.
        _extra(frame, "DataTime", head[9:])
        try:
            _fill_values(frame.values, _TRIPLE.findall(rest), profile)
            return
        except ValueError:
            frame.values.clear()  # redo item by item for a precise error
    if not _ONLY_PAIRS.fullmatch(cp):
        _parse_cp_slowly(cp, frame, profile)
        return
    values = frame.values
    for key, value in _PAIR.findall(cp):
        code, _, name = key.rpartition("-")
        if not code:
            _extra(frame, key, value)
        else:
            _fill_values(values, [(code, name, value)], profile)


def _fill_values(values: dict, triples: list[tuple[str, str, str]], profile: Profile) -> None:
    aliases, scale = profile.aliases, profile.scale
    text_fields = TEXT_FIELDS
    for code, name, value in triples:
        if aliases:
            code = aliases.get(code, code)
        fields = values.get(code)
        if fields is None:
            fields = values[code] = {}
        if name in text_fields:
            fields[name] = value
            continue
        try:
            number = float(value)
        except ValueError:
            raise FrameError(E.BAD_FIELD, f"{code}-{name}={value[:20]} is not a number") from None
        if number - number != 0.0:  # inf or nan
            raise FrameError(E.BAD_FIELD, f"{code}-{name}={value[:20]} is not a finite number")
        if scale and code in scale:
            number *= scale[code]
        fields[name] = number


def _parse_cp_slowly(cp: str, frame: Frame, profile: Profile) -> None:
    """Item by item, tolerating spaces and empty items, with a precise error for bad ones."""
    values = frame.values
    aliases, scale = profile.aliases, profile.scale
    for item in cp.split(";"):
        for pair in item.split(","):
            key, sep, value = pair.partition("=")
            key = key.strip()
            if not key:
                if pair.strip():
                    raise FrameError(E.BAD_SEGMENT, f"empty key in CP: {pair[:40]!r}")
                continue
            if not sep:
                raise FrameError(E.BAD_SEGMENT, f"not key=value in CP: {pair[:40]!r}")
            value = value.strip()
            code, dash, name = key.rpartition("-")
            if not dash or not code:
                _extra(frame, key, value)
                continue
            code = aliases.get(code, code)
            if name in TEXT_FIELDS:
                values.setdefault(code, {})[name] = value
                continue
            try:
                number = float(value)
            except ValueError:
                raise FrameError(E.BAD_FIELD, f"{key}={value[:20]} is not a number") from None
            if number != number or number in (float("inf"), float("-inf")):
                raise FrameError(E.BAD_FIELD, f"{key}={value[:20]} is not a finite number")
            factor = scale.get(code)
            values.setdefault(code, {})[name] = number * factor if factor else number


def _extra(frame: Frame, key: str, value: str) -> None:
    if key == "DataTime":
        known = _valid_times.get(value)
        if known is None:
            if len(value) not in (14, 17) or not digits_only(value):
                raise FrameError(E.BAD_FIELD, f"DataTime={value[:20]}")
            try:
                parse_data_time(value, dt.UTC)
            except ValueError:
                raise FrameError(E.BAD_FIELD, f"DataTime={value[:20]} is not a date") from None
            if len(_valid_times) > 50_000:
                _valid_times.clear()
            known = _valid_times[value] = value[:14]  # some devices add milliseconds
        frame.data_time = known
    else:
        frame.extra[key] = value


# --- building --------------------------------------------------------------------------------


def wrap(segment: str | bytes) -> bytes:
    """A complete frame around a data segment: ``##LLLL`` + segment + CRC + CRLF."""
    data = segment.encode("utf-8") if isinstance(segment, str) else segment
    if len(data) > MAX_SEGMENT:
        raise FrameError(E.BAD_LENGTH, f"segment of {len(data)} bytes cannot be framed")
    return b"##%04d%s%s\r\n" % (len(data), data, crc16_hex(data))


def build_segment(
    *,
    cn: str,
    mn: str,
    pw: str = "123456",
    st: str = "22",
    qn: str | None = None,
    flag: int | None = 5,
    pnum: int | None = None,
    pno: int | None = None,
    rf: bool = False,
    cp: str = "",
) -> str:
    parts = []
    if qn is not None:
        parts.append(f"QN={qn}")
    parts += [f"ST={st}", f"CN={cn}", f"PW={pw}", f"MN={mn}"]
    if flag is not None:
        parts.append(f"Flag={flag}")
    if pnum is not None:
        parts += [f"PNUM={pnum}", f"PNO={pno}"]
    if rf:  # the 2025 order: … PNO, RF, CP
        parts.append("RF=1")
    parts.append(f"CP=&&{cp}&&")
    return ";".join(parts)


def data_cp(data_time: str, values: dict[str, dict[str, Any]], extra: str = "") -> str:
    """``DataTime=…;code-Field=v,code-Field=v;…`` for an upload's CP."""
    items = [f"DataTime={data_time}"]
    if extra:
        items.append(extra)
    for code, fields in values.items():
        items.append(",".join(f"{code}-{name}={_fmt(v)}" for name, v in fields.items()))
    return ";".join(items)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:.1f}"
    return str(value)


def reply_flag(version: str) -> int:
    """Replies carry the version bits and ask for no reply themselves: 4 (2017), 8 (2025)."""
    return VERSION_BITS.get(version, 1) << 2 if version != "2005" else 0


def _reply(frame: Frame, cn: str, cp: str) -> bytes:
    flag = reply_flag(frame.version) if frame.flag is not None else None
    return wrap(
        build_segment(qn=frame.qn, st="91", cn=cn, pw=frame.pw or "", mn=frame.mn, flag=flag, cp=cp)
    )


def data_ack(frame: Frame) -> bytes:
    """9014: the host has stored the upload. Send it only after the data is committed."""
    return _reply(frame, "9014", "")


def notify_ack(frame: Frame) -> bytes:
    """9013: answer to a notification (e.g. 1013, the device asks for a time check)."""
    return _reply(frame, "9013", "")


def request_response(frame: Frame, qn_rtn: int = 1) -> bytes:
    """9011 with ``QnRtn`` (1 ready, 2 refused, 3 PW error, 4 MN error … 9 CRC error)."""
    return _reply(frame, "9011", f"QnRtn={qn_rtn}")


def execution_result(frame: Frame, exe_rtn: int = 1) -> bytes:
    """9012 with ``ExeRtn`` (1 success, 2 failed, … 100 no data)."""
    return _reply(frame, "9012", f"ExeRtn={exe_rtn}")


def next_qn(qn: str, step: int = 1) -> str:
    """The QN ``step`` milliseconds later (the standard numbers split packets this way)."""
    if len(qn) == 17 and digits_only(qn):
        moment = dt.datetime.strptime(qn[:14], "%Y%m%d%H%M%S") + dt.timedelta(
            milliseconds=int(qn[14:]) + step
        )
        return moment.strftime("%Y%m%d%H%M%S") + f"{moment.microsecond // 1000:03d}"
    return f"{qn}{step:03d}"


def upload_segments(
    *,
    cn: str,
    mn: str,
    qn: str,
    data_time: str,
    items: list[str],
    pw: str = "123456",
    st: str = "22",
    flag: int = 9,
    rf: bool = False,
    limit: int = MAX_2025_SEGMENT,
) -> list[str]:
    """One upload as data segments of at most ``limit`` characters (HJ 212-2025 §8.1.2:
    "数据段超 1 024 个字符时应分包传输"). ``items`` are the CP items after DataTime (one
    ``code-Field=v,…`` string per pollutant); they are packed in order, each packet repeating
    ``DataTime``, with its own QN (1 ms apart), PNUM/PNO and Flag bit 1 set. An upload that fits
    is one segment without PNUM/PNO."""
    whole = build_segment(
        cn=cn,
        mn=mn,
        pw=pw,
        st=st,
        qn=qn,
        flag=flag,
        rf=rf,
        cp=data_cp(data_time, {}, ";".join(items)),
    )
    if len(whole.encode("utf-8")) <= limit:
        return [whole]
    flag |= 2
    # the longest header a packet can have (PNUM/PNO up to four digits each)
    overhead = len(
        build_segment(
            cn=cn,
            mn=mn,
            pw=pw,
            st=st,
            qn=qn,
            flag=flag,
            pnum=9999,
            pno=9999,
            rf=rf,
            cp=f"DataTime={data_time};",
        ).encode("utf-8")
    )
    groups: list[list[str]] = [[]]
    size = overhead
    for item in items:
        need = len(item.encode("utf-8")) + 1
        if overhead + need > limit:
            raise FrameError(E.BAD_LENGTH, f"一个数据项即超过 {limit} 字符，无法分包：{item[:30]}")
        if groups[-1] and size + need > limit:
            groups.append([])
            size = overhead
        groups[-1].append(item)
        size += need
    return [
        build_segment(
            cn=cn,
            mn=mn,
            pw=pw,
            st=st,
            qn=next_qn(qn, pno - 1),
            flag=flag,
            pnum=len(groups),
            pno=pno,
            rf=rf,
            cp=data_cp(data_time, {}, ";".join(group)),
        )
        for pno, group in enumerate(groups, 1)
    ]
