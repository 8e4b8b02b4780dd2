"""The API: same rules and access as the pages."""

import json

import pytest
import time_machine

from emergency.models import DrawRound, Inspection
from emergency.tests.conftest import local

pytestmark = pytest.mark.django_db
BASE = "/api/v1/emergency"


def test_propose_answers_the_level_for_a_forecast(client, world):
    client.force_login(world.office)
    payload = {
        "daily": [{"date": f"2024-01-{d}", "aqi": v} for d, v in ((12, 230), (13, 320), (14, 250))]
    }
    response = client.post(
        f"{BASE}/warning/propose", json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["level"] == "orange" and body["rule_code"] == "环办大气函〔2018〕875号"
    hourly = {
        "hourly": [{"time": f"2024-01-12T{h:02d}:00:00+08:00", "aqi": 510} for h in range(24)]
    }
    response = client.post(
        f"{BASE}/warning/propose", json.dumps(hourly), content_type="application/json"
    )
    assert response.json()["level"] == "red"
    bad = {"daily": [{"date": "2024-01-12", "aqi": -5}]}
    response = client.post(
        f"{BASE}/warning/propose", json.dumps(bad), content_type="application/json"
    )
    assert response.status_code == 422


def test_lists_follow_access(
    client, world, small_episode, inspectors, django_assert_max_num_queries
):
    client.force_login(world.huyi)
    with django_assert_max_num_queries(10):
        rows = client.get(f"{BASE}/enterprises?limit=500").json()
    assert rows and {r["district"] for r in rows} == {"鄠邑区"}
    assert len(rows[0]["measures"]) == 3
    client.force_login(inspectors["huyi"])
    with django_assert_max_num_queries(10):
        plans = client.get(f"{BASE}/plans?day=2024-01-11").json()
    assert [p["unit"] for p in plans] == ["鄠邑区政府"]
    assert len(plans[0]["inspections"]) == 10
    client.force_login(world.outsider)
    assert client.get(f"{BASE}/enterprises").status_code == 403
    assert client.get(f"{BASE}/episodes").status_code == 403


def test_an_inspector_records_through_the_api_once(client, world, small_episode, inspectors):
    item = Inspection.objects.filter(plan__unit__name="鄠邑区政府").first()
    other = Inspection.objects.filter(plan__unit__name="临潼区政府").first()
    client.force_login(inspectors["huyi"])
    payload = {
        "result": "compliant",
        "measures_in_place": True,
        "facilities_running": True,
        "ledger_ok": True,
    }
    with time_machine.travel(local(2024, 1, 11, 14), tick=False):
        ok = client.post(
            f"{BASE}/inspections/{item.pk}", json.dumps(payload), content_type="application/json"
        )
        again = client.post(
            f"{BASE}/inspections/{item.pk}", json.dumps(payload), content_type="application/json"
        )
        refused = client.post(
            f"{BASE}/inspections/{other.pk}", json.dumps(payload), content_type="application/json"
        )
    assert ok.status_code == 200 and ok.json()["result"] == "compliant"
    assert again.status_code in (404, 422)
    assert refused.status_code == 404


def test_the_check_and_public_commitments(client, world, small_episode):
    round_ = DrawRound.objects.first()
    client.force_login(world.office)
    assert client.get(f"{BASE}/rounds/{round_.pk}/check").json() == {
        "ok": True,
        "plans": 21,
        "problems": [],
    }
    client.logout()
    public = client.get(f"{BASE}/public/commitments").json()
    assert {r["commitment"] for r in public} == set(
        DrawRound.objects.values_list("commitment", flat=True)
    )
    assert client.get(f"{BASE}/rounds/{round_.pk}/check").status_code == 401


def test_stats_and_grades(client, world, small_episode):
    client.force_login(world.office)
    stats = client.get(f"{BASE}/stats?episode={small_episode.pk}").json()
    orange = next(r for r in stats["by_level"] if r["key"] == "orange")
    assert orange["planned"] == Inspection.objects.count() and orange["done"] == 0
    assert len(stats["by_district"]) == 20 and "coverage" in stats["formulas"]
    grades = client.get(f"{BASE}/grades").json()
    assert grades["target"]["at_least"] == 40 and sum(grades["totals"].values()) == 400
