"""Detectors of abnormal rises and persistently high areas. Pure tests."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from airquality import anomaly
from regulations.lookup import DATA_DIR, version_from_spec

[SPEC] = json.loads((DATA_DIR / "anomaly.json").read_text(encoding="utf-8"))
RULES = anomaly.Rules.from_version(version_from_spec(SPEC))
AT = dt.datetime(2026, 10, 12, 11, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)


def flat(value: float, *, until: dt.datetime = AT, hours: int = 30) -> dict:
    return {until - k * H: value for k in range(hours)}


def with_rise(base: float, peak: float, hours: int = 2) -> dict:
    series = flat(base)
    for k in range(hours):
        series[AT - k * H] = peak
    return series


def test_the_rules_come_from_the_regulation_data():
    assert RULES.pollutants == ("pm25", "pm10")
    assert (RULES.confirm_hours, RULES.rise_ratio, RULES.min_rise["pm25"]) == (2, 1.5, 35)


def test_a_local_rise_against_quiet_neighbours_is_found():
    series = {"a": with_rise(30, 100), "b": flat(35), "c": flat(40)}
    [rise] = anomaly.detect_rises(series, at=AT, pollutant="pm25", rules=RULES)
    assert (rise.key, rise.peak, rise.baseline, rise.reference) == ("a", 100, 30, 37.5)
    assert (rise.start, rise.end) == (AT - H, AT + H)


def test_a_regional_rise_where_neighbours_rise_too_is_not_local():
    series = {"a": with_rise(30, 100), "b": with_rise(30, 95), "c": with_rise(30, 90)}
    assert anomaly.detect_rises(series, at=AT, pollutant="pm25", rules=RULES) == []


def test_one_high_hour_is_not_yet_a_rise():
    series = {"a": with_rise(30, 100, hours=1), "b": flat(35)}
    assert anomaly.detect_rises(series, at=AT, pollutant="pm25", rules=RULES) == []


def test_a_small_absolute_rise_is_ignored_even_when_the_ratio_is_high():
    series = {"a": with_rise(5, 30), "b": flat(5)}  # ×6 but only +25 µg/m³
    assert anomaly.detect_rises(series, at=AT, pollutant="pm25", rules=RULES) == []


def test_too_short_a_baseline_decides_nothing():
    short = {t: v for t, v in with_rise(30, 100).items() if t > AT - 10 * H}
    assert (
        anomaly.detect_rises({"a": short, "b": flat(30)}, at=AT, pollutant="pm25", rules=RULES)
        == []
    )


def test_neighbours_by_distance_decide_the_comparison():
    near = anomaly.neighbours_within(
        {"a": (34.05, 108.60), "b": (34.11, 108.61), "c": (34.37, 109.21), "d": None},
        RULES.neighbour_radius_km,
    )
    assert near == {"a": ["b"], "b": ["a"], "c": [], "d": []}
    # a's only near neighbour b rises with it: not local. Compared with everyone it would be.
    series = {"a": with_rise(30, 100), "b": with_rise(30, 100), "c": flat(30)}
    found = anomaly.detect_rises(series, at=AT, pollutant="pm25", rules=RULES, neighbours=near)
    assert "a" not in {r.key for r in found}
    everyone = anomaly.detect_rises(series, at=AT, pollutant="pm25", rules=RULES)
    assert "a" in {r.key for r in everyone}


def test_distance_is_great_circle():
    assert anomaly.distance_km((34.0, 108.0), (35.0, 108.0)) == pytest.approx(111.2, abs=0.1)


def daily(values: list[float | None], last: dt.date) -> dict:
    return {last - dt.timedelta(days=len(values) - 1 - i): v for i, v in enumerate(values)}


LAST = dt.date(2026, 10, 11)


def test_a_persistently_high_station_is_found():
    series = {
        "a": daily([70, 70, 50, 70, 70, 50, 70], LAST),  # 5 of 7 days ≥ 1.2 × 50
        "b": daily([50] * 7, LAST),
        "c": daily([50] * 7, LAST),
    }
    [found] = anomaly.detect_persistent(series, last_day=LAST, pollutant="pm25", rules=RULES)
    assert (found.key, len(found.high_days), found.mean_value, found.mean_reference) == (
        "a",
        5,
        70,
        50,
    )
    assert found.first_day == LAST - dt.timedelta(days=6)


def test_four_high_days_of_seven_are_not_persistent():
    series = {"a": daily([70, 70, 50, 70, 70, 50, 50], LAST), "b": daily([50] * 7, LAST)}
    assert anomaly.detect_persistent(series, last_day=LAST, pollutant="pm25", rules=RULES) == []


def test_missing_days_do_not_count_as_high():
    series = {"a": daily([70, None, 70, None, 70, 70, None], LAST), "b": daily([50] * 7, LAST)}
    assert anomaly.detect_persistent(series, last_day=LAST, pollutant="pm25", rules=RULES) == []
