"""Reading station hours and dust fall as monitoring centres publish them (CSV or Excel).

Pure: no Django. Wide format, one row per station-hour: a station column (code or name), a time
column (or a date and an hour column) and one column per pollutant. Headers are matched loosely:
``PM2.5(μg/m³)``, ``PM₂.₅``, ``细颗粒物`` all mean ``pm25``. A title row above the header is
skipped.

Values: empty, ``—``, ``-``, ``NA`` are missing; a number with a data flag (``35H``, ``35(BB)``,
``35*``) is marked invalid by the centre and kept as missing (counted as flagged); negative or
other text is an error. Times are Beijing time, the hour's start (``hour_ending`` for files that
label an hour by its end, ``1:00`` … ``24:00``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
MAX_ERRORS = 200
POLLUTANTS = ("so2", "no2", "co", "o3", "pm10", "pm25")

_SYNONYMS = {
    "so2": ("so2", "二氧化硫"),
    "no2": ("no2", "二氧化氮"),
    "co": ("co", "一氧化碳"),
    "o3": ("o3", "o31h", "臭氧", "臭氧1小时"),
    "pm10": ("pm10", "可吸入颗粒物"),
    "pm25": ("pm25", "细颗粒物"),
    "station_code": (
        "站点编码",
        "站点代码",
        "点位编码",
        "点位代码",
        "监测点编码",
        "code",
        "stationcode",
    ),
    "station_name": (
        "站点",
        "站点名称",
        "点位",
        "点位名称",
        "监测点",
        "监测点位",
        "监测站",
        "station",
    ),
    "time": ("时间", "监测时间", "数据时间", "日期时间", "time", "datetime"),
    "date": ("日期", "date", "监测日期"),
    "hour": ("小时", "时", "hour", "时段"),
    "district": ("区县", "区域", "行政区", "district"),
    "month": ("月份", "月", "month", "统计月份"),
    "dustfall": ("降尘", "降尘量", "dustfall", "降尘量吨平方公里30天"),
    "points": ("点位数", "监测点数", "points"),
}
_LOOKUP = {alias: key for key, aliases in _SYNONYMS.items() for alias in aliases}
_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_MISSING = {"", "—", "-", "--", "/", "NA", "N/A", "NAN", "NULL"}
_FLAGGED = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(?:\(\s*[A-Za-z*]+\s*\)|[A-Za-z*]+)\s*$")
_TIME = re.compile(
    r"^\s*(\d{4})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})\s*日?"
    r"(?:\s*[T ]?\s*(\d{1,2})\s*(?:[:：时点]\s*(\d{1,2})?\s*(?:[:：]\s*(\d{1,2}))?)?\s*分?)?\s*$"
)
_MONTH = re.compile(r"^\s*(\d{4})\s*[-/年.]\s*(\d{1,2})\s*月?(?:\s*[-/]\s*\d{1,2}\s*日?)?\s*$")


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, header)."""


def normalise_header(text: Any) -> str | None:
    """The canonical name of a column header, or None when it is not one we use."""
    if text is None:
        return None
    cleaned = str(text).translate(_SUBSCRIPTS).strip().lower()
    cleaned = re.sub(r"[(（\[【].*?[)）\]】]", "", cleaned)  # units: (μg/m³), （mg/m3）
    cleaned = re.sub(r"[\s._·/\-]", "", cleaned)
    return _LOOKUP.get(cleaned)


def read_table(content: bytes, file_name: str) -> list[list[Any]]:
    """All rows of the first sheet (Excel) or the CSV (UTF-8 or GB18030), as lists of cells."""
    if content[:4] == b"PK\x03\x04" or file_name.lower().endswith((".xlsx", ".xlsm")):
        return _read_excel(content)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError("无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV，或 Excel")
    try:
        return [row for row in csv.reader(io.StringIO(text))]
    except csv.Error as exc:
        raise ImportFileError(f"不是有效的 CSV：{exc}") from None


def _read_excel(content: bytes) -> list[list[Any]]:
    from lantian.lib import safedocs

    try:
        book = safedocs.load_workbook(content)
    except safedocs.UnsafeDocument as exc:
        raise ImportFileError(str(exc)) from None
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(f"无法读取 Excel 文件：{exc}") from None
    try:
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def find_header(rows: list[list[Any]], required: Iterable[set[str]]) -> tuple[int, dict[str, int]]:
    """The first row (of the first ten) whose headers satisfy each of ``required`` (any-of sets)."""
    required = list(required)
    for index, row in enumerate(rows[:10]):
        columns: dict[str, int] = {}
        for position, cell in enumerate(row):
            key = normalise_header(cell)
            if key and key not in columns:
                columns[key] = position
        if all(columns.keys() & need for need in required):
            return index, columns
    wanted = "；".join("或".join(sorted(need)) for need in required)
    raise ImportFileError(f"找不到表头：需要 {wanted} 等列（前 10 行内）")


@dataclass
class Problem:
    line: int
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "message": self.message}


def parse_value(cell: Any) -> tuple[float | None, bool]:
    """(value, flagged). Raises ValueError with a message for a cell that is not a value."""
    if cell is None:
        return None, False
    if isinstance(cell, bool):
        raise ValueError(f"不是数值：{cell!r}")
    if isinstance(cell, int | float):
        number = float(cell)
    else:
        text = str(cell).strip()
        if text.upper() in _MISSING:
            return None, False
        if _FLAGGED.match(text):
            return None, True
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"不是数值：{text!r}") from None
    if number != number:  # NaN
        return None, False
    if number < 0 or number == float("inf"):
        raise ValueError(f"数值无效：{number:g}")
    return number, False


