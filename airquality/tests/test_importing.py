"""The file reader (pure): loose headers, time formats, flagged values, garbage never crashes."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airquality import importing


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("PM2.5(μg/m³)", "pm25"),
        ("PM₂.₅", "pm25"),
        ("细颗粒物", "pm25"),
        ("PM10（μg/m3）", "pm10"),
        ("CO(mg/m³)", "co"),
        ("O₃", "o3"),
        ("O3_1h", "o3"),
        ("O3_8h", None),
        ("站点名称", "station_name"),
        ("站点编码", "station_code"),
        ("监测时间", "time"),
        ("降尘量（吨/平方公里·30天）", "dustfall"),
        ("备注", None),
    ],
)
def test_headers_are_matched_loosely(header, key):
    assert importing.normalise_header(header) == key


@pytest.mark.parametrize(
    ("cell", "hour", "expected"),
    [
        ("2026-10-12 05:00", None, (2026, 10, 12, 5)),
        ("2026/10/12 5:00:00", None, (2026, 10, 12, 5)),
        ("2026-10-12T05:00", None, (2026, 10, 12, 5)),
        ("2026年10月12日 5时", None, (2026, 10, 12, 5)),
        ("2026-10-12", 5, (2026, 10, 12, 5)),
        (dt.datetime(2026, 10, 12, 5), None, (2026, 10, 12, 5)),
        (dt.date(2026, 10, 12), "5", (2026, 10, 12, 5)),
    ],
)
def test_time_formats(cell, hour, expected):
    time = importing.parse_time(cell, hour)
    assert (time.year, time.month, time.day, time.hour) == expected
    assert time.utcoffset() == dt.timedelta(hours=8)


def test_hour_ending_labels_move_back_one_hour():
    time = importing.parse_time("2026-10-12", "24", hour_ending=True)
    assert (time.day, time.hour) == (12, 23)
    assert importing.parse_time("2026-10-12 01:00", hour_ending=True).hour == 0


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("35", (35.0, False)), (35, (35.0, False)), ("", (None, False)), ("—", (None, False)),
     ("35H", (None, True)), ("35(BB)", (None, True)), ("35*", (None, True)), (None, (None, False))],
)  # fmt: skip
def test_values_and_flags(cell, expected):
    assert importing.parse_value(cell) == expected


@pytest.mark.parametrize("cell", ["abc", "-3", "1e999", True])
def test_bad_values_raise_with_a_message(cell):
    with pytest.raises(ValueError):
        importing.parse_value(cell)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["", "站点编码,时间,PM2.5,CO\n", "站点,日期,小时,SO2\n"]), st.text(max_size=300)
)
def test_garbage_files_are_refused_cleanly(header, text):
    try:
        parsed = importing.parse_hours((header + text).encode("utf-8"), "x.csv")
    except importing.ImportFileError:
        return
    for row in parsed.rows:
        assert row.time.tzinfo is not None
    assert all(p.message for p in parsed.problems)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=20), st.floats(), st.integers()))
def test_any_cell_is_a_value_or_a_clear_error(cell):
    try:
        value, flagged = importing.parse_value(cell)
    except ValueError as exc:
        assert str(exc)
        return
    assert value is None or value >= 0
