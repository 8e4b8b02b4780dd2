"""Back-filled data (补传, HJ 212-2025 RF=1): stored and marked, shown as 补传, counted in
数据传输率 when received within the regulation's window, the daily statistics holding it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from lantian.lib import tz
from monitoring import rates as rate_calc
from monitoring import rollups
from monitoring.hj212 import parse_frame, wrap
from monitoring.hj212.frame import build_segment, data_cp
from monitoring.ingest import write_batch
from monitoring.models import Backfill, DailyRollup, Device, Reading
from monitoring.tests.conftest import PW
from monitoring.tests.test_gateway import Client, wait_for

BEIJING = tz.LOCAL_TZ


def frame(mn, when: dt.datetime, *, rf=False, tsp=100.0, flag="N"):
    data_time = tz.to_local(when).strftime("%Y%m%d%H%M%S")
    return wrap(
        build_segment(
            cn="2011",
            mn=mn,
            pw=PW,
            st="39",
            qn=data_time + "000",
            flag=9,
            rf=rf,
            cp=data_cp(data_time, {"a34001": {"Rtd": tsp, "Flag": flag}}),
        )
    )


def day_start(days_ago: int) -> dt.datetime:
    return tz.start_of_local_day(tz.local_today() - dt.timedelta(days=days_ago))


def store(device, moments, *, rf=False, received_at=None):
    uploads = [(device.pk, parse_frame(frame(device.mn, m, rf=rf))) for m in moments]
    write_batch(uploads, received_at=received_at)


@pytest.mark.django_db(transaction=True)
def test_rf_1_uploads_over_tcp_are_stored_marked_and_acknowledged(devices, gateway_factory):
    device = devices[0]
    start = day_start(1) + dt.timedelta(hours=9)
    live = frame(device.mn, start, tsp=80.0)
    late = frame(device.mn, start - dt.timedelta(hours=3), rf=True, tsp=90.0)
    with gateway_factory() as gw:
        c = Client(gw.port)
        c.send(live + late)
        assert len(c.read_acks(2)) == 2
        c.close()
    assert wait_for(lambda: Reading.objects.filter(device=device).count() == 2)
    mark = Backfill.objects.get()
    assert (mark.device_id, mark.cn, mark.source) == (device.pk, 2011, "rf")
    assert mark.data_time == start - dt.timedelta(hours=3)


@pytest.mark.django_db
def test_back_filled_values_count_within_the_window_and_not_after(devices):
    device = devices[0]  # uploads every 60 s
    start = day_start(20)
    end = start + dt.timedelta(days=1)
    minute = dt.timedelta(minutes=1)
    store(device, [start + k * minute for k in range(10)], received_at=start + 11 * minute)
    # five minutes back-filled two days later (counted), three 15 days later (not counted)
    store(
        device,
        [start + (10 + k) * minute for k in range(5)],
        rf=True,
        received_at=start + dt.timedelta(days=2),
    )
    store(
        device,
        [start + (15 + k) * minute for k in range(3)],
        rf=True,
        received_at=start + dt.timedelta(days=15),
    )
    rollups.rebuild(start, end)
    # the daily statistics hold every stored value, back-filled or not
    daily = DailyRollup.objects.get(device=device, code="a34001")
    assert daily.n == 18
    line = rate_calc.transmission(start, end, Device.objects.filter(pk=device.pk))[0]
    assert line.due == 1440
    assert (line.received, line.valid, line.backfilled, line.late) == (15, 15, 8, 3)
    assert line.transmission_rate == pytest.approx(15 / 1440)


@pytest.mark.django_db
def test_pages_show_back_filled_points_as_such(client, devices, world):
    device = devices[0]
    now = tz.now().replace(second=0, microsecond=0)
    store(device, [now - dt.timedelta(minutes=30)])
    store(device, [now - dt.timedelta(minutes=20)], rf=True)
    client.force_login(world.office)
    url = reverse("api:monitoring_readings", args=[device.pk])
    points = client.get(url, {"code": "a34001", "hours": 6}).json()["points"]
    assert [p["backfilled"] for p in points] == [False, True]
    page = client.get(reverse("monitoring-device", args=[device.pk])).content.decode()
    assert "设备补传 1 次" in page
    rates_page = client.get(reverse("monitoring-rates")).content.decode()
    assert "其中补传" in rates_page and "10 天内收到的计入" in rates_page
