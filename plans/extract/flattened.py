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
