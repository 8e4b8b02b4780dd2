"""The key emission units roster (issue 16 item 3): imported yearly from Excel with each unit's
required points; 安装联网率 = units whose points all report valid data ÷ units on the roster."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from audit.models import AuditEvent
from lantian.lib import tz
from monitoring import rollups
from monitoring.ingest import insert_rows
from monitoring.models import Device, Site
from roster import importing, progress, services
from roster.models import KeyUnit, RequiredPoint, Roster

pytestmark = pytest.mark.django_db
HEADER = [
    "序号",
    "单位名称",
    "统一社会信用代码",
    "区县",
    "行业类别",
    "名录类别",
    "监测点位",
    "监测因子",
    "设备编号",
]
NOW = dt.datetime(2026, 6, 10, 12, tzinfo=tz.LOCAL_TZ)


def workbook(rows, *, title=True, header=HEADER) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append(["2026年西安市重点排污单位名录"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


ROWS = [
    [1, "甲热电厂", "91610000MA6TG1234X", "雁塔区", "火电", "大气", "1#排气筒", "颗粒物", "MN0001"],
    [None, None, None, None, None, None, "2#排气筒", "颗粒物", "MN0002"],
    [2, "乙水泥厂", "", "鄠邑区", "水泥", "大气", "窑尾", "颗粒物", "MN0003"],
    [3, "丙铸造厂", "", "临潼区", "铸造", "大气", "熔炼炉", "颗粒物", "MN0004"],
    [4, "丁化工厂", "", "临潼区", "化工", "大气", "", "", ""],
]


def test_the_roster_is_read_with_a_title_row_and_merged_unit_cells():
    units = importing.read_roster(workbook(ROWS))
    assert [u.name for u in units] == ["甲热电厂", "乙水泥厂", "丙铸造厂", "丁化工厂"]
    assert [p.mn for p in units[0].points] == ["MN0001", "MN0002"]
    assert units[3].points == []


def test_bad_rows_refuse_the_file_naming_each_row(world):
    bad = [
        [1, "甲热电厂", "123", "雁塔区", "", "", "1#", "", "MN1"],
        [2, "乙水泥厂", "", "", "", "", "窑尾", "", "MN2"],
    ]
    with pytest.raises(importing.WorkbookRefused) as err:
        importing.read_roster(workbook(bad))
    assert err.value.errors == [
        "第3行：统一社会信用代码“123”格式不对（应为 18 位）",
        "第4行：缺少区县",
    ]
    city = world.unit("西安市政府").city
    with pytest.raises(importing.WorkbookRefused) as err:
        services.import_roster(
            workbook([[1, "甲", "", "咸阳区", "", "", "1#", "", "M"]]),
            city=city,
            year=2026,
            acting_user=world.office,
        )
    assert err.value.errors == ["第3行：西安市没有区县“咸阳区”"]
    assert not Roster.objects.exists()
    with pytest.raises(importing.WorkbookRefused, match="不是有效的 Excel"):
        importing.read_roster(io.BytesIO(b"PK\x03\x04 not really a zip"))


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.binary(max_size=2000))
def test_garbage_never_crashes_the_reader(data):
    try:
        importing.read_roster(io.BytesIO(data))
    except importing.WorkbookRefused as err:
        assert err.errors


def _device(mn, district_name, *, hours_valid, hours_total=7 * 24, last_hours_ago=1):
    from accounts.models import District

    district = District.objects.get(parent__name="西安市", name=district_name)
    site = Site.objects.create(name=f"站点 {mn}", kind="emission", district=district)
    device = Device.objects.create(
        mn=mn,
        password="1",
        kind="emission",
        site=site,
        last_seen_at=NOW - dt.timedelta(hours=last_hours_ago),
    )
    rows = []
    for k in range(hours_total):
        when = NOW - dt.timedelta(hours=k + last_hours_ago)
        flag = "N" if k < hours_valid else "D"
        rows.append((device.pk, "a34013", when, 2061, 5.0, flag, None, None, None, None))
    insert_rows(rows)
    times = [r[2] for r in rows]  # rolled up, as the streaming judge does when data lands
    rollups.rebuild(min(times), max(times) + dt.timedelta(hours=1), [device.pk])
    return device


def test_coverage_denominator_is_the_whole_roster(world):
    city = world.unit("西安市政府").city
    roster = services.import_roster(
        workbook(ROWS), city=city, year=2026, acting_user=world.office, source_name="名录.xlsx"
    )
    assert (roster.units.count(), RequiredPoint.objects.count()) == (4, 4)
    assert AuditEvent.objects.filter(action="roster.imported").exists()
    _device("MN0001", "雁塔区", hours_valid=168)
    _device("MN0002", "雁塔区", hours_valid=168)
    _device("MN0003", "鄠邑区", hours_valid=40)  # valid data in 40 of 168 hours: not enough
    _device("MN0004", "临潼区", hours_valid=168, last_hours_ago=72)  # offline for three days
    win = progress.Window(NOW, 7, 0.75, 24)
    coverage = progress.roster_coverage(roster, win)
    assert (coverage.covered, coverage.total) == (1, 4)
    status = {u.unit.name: [p.status for p in u.points] for u in coverage.units}
    assert status == {
        "甲热电厂": ["ok", "ok"],
        "乙水泥厂": ["invalid"],
        "丙铸造厂": ["offline"],
        "丁化工厂": [],
    }
    assert [u.unit.name for u in coverage.missing] == ["乙水泥厂", "丙铸造厂", "丁化工厂"]
    # re-importing the year replaces it (one roster per city and year)
    services.import_roster(workbook(ROWS[:1]), city=city, year=2026, acting_user=world.office)
    assert KeyUnit.objects.count() == 1 and Roster.objects.count() == 1


def test_seed_000_figure_79_of_117():
    """The rate is over the roster: 79 covered of 117 units is 67.5 %, whatever is registered."""
    ok = progress.PointStatus(None, "ok")
    missing = progress.PointStatus(None, "missing")
    units = [progress.UnitStatus(object(), [ok]) for _ in range(79)]
    units += [progress.UnitStatus(object(), [ok, missing]) for _ in range(38)]
    coverage = progress.RosterCoverage(None, units, None)
    assert (coverage.covered, coverage.total, round(coverage.rate, 3)) == (79, 117, 0.675)


def test_roster_page_lists_missing_units_and_only_the_office_imports(client, world):
    client.force_login(world.office)
    response = client.post(
        "/roster/", {"year": 2026, "title": "", "workbook": _upload(workbook(ROWS))}
    )
    assert response.status_code == 302
    page = client.get("/roster/?year=2026").content.decode()
    assert "安装联网率 = 名录中全部应设监测点位均报送有效数据的单位数 ÷ 名录单位总数" in page
    assert "丁化工厂" in page and "未安装（平台无该设备）" in page
    bad = client.post(
        "/roster/",
        {"year": 2026, "workbook": _upload(workbook([[1, "甲", "", "", "", "", "", "", ""]]))},
    )
    assert "第3行：缺少区县" in bad.content.decode()
    client.force_login(world.huyi)
    assert client.get("/roster/").status_code == 200
    assert client.post("/roster/", {"year": 2026}).status_code == 403
    client.force_login(world.outsider)
    assert client.get("/roster/").status_code == 403


def _upload(buffer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("名录.xlsx", buffer.getvalue())
