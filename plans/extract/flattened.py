"""Task tables that a web page or a copy flattened to text, turned back into table rows.

A 公开信息 page often prints its table as lines: a header line of column names separated by
spaces or ``|`` (``序号 交办问题基本情况 行政区域 污染类型 调查核实情况 整改、处理及问责情况``)
and one line per row, cells separated the same way. When a header line names at least three
known columns (one of them the problem or the measures), the lines after it that split into
the same number of cells are its rows; ``text.table_to_lines`` then reads them as it reads a
Word table. Anything else is left as it is.
"""

from __future__ import annotations

import re

from .layout import is_stop
from .text import _column_key, table_to_lines

_RULE = re.compile(r"^\|?\s*:?-{3,}")  # a Markdown table's |---|---| line


def _cells(line: str, pipes: bool) -> list[str]:
    text = line.strip()
    if pipes:
        return [c.strip() for c in text.strip("|").split("|")]
    return text.split()


def _header(line: str) -> tuple[list[str], bool] | None:
    pipes = line.count("|") >= 2
    cells = _cells(line, pipes)
    if len(cells) < 3:
        return None
    keys = [_column_key(c) for c in cells]
    if sum(k is not None for k in keys) < max(3, len(cells) - 1):
        return None
    if "problem" not in keys and "整改措施" not in keys:
        return None
    return cells, pipes


def tables_in(lines: list[str]) -> list[str]:
    """Lines with each flattened task table replaced by the field-labelled lines it means."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        found = _header(lines[i]) if lines[i].strip() else None
        if found is None and lines[i].strip():
            run = _run_together(lines, i)
            if run is not None:
                out.extend(run[0])
                i = run[1]
                continue
        if found is None:
            out.append(lines[i])
            i += 1
            continue
        header, pipes = found
        rows, j = [header], i + 1
        while j < len(lines):
            if not lines[j].strip() or (pipes and _RULE.match(lines[j].strip())):
                j += 1
                continue
            cells = _cells(lines[j], pipes)
            if len(cells) != len(header) or _header(lines[j]):
                break
            rows.append(cells)
            j += 1
        converted = table_to_lines(rows) if len(rows) > 1 else None
        if converted is None:
            out.append(lines[i])
            i += 1
            continue
        out.extend(["", *converted, ""])
        i = j
    return out


# --- cells and rows run together ---------------------------------------------------------------
#
# A forum or news copy of a table can lose its line breaks too: the column names, then every
# cell one after the other separated by spaces (``工作任务和内容 责任单位 配合单位 完成时间 负责…
# 工作. 县委宣传部 持续开展 负责… 县委县政府 督查室 持续开展 …``), empty cells gone and a cell
# that wrapped split in two. The rows are rebuilt from what the cells are: a task is prose (a
# sentence), a unit ends like a unit name (局/委/办/室 …), a time says when (持续/月底前 …);
# a piece that is none of these, or a unit piece without a place prefix, continues the cell
# before it. Units go to the unit columns in order; a row starts at the next task.

_TIME_WORD = re.compile(
    r"持续|长期|常态|立行立改|立即|即日|年底|年末|月底|月末|季度|半年|\d{1,2}\s*月|\d{4}\s*年|前完成|以前"
)
_UNIT_TAIL = re.compile(
    r"(?:局|委|办|府|中心|会|处|站|部门|单位|公司|集团|队|院|所|厅|室|组|部|社|街道|[）)])$"
)
_PLACE_HEAD = re.compile(r"^(?:县|市|区|省|州|镇|乡|街道|各|旗)")
_PROSE = re.compile(r"[。.;；!！?？]$|^.{16,}$")


def _header_run(tokens: list[str]) -> tuple[int, int] | None:
    """(start, end) of three or more column names in a row, one of them the task."""
    k = 0
    while k < len(tokens):
        end = k
        while end < len(tokens) and _column_key(tokens[end]) is not None:
            end += 1
        keys = [_column_key(t) for t in tokens[k:end]]
        if end - k >= 3 and ("problem" in keys or "整改措施" in keys) and end < len(tokens):
            return k, end
        k = end + 1
    return None


def _run_together(lines: list[str], i: int) -> tuple[list[str], int] | None:
    tokens = lines[i].split()
    found = _header_run(tokens) if len(tokens) > 4 else None
    if found is None:
        return None
    start, end = found
    header = tokens[start:end]
    keys = [_column_key(t) for t in header]
    task_key = "problem" if "problem" in keys else "整改措施"
    unit_columns = [k for k, key in enumerate(keys) if key in _UNIT_KEYS]
    time_columns = [k for k, key in enumerate(keys) if key in ("整改时限", "完成时限")]
    stream = tokens[end:]
    j = i + 1
    while j < len(lines) and not is_stop(lines[j]):
        stream.extend(lines[j].split())
        j += 1
    rows: list[list[str]] = []
    row: list[str] | None = None
    last = None  # the column the previous piece went to
    for piece in stream:
        kind = _piece_kind(piece)
        if kind == "task" and (row is None or last != keys.index(task_key)):
            row = [""] * len(header)
            rows.append(row)
            last = keys.index(task_key)
        if row is None:
            return None
        if kind == "task":
            row[last] += piece
            continue
        if kind == "unit" and (last not in unit_columns or _PLACE_HEAD.match(piece)):
            free = [k for k in unit_columns if not row[k] and (last is None or k >= last)]
            if last in unit_columns and not _UNIT_TAIL.search(row[last]):
                row[last] += piece  # 县交通 / 运输局: a name wrapped in its cell
                continue
            if not free:
                return None
            last = free[0]
            row[last] = piece
            continue
        if kind == "time" and last not in time_columns and time_columns:
            last = time_columns[0]
            row[last] = piece
            continue
        if last is None:
            return None
        row[last] += piece  # the rest of a wrapped cell
    if len(rows) < 2 or any(not r[keys.index(task_key)] for r in rows):
        return None
    converted = table_to_lines([header, *rows])
    if converted is None:
        return None
    title = " ".join(tokens[:start])
    return [*([title] if title else []), "", *converted, ""], j


_UNIT_KEYS = ("整改责任单位", "责任单位", "牵头单位", "配合单位", "督导验收单位")


def _piece_kind(piece: str) -> str:
    if _PROSE.search(piece) and re.search(r"[\u4e00-\u9fa5]", piece):
        return "task"
    if _TIME_WORD.search(piece):
        return "time"
    if _UNIT_TAIL.search(piece) or _PLACE_HEAD.match(piece):
        return "unit"
    return "other"
