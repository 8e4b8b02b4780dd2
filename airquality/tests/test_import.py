"""Importing station hours and dust fall: validation, all or nothing, corrections, figures."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from airquality import services, summary
from airquality.choices import ImportStatus
from airquality.models import (
    DailyValue,
    DataImport,
    DistrictDaily,
    DistrictMonthly,
    DustFall,
    HourlyObservation,
)
from airquality.tests.conftest import day_rows, district, hours_csv
from audit.models import AuditEvent

DAY = dt.date(2026, 10, 12)


def test_a_clean_file_is_stored_and_the_figures_follow(world, stations, xian):
    content = hours_csv(
        day_rows("1001A", DAY, 75.0) + day_rows("1002A", DAY, 45.0),
        header="站点编码,时间,SO2(μg/m³),NO₂,CO(mg/m³),O3,PM10,PM2.5(μg/m³)",
        title="西安市环境空气质量小时数据（审核后）",
    )
    result = services.import_hours(content, "hours.csv", acting_user=world.office)
    assert result.status == ImportStatus.DONE, result.errors
    assert (result.rows, result.created, result.updated) == (48, 48, 0)
    assert HourlyObservation.objects.count() == 48
    day = DailyValue.objects.get(station=stations["1001A"], date=DAY)
    assert (day.pm25, day.hours["pm25"], day.o3_windows) == (75.0, 24, 17)
    # HJ 633-2026: PM2.5 75 → 114, PM10 100 → 86
    assert (day.aqi, day.primary, day.over_limit, day.standard) == (
        114,
        "pm25",
        "pm25",
        "HJ 633-2026",
    )
    huyi = DistrictDaily.objects.get(district=district(xian, "鄠邑区"), date=DAY)
    assert (huyi.pm25, huyi.aqi, huyi.stations) == (60.0, 100, 2)  # mean 60 → exactly 100
    city = DistrictDaily.objects.get(district=xian, date=DAY)
    assert city.stations == 2 and city.pm25 == 60.0
    month = DistrictMonthly.objects.get(district=district(xian, "鄠邑区"), month=DAY.replace(day=1))
    assert (month.days, month.good_days, month.complete) == (1, 1, False)
    assert AuditEvent.objects.filter(action="airquality.hours_imported").count() == 1


def test_one_bad_row_refuses_the_whole_file(world, stations):
    rows = day_rows("1001A", DAY)
    rows[3] = ("1001A", rows[3][1], 10, 40, 1.0, 100, 100, -5)
    rows.append(("9999X", dt.datetime(2026, 10, 12, 5), 1, 1, 1, 1, 1, 1))
    result = services.import_hours(hours_csv(rows), "bad.csv", acting_user=world.office)
    assert result.status == ImportStatus.REFUSED
    assert HourlyObservation.objects.count() == 0 and DailyValue.objects.count() == 0
    messages = {e["line"]: e["message"] for e in result.errors}
    assert "数值无效" in messages[5]  # header is line 1, the fourth data row is line 5
    assert "未知站点编码“9999X”" in messages[26]
    assert AuditEvent.objects.filter(action="airquality.import_refused").exists()


@pytest.mark.parametrize(
    ("cell", "message"),
    [("abc", "不是数值"), ("2026-13-01 00:00", "日期不存在"), ("2026-10-12 00:30", "不是整点")],
)
def test_row_level_validation_messages(world, stations, cell, message):
    content = (
        "站点编码,时间,PM2.5\n1001A,2026-10-12 01:00,30\n"
        + (f"1001A,{cell},30\n" if "2026" in cell else f"1001A,2026-10-12 02:00,{cell}\n")
    ).encode()
    result = services.import_hours(content, "x.csv", acting_user=world.office)
    assert result.status == ImportStatus.REFUSED
    assert result.errors[0]["line"] == 3 and message in result.errors[0]["message"]


def test_duplicates_within_a_file_are_refused(world, stations):
    content = b"station,time,pm25\n1001A,2026-10-12 01:00,30\n1001A,2026-10-12 01:00,31\n"
    result = services.import_hours(content, "dup.csv", acting_user=world.office)
    assert result.status == ImportStatus.REFUSED and "与第 2 行重复" in result.errors[0]["message"]


def test_a_file_without_a_usable_header_is_refused(world, stations):
    result = services.import_hours(b"a,b,c\n1,2,3\n", "x.csv", acting_user=world.office)
    assert result.status == ImportStatus.REFUSED and "找不到表头" in result.errors[0]["message"]


def test_reimporting_the_same_file_changes_nothing(world, stations):
    content = hours_csv(day_rows("1001A", DAY))
    services.import_hours(content, "a.csv", acting_user=world.office)
    again = services.import_hours(content, "a.csv", acting_user=world.office)
    assert (again.status, again.created, again.unchanged) == (ImportStatus.DONE, 0, 24)
    assert HourlyObservation.objects.count() == 24


def test_different_values_need_replace_and_the_old_ones_are_kept(world, stations):
    services.import_hours(
        hours_csv(day_rows("1001A", DAY, 75.0)), "a.csv", acting_user=world.office
    )
    corrected = hours_csv(day_rows("1001A", DAY, 35.0))
    refused = services.import_hours(corrected, "b.csv", acting_user=world.office)
    assert (
        refused.status == ImportStatus.REFUSED
        and "已有不同数值（pm25）" in refused.errors[0]["message"]
    )
    assert DailyValue.objects.get(date=DAY).pm25 == 75.0
    done = services.import_hours(corrected, "b.csv", acting_user=world.office, replace=True)
    assert (done.status, done.updated) == (ImportStatus.DONE, 24)
    assert done.replaced[0]["old"] == {"pm25": 75.0} and done.replaced[0]["station"] == "1001A"
    assert DailyValue.objects.get(date=DAY).pm25 == 35.0


def test_flagged_values_are_kept_as_invalid_and_counted(world, stations):
    content = "站点名称,时间,PM2.5\n" + "".join(
        f"鄠邑草堂,2026-10-12 {h:02d}:00,{'35H' if h < 5 else '40(BB)' if h == 5 else 50}\n"
        for h in range(24)
    )
    result = services.import_hours(content.encode(), "f.csv", acting_user=world.office)
    assert (result.status, result.flagged) == (ImportStatus.DONE, 6)
    day = DailyValue.objects.get(date=DAY)
    assert (day.pm25, day.hours["pm25"]) == (None, 18)  # 18 valid hours: no daily mean


def test_excel_with_date_and_hour_columns_labelled_by_hour_end(world, stations):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["区县", "监测点位", "日期", "小时", "PM₂.₅", "PM₁₀"])
    for hour in range(1, 25):
        sheet.append(["鄠邑区", "鄠邑城区", dt.date(2026, 10, 12), hour, 40, 80])
    buffer = io.BytesIO()
    book.save(buffer)
    result = services.import_hours(
        buffer.getvalue(), "hours.xlsx", acting_user=world.office, hour_ending=True
    )
    assert result.status == ImportStatus.DONE, result.errors
    from lantian.lib.tz import to_local

    times = sorted(to_local(t) for t in HourlyObservation.objects.values_list("time", flat=True))
    assert (times[0].hour, times[-1].hour, times[-1].date()) == (0, 23, DAY)
    assert DailyValue.objects.get(date=DAY).pm25 == 40.0


def test_a_month_of_two_districts_is_ranked_by_composite_index(world, stations, xian):
    rows = []
    for offset in range(30):
        day = dt.date(2026, 9, 1) + dt.timedelta(days=offset)
        rows += day_rows("1001A", day, 30.0, o3=100.0)
        rows += day_rows("1003A", day, 50.0, o3=100.0)
    result = services.import_hours(hours_csv(rows), "sept.csv", acting_user=world.office)
    assert result.status == ImportStatus.DONE
    huyi = DistrictMonthly.objects.get(district=district(xian, "鄠邑区"), month=dt.date(2026, 9, 1))
    lintong = DistrictMonthly.objects.get(
        district=district(xian, "临潼区"), month=dt.date(2026, 9, 1)
    )
    assert (huyi.rank, lintong.rank, huyi.pm25_rank) == (1, 2, 1)
    assert huyi.complete and huyi.days == 30 and huyi.good_days == 30
    # SO2 10/60 + 2×NO2 40/40 + PM10 100/70 + 3×PM2.5 30/35 + CO 1/4 + 2×O3 100/160
    expected = 10 / 60 + 2 + 100 / 70 + 3 * 30 / 35 + 0.25 + 2 * 100 / 160
    assert huyi.composite == pytest.approx(expected, abs=1e-3)
    assert lintong.composite == pytest.approx(expected + 3 * 20 / 35, abs=1e-3)
    city = DistrictMonthly.objects.get(district=xian, month=dt.date(2026, 9, 1))
    assert city.rank is None and city.pm25 == pytest.approx(40.0)


DUST = "区县,月份,降尘量(吨/平方公里·30天),点位数\n鄠邑区,2026-09,6.2,3\n临潼区,2026年9月,8.4,2\n"


def test_dustfall_import_and_replace(world, xian):
    result = services.import_dustfall(
        DUST.encode(), "dust.csv", acting_user=world.office, city=xian
    )
    assert result.status == ImportStatus.DONE, result.errors
    assert DustFall.objects.get(district__name="临潼区").value == 8.4
    changed = DUST.replace("8.4", "8.1").encode()
    refused = services.import_dustfall(changed, "d2.csv", acting_user=world.office, city=xian)
    assert (
        refused.status == ImportStatus.REFUSED and "已有降尘量 8.4" in refused.errors[0]["message"]
    )
    done = services.import_dustfall(
        changed, "d2.csv", acting_user=world.office, city=xian, replace=True
    )
    assert done.updated == 1 and done.replaced == [
        {"district": "临潼区", "month": "2026-09", "old": 8.4}
    ]


def test_dustfall_rows_are_validated(world, xian):
    bad = "区县,月份,降尘量\n鄠邑区,2026-09,abc\n咸阳区,2026-09,5\n临潼区,2026-13,5\n".encode()
    result = services.import_dustfall(bad, "d.csv", acting_user=world.office, city=xian)
    assert result.status == ImportStatus.REFUSED and DustFall.objects.count() == 0
    assert [e["line"] for e in result.errors] == [2, 3, 4]
    assert "西安市没有区县“咸阳区”" in result.errors[1]["message"]


def test_dustfall_target_comes_from_local_targets(db):
    assert services.dustfall_target(dt.date(2026, 9, 1), "咸阳市") == 7.0
    assert services.dustfall_target(dt.date(2019, 9, 1), "咸阳市") is None


def test_dustfall_target_of_one_city_is_not_applied_to_another(world, xian):
    """咸阳's 7 t target (seed 001) must not judge 西安's districts (issue 16 item 7)."""
    assert services.dustfall_target(dt.date(2026, 9, 1), xian) is None
    csv = "区县,月份,降尘量\n鄠邑区,2026-09,9.5\n".encode()
    services.import_dustfall(csv, "d.csv", acting_user=world.office, city=xian)
    ranking = summary.dustfall_ranking(xian, dt.date(2026, 9, 1))
    assert ranking["target"] is None
    assert [r["over_target"] for r in ranking["rows"]] == [False]


def test_refused_imports_keep_their_errors_but_no_data(world, stations):
    services.import_hours(b"station,time,pm25\nX,2026-10-12 01:00,1\n", "x.csv", acting_user=None)
    refused = DataImport.objects.get()
    assert refused.status == ImportStatus.REFUSED and refused.uploaded_by is None
