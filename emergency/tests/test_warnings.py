"""The warning proposal on constructed forecast series: every level, every edge.

The rules are the national baseline as packaged in ``regulations/data/sources.json``, read
without a database (the pure core never touches Django).
"""

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emergency.warnings import (
    ForecastError,
    RuleError,
    parse_forecast,
    parse_rules,
    propose,
)

SOURCES = Path(__file__).resolve().parents[2] / "regulations" / "data" / "sources.json"
D0 = dt.date(2024, 1, 10)


def baseline():
    spec = next(
        s
        for s in json.loads(SOURCES.read_text(encoding="utf-8"))
        if s["family"] == "warning_rules" and s["values"]
    )
    values = {v["key"]: v["value"] for v in spec["values"]}
    return parse_rules(values["levels"], merge_gap_days=values["merge_gap_days"], code=spec["code"])


RULES = baseline()


def daily(*values, start=D0):
    return [(start + dt.timedelta(days=i), v) for i, v in enumerate(values)]


def level(*values, rules=RULES):
    return propose(rules, daily=daily(*values)).level


def hourly(segments, start=dt.datetime(2024, 1, 10, 0)):
    """``[(hours, aqi), …]`` → hourly points from ``start``."""
    points, at = [], start
    for hours, value in segments:
        for _ in range(hours):
            points.append((at, value))
            at += dt.timedelta(hours=1)
    return points


# --- daily series --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("series", "expected"),
    [
        ((150, 180, 200, 200, 120), None),  # 200 is not "over 200"
        ((201,), None),  # one heavy day is not a warning
        ((201, 150, 201), None),  # two single days, not consecutive
        ((200, 201), None),
        ((201, 201), "yellow"),
        ((150, 201, 201, 150), "yellow"),
        ((201, 300, 201), "yellow"),  # 300 is not "over 300"
        ((201, 301), "yellow"),  # orange needs three days
        ((201, 301, 201), "orange"),
        ((301, 201, 201), "orange"),
        ((201, 301, 301), "orange"),  # red needs four days
        ((201, 301, 201, 301), "orange"),  # the two days over 300 are not consecutive
        ((201, 301, 301, 201), "red"),
        ((301, 301, 201, 201, 201), "red"),
        ((499,), None),
        ((499, 201), "yellow"),
        ((500,), "red"),  # "reach 500" for one day is red on its own
        ((150, 500, 150), "red"),
        (("200.0", "200.1"), None),
        (("200.1", "200.1"), "yellow"),
        ((201, None, 201), None),  # a day without a forecast breaks the run
    ],
)
def test_it_proposes_the_baseline_level_for_daily_series(series, expected):
    assert level(*series) == expected


def test_the_proposed_episode_spans_the_pollution_process():
    proposal = propose(RULES, daily=daily(120, 210, 320, 250, 180))
    assert proposal.level == "orange"
    first = proposal.first
    assert first.start.date() == D0 + dt.timedelta(days=1)
    assert first.end.date() == D0 + dt.timedelta(days=4)  # exclusive: the morning after day 3
    assert "AQI>300 持续 1 天" in first.matched
    assert proposal.as_dict()["rule_code"] == RULES.code


def test_processes_a_day_apart_are_one_episode_at_the_higher_level():
    # yellow (days 0-1), one clean day, orange (days 3-5): the gap is too short to clear.
    proposal = propose(RULES, daily=daily(210, 210, 150, 210, 310, 210))
    assert [p.level for p in proposal.episodes] == ["orange"]
    assert proposal.first.start.date() == D0
    assert proposal.first.end.date() == D0 + dt.timedelta(days=6)


def test_processes_two_days_apart_stay_separate():
    proposal = propose(RULES, daily=daily(210, 210, 150, 150, 210, 310, 210))
    assert [p.level for p in proposal.episodes] == ["yellow", "orange"]
    assert proposal.level == "orange"
    assert proposal.first.start.date() == D0 + dt.timedelta(days=4)


def test_merging_never_creates_a_level_no_process_reached():
    # two single heavy days a day apart: merged into one process, still no warning
    assert level(210, 150, 210) is None


def test_days_need_not_be_given_in_order():
    assert propose(RULES, daily=list(reversed(daily(201, 301, 201)))).level == "orange"


def test_repeated_dates_are_refused():
    with pytest.raises(ForecastError):
        propose(RULES, daily=[(D0, 210), (D0, 220)])


def test_negative_and_non_numeric_values_are_refused():
    with pytest.raises(ForecastError):
        level(210, -1)
    with pytest.raises(ForecastError):
        level(210, "高")


def test_an_empty_forecast_is_refused():
    with pytest.raises(ForecastError):
        propose(RULES)


# --- hourly series: a "day" is any 24 consecutive hours -------------------------------------


def test_48_hours_over_200_spanning_midnight_is_yellow():
    # 14:00 on day 1 to 14:00 on day 3 at 201, clean air around: no calendar day averages over
    # 200, and only the 24-hour days that start at 14:00 do.
    points = hourly([(14, 20), (48, 201), (34, 20)])
    calendar_days = {}
    for at, value in points:
        calendar_days.setdefault(at.date(), []).append(value)
    means = [sum(v) / len(v) for v in calendar_days.values()]
    assert sum(m > 200 for m in means) == 1  # read by calendar days: one heavy day, no warning
    proposal = propose(RULES, hourly=points)
    assert proposal.level == "yellow"
    assert proposal.first.start == dt.datetime(2024, 1, 10, 14)
    assert proposal.first.end == dt.datetime(2024, 1, 12, 14)
    assert "14:00" in proposal.basis


