"""Pages, API and the public summary: content, access (including who is refused), query counts."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine

from airquality import detection, services
from airquality.choices import ImportStatus, ResponseStatus
from airquality.models import DataImport, DistrictMonthly, ResponseItem
from airquality.summary import public_summary
from airquality.tests.conftest import day_rows, district, hours_csv
from airquality.tests.test_responses import AT, NOW, hours
from lantian.lib.tz import LOCAL_TZ

DAYS = [dt.date(2026, 10, 9) + dt.timedelta(days=k) for k in range(3)]
DUST = "区县,月份,降尘量\n鄠邑区,2026-10,6.2\n临潼区,2026-10,8.4\n雁塔区,2026-10,5.1\n"


@pytest.fixture
def data(world, stations, xian):
    rows = []
    for k, day in enumerate(DAYS):
        for i, code in enumerate(stations):
            rows += day_rows(code, day, 30.0 + 10 * i + 5 * k)
    done = services.import_hours(hours_csv(rows), "oct.csv", acting_user=world.office)
    assert done.status == ImportStatus.DONE
    services.import_dustfall(DUST.encode(), "dust.csv", acting_user=world.office, city=xian)
    return done


@pytest.fixture
def xian_dust_target(db):
    """西安市's own dust-fall target, as the office would enter it (咸阳市's never applies here)."""
    from regulations.lookup import clear_cache
    from regulations.models import Regulation

    rule = Regulation.objects.create(
        family="local_targets",
        code="西安市降尘目标（测试）",
        title="降尘量考核目标",
        effective_from=dt.date(2026, 1, 1),
        scope="西安市",
        priority=1,
        source="测试数据",
    )
    rule.values.create(key="dustfall", value=7, unit="t/(km²·30d)")
    clear_cache()
    return rule


@pytest.fixture
def item(stations, world):
    hours(stations)
    with time_machine.travel(NOW, tick=False):
        detection.run_detection(AT)
    return ResponseItem.objects.get(station=stations["1001A"])


PAGES = ["/air/", "/air/rankings/?month=2026-10", "/air/stations/", "/air/responses/"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_are_for_staff_only(client, world, data, url):
    assert client.get(url).status_code == 302  # anonymous → login
    client.force_login(world.outsider)
    assert client.get(url).status_code == 403
    client.force_login(world.huyi)
    assert client.get(url).status_code == 200


def test_overview_has_the_calendar_and_district_bars(
    client, world, data, xian, django_assert_max_num_queries
):
    client.force_login(world.leader)
    with django_assert_max_num_queries(15):
        response = client.get(f"/air/?year=2026&area={district(xian, '鄠邑区').pk}")
    html = response.content.decode()
    assert 'data-chart="calendar"' in html and "vendor/echarts.min.js" in html
    chart = response.context["chart"]
    assert [c[0] for c in chart["calendar"]] == [d.isoformat() for d in DAYS]
    assert {b["name"] for b in chart["bars"]} == {"鄠邑区", "临潼区", "雁塔区"}
    assert chart["levels"][0]["color"] == "#00E400"


def test_rankings_page_shows_composite_and_dust_fall_against_the_target(
    client, world, xian_dust_target, data, django_assert_max_num_queries
):
    client.force_login(world.huyi)
    with django_assert_max_num_queries(15):
        response = client.get("/air/rankings/?month=2026-10")
    html = response.content.decode()
    ranked = [r.district.name for r in response.context["rows"]]
    assert ranked == ["鄠邑区", "临潼区", "雁塔区"]  # lowest PM2.5 (and composite) first
    dust = response.context["dust"]
    assert dust["target"] == 7.0
    assert [(r["district"], r["rank"], r["over_target"]) for r in dust["rows"]] == [
        ("雁塔区", 1, False),
        ("鄠邑区", 2, False),
        ("临潼区", 3, True),
    ]
    assert "超目标" in html and 'data-chart="dust"' in html
    month = DistrictMonthly.objects.get(district__name="鄠邑区", month=dt.date(2026, 10, 1))
    assert month.days == 3 and not month.complete and "3 天" in html


def test_station_and_district_pages(
    client, world, data, stations, xian, django_assert_max_num_queries
):
    client.force_login(world.inspector)
    station = stations["1001A"]
    with django_assert_max_num_queries(12):
        response = client.get(f"/air/stations/{station.pk}/")
    assert response.status_code == 200 and len(response.context["chart"]["times"]) == 72
    with django_assert_max_num_queries(12):
        response = client.get(f"/air/districts/{district(xian, '鄠邑区').pk}/")
    assert response.status_code == 200 and len(response.context["chart"]["dates"]) == 3
    assert client.get("/air/stations/999999/").status_code == 404
    with django_assert_max_num_queries(12):  # constant: no query per station
        assert client.get("/air/stations/").status_code == 200


def test_only_the_office_imports(client, world, stations):
    content = hours_csv(day_rows("1001A", DAYS[0]))
    client.force_login(world.huyi)
    assert client.get("/air/imports/").status_code == 200
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("h.csv", content, content_type="text/csv")
    assert client.post("/air/imports/", {"kind": "hourly", "file": upload}).status_code == 403
    client.force_login(world.office)
    upload = SimpleUploadedFile("h.csv", content, content_type="text/csv")
    response = client.post("/air/imports/", {"kind": "hourly", "file": upload})
    data_import = DataImport.objects.get()
    assert response.url == f"/air/imports/{data_import.pk}/"
    assert data_import.status == ImportStatus.DONE
    assert client.get(response.url).status_code == 200
    client.force_login(world.huyi)
    assert client.get(response.url).status_code == 404


def test_a_refused_import_shows_its_errors(client, world, stations):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.office)
    bad = SimpleUploadedFile("bad.csv", b"station,time,pm25\nnope,2026-10-09 01:00,5\n")
    response = client.post("/air/imports/", {"kind": "hourly", "file": bad}, follow=True)
    html = response.content.decode()
    assert "整份文件未导入" in html and "未知站点" in html


def test_the_owner_sees_and_answers_its_item_others_do_not(
    client, world, item, django_assert_max_num_queries
):
    client.force_login(world.lintong)
    assert client.get(f"/air/responses/{item.pk}/").status_code == 404
    assert item.pk not in [r.pk for r in client.get("/air/responses/").context["page"]]
    client.force_login(world.huyi)
    with django_assert_max_num_queries(15):
        response = client.get("/air/responses/")
    assert item.pk in [r.pk for r in response.context["page"]]
    partial = client.get("/air/responses/?status=all", HTTP_HX_REQUEST="true")
    assert "<table" in partial.content.decode() and "<html" not in partial.content.decode()
    with django_assert_max_num_queries(20):
        page = client.get(f"/air/responses/{item.pk}/")
    assert page.context["can_feedback"] and not page.context["can_evaluate"]
    response = client.post(
        f"/air/responses/{item.pk}/",
        {"action": "feedback", "cause": "道路施工", "measures": "洒水降尘"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ResponseStatus.FEEDBACK
    # the owner cannot evaluate its own feedback, even by posting the form
    client.post(f"/air/responses/{item.pk}/", {"action": "evaluate", "accepted": "1"})
    item.refresh_from_db()
    assert item.status == ResponseStatus.FEEDBACK


def test_feedback_with_evidence_and_office_evaluation(client, world, item):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.huyi)
    png = SimpleUploadedFile("site.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")
    client.post(
        f"/air/responses/{item.pk}/",
        {"action": "feedback", "cause": "施工", "measures": "停工", "evidence": png},
    )
    from evidence.services import evidence_for

    assert [e.original_name for e in evidence_for(item)] == ["site.png"]
    client.force_login(world.office)
    page = client.get(f"/air/responses/{item.pk}/")
    assert page.context["can_evaluate"] and "site.png" in page.content.decode()
    client.post(
        f"/air/responses/{item.pk}/", {"action": "evaluate", "accepted": "0", "opinion": ""}
    )
    item.refresh_from_db()
    assert item.status == ResponseStatus.FEEDBACK  # returning needs a reason
    client.post(
        f"/air/responses/{item.pk}/", {"action": "evaluate", "accepted": "1", "opinion": "ok"}
    )
    item.refresh_from_db()
    assert item.status == ResponseStatus.CLOSED


# --- API ---


def test_api_rankings_days_and_stations(client, world, xian_dust_target, data, xian):
    client.force_login(world.huyi)
    ranking = client.get("/api/v1/air/rankings?month=2026-10").json()
    assert [r["district"] for r in ranking] == ["鄠邑区", "临潼区", "雁塔区"]
    days = client.get(
        f"/api/v1/air/districts/{xian.pk}/days?start=2026-10-01&end=2026-10-31"
    ).json()
    assert [d["date"] for d in days] == [d.isoformat() for d in DAYS]
    assert len(client.get("/api/v1/air/stations").json()) == 4
    dust = client.get("/api/v1/air/dustfall?month=2026-10").json()
    assert dust["target"] == 7.0 and dust["rows"][0]["district"] == "雁塔区"
    assert client.get("/api/v1/air/rankings?month=oops").status_code == 422
    client.force_login(world.outsider)
    assert client.get("/api/v1/air/rankings?month=2026-10").status_code == 403
    assert client.get("/api/v1/air/stations").json() == []


def test_api_response_actions(client, world, item):
    client.force_login(world.lintong)
    url = f"/api/v1/air/responses/{item.pk}/feedback"
    body = json.dumps({"cause": "x", "measures": "y"})
    assert client.post(url, body, content_type="application/json").status_code == 404
    client.force_login(world.huyi)
    answer = client.post(url, body, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["status"] == "feedback"
    evaluate = f"/api/v1/air/responses/{item.pk}/evaluate"
    refused = client.post(evaluate, json.dumps({"accepted": True}), content_type="application/json")
    assert refused.status_code == 403
    client.force_login(world.office)
    done = client.post(evaluate, json.dumps({"accepted": True}), content_type="application/json")
    assert done.json()["status"] == "closed"


def test_api_aqi_calculator(client, world):
    client.force_login(world.outsider)
    body = {"date": "2026-03-01", "values": {"pm25": 75, "co": 2.2}}
    result = client.post(
        "/api/v1/air/aqi", json.dumps(body), content_type="application/json"
    ).json()
    assert (result["aqi"], result["category"], result["standard"]) == (
        114,
        "轻度污染",
        "HJ 633-2026",
    )
    assert {s["name"]: s["iaqi"] for s in result["sub_indices"]} == {"co": 55, "pm25": 114}
    bad = {"date": "2026-03-01", "values": {"pm25": -1}}
    assert (
        client.post("/api/v1/air/aqi", json.dumps(bad), content_type="application/json").status_code
        == 422
    )


# --- public summary ---


def test_public_summary_has_city_and_districts_and_no_station_detail(data, xian):
    summary = public_summary(on=DAYS[-1], city=xian)
    assert summary["date"] == "2026-10-11"
    assert summary["city"]["name"] == "西安市" and summary["city"]["aqi"] is not None
    assert {d["name"] for d in summary["districts"]} == {"鄠邑区", "临潼区", "雁塔区"}
    assert [r["district"] for r in summary["ranking"]] == ["鄠邑区", "临潼区", "雁塔区"]
    text = json.dumps(summary, ensure_ascii=False)
    assert "鄠邑草堂" not in text and "1001A" not in text
    json.loads(text)  # JSON-ready


def test_public_summary_without_data(db, xian):
    with time_machine.travel(dt.datetime(2026, 10, 12, 9, tzinfo=LOCAL_TZ)):
        summary = public_summary(city=xian)
    assert summary["date"] == "2026-10-11" and summary["city"]["aqi"] is None


def test_station_list_shows_real_time_aqi_of_the_latest_hour(client, world, stations):
    from airquality.models import HourlyObservation

    time = dt.datetime(2026, 10, 12, 10, tzinfo=LOCAL_TZ)
    HourlyObservation.objects.create(station=stations["1001A"], time=time, pm25=75, so2=150)
    client.force_login(world.huyi)
    rows = {r["station"].code: r for r in client.get("/air/stations/").context["rows"]}
    # hourly mode, HJ 633-2026: PM2.5 1 h 75 on the 24 h table → 114; SO2 1 h 150 → 50
    assert rows["1001A"]["now"]["aqi"] == 114
    assert rows["1003A"]["now"] is None


def test_the_api_schema_lists_the_air_routes(client, world):
    client.force_login(world.office)
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/air/rankings",
        "/api/v1/air/aqi",
        "/api/v1/air/responses/{item_id}/feedback",
    } <= set(paths)
