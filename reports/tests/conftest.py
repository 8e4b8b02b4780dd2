"""A December 2023 with something in every section of the 调度通报: reports on time and late,
a close-out, an item long overdue, supervision, dust and fume monitors with alarms and a case,
district air-quality months (and last year's), dust fall."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
import time_machine

from lantian.lib.tz import LOCAL_TZ

DECEMBER = dt.date(2023, 12, 1)
ISSUE_DAY = dt.date(2024, 1, 5)


def at(day: dt.date, hour: int = 9):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), LOCAL_TZ), tick=False)


def local(day: dt.date, hour: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), LOCAL_TZ)


@dataclass
class December:
    plan: object
    office: object
    huyi: object
    lintong: object


def _ledger(world, plan):
    from ledger import services
    from ledger.choices import Status, SupervisionKind
    from ledger.models import Assignment, Task
    from ledger.tests.conftest import line_of

    # Item 8 was due at the end of October: more than 30 days overdue by 31 December.
    Task.objects.filter(plan=plan, no=8).update(deadline=dt.date(2023, 10, 31))
    # Item 16 was due mid-December: overdue, but for less than 30 days.
    Task.objects.filter(plan=plan, no=16).update(deadline=dt.date(2023, 12, 15))
    huyi, lintong = line_of(plan, 6, "鄠邑区政府"), line_of(plan, 6, "临潼区政府")
    with at(dt.date(2023, 11, 28)):
        services.submit_report(
            huyi,
            period=dt.date(2023, 11, 1),
            narrative="十一月",
            percent=20,
            acting_user=world.huyi,
            no_evidence_reason="无佐证（测试）",
        )
    with at(dt.date(2023, 12, 20)):
        services.submit_report(
            huyi,
            period=DECEMBER,
            narrative="按时报送",
            percent=40,
            acting_user=world.huyi,
            no_evidence_reason="无佐证（测试）",
        )
    with at(dt.date(2024, 1, 3)):
        services.submit_report(
            lintong,
            period=DECEMBER,
            narrative="迟报",
            percent=10,
            acting_user=world.lintong,
            no_evidence_reason="无佐证（测试）",
        )
    # 市城管局's line on item 16 closed out in December (before its report was due: owes none).
    closed = line_of(plan, 16, "西安市城市管理和综合执法局")
    Assignment.objects.filter(pk=closed.pk).update(
        status=Status.CLOSED, closed_on=dt.date(2023, 12, 20)
    )
    with at(dt.date(2023, 12, 12)):
        services.issue_supervision(
            SupervisionKind.URGE,
            title="催报十二月进展",
            units=[world.unit("临潼区政府")],
            tasks=[huyi.task],
            acting_user=world.office,
        )
        services.issue_supervision(
            SupervisionKind.ORDER,
            title="督办道路扬尘整治",
            units=[world.unit("西安市城市管理和综合执法局")],
            tasks=[huyi.task],
            due=dt.date(2023, 12, 29),
            acting_user=world.office,
        )
    with at(dt.date(2023, 11, 20)):  # the month before: not in December's issue
        services.issue_supervision(
            SupervisionKind.URGE,
            title="十一月催办",
            units=[world.unit("临潼区政府")],
            tasks=[huyi.task],
            acting_user=world.office,
        )


def _monitoring(world):
    from accounts.models import District
    from monitoring.choices import ActionKind, AlarmKind, AlarmStatus, DeviceKind, SiteKind
    from monitoring.models import Alarm, AlarmAction, Case, Device, Reading, Site

    huyi = District.objects.get(name="鄠邑区")
    lintong = District.objects.get(name="临潼区")
    site = Site.objects.create(name="草堂工地", kind=SiteKind.CONSTRUCTION, district=huyi)
    site2 = Site.objects.create(name="秦岭工地", kind=SiteKind.CONSTRUCTION, district=huyi)
    shop = Site.objects.create(name="骊山饭店", kind=SiteKind.RESTAURANT, district=lintong)
    daily = 86400  # one value a day: 31 due in December
    dust = Device.objects.create(
        mn="DUST0001", password="1", kind=DeviceKind.DUST, site=site, interval_seconds=daily
    )
    Device.objects.create(  # installed, never sends: offline
        mn="DUST0002", password="1", kind=DeviceKind.DUST, site=site2, interval_seconds=daily
    )
    fume = Device.objects.create(
        mn="FUME0001", password="1", kind=DeviceKind.FUME, site=shop, interval_seconds=daily
    )
    rows = []
    for day in range(1, 21):  # 20 dust values, 18 valid
        rows.append(
            Reading(
                device=dust,
                code="a34001",
                data_time=local(dt.date(2023, 12, day), 12),
                cn=2031,
                value=80.0,
                flag="N" if day <= 18 else "D",
            )
        )
    for day in range(1, 32):  # 31 fume values, all valid
        rows.append(
            Reading(
                device=fume,
                code="fume",
                data_time=local(dt.date(2023, 12, day), 12),
                cn=2031,
                value=1.0,
                flag="N",
            )
        )
    Reading.objects.bulk_create(rows)
    # The judge keeps the rollups current as data lands; rates and the report read them.
    from monitoring import rollups

    rollups.rebuild(local(dt.date(2023, 11, 30), 0), local(dt.date(2024, 1, 2), 0))

    def alarm(device, site, first, level, handled_after_hours, status=AlarmStatus.HANDLED):
        first_at = local(first, 10)
        row = Alarm.objects.create(
            device=device,
            site=site,
            kind=AlarmKind.EXCEEDANCE,
            code="a34001" if device.kind == DeviceKind.DUST else "fume",
            level=level,
            status=status,
            first_at=first_at,
            last_at=first_at,
            due_at=first_at + dt.timedelta(hours=24),
        )
        if handled_after_hours is not None:
            AlarmAction.objects.create(
                alarm=row,
                kind=ActionKind.HANDLE,
                at=first_at + dt.timedelta(hours=handled_after_hours),
                actor_name="联络员",
                status_after=AlarmStatus.HANDLED,
                level_after=level,
            )
        return row

    # 鄠邑区: three dust alarms (one handled late, one never), one level 3 with a case.
    serious = alarm(dust, site, dt.date(2023, 12, 3), 3, 5)
    alarm(dust, site, dt.date(2023, 12, 9), 1, 30)
    alarm(dust, site, dt.date(2023, 12, 15), 2, None, status=AlarmStatus.DISPATCHED)
    alarm(dust, site, dt.date(2023, 11, 15), 1, 2)  # November: not counted
    # 临潼区: one fume alarm handled in time, one level 3 without a case.
    alarm(fume, shop, dt.date(2023, 12, 4), 1, 3)
    alarm(fume, shop, dt.date(2023, 12, 5), 3, 4)
    Case.objects.create(
        alarm=serious,
        number="户环罚〔2023〕12号",
        opened_on=dt.date(2023, 12, 6),
        authority=world.unit("西安市生态环境局"),
    )


def _air():
    from accounts.models import District
    from airquality.models import DistrictMonthly, DustFall

    city = District.objects.get(name="西安市", parent=None)
    huyi = District.objects.get(name="鄠邑区")
    lintong = District.objects.get(name="临潼区")
    for district, month, pm25, pm10, days, good, composite, rank in (
        (huyi, DECEMBER, 62.4, 98.6, 31, 12, 5.81, 1),
        (lintong, DECEMBER, 75.0, 120.3, 30, 9, 6.42, 2),
        (city, DECEMBER, 70.2, 110.0, 31, 10, 6.1, None),
        (huyi, dt.date(2022, 12, 1), 80.0, 110.0, 31, 8, 6.9, 2),
        (lintong, dt.date(2022, 12, 1), 75.0, 130.0, 31, 10, 7.0, 1),
    ):
        DistrictMonthly.objects.create(
            district=district,
            month=month,
            pm25=pm25,
            pm10=pm10,
            days=days,
            good_days=good,
            complete=True,
            composite=composite,
            rank=rank,
        )
    for district, month, value in (
        (huyi, DECEMBER, 6.2),
        (lintong, DECEMBER, 8.4),
        (huyi, dt.date(2023, 11, 1), 6.0),
        (huyi, dt.date(2022, 12, 1), 7.0),
    ):
        DustFall.objects.create(district=district, month=month, value=value, points=3)


@pytest.fixture
def december(world, db):
    from ledger.tests.factories import import_sample

    plan = import_sample(world.office).plan
    plan.issued = dt.date(2023, 10, 9)
    plan.save()
    _ledger(world, plan)
    _monitoring(world)
    _air()
    return December(plan, world.office, world.huyi, world.lintong)


@pytest.fixture
def quick_charts(monkeypatch):
    """Tests about numbering, publishing and scheduling do not need drawn charts: a small
    fixed image stands in (the document and archive tests draw the real ones)."""
    import io

    from PIL import Image

    from reports import charts

    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "#2f6db5").save(buffer, format="PNG")
    png = buffer.getvalue()
    monkeypatch.setattr(charts, "render_all", lambda snapshot: dict.fromkeys(charts.CHARTS, png))
    for key, (title, _fn) in list(charts.CHARTS.items()):
        monkeypatch.setitem(charts.CHARTS, key, (title, lambda snapshot: png))