def parse_time(cell: Any, hour_cell: Any = None, *, hour_ending: bool = False) -> dt.datetime:
    """An aware datetime for the start of the hour. Raises ValueError with a message."""
    if isinstance(cell, dt.datetime):
        naive = cell.replace(tzinfo=None)
    elif isinstance(cell, dt.date):
        naive = dt.datetime.combine(cell, dt.time())
    else:
        match = _TIME.match(str(cell or ""))
        if not match:
            raise ValueError(f"时间无法识别：{cell!r}")
        year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
        try:
            naive = dt.datetime(year, month, day) + dt.timedelta(hours=hour)
        except ValueError:
            raise ValueError(f"日期不存在：{cell!r}") from None
        if minute or second:
            raise ValueError(f"不是整点时间：{cell!r}")
    if hour_cell not in (None, ""):
        try:
            hour = int(float(str(hour_cell).strip().rstrip("时")))
        except ValueError:
            raise ValueError(f"小时无法识别：{hour_cell!r}") from None
        naive = naive.replace(hour=0) + dt.timedelta(hours=hour)
    if naive.minute or naive.second or naive.microsecond:
        raise ValueError(f"不是整点时间：{cell!r}")
    if hour_ending:
        naive -= dt.timedelta(hours=1)
    return naive.replace(tzinfo=LOCAL_TZ)


@dataclass
class HourRow:
    line: int
    station: str
    by_code: bool
    time: dt.datetime
    values: dict[str, float | None]


@dataclass
class Parsed:
    rows: list[Any] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    flagged: int = 0
    pollutants: tuple[str, ...] = ()

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(line, message))


def _cells(rows: list[list[Any]], start: int) -> Iterator[tuple[int, list[Any]]]:
    for index in range(start, len(rows)):
        row = rows[index]
        if any(c not in (None, "") and str(c).strip() for c in row):
            yield index + 1, row


def parse_hours(content: bytes, file_name: str, *, hour_ending: bool = False) -> Parsed:
    """Rows of station hours, with every problem found (line numbers as in the file)."""
    rows = read_table(content, file_name)
    header, columns = find_header(
        rows, [{"station_code", "station_name"}, {"time", "date"}, set(POLLUTANTS)]
    )
    parsed = Parsed(pollutants=tuple(p for p in POLLUTANTS if p in columns))
    by_code = "station_code" in columns
    station_col = columns["station_code" if by_code else "station_name"]
    time_col = columns.get("time", columns.get("date"))
    hour_col = columns.get("hour") if "time" not in columns else None
    seen: dict[tuple[str, dt.datetime], int] = {}
    for line, row in _cells(rows, header + 1):
        row = row + [None] * (len(rows[header]) - len(row))
        station = str(row[station_col] or "").strip()
        if not station:
            parsed.problem(line, "缺少站点")
            continue
        try:
            hour = row[hour_col] if hour_col is not None else None
            time = parse_time(row[time_col], hour, hour_ending=hour_ending)
        except ValueError as exc:
            parsed.problem(line, str(exc))
            continue
        values: dict[str, float | None] = {}
        bad = False
        for pollutant in parsed.pollutants:
            try:
                values[pollutant], flagged = parse_value(row[columns[pollutant]])
            except ValueError as exc:
                parsed.problem(line, f"{pollutant}：{exc}")
                bad = True
                continue
            parsed.flagged += flagged
        if bad:
            continue
        key = (station, time)
        if key in seen:
            parsed.problem(line, f"与第 {seen[key]} 行重复（同一站点同一小时）")
            continue
        seen[key] = line
        parsed.rows.append(HourRow(line, station, by_code, time, values))
    return parsed


@dataclass
class DustRow:
    line: int
    district: str
    month: dt.date
    value: float
    points: int | None


def parse_month(cell: Any) -> dt.date:
    if isinstance(cell, dt.date | dt.datetime):
        return dt.date(cell.year, cell.month, 1)
    match = _MONTH.match(str(cell or ""))
    if not match:
        raise ValueError(f"月份无法识别：{cell!r}（应为 2026-03 或 2026年3月）")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise ValueError(f"月份不存在：{cell!r}")
    return dt.date(year, month, 1)


def parse_dustfall(content: bytes, file_name: str) -> Parsed:
    """Rows of district, month and dust fall in t/(km²·30 d)."""
    rows = read_table(content, file_name)
    header, columns = find_header(rows, [{"district"}, {"month"}, {"dustfall"}])
    parsed = Parsed()
    seen: dict[tuple[str, dt.date], int] = {}
    for line, row in _cells(rows, header + 1):
        row = row + [None] * (len(rows[header]) - len(row))
        district = str(row[columns["district"]] or "").strip()
        try:
            month = parse_month(row[columns["month"]])
            value, flagged = parse_value(row[columns["dustfall"]])
            points_cell = row[columns["points"]] if "points" in columns else None
            points = int(float(points_cell)) if points_cell not in (None, "") else None
        except ValueError as exc:
            parsed.problem(line, str(exc))
            continue
        if not district:
            parsed.problem(line, "缺少区县")
            continue
        if value is None:
            parsed.problem(line, "缺少降尘量" + ("（数值带无效标记）" if flagged else ""))
            continue
        key = (district, month)
        if key in seen:
            parsed.problem(line, f"与第 {seen[key]} 行重复（同一区县同一月份）")
            continue
        seen[key] = line
        parsed.rows.append(DustRow(line, district, month, value, points))
    return parsed
