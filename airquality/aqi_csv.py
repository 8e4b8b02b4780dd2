"""CSV in, CSV out: the engine behind ``lantian aqi compute``. Pure: no Django.

Input: a header row with a ``time`` column (ISO date or date-time; naive times are Beijing time)
and any of ``so2 no2 co o3 o3_8h pm10 pm25`` (µg/m³, CO mg/m³), plus ``so2_1h`` … where an hourly
file carries both the 1 h and the 24 h value (see :func:`airquality.aqi.column_map`).

Output: the input columns, then ``iaqi_<name>`` for each sub-index the input can feed, then
``aqi level category color primary over_limit standard above_scale error``. Several primary
pollutants or pollutants over the limit are joined with ``;``.

Exit status: 0 every row computed; 1 some rows could not be computed (their ``error`` column
says why, stderr gives the count); 2 the input as a whole is unusable (no header, no ``time``
column, no pollutant column, two columns for one measurement, unknown standard or mode).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from typing import TextIO

import numpy as np

from airquality import aqi

EXIT_OK, EXIT_ROW_ERRORS, EXIT_UNUSABLE = 0, 1, 2
TIME_COLUMNS = (
    "time",
    "date",
    "datetime",
    "date_time",
    "timestamp",
    "时间",
    "日期",
    "监测时间",
    "监测日期",
)
RESULT_COLUMNS = (
    "aqi",
    "level",
    "category",
    "color",
    "primary",
    "over_limit",
    "standard",
    "above_scale",
    "error",
)
CHUNK = 50_000


class Unusable(Exception):
    """The input as a whole cannot be processed."""


def feeding(mode: str, name: str) -> tuple[str, ...]:
    """The measurements that can feed sub-index ``name`` in ``mode`` (for the output header)."""
    if name == "o3_8h":
        return ("o3_8h",)
    if mode == aqi.DAILY:
        return ("o3_1h",) if name == "o3" else (f"{name}_24h",)
    if name in ("pm10", "pm25"):
        return (f"{name}_1h", f"{name}_24h")
    return (f"{name}_1h",)


def _header(reader: csv.reader, mode: str) -> tuple[list[str], int, dict[int, str], list[str]]:
    try:
        header = next(reader)
    except StopIteration:
        raise Unusable("输入为空：第一行应为表头") from None
    if header:
        header[0] = header[0].removeprefix("\ufeff")  # a BOM, whoever decoded the bytes
    lowered = [h.strip().lower() for h in header]
    time_index = next((lowered.index(c) for c in TIME_COLUMNS if c in lowered), None)
    if time_index is None:
        raise Unusable(f"缺少 time 列（表头：{','.join(header)}）")
    try:
        mapping = aqi.column_map(lowered, mode)
    except aqi.AQIError as exc:
        raise Unusable(str(exc)) from None
    if not mapping:
        raise Unusable("没有污染物列：应有 so2, no2, co, o3, o3_8h, pm10, pm25 中的至少一列")
    columns = {lowered.index(c): m for c, m in mapping.items()}
    fed = set(mapping.values())
    names = [n for n in aqi.SUBINDEX_NAMES if fed & set(feeding(mode, n))]
    return header, time_index, columns, names


def _chunks(reader: csv.reader, size: int) -> Iterator[list[list[str]]]:
    chunk: list[list[str]] = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _parse_float(text: str) -> float:
    text = text.strip()
    if text.upper() in aqi.MISSING_MARKS:
        return float("nan")
    return float(text)


def _process(
    rows: list[list[str]],
    width: int,
    time_index: int,
    columns: dict[int, str],
    mode: str,
    resolver: aqi.Resolver,
) -> tuple[list[str | None], aqi.ArrayResult | None, np.ndarray]:
    """Per-row early errors (bad time, bad number, no table), then the NumPy path."""
    n = len(rows)
    errors: list[str | None] = [None] * n
    days = np.zeros(n, dtype="datetime64[D]")
    arrays = {m: np.full(n, np.nan) for m in columns.values()}
    for i, row in enumerate(rows):
        if len(row) > width:
            errors[i] = f"本行有 {len(row)} 列，表头只有 {width} 列"
            continue
        row += [""] * (width - len(row))
        try:
            day = aqi.local_date(row[time_index])
            resolver(day)
        except aqi.AQIError as exc:
            errors[i] = str(exc)
            continue
        except LookupError as exc:  # no AQI table in force on that day
            errors[i] = f"没有适用的 AQI 分级表：{exc}"
            continue
        days[i] = np.datetime64(day, "D")
        for index, measurement in columns.items():
            try:
                arrays[measurement][i] = _parse_float(row[index])
            except ValueError:
                arrays[measurement][i] = -1.0  # reported by the scalar path below
    ok = np.array([e is None for e in errors], dtype=bool)
    if not ok.any():
        return errors, None, ok
    result = aqi.compute_frame(
        days[ok], {m: a[ok] for m, a in arrays.items()}, mode=mode, resolver=resolver
    )
    return errors, result, ok


def _scalar_message(row, header, time_index, columns, mode, resolver) -> str:
    """The precise reason a row failed, from the scalar path (failures are rare)."""
    values = {header[i].strip().lower(): row[i] for i in columns}
    try:
        aqi.compute(values, mode=mode, table=resolver(aqi.local_date(row[time_index])))
    except aqi.AQIError as exc:
        return str(exc)
    return "无法计算"


def run(
    stdin: TextIO,
    stdout: TextIO,
    stderr: TextIO,
    *,
    mode: str,
    standard: str = "auto",
    resolver: aqi.Resolver | None = None,
) -> int:
    """Read CSV from ``stdin``, write results to ``stdout``; return the exit status."""
    if mode not in aqi.MODES:
        stderr.write(f"lantian aqi: 未知模式 {mode}（daily 或 hourly）\n")
        return EXIT_UNUSABLE
    resolver = resolver or aqi.Resolver(standard)
    if standard != "auto":
        try:
            resolver(dt.date.today())
        except LookupError as exc:
            stderr.write(f"lantian aqi: {exc}\n")
            return EXIT_UNUSABLE
    reader = csv.reader(stdin)
    try:
        header, time_index, columns, names = _header(reader, mode)
    except Unusable as exc:
        stderr.write(f"lantian aqi: {exc}\n")
        return EXIT_UNUSABLE
    except csv.Error as exc:
        stderr.write(f"lantian aqi: 不是有效的 CSV：{exc}\n")
        return EXIT_UNUSABLE
    writer = csv.writer(stdout, lineterminator="\n")
    writer.writerow(header + [f"iaqi_{n}" for n in names] + list(RESULT_COLUMNS))
    failed = total = 0
    try:
        for rows in _chunks(reader, CHUNK):
            total += len(rows)
            failed += _write_chunk(writer, rows, header, time_index, columns, names, mode, resolver)
    except csv.Error as exc:
        stderr.write(f"lantian aqi: 第 {reader.line_num} 行不是有效的 CSV：{exc}\n")
        return EXIT_UNUSABLE
    if failed:
        stderr.write(f"lantian aqi: {total} 行中 {failed} 行无法计算，原因见 error 列\n")
        return EXIT_ROW_ERRORS
    return EXIT_OK


def _write_chunk(writer, rows, header, time_index, columns, names, mode, resolver) -> int:
    width = len(header)
    errors, result, ok = _process(rows, width, time_index, columns, mode, resolver)
    positions = np.cumsum(ok) - 1
    failed = 0
    blank = [""] * (len(names) + len(RESULT_COLUMNS) - 1)
    for i, row in enumerate(rows):
        row = row[:width] + [""] * (width - len(row))
        error = errors[i]
        if error is None and result is not None:
            j = positions[i]
            if result.error[j]:
                error = _scalar_message(row, header, time_index, columns, mode, resolver)
            else:
                writer.writerow(row + _cells(result, j, names))
                continue
        failed += 1
        writer.writerow(row + blank + [error])
    return failed


def _cells(result: aqi.ArrayResult, j: int, names: list[str]) -> list[str]:
    table = result.tables[result.table[j]]
    level = table.levels[result.level[j]]
    iaqis = [str(result.iaqi[n][j]) if result.iaqi[n][j] >= 0 else "" for n in names]
    return iaqis + [
        str(result.aqi[j]),
        level.level,
        level.category,
        level.rgb,
        ";".join(result.bits_to_names(int(result.primary[j]))),
        ";".join(result.bits_to_names(int(result.over_limit[j]))),
        table.code,
        "1" if result.above_scale[j] else "",
        "",
    ]
