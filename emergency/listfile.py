"""The emergency reduction list as an Excel workbook: read and check every row, or write one.

Reading never touches the database: the caller passes how district and unit names resolve.
A row is checked in full and every problem is reported with its row number and column, so
that one upload tells the district everything to fix.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from emergency import creditcode
from lantian.lib import coords, safedocs

LEVELS = (("yellow", "黄色"), ("orange", "橙色"), ("red", "红色"))

# Header → field. The workbook this module writes uses the first spelling of each.
BASE_COLUMNS: list[tuple[str, tuple[str, ...], bool]] = [
    ("name", ("企业名称", "单位名称"), True),
    ("code", ("统一社会信用代码", "信用代码"), True),
    ("district", ("所在区县", "区县", "所属区县", "区县（开发区）"), True),
    ("industry", ("行业", "所属行业", "行业类别"), False),
    ("grade", ("绩效等级", "绩效分级", "环保绩效等级"), False),
    ("units", ("监管责任单位", "责任单位"), False),
    ("address", ("地址", "企业地址"), False),
    ("mns", ("在线监测设备MN", "在线监测设备", "设备MN"), False),
    # where it is registered: the 一张图 draws its spot checks there, and the cross-check
    # compares inspectors' routes with it
    ("longitude", ("经度",), False),
    ("latitude", ("纬度",), False),
]
LEVEL_FIELDS = (
    ("measures", "预警减排措施"),
    ("pct", "预警减排比例(%)"),
    ("stop", "预警停产"),
    ("limit", "预警限产"),
)
COLUMNS = BASE_COLUMNS + [
    (f"{level}_{key}", (f"{name}{suffix}",), False)
    for level, name in LEVELS
    for key, suffix in LEVEL_FIELDS
]

GRADE_WORDS = {
    "A": "A",
    "A级": "A",
    "B": "B",
    "B级": "B",
    "C": "C",
    "C级": "C",
    "D": "D",
    "D级": "D",
    "引领性": "leading",
    "绩效引领性": "leading",
    "非引领性": "non_leading",
    "未评级": "ungraded",
    "未分级": "ungraded",
    "": "ungraded",
}
GRADE_LABELS = {
    "A": "A级",
    "B": "B级",
    "C": "C级",
    "D": "D级",
    "leading": "引领性",
    "non_leading": "非引领性",
    "ungraded": "未评级",
}
YES = {"是", "√", "✓", "Y", "YES", "TRUE", "1"}
NO = {"", "否", "×", "N", "NO", "FALSE", "0", "-", "—"}
MN_PATTERN = re.compile(r"^[0-9A-Za-z]{6,24}$")
SPLIT = re.compile(r"[、,，;；/\s]+")


@dataclass
class Problem:
    row: int  # the worksheet row number; 0 for the file as a whole
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Measure:
    measures: str
    pct: Decimal | None
    stop: bool
    limit: bool


@dataclass
class Record:
    """One valid row, with names resolved to ids."""

    row: int
    name: str
    code: str
    district_id: int
    industry: str
    grade: str
    unit_ids: list[int]
    address: str
    mns: list[str]
    measures: dict[str, Measure] = field(default_factory=dict)
    place: tuple[float, float] | None = None  # (longitude, latitude); None: left as it was


@dataclass
class Reading:
    records: list[Record]
    problems: list[Problem]
    warnings: list[Problem]
    rows: int

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.records)


def read_workbook(
    handle: BinaryIO,
    *,
    districts: Mapping[str, int],
    resolve_unit: Callable[[str], int | None],
) -> Reading:
    """Every row of the first sheet that has the list's headers, checked."""
    try:
        book = safedocs.load_workbook(handle)
    except safedocs.UnsafeDocument as exc:
        return Reading([], [Problem(0, "", str(exc))], [], 0)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        return Reading(
            [], [Problem(0, "", f"无法读取 Excel 文件：{exc.__class__.__name__}")], [], 0
        )
    try:
        return _read_rows(book.worksheets[0].iter_rows(), districts, resolve_unit)
    finally:
        book.close()


