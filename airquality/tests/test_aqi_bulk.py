"""The bulk CSV path writes exactly what the row path writes, or declines the file."""

from __future__ import annotations

import io
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from airquality import aqi_csv, aqi_csv_bulk


def both(data: bytes, mode: str = "daily"):
    bulk_out, bulk_err = io.BytesIO(), io.StringIO()
    status = aqi_csv_bulk.run(data, bulk_out, bulk_err, mode=mode)
    row_out, row_err = io.StringIO(), io.StringIO()
    row_status = aqi_csv.run(io.StringIO(data.decode("utf-8-sig")), row_out, row_err, mode=mode)
    return status, bulk_out.getvalue().decode("utf-8"), row_status, row_out.getvalue()


def plain_file(rows: int, seed: int = 1, header: str = "time,pm25,pm10,so2,no2,co,o3_8h") -> bytes:
    rng = random.Random(seed)
    lines = [header]
    for _ in range(rows):
        day = f"20{rng.choice(['25', '26'])}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        values = [rng.randint(5, 480), rng.randint(10, 590), rng.randint(2, 300)]
        values += [rng.randint(5, 280), round(rng.uniform(0.2, 9), 1), rng.randint(20, 790)]
        lines.append(",".join([day, *map(str, values)]))
    return ("\n".join(lines) + "\n").encode()


def test_a_plain_file_takes_the_bulk_path_and_matches_the_row_path_byte_for_byte():
    status, bulk, row_status, row = both(plain_file(3000))
    assert status == row_status == 0
    assert bulk == row
    assert bulk.count("\n") == 3001


def test_spreadsheet_dates_missing_marks_crlf_and_a_bom_are_read_alike():
    text = (
        "\ufeff日期,PM2.5,PM10,O3-8H,备注\r\n"
        "2025/12/1,75,120,NA,甲\r\n"
        "2025年12月2日,—,98,160,乙\r\n"
        "2026.3.1 10:00,35,,200,丙\r\n"
        "2026-03-02,501,700,810,丁\r\n"
    )
    status, bulk, row_status, row = both(text.encode("utf-8"))
    assert status == 0 and row_status == 0
    assert bulk == row
    assert "2026-03-02,501,700,810,丁," in bulk


def test_files_with_problems_are_left_to_the_row_path_which_explains_them():
    for text in (
        'time,pm25\n2025-01-01,"12"\n',  # a quote
        "time,pm25\n2025-01-01,12,9\n",  # a ragged row
        "time,pm25\nyesterday,12\n",  # a time nobody can read
        "time,pm25\n2025-01-01,twelve\n",  # a number nobody can read
        "time,pm25\n2025-01-01,12\n , \n",  # a blank row the row path skips
        "time,pm25\n",  # no rows
    ):
        out = io.BytesIO()
        assert aqi_csv_bulk.run(text.encode(), out, io.StringIO(), mode="daily") is None, text
        assert out.getvalue() == b""


def test_hourly_files_match_too():
    text = (
        "time,pm25_1h,pm25_24h,o3,co\n"
        "2026-03-01T10:00,80,60,210,1.2\n2025-07-01 14:00,20,30,150,0.4\n"
    )
    status, bulk, _, row = both(text.encode(), mode="hourly")
    assert status == 0 and bulk == row


CELL = st.one_of(
    st.integers(min_value=0, max_value=1200).map(str),
    st.floats(min_value=0, max_value=900, allow_nan=False).map(lambda x: f"{x:.1f}"),
    st.sampled_from(["", "NA", "-", "—", " 12 ", "1e2", "abc", "-5"]),
)
DAY = st.one_of(
    st.dates(min_value=__import__("datetime").date(2013, 1, 1)).map(str),
    st.sampled_from(["2025/12/1", "2026年3月1日", "2026.3.1 10:00", "bad", "2025-02-30"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(DAY, CELL, CELL, CELL), min_size=1, max_size=30))
def test_whatever_the_bulk_path_accepts_it_writes_as_the_row_path_does(rows):
    data = "time,pm25,pm10,o3_8h\n" + "".join(",".join(r) + "\n" for r in rows)
    status, bulk, row_status, row = both(data.encode())
    if status is not None:
        assert (status, bulk) == (row_status, row)
