"""The device, site and alarm lists: filters in SQL, every row reachable by paging, sortable.

Before, the device list filtered online/offline in Python over the first 1,000 devices and the
alarm inbox showed the newest 500 with no pager: in a city with more, the rest were unreachable
and a filter could say "none" while matching devices existed.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from lantian.lib import tz
from monitoring.models import Alarm, Device
from monitoring.tests.conftest import PW

pytestmark = pytest.mark.django_db


def _count(html: str) -> int:
    found = re.search(r"共 (\d+) 条", html)
    assert found, "the table says how many rows it holds"
    return int(found.group(1))


@pytest.fixture
def fleet(site):
    """1,001 devices; only the last in the list's order has been heard from."""
    Device.objects.bulk_create(
        Device(mn=f"FLEET{i:05d}", password=PW, kind="dust", site=site, profile="dust-ug")
        for i in range(1001)
    )
    last = Device.objects.get(mn="FLEET01000")
    last.last_seen_at = tz.now() - dt.timedelta(seconds=30)
    last.save(update_fields=["last_seen_at"])
    return last


def test_the_online_filter_finds_a_device_past_the_first_thousand(client, world, fleet):
    client.force_login(world.office)
    online = client.get("/monitoring/?status=online").content.decode()
    assert _count(online) == 1 and fleet.mn in online
    offline = client.get("/monitoring/?status=offline").content.decode()
    assert _count(offline) == 1000 and fleet.mn not in offline
    # what was picked stays picked
    assert re.search(r'<option value="offline" selected>', offline)


def test_every_device_is_reachable_by_paging_and_sorting(client, world, fleet):
    client.force_login(world.office)
    first = client.get("/monitoring/").content.decode()
    assert _count(first) == 1001
    assert "上一页" not in first and "下一页" in first
    last_page = client.get("/monitoring/?page=21").content.decode()
    assert "FLEET01000" in last_page and "FLEET00000" not in last_page
    descending = client.get("/monitoring/?sort=-mn").content.decode()
    assert re.findall(r"FLEET\d{5}", descending)[0] == "FLEET01000"
    assert 'href="?sort=mn"' in descending  # the header sorts the other way next


def test_a_search_matches_the_number_or_the_site(client, world, fleet, site):
    client.force_login(world.office)
    assert _count(client.get("/monitoring/?q=FLEET0100").content.decode()) == 1
    assert _count(client.get(f"/monitoring/?q={site.name[:3]}").content.decode()) == 1001


def test_the_alarm_inbox_pages_past_five_hundred_and_keeps_its_filters(client, world, devices):
    now = tz.now()
    device = devices[0]
    Alarm.objects.bulk_create(
        Alarm(
            device=device,
            site=device.site,
            kind="exceedance",
            code="a34001",
            level=3 if i == 0 else 1,
            first_at=now - dt.timedelta(minutes=i),
            last_at=now - dt.timedelta(minutes=i),
            status="dispatched",
        )
        for i in range(520)
    )
    oldest = Alarm.objects.order_by("first_at").first()
    client.force_login(world.office)
    inbox = client.get("/monitoring/alarms/").content.decode()
    assert _count(inbox) == 520
    last_page = client.get("/monitoring/alarms/?page=11").content.decode()
    assert f"#{oldest.pk}<" in last_page
    assert _count(client.get("/monitoring/alarms/?level=3").content.decode()) == 1
    # the Excel export takes the same filter
    ledger = client.get("/monitoring/alarms/ledger.xlsx?level=3")
    assert ledger.status_code == 200
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(ledger.content)).active
    assert sheet.max_row == 2  # the header and the one alarm of level 3


def test_a_bad_filter_value_is_ignored_not_a_server_error(client, world, fleet):
    client.force_login(world.office)
    for url in (
        "/monitoring/?status=sideways&kind=nuclear&page=999&sort=nonsense",
        "/monitoring/alarms/?level=9&kind=x&status=y&overdue=maybe&page=-1",
        "/monitoring/sites/?page=abc&sort=--",
    ):
        assert client.get(url).status_code in (200, 404), url


def _many_alarms(device, n):
    now = tz.now()
    Alarm.objects.bulk_create(
        Alarm(
            device=device,
            site=device.site,
            kind="exceedance",
            code="a34001",
            level=1,
            first_at=now - dt.timedelta(minutes=i),
            last_at=now - dt.timedelta(minutes=i),
            status="dispatched",
        )
        for i in range(n)
    )


def test_the_alarm_ledger_exports_every_alarm_past_five_thousand(client, world, devices):
    """It stopped at 5,000 rows without a word."""
    import io

    from openpyxl import load_workbook

    _many_alarms(devices[0], 5003)
    client.force_login(world.office)
    response = client.get("/monitoring/alarms/ledger.xlsx?status=all")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True)["报警台账"]
    assert sheet.max_row == 5004


def test_an_export_over_the_limit_says_so_and_keeps_the_filter(client, world, devices, settings):
    settings.LANTIAN_ALARM_EXPORT_MAX = 3
    _many_alarms(devices[0], 4)
    client.force_login(world.office)
    response = client.get("/monitoring/alarms/ledger.xlsx?level=1", follow=True)
    page = response.content.decode()
    assert "超过一次导出的上限 3 条" in page and "筛选出 4 条报警" in page
    assert response.redirect_chain[-1][0].endswith("?level=1")