def _read_rows(rows: Iterable, districts, resolve_unit) -> Reading:
    header_at, columns = None, {}
    problems: list[Problem] = []
    warnings: list[Problem] = []
    records: list[Record] = []
    seen: dict[str, int] = {}
    count = 0
    for row_no, cells in enumerate(rows, start=1):
        values = [_cell(c) for c in cells]
        if header_at is None:
            if any(v in ("企业名称", "单位名称") for v in values):
                header_at, columns = row_no, _map_header(values)
                problems += _missing_columns(columns)
                if problems:
                    break
            continue
        if not any(values):
            continue
        count += 1
        raw = {key: values[i] if i < len(values) else "" for key, i in columns.items()}
        record, row_problems, row_warnings = _check_row(row_no, raw, districts, resolve_unit)
        if record and record.code in seen:
            row_problems.append(
                Problem(
                    row_no, "统一社会信用代码", f"与第 {seen[record.code]} 行重复：{record.code}"
                )
            )
        elif record:
            seen[record.code] = row_no
        problems += row_problems
        warnings += row_warnings
        if record and not row_problems:
            records.append(record)
    if header_at is None:
        problems.append(Problem(0, "", "找不到表头：第一张工作表中没有“企业名称”列"))
    elif not count and not problems:
        problems.append(Problem(0, "", "表中没有数据行"))
    return Reading(records, problems, warnings, count)


def _cell(cell) -> Any:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, float) and "%" in (getattr(cell, "number_format", "") or ""):
        return f"{Decimal(str(value)) * 100}%"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() if isinstance(value, str) else str(value)


def _map_header(values: list[str]) -> dict[str, int]:
    index = {
        re.sub(r"\s", "", v).replace("（", "(").replace("）", ")"): i for i, v in enumerate(values)
    }
    columns = {}
    for key, names, _ in COLUMNS:
        for name in names:
            normal = name.replace("（", "(").replace("）", ")")
            if normal in index:
                columns[key] = index[normal]
                break
    return columns


def _missing_columns(columns: dict[str, int]) -> list[Problem]:
    return [
        Problem(0, names[0], f"缺少必需的列“{names[0]}”")
        for key, names, required in COLUMNS
        if required and key not in columns
    ]


def _check_row(row_no, raw, districts, resolve_unit):
    problems: list[Problem] = []
    warnings: list[Problem] = []

    def bad(column: str, message: str) -> None:
        problems.append(Problem(row_no, column, message))

    name = raw.get("name", "")
    if not name:
        bad("企业名称", "缺少企业名称")
    code = raw.get("code", "").upper().replace(" ", "")
    if not code:
        bad("统一社会信用代码", "缺少统一社会信用代码")
    elif why := creditcode.problem(code):
        bad("统一社会信用代码", f"统一社会信用代码 {code} 无效：{why}")
    district_name = raw.get("district", "")
    district_id = districts.get(_normal(district_name))
    if not district_name:
        bad("所在区县", "缺少所在区县")
    elif district_id is None:
        bad("所在区县", f"未知区县“{district_name}”")
    grade = GRADE_WORDS.get(raw.get("grade", "").upper().replace(" ", ""))
    if grade is None:
        grade = GRADE_WORDS.get(raw.get("grade", "").replace(" ", ""))
    if grade is None:
        bad("绩效等级", f"绩效等级“{raw.get('grade')}”无效：应为 A/B/C/D/引领性/非引领性/未评级")
    unit_ids = []
    for unit_name in _split(raw.get("units", "")):
        unit_id = resolve_unit(unit_name)
        if unit_id is None:
            bad("监管责任单位", f"单位名录中没有“{unit_name}”")
        else:
            unit_ids.append(unit_id)
    mns = _split(raw.get("mns", ""))
    for mn in mns:
        if not MN_PATTERN.match(mn):
            bad("在线监测设备MN", f"设备编码 MN“{mn}”格式不对（6–24 位字母或数字）")
    place = None
    try:
        place = coords.parse(raw.get("longitude"), raw.get("latitude"))
    except ValueError as exc:
        bad("经度", str(exc))
    measures = {}
    for level, level_name in LEVELS:
        measure = _check_measure(raw, level, level_name, bad)
        if measure is not None:
            measures[level] = measure
    warnings += _check_escalation(row_no, measures)
    if problems:
        return None, problems, warnings
    record = Record(
        row=row_no,
        name=name,
        code=code,
        district_id=district_id,
        industry=raw.get("industry", ""),
        grade=grade,
        unit_ids=list(dict.fromkeys(unit_ids)),
        address=raw.get("address", ""),
        mns=list(dict.fromkeys(mns)),
        measures=measures,
        place=place,
    )
    return record, problems, warnings


