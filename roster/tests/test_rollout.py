"""The fume rollout tracker (issue 16 item 4): seed 000 八's 758 units / 2,278 outlets with dated
milestones; progress from the device registry and data (installed, online, valid)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from accounts.models import District
from lantian.lib import tz
from monitoring import rollups
from monitoring.ingest import insert_rows
from monitoring.models import Device, Site
from roster import importing, progress, services
from roster.models import Rollout

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2024, 6, 10, 12, tzinfo=tz.LOCAL_TZ)


def ledger(rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(["单位名称", "区县", "地址", "经营面积（平方米）", "排烟口数", "试点"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


@pytest.fixture
def rollout(world):
    city = District.objects.get(parent=None, name="西安市")
    rollout = Rollout(city=city, title="油烟安装", units_target=758, outlets_target=2278)
    rows = services.milestone_rows(
        "2024-03-31 287 744 试点 重点区域试点\n2024-12-31 758 2278 全部安装"
    )
    services.save_rollout(rollout, milestones=rows, acting_user=world.office)
    return rollout


def test_milestones_are_typed_one_per_line(rollout):
    m1, m2 = rollout.milestones.all()
    assert (m1.due, m1.units, m1.outlets, m1.first_batch_only) == (
        dt.date(2024, 3, 31),
        287,
        744,
        True,
    )
    assert m2.label == "全部安装" and not m2.first_batch_only
    with pytest.raises(Exception, match="日期 单位数"):
        services.milestone_rows("明年 很多")


def test_the_ledger_refuses_units_under_the_area_or_without_outlets(world, rollout):
    rows = [["甲酒楼", "临潼区", "", 900, 2, ""], ["乙酒楼", "临潼区", "", 1500, 0, ""]]
    with pytest.raises(importing.WorkbookRefused) as err:
        services.import_rollout_units(ledger(rows), rollout=rollout, acting_user=world.office)
    assert err.value.errors == [
        "第2行：经营面积 900 平方米不足 1000 平方米，不属于安装范围",
        "第3行：排烟口数“0”应为正整数",
    ]


def _fume(site, mn, installed, *, valid=True, online=True):
    device = Device.objects.create(
        mn=mn,
        password="1",
        kind="fume",
        site=site,
        install_date=installed,
        last_seen_at=NOW - dt.timedelta(hours=1 if online else 100),
    )
    rows = []
    for k in range(7 * 24):
        when = NOW - dt.timedelta(hours=k + (1 if online else 100))
        rows.append(
            (device.pk, "fume", when, 2061, 0.5, "N" if valid else "D", None, None, None, None)
        )
    insert_rows(rows)
    times = [r[2] for r in rows]  # rolled up, as the streaming judge does when data lands
    rollups.rebuild(min(times), max(times) + dt.timedelta(hours=1), [device.pk])
    return device


def test_progress_comes_from_the_registry_and_the_data(client, world, rollout):
    rows = [
        ["甲酒楼", "临潼区", "", 1200, 2, "是"],
        ["乙酒楼", "临潼区", "", 1300, 1, "是"],
        ["丙酒楼", "雁塔区", "", 2000, 3, ""],
    ]
    assert (
        services.import_rollout_units(ledger(rows), rollout=rollout, acting_user=world.office) == 3
    )
    lintong = District.objects.get(parent__name="西安市", name="临潼区")
    yanta = District.objects.get(parent__name="西安市", name="雁塔区")
    # 甲: both outlets installed before the pilot milestone, online and valid
    jia = Site.objects.create(name="临潼区 甲酒楼", kind="restaurant", district=lintong)
    _fume(jia, "J1", dt.date(2024, 3, 1))
    _fume(jia, "J2", dt.date(2024, 3, 20))
    # 乙: installed after the milestone, online but invalid data
    yi = Site.objects.create(name="乙酒楼", kind="restaurant", district=lintong)
    _fume(yi, "Y1", dt.date(2024, 4, 15), valid=False)
    # 丙: one of three outlets installed, offline
    bing = Site.objects.create(name="丙酒楼", kind="restaurant", district=yanta)
    _fume(bing, "B1", dt.date(2024, 5, 1), online=False)
    report = progress.rollout_progress(rollout, progress.Window(NOW, 7, 0.75, 24))
    figures = {f["key"]: (f["units"], f["outlets"]) for f in report.figures()}
    assert figures == {"installed": (2, 4), "online": (2, 3), "valid": (1, 2)}
    pilot, final = report.milestones
    assert (pilot.units_done, pilot.outlets_done, pilot.met, pilot.due_passed) == (
        1,
        2,
        False,
        True,
    )
    assert (final.units_done, final.outlets_done, final.due_passed) == (2, 4, False)
    assert sorted(u.unit.name for u in report.lagging()) == sorted(["乙酒楼", "丙酒楼"])
    client.force_login(world.office)
    page = client.get(f"/roster/rollout/{rollout.pk}/").content.decode()
    assert "逾期未完成" in page and "丙酒楼" in page and "2 / 758" in page
    client.force_login(world.huyi)
    assert client.post(f"/roster/rollout/{rollout.pk}/").status_code == 403
