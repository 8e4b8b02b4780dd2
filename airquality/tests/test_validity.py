"""Data-validity rules (GB 3095 table 4 / HJ 663) and period statistics. Pure tests."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from airquality import stats, validity
from regulations.lookup import DATA_DIR, version_from_spec

_AMBIENT = {
    s["code"]: version_from_spec(s)
    for s in json.loads((DATA_DIR / "ambient.json").read_text(encoding="utf-8"))
}


def rules_from_files() -> validity.Rules:
    v = _AMBIENT["HJ 663-2013/GB 3095 表4"]
    limits = _AMBIENT["GB 3095-2012"]

    def n(key):
        return int(v.number(key).value)

    return validity.Rules(
        min_hours_per_day=n("min_hours_per_day"),
        min_hours_per_window=n("min_hours_per_8h_window"),
        min_windows_per_day=n("min_8h_windows_per_day"),
        min_hours_for_o3_1h_max=n("min_hours_for_o3_daily_max_1h"),
        o3_8h_limit=float(limits.number("o3_8h").value),
        min_days_per_month=n("min_days_per_month"),
        min_days_per_february=n("min_days_per_february"),
    )


RULES = rules_from_files()


def hours(valid: int, value: float = 50.0) -> list[float | None]:
    return [value] * valid + [None] * (24 - valid)


def test_the_rules_come_from_the_regulation_data():
    assert (RULES.min_hours_per_day, RULES.min_hours_per_window, RULES.min_windows_per_day) == (
        20,
        6,
        14,
    )
    assert RULES.o3_8h_limit == 160


def test_a_day_with_19_valid_hours_has_no_daily_mean():
    assert validity.daily_mean(hours(19), RULES) == (None, 19)


def test_a_day_with_20_valid_hours_has_its_mean():
    values = hours(20, 40.0)
    values[0] = 60.0
    assert validity.daily_mean(values, RULES) == (41.0, 20)


def test_an_8_hour_window_with_5_hours_is_skipped():
    o3 = [None] * 24
    o3[0:5] = [100.0] * 5  # first window (hours 0–7) holds 5 valid hours
    means = validity.eight_hour_means(o3, RULES)
    assert len(means) == 17
    assert means[0] is None


def test_an_8_hour_window_with_6_hours_counts():
    o3 = [None] * 24
    o3[0:6] = [90.0, 90.0, 90.0, 90.0, 120.0, 120.0]
    assert validity.eight_hour_means(o3, RULES)[0] == 100.0


def test_windows_are_the_17_ending_at_8_to_24_oclock():
    o3 = [float(h) for h in range(24)]
    means = validity.eight_hour_means(o3, RULES)
    assert means[0] == sum(range(8)) / 8  # 00:00–08:00
    assert means[-1] == sum(range(16, 24)) / 8  # 16:00–24:00


def test_daily_max_8h_needs_14_valid_windows():
    o3 = [80.0] * 24
    # hours 0–5 missing: the window starting at k has k + 2 valid hours, so k ≥ 4: 13 windows
    o3[0:6] = [None] * 6
    result = validity.daily_max_8h(o3, RULES)
    assert (result.value, result.windows) == (None, 13)
    o3[5] = 80.0  # hours 0–4 missing: k ≥ 3, 14 windows
    result = validity.daily_max_8h(o3, RULES)
    assert (result.value, result.windows) == (80.0, 14)


def test_too_few_windows_still_count_when_the_maximum_exceeds_the_limit():
    o3 = [None] * 10 + [200.0] * 14
    result = validity.daily_max_8h(o3, RULES)
    assert result.windows < RULES.min_windows_per_day
    assert (result.value, result.by_exceedance) == (200.0, True)


def test_day_figures_collect_everything():
    day = validity.day_figures(
        {"pm25": hours(24, 75.0), "so2": hours(19), "o3": [100.0] * 12 + [150.0] * 12},
        RULES,
    )
    assert day.values["pm25"] == 75.0 and day.values["so2"] is None
    assert day.hours == {"so2": 19, "no2": 0, "co": 0, "pm10": 0, "pm25": 24, "o3": 24}
    assert day.values["o3_1h"] == 150.0 and day.values["o3_8h"] == 150.0
    assert day.o3_windows == 17
    assert day.for_aqi()["o3"] == 150.0 and day.for_aqi()["o3_8h"] == 150.0


def test_month_needs_27_days_or_25_in_february():
    assert RULES.min_days(dt.date(2026, 2, 1)) == 25
    assert RULES.min_days(dt.date(2026, 3, 1)) == 27


# --- percentiles, composite index, ranks ---


def test_percentile_follows_hj_663():
    values = [float(v) for v in range(1, 11)]  # 1..10
    # k = 1 + 9 × 0.9 = 9.1 → X9 + 0.1 × (X10 − X9) = 9.1
    assert stats.percentile(values, 90) == pytest.approx(9.1)
    assert stats.percentile(values, 95) == pytest.approx(9.55)
    assert stats.percentile([3.0], 95) == 3.0
    assert stats.percentile([], 95) is None


@given(st.lists(st.floats(min_value=0, max_value=1000), min_size=1, max_size=40))
def test_percentile_lies_between_min_and_max(values):
    p = stats.percentile(values, 90)
    assert min(values) <= p <= max(values) + 1e-9


RANKING = stats.RankingRules(
    code="test",
    weights={"so2": 1, "no2": 2, "pm10": 1, "pm25": 3, "co": 1, "o3": 2},
    standards={"so2": 60, "no2": 40, "pm10": 70, "pm25": 35, "co": 4, "o3": 160},
    percentiles={"co": 95, "o3": 90},
)


def test_composite_index_is_the_weighted_sum_of_single_indices():
    c = stats.composite_index(
        {"so2": 6, "no2": 20, "pm10": 70, "pm25": 35, "co": 2, "o3": 80}, RANKING
    )
    # 0.1 + 2×0.5 + 1 + 3×1 + 0.5 + 2×0.5
    assert c.index == pytest.approx(6.6)
    assert c.single["pm25"] == 1.0 and c.missing == ()


def test_composite_index_is_none_when_a_pollutant_is_missing():
    c = stats.composite_index({"pm25": 35}, RANKING)
    assert c.index is None and "o3" in c.missing


def test_rank_lowest_first_with_ties_and_unranked():
    assert stats.rank({"a": 3.0, "b": 1.0, "c": 3.0, "d": None, "e": 4.0}) == {
        "b": 1,
        "a": 2,
        "c": 2,
        "e": 4,
        "d": None,
    }
