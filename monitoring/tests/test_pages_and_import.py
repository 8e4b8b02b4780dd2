"""Pages, API, access, the parse command contract, the Excel import and the demo."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from monitoring.importing import DEVICE_COLUMNS, SITE_COLUMNS, ImportRefused, import_registry
from monitoring.models import Alarm, Device, Site
from monitoring.tests.test_hj212_codec import VECTORS

LANTIAN = str(Path(sys.executable).with_name("lantian"))


def make_alarm(device, **kw):
    from lantian.lib import tz

    now = tz.now()
    return Alarm.objects.create(
        device=device,
        site=device.site,
        kind="exceedance",
        code="a34001",
        level=1,
        first_at=now,
        last_at=now,
        dispatched_to=device.site.units.first(),
        status="dispatched",
        **kw,
    )


@pytest.mark.django_db
def test_pages_for_office_and_officer_with_query_ceilings(
    client, world, devices, django_assert_max_num_queries
):
    alarm = make_alarm(devices[0])
    pages = [
        "/monitoring/",
        f"/monitoring/devices/{devices[0].pk}/",
        "/monitoring/sites/",
        "/monitoring/alarms/",
        f"/monitoring/alarms/{alarm.pk}/",
        "/monitoring/rates/",
    ]
    for user in (world.office, world.huyi, world.inspector):
        client.force_login(user)
        for url in pages:
            with django_assert_max_num_queries(25):
                response = client.get(url)
            assert response.status_code == 200, (user, url)
    client.force_login(world.huyi)
    assert devices[0].mn in client.get("/monitoring/").content.decode()


@pytest.mark.django_db
def test_refused_users_see_nothing(client, world, devices):
    alarm = make_alarm(devices[0])
    client.force_login(world.lintong)  # another district's officer
    assert devices[0].mn not in client.get("/monitoring/").content.decode()
    assert client.get(f"/monitoring/devices/{devices[0].pk}/").status_code == 404
    assert client.get(f"/monitoring/alarms/{alarm.pk}/").status_code == 404
    assert client.get("/api/v1/monitoring/alarms").json() == []
    response = client.post(f"/monitoring/alarms/{alarm.pk}/step/", {"step": "investigate"})
    assert response.status_code == 404
    assert client.get("/monitoring/quarantine/").status_code == 403
    client.force_login(world.outsider)
    assert client.get("/monitoring/").status_code == 403
    assert client.get(f"/api/v1/monitoring/devices/{devices[0].pk}/readings").status_code == 404
    client.logout()
    assert client.get("/monitoring/alarms/").status_code == 302
    assert client.get("/api/v1/monitoring/devices").status_code == 401


@pytest.mark.django_db
def test_officer_takes_steps_through_the_page(client, world, devices):
    alarm = make_alarm(devices[0])
    client.force_login(world.huyi)
    client.post(f"/monitoring/alarms/{alarm.pk}/step/", {"step": "investigate", "note": "到场"})
    client.post(f"/monitoring/alarms/{alarm.pk}/step/", {"step": "handle", "measures": "覆盖"})
    client.post(f"/monitoring/alarms/{alarm.pk}/step/", {"step": "close"})  # office only
    alarm.refresh_from_db()
    assert (alarm.status, alarm.measures) == ("handled", "覆盖")


@pytest.mark.django_db
def test_readings_api_returns_points_and_limit(client, world, devices):
    import datetime as dt

    import time_machine

    from monitoring.tests.test_judging_and_health import T0, feed, tsp

    feed(devices[0], [(m, tsp(100.0 + m)) for m in range(5)])
    client.force_login(world.huyi)
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        data = client.get(
            f"/api/v1/monitoring/devices/{devices[0].pk}/readings?code=a34001&hours=6"
        ).json()
    assert data["limit"] == 800.0 and data["unit"] == "µg/m³"
    assert [p["value"] for p in data["points"]] == [100.0, 101.0, 102.0, 103.0, 104.0]


def test_parse_command_contract():
    lines = [line.split(" ", 1)[1] for line in VECTORS.read_text().splitlines()]
    lines[0] = "\ufeff" + lines[0]  # a capture saved by a Windows tool starts with a BOM
    out = subprocess.run(
        [LANTIAN, "hj212", "parse"],
        input="\n".join(lines + ["not a frame"]) + "\r\n",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    results = [json.loads(line) for line in out]
    assert [r["ok"] for r in results] == [True, True, True, True, False, False]
    v3 = results[2]
    assert set(v3) == {
        "ok",
        "version",
        "qn",
        "st",
        "cn",
        "pw",
        "mn",
        "flag",
        "pnum",
        "pno",
        "data_time",
        "values",
    }
    assert v3["version"] == "2025" and v3["values"]["a01012"]["Avg"] == 9.3
    assert results[4]["error"] == "bad_crc" and results[5]["error"] == "bad_header"


def workbook(site_rows, device_rows) -> io.BytesIO:
    book = Workbook()
    sites = book.active
    sites.title = "点位"
    sites.append(SITE_COLUMNS)
    for row in site_rows:
        sites.append(row)
    devices = book.create_sheet("设备")
    devices.append(DEVICE_COLUMNS)
    for row in device_rows:
        devices.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


SITE = [
    "曲江某项目",
    "建筑工地",
    "雁塔区",
    "雁南路",
    "某建设集团",
    "土方",
    "",
    0,
    "雁塔区政府、西安市住房和城乡建设局",
]
DEVICE = [
    "YT0001",
    "123456",
    "扬尘",
    "曲江某项目",
    "雁塔区",
    "dust-ng",
    "否",
    "X厂 M1",
    "2024-03-01",
    "西南角 3.5m",
    60,
]


@pytest.mark.django_db
def test_excel_import_all_or_nothing(world):
    SITE[5] = "earthworks"
    result = import_registry(workbook([SITE], [DEVICE]), acting_user=world.office)
    assert (result.sites, result.devices) == (1, 1)
    device = Device.objects.get(mn="YT0001")
    assert device.profile == "dust-ng" and device.site.units.count() == 2
    bad_site = ["坏点位", "工厂", "不存在区", "", "", "", "", "x", "无此单位"]
    bad_device = ["YT0002", "", "扬尘", "不存在的点位", "雁塔区", "", "", "", "2024/13/01", "", "x"]
    with pytest.raises(ImportRefused) as err:
        import_registry(workbook([SITE, bad_site], [DEVICE, bad_device]), acting_user=world.office)
    messages = " ".join(err.value.messages)
    assert "点位 第3行" in messages and "设备 第3行" in messages
    assert not Device.objects.filter(mn="YT0002").exists()
    assert Site.objects.count() == 1


@pytest.mark.django_db
def test_demo_is_idempotent(registry):
    call_command("loadregs", stdout=io.StringIO())
    from monitoring.demo import load_demo

    load_demo(io.StringIO())
    counts = (Site.objects.count(), Device.objects.count(), Alarm.objects.count())
    load_demo(io.StringIO())
    assert (Site.objects.count(), Device.objects.count(), Alarm.objects.count()) == counts
    assert counts[0] >= 3 and counts[2] >= 1


@pytest.mark.django_db
def test_import_page_is_for_the_office(client, world):
    client.force_login(world.huyi)
    assert client.get("/monitoring/import/").status_code == 403
    client.force_login(world.office)
    SITE[5] = "earthworks"
    upload = workbook([SITE], [DEVICE])
    upload.name = "book.xlsx"
    response = client.post("/monitoring/import/", {"workbook": upload})
    assert "已导入点位 1 个、设备 1 台" in response.content.decode()
    bad = workbook([["坏点位", "工厂", "雁塔区", "", "", "", "", 0, "雁塔区政府"]], [])
    bad.name = "bad.xlsx"
    response = client.post("/monitoring/import/", {"workbook": bad})
    assert "类型「工厂」不是可选值" in response.content.decode()
