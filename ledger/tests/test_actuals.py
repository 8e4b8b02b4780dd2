"""Targets from data (issue 16 item 8): where the platform holds the data a target's actual is
computed, not typed; typed actuals are marked self-reported; a city-wide roll-up shows each
target's progress."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from accounts.models import District
from airquality.models import DistrictMonthly, DustFall
from crosscheck.claims import Area
from lantian.lib.tz import LOCAL_TZ
from ledger import actuals, services
from ledger.services import ActualEntry
from ledger.tests.conftest import line_of
from monitoring.models import Device, Site

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "indicator, measured",
    [
        ("PM2.5平均浓度", True),
        ("优良天数比例", True),
        ("扬尘在线监测联网率", True),
        ("油烟在线监测设施安装", True),
        ("成功申报A、B级或引领性企业", True),
        ("市建成区及各县城建成区平均降尘量", True),
        ("城镇新建建筑中绿色建筑占比", False),
        ("清洁取暖率", False),
    ],
)
def test_which_indicators_the_platform_measures(indicator, measured):
    assert (actuals.measure_for(indicator) is not None) == measured


def _report(line, user, target, value, period=dt.date(2024, 1, 1)):
    with time_machine.travel(dt.datetime(2024, 1, 20, 9, tzinfo=LOCAL_TZ), tick=False):
        services.submit_report(
            line,
            period=period,
            narrative="进展",
            percent=50,
            acting_user=user,
            actuals=[ActualEntry(target, Decimal(value))],
            no_evidence_reason="无佐证（测试）",
        )


def test_fume_monitors_installed_come_from_the_registry_not_the_report(client, world, plan):
    from conftest import make_user

    target = plan.tasks.get(no=8).targets.get()  # 油烟在线监测设施安装 ≥ 758 家
    chengguan = make_user("chengguan", ("西安市城市管理和综合执法局", "unit_officer"))
    _report(line_of(plan, 8, "西安市城市管理和综合执法局"), chengguan, target, 500)
    district = District.objects.get(parent=plan.city, name="雁塔区")
    for n in range(3):
        site = Site.objects.create(name=f"酒楼{n}", kind="restaurant", district=district)
        Device.objects.create(mn=f"FU{n}", password="1", kind="fume", site=site)
    p = actuals.progress(target, Area(plan.city, None))
    assert (p.value, p.source, p.source_label) == (3.0, "data", "平台数据")
    assert "已安装 3 家" in p.text and p.met is False and p.share == pytest.approx(3 / 758)
    assert [(u.name, v) for u, v in p.reported] == [("西安市城市管理和综合执法局", 500.0)]
    client.force_login(world.office)
    page = client.get("/ledger/targets/").content.decode()
    assert "1 项由平台数据计算" in page and "平台数据" in page
    line_page = client.get(f"/ledger/lines/{line_of(plan, 8, '西安市城市管理和综合执法局').pk}/")
    body = line_page.content.decode()
    assert "平台数据" in body and "本单位自报 500" in body


def test_air_quality_targets_from_the_monthly_figures(world, plan):
    task = plan.tasks.get(no=8)
    pm = services.add_target(
        task,
        acting_user=world.office,
        indicator="PM2.5平均浓度",
        value=Decimal(45),
        unit="微克/立方米",
        comparator="<=",
    )
    good = services.add_target(
        task, acting_user=world.office, indicator="优良天数比例", value=Decimal(70), unit="%"
    )
    dust = services.add_target(
        task,
        acting_user=world.office,
        indicator="平均降尘量",
        value=Decimal(7),
        unit="吨/月・平方公里",
        comparator="<=",
    )
    huyi = District.objects.get(parent=plan.city, name="鄠邑区")
    lintong = District.objects.get(parent=plan.city, name="临潼区")
    now = dt.datetime(2026, 4, 10, 9, tzinfo=LOCAL_TZ)
    for month, values in ((dt.date(2026, 1, 1), (60, 40)), (dt.date(2026, 2, 1), (50, 30))):
        for district, v in zip((huyi, lintong), values, strict=True):
            DistrictMonthly.objects.create(
                district=district, month=month, pm25=v, days=30, good_days=20 if v < 50 else 10
            )
    DustFall.objects.create(district=huyi, month=dt.date(2026, 3, 1), value=6.0, points=1)
    DustFall.objects.create(district=lintong, month=dt.date(2026, 3, 1), value=9.0, points=1)
    city = Area(plan.city, None)
    p = actuals.progress(pm, city, now=now)
    assert p.value == 45.0 and p.met is True and p.source == "data"  # ((60+40)/2 + (50+30)/2) / 2
    g = actuals.progress(good, city, now=now)
    assert g.value == pytest.approx(round(100 * 60 / 120, 1)) and g.met is False
    d = actuals.progress(dust, city, now=now)
    assert d.value == 7.5 and d.met is False and d.share == pytest.approx(7 / 7.5)
    district = actuals.progress(pm, Area(plan.city, huyi), now=now)
    assert district.value == 55.0


def test_typed_actuals_are_marked_self_reported_and_counts_add_up(world, plan):
    task = plan.tasks.get(no=6)
    target = services.add_target(
        task, acting_user=world.office, indicator="完成裸土覆盖工地", value=Decimal(20), unit="个"
    )
    _report(line_of(plan, 6, "鄠邑区政府"), world.huyi, target, 8)
    _report(line_of(plan, 6, "临潼区政府"), world.lintong, target, 9)
    p = actuals.progress(target, Area(plan.city, None))
    assert (p.value, p.source, p.source_label) == (17.0, "reported", "单位自报")
    assert "合计" in p.text and p.met is False
    rows = actuals.city_rollup(plan.city)
    assert target in [r.target for r in rows]


def test_the_api_gives_the_roll_up(client, world, plan):
    client.force_login(world.office)
    data = client.get(f"/api/v1/ledger/targets/progress?city={plan.city_id}").json()
    fume = next(r for r in data if "油烟" in r["indicator"])
    assert fume["source"] == "data" and fume["value"] == 758.0
    client.force_login(world.outsider)
    assert client.get("/api/v1/ledger/targets/progress").status_code == 403
