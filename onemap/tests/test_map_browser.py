"""The 一张图 in a real browser: the office sees the districts drawn, clicks a device through."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import District
from airquality.models import DistrictDaily
from lantian.lib import boundaries, tz
from monitoring.models import Device, Site

CHART = "echarts.getInstanceByDom(document.getElementById('onemap'))"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_office_sees_the_districts_and_clicks_a_device_through(page, live_server, login, world):
    lintong = District.objects.get(parent__name="西安市", name="临潼区")
    lon, lat = boundaries.point_in(boundaries.city_map("西安市").areas["临潼区"], "地图测试")
    site = Site.objects.create(
        name="临潼区 地图测试餐馆", kind="restaurant", size_class="large", district=lintong,
        longitude=lon, latitude=lat,
    )  # fmt: skip
    device = Device.objects.create(
        mn="MAPFUME01", password="123456", kind="fume", site=site, last_seen_at=tz.now()
    )
    DistrictDaily.objects.create(
        district=lintong, date=tz.local_today() - dt.timedelta(days=1), aqi=88, level=1
    )
    page.set_viewport_size({"width": 390, "height": 844})
    login("office", "pw-office")
    page.goto(f"{live_server.url}/")
    page.click(".menu-toggle")
    page.click("#mainnav >> text=一张图")
    page.wait_for_url("**/map/")
    page.wait_for_function(f"!!window.echarts && !!{CHART}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    series = page.evaluate(f"{CHART}.getOption().series.map(s => [s.name, s.type, s.data.length])")
    assert ["区县", "map", 13] in series and ["设备在线", "scatter", 1] in series
    regions = page.evaluate(
        f"Object.fromEntries({CHART}.getOption().geo[0].regions"
        ".map(r => [r.name, r.itemStyle.areaColor]))"
    )
    assert len(regions) == 13 and regions["临潼区"] == "#FFFF00"  # 良, by HJ 633's colours
    # the polygons are drawn and answer the pointer: 周至县 (no points there) names itself
    box = page.locator("#onemap").bounding_box()
    x, y = page.evaluate(f"{CHART}.convertToPixel('geo', [108.05, 33.95])")
    page.mouse.move(box["x"] + x, box["y"] + y)
    page.wait_for_function("document.getElementById('onemap').innerText.includes('周至县')")
    assert "当日无空气质量数据" in page.inner_text("#onemap")
    x, y = page.evaluate(f"{CHART}.convertToPixel('geo', [{lon}, {lat}])")
    page.mouse.move(box["x"] + x, box["y"] + y)
    page.wait_for_function("document.getElementById('onemap').innerText.includes('地图测试餐馆')")
    assert "在线" in page.inner_text("#onemap")
    with page.expect_navigation():
        page.mouse.click(box["x"] + x, box["y"] + y)
    assert page.url.endswith(f"/monitoring/devices/{device.pk}/")
    assert "MAPFUME01" in page.content()
