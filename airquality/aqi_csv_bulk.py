"""The bulk path of ``lantian aqi compute``: whole columns instead of rows.

Reading a million rows one by one with the ``csv`` module and writing them back costs a hundred
times more than the NumPy core (``aqi.compute_frame``). Here pyarrow's multi-threaded reader
splits the file into string columns; every *distinct* time and value string is read with the
very functions the row path uses (``aqi.local_date``, ``aqi_csv._parse_float``), which is cheap
because daily data repeats its dates and its rounded values; output lines are joined column-wise.

The result is byte for byte what ``aqi_csv.run`` writes. Whenever the input is not plain — a
quote character, a lone carriage return, a ragged or blank row, a time, number or row the core
cannot compute — :func:`run` answers ``None`` and the caller takes the row path, which explains
each problem row. Clean files, the common case, never pay for it.
"""

from __future__ import annotations

import csv
import io
from typing import BinaryIO, TextIO

import numpy as np

from airquality import aqi, aqi_csv

SLICE = 250_000  # rows joined and written at a time (bounds the output's memory)


def _cell(text: str) -> str:
    """``text`` as ``csv.writer`` writes one field (quoted only where needed)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([text, ""])
    return out.getvalue()[:-1]


def _header_line(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    return out.getvalue()


def _decode_each(column, parse):
    """``parse`` applied to each distinct string of ``column``; indices into the results."""
    encoded = column.dictionary_encode()
    parsed = [parse(text) for text in encoded.dictionary.to_pylist()]
    return parsed, encoded.indices.to_numpy(zero_copy_only=False)


def _strings(values: np.ndarray, blank_below: int | None = None):
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.array(values.astype(np.int64)).cast(pa.string())
    if blank_below is None:
        return text
    return pc.if_else(pa.array(values < blank_below), "", text)


def _lookup(keys: np.ndarray, table: dict[int, str]):
    """Strings for small integer ``keys`` (levels, bit sets) from ``table``."""
    import pyarrow as pa

    top = int(keys.max()) + 1 if len(keys) else 1
    words = pa.array([table.get(k, "") for k in range(top)], type=pa.string())
    return words.take(pa.array(keys.astype(np.int64)))


def run(
    data: bytes,
    stdout: BinaryIO,
    stderr: TextIO,
    *,
    mode: str,
    standard: str = "auto",
    resolver: aqi.Resolver | None = None,
) -> int | None:
    """Compute ``data`` (UTF-8 CSV bytes) in bulk; ``None`` when it needs the row path."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as pacsv
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return None
    if mode not in aqi.MODES or b'"' in data:
        return None
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
        if b"\r" in data:
            return None
    data = data.removeprefix(b"\xef\xbb\xbf")
    first, newline, body = data.partition(b"\n")
    if not newline or not body.strip():
        return None
    try:
        header, time_index, columns, names = aqi_csv._header(
            csv.reader([first.decode("utf-8")]), mode
        )
    except (aqi_csv.Unusable, UnicodeDecodeError, csv.Error):
        return None
    resolver = resolver or aqi.Resolver(standard)
    width = len(header)
    labels = [f"c{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(body),
            read_options=pacsv.ReadOptions(column_names=labels, block_size=1 << 22),
            parse_options=pacsv.ParseOptions(quote_char=False, ignore_empty_lines=True),
            convert_options=pacsv.ConvertOptions(
                column_types={label: pa.string() for label in labels},
                strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None  # ragged rows or bytes that are not UTF-8: the row path says which line
    table = table.combine_chunks()
    cells = [table.column(i).chunk(0) if table.column(i).num_chunks else None for i in range(width)]
    if table.num_rows == 0 or any(c is None for c in cells):
        return None
    # A row of blank cells is skipped by the row path (its count would differ here).
    blank = pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(cells[0])), 0)
    for column in cells[1:]:
        blank = pc.and_(blank, pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(column)), 0))
    if pc.any(blank).as_py():
        return None

    def day_of(text: str):
        day = aqi.local_date(text)
        resolver(day)
        return np.datetime64(day, "D")

    try:
        day_values, day_index = _decode_each(cells[time_index], day_of)
        values = {}
        for index, measurement in columns.items():
            parsed, where = _decode_each(cells[index], aqi_csv._parse_float)
            values[measurement] = np.asarray(parsed, dtype=np.float64)[where]
    except (aqi.AQIError, LookupError, ValueError):
        return None
    days = np.asarray(day_values, dtype="datetime64[D]")[day_index]
    result = aqi.compute_frame(days, values, mode=mode, resolver=resolver)
    if result.error.any():
        return None
    return _write(stdout, header, cells, names, result)


def _write(stdout: BinaryIO, header, cells, names, result: aqi.ArrayResult) -> int:
    import pyarrow as pa
    import pyarrow.compute as pc

    levels = {}  # table × level → the four words of that level, each a CSV field
    per_table = max(len(t.levels) for t in result.tables)
    for t, table in enumerate(result.tables):
        for i, level in enumerate(table.levels):
            levels[t * per_table + i] = ",".join(
                _cell(w) for w in (level.level, level.category, level.rgb)
            )
    level_key = result.table.astype(np.int64) * per_table + result.level.astype(np.int64)
    bits = {}
    for mask in np.unique(np.concatenate([result.primary, result.over_limit])).tolist():
        bits[mask] = _cell(";".join(result.bits_to_names(int(mask))))
    standards = {t: _cell(table.code) for t, table in enumerate(result.tables)}
    columns = [
        *cells,
        *(_strings(result.iaqi[n], blank_below=0) for n in names),
        _strings(result.aqi),
        _lookup(level_key, levels),
        _lookup(result.primary, bits),
        _lookup(result.over_limit, bits),
        _lookup(result.table, standards),
        pc.if_else(pa.array(result.above_scale.astype(bool)), "1", ""),
    ]
    head = [*header, *(f"iaqi_{n}" for n in names), *aqi_csv.RESULT_COLUMNS]
    stdout.write(_header_line(head).encode("utf-8"))
    # Joined with a final "\n" column: the empty error field falls between the last comma and
    # the newline, and the joined array's data buffer is the file's body as it stands.
    rows = len(cells[0])
    for start in range(0, rows, SLICE):
        part = [c.slice(start, SLICE) for c in columns]
        lines = pc.binary_join_element_wise(*part, "\n", ",")
        offsets = lines.buffers()[1]
        first, last = np.frombuffer(offsets, dtype=np.int32)[
            [lines.offset, lines.offset + len(lines)]
        ]
        stdout.write(memoryview(lines.buffers()[2])[first:last])
    return aqi_csv.EXIT_OK
