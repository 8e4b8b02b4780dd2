"""``lantian aqi compute``: the CSV contract, per-row errors, exit codes, fresh installs."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from airquality import aqi, aqi_csv
from airquality.tests.tables import T2012, T2026


def loader(standard, *, on):
    if standard == "auto":
        if on.year < 2013:
            raise LookupError(f"{on} 没有生效的 aqi_breakpoints")
        return T2012 if on < on.replace(2026, 3, 1) else T2026
    return {"HJ633-2012": T2012, "HJ633-2026": T2026}[standard]


def run(text: str, mode="daily", standard="auto"):
    out, err = io.StringIO(), io.StringIO()
    resolver = aqi.Resolver(standard, load=loader)
    status = aqi_csv.run(
        io.StringIO(text), out, err, mode=mode, standard=standard, resolver=resolver
    )
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    return status, rows, err.getvalue()


def test_daily_rows_get_sub_indices_aqi_level_and_the_table_of_their_date():
    status, rows, err = run(
        "time,station,pm25,pm10,so2,no2,co,o3_8h\n"
        "2026-02-28,A,75,100,10,40,1.9,100\n"
        "2026-03-01,A,75,100,10,40,1.9,100\n"
    )
    assert status == 0 and err == ""
    old, new = rows
    assert (old["iaqi_pm25"], old["aqi"], old["standard"]) == ("100", "100", "HJ 633-2012")
    assert (new["iaqi_pm25"], new["aqi"], new["standard"]) == ("114", "114", "HJ 633-2026")
    assert (new["level"], new["category"], new["color"]) == ("三级", "轻度污染", "#FF7E00")
    assert (new["primary"], new["over_limit"], new["station"]) == ("pm25", "pm25", "A")
    assert old["iaqi_co"] == "48" and old["primary"] == "pm25" and old["over_limit"] == ""
    assert "iaqi_o3" not in new  # no 1 h ozone column given


def test_the_output_keeps_input_columns_first_then_the_result_columns():
    status, rows, _ = run("time,pm25\n2026-03-01,10\n")
    assert list(rows[0]) == ["time", "pm25", "iaqi_pm25", *aqi_csv.RESULT_COLUMNS]


def test_the_standard_can_be_forced():
    _, rows, _ = run("time,pm25\n2026-06-01,75\n", standard="HJ633-2012")
    assert (rows[0]["aqi"], rows[0]["standard"]) == ("100", "HJ 633-2012")


def test_hourly_mode_with_1h_and_24h_columns():
    status, rows, err = run(
        "time,so2_1h,so2,pm25\n"
        "2025-01-01T10:00,900,300,75\n"
        "2026-05-01T10:00,900,,75\n"
        "2025-01-01T11:00,900,,10\n",
        mode="hourly",
    )
    assert status == aqi_csv.EXIT_ROW_ERRORS
    assert (rows[0]["iaqi_so2"], rows[0]["aqi"]) == ("124", "124")  # 2012: SO2 24 h 300
    assert (rows[1]["iaqi_so2"], rows[1]["iaqi_pm25"]) == ("200", "114")  # 2026: fixed 200
    assert rows[2]["aqi"] == "" and "so2_24h" in rows[2]["error"]
    assert "3 行中 1 行无法计算" in err


def test_bad_rows_say_why_and_do_not_stop_the_others():
    status, rows, err = run(
        "time,pm25,pm10\n"
        "2026-03-02,abc,100\n"
        "2026-03-03,-3,100\n"
        "2026-03-04,600,\n"
        "2026-03-05,,\n"
        "yesterday,1,\n"
        "2001-01-01,50,\n"
        "2026-03-06,1,2,3\n"
        "2026-03-07,—,20\n"
    )
    assert status == aqi_csv.EXIT_ROW_ERRORS
    errors = [r["error"] for r in rows]
    assert "pm25 浓度不是数值" in errors[0]
    assert "pm25 浓度为负" in errors[1]
    assert errors[2] == "" and rows[2]["aqi"] == "500" and rows[2]["above_scale"] == "1"
    assert "没有可用于计算" in errors[3]
    assert "时间无法识别" in errors[4]
    assert "没有适用的 AQI 分级表" in errors[5]
    assert "表头只有 3 列" in errors[6]
    assert errors[7] == "" and rows[7]["aqi"] == "20"
    assert "8 行中 6 行无法计算" in err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "输入为空"),
        ("station,pm25\nA,1\n", "缺少 time 列"),
        ("time,station\n2026-01-01,A\n", "没有污染物列"),
        ("time,pm25,pm25_24h\n2026-01-01,1,2\n", "只能给出一个"),
    ],
)
def test_unusable_input_exits_2_with_one_line(text, message):
    status, _, err = run(text)
    assert status == aqi_csv.EXIT_UNUSABLE and message in err
    assert err.count("\n") == 1


def test_an_unknown_standard_exits_2():
    status, _, err = run("time,pm25\n2026-01-01,1\n", standard="HJ633-1999")
    assert status == aqi_csv.EXIT_UNUSABLE and "HJ633-1999" in err


ROOT = Path(__file__).resolve().parents[2]


def test_the_command_works_on_a_fresh_install_without_a_database(tmp_path):
    """No migrations, no database file: the packaged regulation files answer."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["LANTIAN_VAR_DIR"] = str(tmp_path / "not-created")
    lantian = Path(sys.executable).with_name("lantian")
    done = subprocess.run(
        [str(lantian), "aqi", "compute", "--mode", "daily"],
        input="time,pm25,co\n2026-02-28,75,1.9\n2026-03-01,75,2.2\n2026-03-02,-1,\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [r["aqi"] for r in rows] == ["100", "114", ""]
    assert rows[1]["iaqi_co"] == "55"
    assert rows[2]["error"] == "pm25 浓度为负：-1"
    assert not (tmp_path / "not-created").exists()


@pytest.mark.parametrize(
    "header",
    [
        "time,PM2.5,PM10,O3_8H",
        "\ufefftime,pm2_5,pm10,o3-8h",
        "time,PM₂.₅(μg/m³),PM₁₀(μg/m³),O₃-8h(μg/m³)",
        "time,细颗粒物,可吸入颗粒物,臭氧8小时",
    ],
)
def test_pollutant_columns_as_monitoring_centres_name_them(header):
    """A PM2.5 column under another spelling must not be ignored: it is the primary pollutant."""
    status, rows, err = run(f"{header}\n2025-12-01,35.5,50,100\n")
    assert status == 0 and err == ""
    (row,) = rows
    assert (row["iaqi_pm25"], row["iaqi_pm10"], row["iaqi_o3_8h"]) == ("52", "50", "50")
    assert (row["aqi"], row["primary"]) == ("52", "pm25")


def test_two_spellings_of_one_pollutant_are_refused():
    status, _, err = run("time,pm25,PM2.5\n2025-12-01,10,10\n")
    assert status == 2 and "都表示 pm25_24h" in err


def test_dates_as_spreadsheets_write_them_and_a_chinese_time_header():
    status, rows, _ = run(
        "监测日期,pm25\n2025/12/1,35.5\n2025年12月2日,75\n2026.3.1 10:00,75\n2025/13/1,10\n"
    )
    assert status == 1
    assert [r["standard"] for r in rows[:3]] == ["HJ 633-2012", "HJ 633-2012", "HJ 633-2026"]
    assert [r["aqi"] for r in rows[:3]] == ["52", "100", "114"]
    assert "日期不存在" in rows[3]["error"]
