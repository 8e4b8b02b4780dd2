"""The pattern detectors run on stored readings (hourly values per device) and raise
device-health alarms: a replayed day, a diluted site far below its neighbours, a drop right
after an announced inspection, a PM2.5/PM10 ratio that never moves (issue 16 item 5)."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from accounts.models import District
from lantian.lib import tz
from monitoring import health, services
from monitoring.ingest import insert_rows
from monitoring.models import Alarm, AnnouncedInspection, Device, Site

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 10, 12, 20, tzinfo=tz.LOCAL_TZ)
HOURS = 168


def _level(i: int, t: int) -> float:
    return 280 * (1 + 0.12 * i) * (1 + 0.35 * math.sin(t / 4 + i)) * (1 + 0.1 * math.sin(t / 11))


def test_patterns_on_stored_readings_raise_alarms(world):
    district = District.objects.get(parent__name="西安市", name="鄠邑区")
    start = NOW.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0) - dt.timedelta(
        hours=HOURS - 1
    )
    notice_at = start + dt.timedelta(hours=120)
    services.announce_inspection(
        city=district.parent,
        district=district,
        announced_at=notice_at,
        title="省督察组进驻公告",
        acting_user=world.office,
    )
    names = ["A", "B", "C", "D", "E", "REPLAY", "LOW", "DROP", "RATIO"]
    devices, rows = {}, []
    for i, name in enumerate(names):
        site = Site.objects.create(name=f"工地 {name}", kind="construction", district=district)
        site.units.set([world.unit("鄠邑区政府")])
        device = Device.objects.create(
            mn=f"PAT{name}", password="1", kind="dust", site=site, last_seen_at=NOW
        )
        devices[name] = device
        values = [_level(i, t) for t in range(HOURS)]
        if name == "REPLAY":
            values[-30:] = values[-54:-24]
        if name == "LOW":
            values = [v * 0.1 for v in values]
        if name == "DROP":
            values[120:144] = [v * 0.2 for v in values[120:144]]
        for t, v in enumerate(values):
            when = start + dt.timedelta(hours=t)
            ratio = 0.6 if name == "RATIO" else 0.45 + 0.1 * math.sin(t / 5 + i)
            pm10 = v * 0.4
            rows += [
                (device.pk, "a34001", when, 2061, v, "N", v * 0.8, v * 1.2, None, None),
                (device.pk, "a34002", when, 2061, pm10, "N", None, None, None, None),
                (device.pk, "a34004", when, 2061, pm10 * ratio, "N", None, None, None, None),
            ]
    insert_rows(rows)
    health.check_patterns(list(Device.objects.select_related("site")), now=NOW)
    kinds = {
        name: set(Alarm.objects.filter(device=d).values_list("kind", flat=True))
        for name, d in devices.items()
    }
    assert "replay" in kinds["REPLAY"]
    assert "neighbour_low" in kinds["LOW"]
    assert "inspection_drop" in kinds["DROP"]
    assert kinds["RATIO"] == {"fixed_ratio"}
    for name in "ABCDE":
        assert not kinds[name], (name, kinds[name])
    alarm = Alarm.objects.get(device=devices["LOW"], kind="neighbour_low")
    assert "疑似人为干扰" in alarm.detail and alarm.dispatched_to.name == "鄠邑区政府"


def test_the_office_registers_announced_inspections(client, world):
    client.force_login(world.office)
    page = client.get("/monitoring/notices/")
    assert page.status_code == 200
    response = client.post(
        "/monitoring/notices/", {"title": "督察进驻公告", "announced_at": "2026-06-01T09:00"}
    )
    assert response.status_code == 302
    notice = AnnouncedInspection.objects.get()
    assert notice.district is None and tz.to_local(notice.announced_at).hour == 9
    client.force_login(world.huyi)
    assert client.get("/monitoring/notices/").status_code == 403
