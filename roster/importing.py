"""Reading the two workbooks the office keeps: the yearly key emission units roster (重点排污
单位名录, one row per required monitoring point) and the fume rollout ledger (1,000 m² 以上餐饮
单位台账, one row per unit). Column names are matched by their usual spellings; a title row
above the header is allowed; a blank unit name continues the unit above (merged cells).

Every row is checked first; any error refuses the whole file and names the row (nothing is
stored). Files that are not workbooks are refused with one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lantian.lib import safedocs

ROSTER_COLUMNS = {
    "name": ("单位名称", "企业名称", "排污单位名称", "名称"),
    "credit_code": ("统一社会信用代码", "信用代码", "社会信用代码"),
    "district": ("区县", "所在区县", "行政区", "区域", "所在区域"),
    "industry": ("行业类别", "行业", "所属行业"),
    "category": ("名录类别", "类别", "重点排污单位类别", "单位类别"),
    "point": ("监测点位", "排放口名称", "排放口", "监测点位名称", "排口名称"),
    "pollutants": ("监测因子", "监测项目", "污染物"),
    "mn": ("设备编号", "MN", "设备MN", "数采仪编号", "数采仪MN"),
}
ROSTER_REQUIRED = ("name", "district")

ROLLOUT_COLUMNS = {
    "name": ("单位名称", "餐饮单位名称", "企业名称", "名称"),
    "district": ("区县", "所在区县", "行政区", "区域"),
    "address": ("地址", "经营地址"),
    "area": ("经营面积（平方米）", "经营面积(平方米)", "经营面积", "面积"),
    "outlets": ("排烟口数", "排烟口数量", "排放口数", "排烟口"),
    "first_batch": ("试点", "是否试点", "批次", "重点区域"),
}
ROLLOUT_REQUIRED = ("name", "district", "outlets")
YES = {"是", "试点", "重点区域", "第一批", "1", "true", "y", "yes", "√"}
CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


class WorkbookRefused(ValueError):
    """The file cannot be imported; ``errors`` lists every problem found."""

    def __init__(self, errors: list[str]):
        super().__init__("；".join(errors))
        self.errors = errors


@dataclass
class PointRow:
    name: str
    pollutants: str = ""
    mn: str = ""


@dataclass
class UnitRow:
    line: int
    name: str
    district: str
    credit_code: str = ""
    industry: str = ""
    category: str = ""
    points: list[PointRow] = field(default_factory=list)


@dataclass
class OutletRow:
    line: int
    name: str
    district: str
    address: str = ""
    area: int | None = None
    outlets: int = 1
    first_batch: bool = False


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", str(value)).strip()


def _squash(text: str) -> str:
    return re.sub(r"[\s（）()]", "", text)


def _open(file) -> list[tuple]:
    try:
        book = safedocs.load_workbook(file)
    except safedocs.UnsafeDocument as exc:
        raise WorkbookRefused([str(exc)]) from None
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise WorkbookRefused([f"不是有效的 Excel 文件（.xlsx）：{type(exc).__name__}"]) from None
    sheet = book.worksheets[0] if book.worksheets else None
    if sheet is None:
        raise WorkbookRefused(["工作簿中没有工作表"])
    return list(sheet.iter_rows(values_only=True, max_row=100_000))


def _header(rows: list[tuple], columns: dict, required: tuple) -> tuple[int, dict[str, int]]:
    """The header row (within the first 10 rows) and the column index of each field."""
    wanted = {key: {_squash(n) for n in names} for key, names in columns.items()}
    for number, row in enumerate(rows[:10]):
        cells = [_squash(_text(c)) for c in row]
        found = {}
        for key, names in wanted.items():
            for index, cell in enumerate(cells):
                if cell in names and key not in found:
                    found[key] = index
        if all(k in found for k in required):
            return number, found
    names = "、".join(columns[k][0] for k in required)
    raise WorkbookRefused([f"找不到表头：前 10 行中没有同时包含 {names} 的行"])


def _cell(row: tuple, index: int | None) -> str:
    return _text(row[index]) if index is not None and index < len(row) else ""


def read_roster(file) -> list[UnitRow]:
    """Units with their required points, in workbook order."""
    rows = _open(file)
    start, cols = _header(rows, ROSTER_COLUMNS, ROSTER_REQUIRED)
    units: list[UnitRow] = []
    by_key: dict[tuple[str, str], UnitRow] = {}
    errors: list[str] = []
    current: UnitRow | None = None
    for offset, row in enumerate(rows[start + 1 :], start=start + 2):
        values = {k: _cell(row, i) for k, i in cols.items()}
        if not any(values.values()):
            continue
        if values["name"]:
            if not values["district"]:
                errors.append(f"第{offset}行：缺少区县")
                continue
            code = values.get("credit_code", "").upper()
            if code and not CREDIT_CODE.match(code):
                errors.append(f"第{offset}行：统一社会信用代码“{code}”格式不对（应为 18 位）")
            key = (values["district"], code or values["name"])
            current = by_key.get(key)
            if current is None:
                current = UnitRow(
                    offset,
                    values["name"][:200],
                    values["district"],
                    code,
                    values.get("industry", "")[:100],
                    values.get("category", "")[:100],
                )
                by_key[key] = current
                units.append(current)
        elif current is None:
            errors.append(f"第{offset}行：缺少单位名称")
            continue
        if values.get("point"):
            mn = values.get("mn", "")
            if len(mn) > 32:
                errors.append(f"第{offset}行：设备编号过长（{len(mn)} 位，最多 32 位）")
                continue
            current.points.append(
                PointRow(values["point"][:200], values.get("pollutants", "")[:200], mn)
            )
    if errors:
        raise WorkbookRefused(errors)
    if not units:
        raise WorkbookRefused(["名录中没有单位"])
    return units


def read_rollout_units(file, *, min_area: int) -> list[OutletRow]:
    rows = _open(file)
    start, cols = _header(rows, ROLLOUT_COLUMNS, ROLLOUT_REQUIRED)
    out: list[OutletRow] = []
    errors: list[str] = []
    seen: set[tuple[str, str]] = set()
    for offset, row in enumerate(rows[start + 1 :], start=start + 2):
        values = {k: _cell(row, i) for k, i in cols.items()}
        if not any(values.values()):
            continue
        problems = []
        if not values["name"]:
            problems.append("缺少单位名称")
        if not values["district"]:
            problems.append("缺少区县")
        outlets = _number(values.get("outlets", ""))
        if outlets is None or outlets < 1:
            problems.append(f"排烟口数“{values.get('outlets', '')}”应为正整数")
        area = _number(values.get("area", ""), whole=False) if values.get("area") else None
        if values.get("area") and area is None:
            problems.append(f"经营面积“{values['area']}”不是数字")
        elif area is not None and area < min_area:
            problems.append(f"经营面积 {area} 平方米不足 {min_area} 平方米，不属于安装范围")
        key = (values["district"], values["name"])
        if values["name"] and key in seen:
            problems.append("同一区县的单位重复")
        seen.add(key)
        if problems:
            errors.append(f"第{offset}行：" + "；".join(problems))
            continue
        out.append(
            OutletRow(
                offset,
                values["name"][:200],
                values["district"],
                values.get("address", "")[:300],
                area,
                outlets,
                values.get("first_batch", "").lower() in YES,
            )
        )
    if errors:
        raise WorkbookRefused(errors)
    if not out:
        raise WorkbookRefused(["台账中没有单位"])
    return out


def _number(text: str, *, whole: bool = True) -> int | None:
    """A count (``whole``) or an area rounded to the square metre; None when not a number."""
    try:
        value = float(text.replace(",", "").replace("，", ""))
    except ValueError:
        return None
    if value != value or value in (float("inf"), float("-inf")) or abs(value) > 10**9:
        return None
    if whole:
        return int(value) if value.is_integer() else None
    return round(value)
