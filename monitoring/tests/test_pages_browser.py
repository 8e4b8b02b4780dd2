"""The device page draws its readings chart (ECharts) from the API, in a real browser."""

from __future__ import annotations

import datetime as dt

import pytest

from lantian.lib import tz
from monitoring.hj212 import parse_frame, wrap
from monitoring.hj212.frame import build_segment, data_cp
from monitoring.ingest import write_batch


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_device_page_draws_the_readings_chart(page, live_server, login, world, devices):
    device = devices[0]
    now = tz.to_local(tz.now()).replace(second=0, microsecond=0)
    uploads = []
    for k in range(30):
        stamp = (now - dt.timedelta(minutes=k)).strftime("%Y%m%d%H%M%S")
        cp = data_cp(stamp, {"a34001": {"Rtd": 300.0 + k, "Flag": "N"}})
        seg = build_segment(cn="2011", mn=device.mn, pw=device.password, cp=cp)
        uploads.append((device.pk, parse_frame(wrap(seg))))
    write_batch(uploads)
    login("huyi", "pw-huyi")
    page.goto(f"{live_server.url}/monitoring/devices/{device.pk}/")
    page.wait_for_function("Number(document.getElementById('readings-chart').dataset.points) > 0")
    assert page.locator("#readings-chart canvas").count() >= 1
    assert page.get_attribute("#readings-chart", "data-points") == "30"
    page.goto(f"{live_server.url}/monitoring/")
    assert device.mn in page.content()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_office_enters_a_key_and_sends_a_command_at_desktop_and_phone_width(
    page, live_server, login, world, devices
):
    """The key register and the command form in Chromium: the key is never shown back, the
    command is listed as queued, and neither page is wider than a 390 px phone."""
    from monitoring.models import DeviceCommand, DeviceKey

    device = devices[0]
    login("office", "pw-office")
    base = f"{live_server.url}/monitoring/devices/{device.pk}/"
    page.goto(base + "keys/")
    page.fill("#id_key", "00112233445566778899AABBCCDDEEFF")
    page.click("#key-form button[type=submit]")
    page.wait_for_selector("#key-table code")
    fingerprint = DeviceKey.objects.get().fingerprint
    assert page.inner_text("#key-table code") == fingerprint
    assert "00112233445566778899" not in page.content()
    assert page.input_value("#id_key") == ""
    page.goto(base)
    page.select_option("#id_kind", "rtd_interval")
    page.fill("#id_seconds", "60")
    page.click("#command-form button[type=submit]")
    page.wait_for_selector("#command-table td:has-text('待发送')")
    assert DeviceCommand.objects.get().params == {"seconds": 60}
    page.set_viewport_size({"width": 390, "height": 844})
    for url in (base, base + "keys/"):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