def _check_measure(raw, level, level_name, bad) -> Measure | None:
    text = raw.get(f"{level}_measures", "")
    pct_column = f"{level_name}预警减排比例(%)"
    pct = None
    raw_pct = raw.get(f"{level}_pct", "").replace("%", "").strip()
    if raw_pct:
        try:
            pct = Decimal(raw_pct)
        except InvalidOperation:
            bad(pct_column, f"{level_name}预警减排比例“{raw_pct}”不是数字")
        else:
            if not (0 <= pct <= 100):
                bad(pct_column, f"{level_name}预警减排比例 {pct} 应在 0–100 之间")
                pct = None
    flags = {}
    for key, label in (("stop", "停产"), ("limit", "限产")):
        word = raw.get(f"{level}_{key}", "").upper()
        if word in YES:
            flags[key] = True
        elif word in NO:
            flags[key] = False
        else:
            bad(f"{level_name}预警{label}", f"{level_name}预警{label}“{word}”应为“是”或“否”")
            flags[key] = False
    if flags["stop"] and flags["limit"]:
        bad(f"{level_name}预警停产", f"{level_name}预警不能同时停产和限产")
    if not text and not flags["stop"]:
        bad(f"{level_name}预警减排措施", f"缺少{level_name}预警减排措施")
    return Measure(text, pct, flags["stop"], flags["limit"])


def _check_escalation(row_no: int, measures: dict[str, Measure]) -> list[Problem]:
    """Measures should not get milder as the level rises (a warning, not an error)."""
    warnings = []
    order = [lv for lv, _ in LEVELS if lv in measures]
    for lower, higher in zip(order, order[1:], strict=False):
        a, b = measures[lower], measures[higher]
        if a.pct is not None and b.pct is not None and b.pct < a.pct:
            name_low, name_high = dict(LEVELS)[lower], dict(LEVELS)[higher]
            warnings.append(
                Problem(
                    row_no,
                    f"{name_high}预警减排比例(%)",
                    f"{name_high}预警减排比例 {b.pct} 低于{name_low}预警的 {a.pct}",
                )
            )
        if a.stop and not b.stop:
            warnings.append(
                Problem(row_no, f"{dict(LEVELS)[higher]}预警停产", "较低级别停产而较高级别未停产")
            )
    return warnings


def _split(text: str) -> list[str]:
    return [part for part in SPLIT.split(text or "") if part]


def _normal(name: str) -> str:
    return re.sub(r"\s", "", name or "")


# --- writing -------------------------------------------------------------------------------


def header() -> list[str]:
    return ["序号"] + [names[0] for _, names, _ in COLUMNS]


def write_workbook(rows: Iterable[Mapping[str, Any]]) -> bytes:
    """A workbook in the import format from dicts keyed like ``COLUMNS`` (values as text)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("应急减排清单")
    titles = header()
    for i in range(1, len(titles) + 1):
        sheet.column_dimensions[get_column_letter(i)].width = 14 if i > 1 else 6
    bold = _bold_cells(sheet, titles)
    sheet.append(bold)
    for n, row in enumerate(rows, start=1):
        values = {**row, "grade": GRADE_LABELS.get(row.get("grade", ""), row.get("grade", ""))}
        sheet.append([n] + [_text(values.get(key, "")) for key, _, _ in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _bold_cells(sheet, titles):
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for title in titles:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def _text(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return value
