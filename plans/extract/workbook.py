"""Excel task lists (.xlsx) → the lines a Word task table gives.

Offices keep task lists as workbooks: the 台账 the ledger exports (one row per task × unit), a
table under one or more title rows, headers over two rows (``完成`` / ``时限``, or a group
``责任单位`` over ``牵头单位 | 配合单位``), problem cells merged down over the rows of their
measures, several sheets. Each visible sheet is read as a grid in which a cell merged across
columns is kept once (in its first column) and a cell merged down is repeated on each row it
covers; the header row is the row (or pair of rows) naming the most known columns, wherever
it is; the rows under it go through ``text.table_to_lines``. Title rows above a header become
lines of their own (the plan's title); a sheet without a task table gives its text as lines.
When later sheets number their tasks from 1 again, their numbers continue the earlier ones.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

from .errors import ExtractError
from .text import _column_key, table_to_lines

MAX_CELLS = 200_000  # a task list has hundreds of rows, not millions
MAX_UNZIPPED = 100 * 1024 * 1024
MAX_RATIO = 200


def check_archive(data: bytes) -> None:
    """Refuse a zip bomb before openpyxl inflates it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise ExtractError("Excel 文件已损坏或不完整（.xlsx 压缩包无法打开）") from exc
    total = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members) or 1
    if total > MAX_UNZIPPED or total / packed > MAX_RATIO:
        raise ExtractError("Excel 文件解压后过大，疑似压缩炸弹，已拒绝读取")
    if not any(m.filename.startswith("xl/worksheets/") for m in members):
        raise ExtractError("不是 Excel 工作簿（压缩包中没有工作表）")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _grid(sheet) -> list[list[str]]:
    rows = [[_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    for merged in sheet.merged_cells.ranges:
        top = merged.min_row - 1
        left = merged.min_col - 1
        if top >= len(rows) or left >= len(rows[top]):
            continue
        value = rows[top][left]
        for r in range(top, min(merged.max_row, len(rows))):
            for c in range(left, min(merged.max_col, len(rows[r]))):
                # across: kept once; down: repeated on each row (one task, several measures)
                rows[r][c] = value if c == left else ""
    return rows


def _header_at(rows: list[list[str]]) -> tuple[int, int, list[str]] | None:
    """(first header row, rows it spans (1 or 2), column names) of the task table."""
    best = None
    for at in range(min(len(rows), 30)):
        for span in (1, 2):
            if at + span > len(rows):
                continue
            names = _names(rows[at], rows[at + 1] if span == 2 else None)
            keys = [_column_key(n) for n in names]
            known = sum(k is not None for k in keys)
            if known < 3 or not ("problem" in keys or "整改措施" in keys):
                continue
            if best is None or known > best[0]:
                best = (known, at, span, names)
    return None if best is None else best[1:]


def _names(top: list[str], below: list[str] | None) -> list[str]:
    if below is None:
        return list(top)
    names = []
    for k, upper in enumerate(top):
        lower = below[k] if k < len(below) else ""
        for candidate in (lower, upper + lower, upper):
            if candidate and _column_key(candidate) is not None:
                names.append(candidate)
                break
        else:
            names.append(upper or lower)
    return names


def _renumber(rows: list[list[str]], number_column: int | None, after: int) -> int:
    """Continue the numbering of an earlier sheet; returns the last number used."""
    if number_column is None:
        return after
    numbers = [r[number_column] for r in rows if number_column < len(r)]
    digits = [int(n) for n in numbers if re.fullmatch(r"\d{1,4}", n)]
    shift = after if digits and min(digits) <= after else 0
    last = after
    for row in rows:
        cell = row[number_column] if number_column < len(row) else ""
        if re.fullmatch(r"\d{1,4}", cell):
            row[number_column] = str(int(cell) + shift)
            last = max(last, int(cell) + shift)
    return last


def read_xlsx(data: bytes) -> list[str]:
    check_archive(data)
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise ExtractError("缺少 openpyxl，无法读取 .xlsx") from exc
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds
        reason = type(exc).__name__
        raise ExtractError(f"无法读取 Excel 文件（.xlsx 已损坏或不完整）：{reason}") from exc
    lines: list[str] = []
    last_number = 0
    cells = 0
    try:
        for sheet in book.worksheets:
            if sheet.sheet_state != "visible":
                continue
            cells += (sheet.max_row or 0) * (sheet.max_column or 0)
            if cells > MAX_CELLS:
                raise ExtractError(f"Excel 工作簿过大（超过 {MAX_CELLS} 个单元格）")
            rows = _grid(sheet) or []
            found = _header_at(rows)
            if found is None:
                lines.extend("  ".join(c for c in row if c) for row in rows if any(row))
                continue
            at, span, names = found
            lines.extend("  ".join(c for c in row if c) for row in rows[:at] if any(row))
            body = [r for r in rows[at + span :] if any(r)]
            keys = [_column_key(n) for n in names]
            number_column = keys.index("no") if "no" in keys else None
            last_number = _renumber(body, number_column, last_number)
            converted = table_to_lines([names, *body])
            if converted:
                lines.append("")
                lines.extend(converted)
    except ExtractError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise ExtractError(f"无法读取 Excel 文件内容：{type(exc).__name__}") from exc
    if not any(line.strip() for line in lines):
        raise ExtractError("Excel 工作簿中没有文字")
    return lines