def test_47_hours_over_200_is_not_enough():
    assert propose(RULES, hourly=hourly([(14, 20), (47, 201), (35, 20)])).level is None


def test_72_hours_with_a_24_hour_peak_over_300_is_orange():
    points = hourly([(5, 100), (24, 250), (24, 320), (24, 250), (10, 100)])
    assert propose(RULES, hourly=points).level == "orange"


def test_24_hours_averaging_exactly_200_are_not_over_200():
    points = hourly([(48, 200), (1, 100)])
    assert propose(RULES, hourly=points).level is None


def test_a_24_hour_mean_just_over_200_counts():
    # 23 hours at 200 and one at 201: mean 200.04 > 200, for two days running
    day = [(23, 200), (1, 201)]
    assert propose(RULES, hourly=hourly(day + day)).level == "yellow"


def test_24_hours_at_500_are_red():
    assert propose(RULES, hourly=hourly([(3, 100), (24, 500), (3, 100)])).level == "red"


def test_a_missing_hour_voids_every_24_hour_day_containing_it():
    points = [p for p in hourly([(48, 250)]) if p[0] != dt.datetime(2024, 1, 11, 0)]
    assert propose(RULES, hourly=points).level is None


def test_hourly_timestamps_must_be_whole_hours():
    with pytest.raises(ForecastError):
        propose(RULES, hourly=[(dt.datetime(2024, 1, 10, 0, 30), 250)])


def test_daily_values_extend_an_hourly_forecast():
    # the hourly forecast covers the first day, the daily forecast the next two
    points = hourly([(24, 250)])
    days = daily(320, 250, start=D0 + dt.timedelta(days=1))
    assert propose(RULES, hourly=points).level is None
    assert propose(RULES, daily=days).level == "yellow"
    combined = propose(RULES, hourly=points, daily=days)
    assert combined.level == "orange"


# --- local rules as data -------------------------------------------------------------------


def test_a_stricter_local_rule_changes_the_outcome():
    local = parse_rules(
        [
            {"level": "red", "any_of": [{"all_of": [{"aqi_over": 200, "min_days": 3}]}]},
            {"level": "orange", "any_of": [{"all_of": [{"aqi_over": 150, "min_days": 2}]}]},
            {"level": "yellow", "any_of": [{"all_of": [{"aqi_over": 100, "min_days": 2}]}]},
        ]
    )
    assert level(160, 170, rules=local) == "orange"
    assert level(160, 170, rules=RULES) is None
    assert level(110, 120, 90, rules=local) == "yellow"


@pytest.mark.parametrize(
    "levels",
    [
        [],
        [{"level": "red", "any_of": []}],
        [{"level": "red", "any_of": [{"all_of": [{"aqi_over": 200}]}]}],
        [{"level": "red", "any_of": [{"all_of": [{"aqi_over": 200, "min_days": 0}]}]}],
        [{"level": "red", "any_of": [{"all_of": [{"aqi_below": 200, "min_days": 1}]}]}],
        [
            {
                "level": "red",
                "any_of": [{"all_of": [{"aqi_over": 1, "aqi_at_least": 2, "min_days": 1}]}],
            }
        ],
    ],
)
def test_malformed_rules_are_refused(levels):
    with pytest.raises(RuleError):
        parse_rules(levels)


# --- reading pasted forecasts ------------------------------------------------------------


def test_it_reads_pasted_daily_and_hourly_rows():
    text = "时间,AQI\n2024-01-12,230\n2024/01/13，310\n2024-01-14 14:00\t250\n2024-01-14T15 260\n"
    days, hours = parse_forecast(text)
    assert days == [(dt.date(2024, 1, 12), "230"), (dt.date(2024, 1, 13), "310")]
    assert hours == [
        (dt.datetime(2024, 1, 14, 14), "250"),
        (dt.datetime(2024, 1, 14, 15), "260"),
    ]


def test_a_bad_row_is_reported_with_its_line_number():
    with pytest.raises(ForecastError) as err:
        parse_forecast("2024-01-12,230\n2024-01-13,abc\n")
    assert err.value.line == 2
    with pytest.raises(ForecastError) as err:
        parse_forecast("2024-01-12,230\n2024-13-40,200\n")
    assert err.value.line == 2


# --- properties ----------------------------------------------------------------------------

aqi_values = st.lists(st.integers(min_value=0, max_value=520), min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(aqi_values, st.integers(min_value=0, max_value=11), st.integers(min_value=1, max_value=80))
def test_raising_a_forecast_never_lowers_the_level(values, index, bump):
    index %= len(values)
    raised = list(values)
    raised[index] += bump
    assert RULES.rank(level(*raised)) >= RULES.rank(level(*values))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=200), min_size=1, max_size=12))
def test_no_day_over_200_means_no_warning(values):
    assert level(*values) is None


@settings(max_examples=100, deadline=None)
@given(aqi_values, st.integers(min_value=-400, max_value=400))
def test_the_level_does_not_depend_on_the_dates(values, shift):
    start = D0 + dt.timedelta(days=shift)
    assert propose(RULES, daily=daily(*values, start=start)).level == level(*values)


@settings(max_examples=60, deadline=None)
@given(aqi_values)
def test_an_hourly_forecast_is_at_least_as_strict_as_its_daily_means(values):
    points = hourly([(24, v) for v in values])
    assert RULES.rank(propose(RULES, hourly=points).level) >= RULES.rank(level(*values))
