"""The demo loader: builds its two stories and adds nothing when run again."""

from __future__ import annotations

import io

import time_machine

from airquality import demo
from airquality.choices import AnomalyKind, ResponseStatus
from airquality.models import DailyValue, DustFall, HourlyObservation, ResponseItem, Station


def test_demo_data_is_idempotent_and_tells_its_stories(world, monkeypatch):
    monkeypatch.setattr(demo, "DAYS", 12)  # the shape of the 60-day demo, faster
    out = io.StringIO()
    with time_machine.travel("2026-11-23 09:00 +0800", tick=False):
        demo.load_demo(out)
        counts = [m.objects.count() for m in (Station, HourlyObservation, DustFall, ResponseItem)]
        demo.load_demo(out)
    assert counts == [
        m.objects.count() for m in (Station, HourlyObservation, DustFall, ResponseItem)
    ]
    assert counts[0] == 28 and counts[1] == 28 * 12 * 24
    rise = ResponseItem.objects.get(kind=AnomalyKind.RISE, station__code="XA11A", pollutant="pm25")
    assert rise.owner == world.unit("鄠邑区政府")
    high = ResponseItem.objects.get(
        kind=AnomalyKind.PERSISTENT, station__code="XA08B", pollutant="pm25"
    )
    assert high.status == ResponseStatus.FEEDBACK  # 临潼区 already answered
    short_day = DailyValue.objects.get(station__code="XA13B", hours__pm25=19)
    assert short_day.pm25 is None and short_day.aqi is None
    assert "新开异常响应单 0 件" in out.getvalue().splitlines()[-1]
