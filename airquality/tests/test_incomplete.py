"""HJ 633—2026 §5.3.1 (issue 16 item 7): with pollutants missing, an AQI that the available
ones put at or under 100 is not published (NA); over 100 it is. Kept as regulation data
(``incomplete_rule``, unverified); HJ 633-2012 has no such rule."""

from __future__ import annotations

import datetime as dt

import pytest

from airquality import aqi
from airquality.figures import _apply_aqi, _Cache
from airquality.models import DistrictDaily

FULL = {"so2": 10, "no2": 40, "co": 1.0, "o3_8h": 100, "pm10": 90, "pm25": 50}


def table(day):
    return aqi.load_table(on=day)


def test_incomplete_low_aqi_is_not_published_under_2026():
    low = {k: v for k, v in FULL.items() if k != "co"}
    result = aqi.compute(low, table=table(dt.date(2026, 6, 1)))
    assert result.missing == ("co",) and not result.published
    assert "不发布（NA）" in result.unpublished_note and "CO" in result.unpublished_note
    high = dict(low, pm25=150)
    assert aqi.compute(high, table=table(dt.date(2026, 6, 1))).published  # > 100 is published
    assert aqi.compute(FULL, table=table(dt.date(2026, 6, 1))).published  # complete
    assert aqi.compute(low, table=table(dt.date(2025, 6, 1))).published  # 2012: no such rule


def test_hourly_reports_need_the_six_hourly_values():
    values = {"so2_1h": 10, "no2_1h": 40, "o3_1h": 100, "pm10_1h": 90, "pm25_1h": 50}
    result = aqi.compute(values, mode=aqi.HOURLY, table=table(dt.date(2026, 6, 1)))
    assert result.missing == ("co",) and not result.published


@pytest.mark.django_db
def test_daily_figures_record_na_with_the_reason(xian):
    obj = DistrictDaily(district=xian, date=dt.date(2026, 6, 1))
    low = dict(FULL, co=None)
    _apply_aqi(obj, low, dt.date(2026, 6, 1), _Cache())
    assert obj.aqi is None and obj.level is None and "HJ 633" in obj.note
    _apply_aqi(obj, dict(low, pm25=150), dt.date(2026, 6, 1), _Cache())
    assert obj.aqi is not None and obj.aqi > 100 and obj.note == ""


@pytest.mark.django_db
def test_the_api_says_why(client, world):
    client.force_login(world.office)
    body = {"values": {k: v for k, v in FULL.items() if k != "co"}, "date": "2026-06-01"}
    data = client.post("/api/v1/air/aqi", body, content_type="application/json").json()
    assert data["published"] is False and data["missing"] == ["co"]
