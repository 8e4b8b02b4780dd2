"""The AQI calculator against HJ 633 (2012 and 2026): every breakpoint, rounding, rules, errors.

Pure tests: the tables come from the packaged regulation files, no database.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest

from airquality import aqi
from airquality.tests.tables import T2012, T2026, TABLES, raw_nodes, reference_iaqi

CODES = {"2012": "HJ 633-2012", "2026": "HJ 633-2026"}


def breakpoint_cases():
    for version in TABLES:
        for key in aqi.TABLE_KEYS:
            for index, node in enumerate(raw_nodes(CODES[version], key)):
                yield pytest.param(version, key, index, node, id=f"{version}-{key}-{node}")


# --- every breakpoint of every pollutant and period, both versions ---


@pytest.mark.parametrize(("version", "key", "index", "node"), list(breakpoint_cases()))
def test_each_breakpoint_gives_exactly_its_iaqi(version, key, index, node):
    table = TABLES[version]
    sub = aqi.iaqi(key, node, table=table)
    assert sub.iaqi == table.iaqi[index]
    assert not sub.above_scale


@pytest.mark.parametrize(("version", "key", "index", "node"), list(breakpoint_cases()))
def test_a_tenth_either_side_of_each_breakpoint(version, key, index, node):
    table = TABLES[version]
    nodes = raw_nodes(CODES[version], key)
    for delta in (Decimal("-0.1"), Decimal("0.1")):
        c = Decimal(str(node)) + delta
        if c < 0:
            with pytest.raises(aqi.InvalidConcentration):
                aqi.iaqi(key, c, table=table)
            continue
        if aqi.pollutant_of(key) != "co":
            # Concentrations are rounded first (to 1 µg/m³): ±0.1 lands back on the breakpoint.
            assert aqi.iaqi(key, c, table=table).iaqi == table.iaqi[index]
        elif c <= nodes[-1]:
            assert aqi.iaqi(key, c, table=table).iaqi == reference_iaqi(nodes, table.iaqi, c)
        else:
            sub = aqi.iaqi(key, c, table=table)
            assert (sub.iaqi, sub.above_scale) == (500, True)


@pytest.mark.parametrize(("version", "key", "index", "node"), list(breakpoint_cases()))
def test_one_unit_either_side_of_each_breakpoint(version, key, index, node):
    table = TABLES[version]
    nodes = raw_nodes(CODES[version], key)
    unit = Decimal("0.1") if aqi.pollutant_of(key) == "co" else Decimal(1)
    for c in (Decimal(str(node)) - unit, Decimal(str(node)) + unit):
        if 0 <= c <= nodes[-1]:
            assert aqi.iaqi(key, c, table=table).iaqi == reference_iaqi(nodes, table.iaqi, c)


def test_the_2026_tables_differ_only_in_the_pm_rows():
    for key in aqi.TABLE_KEYS:
        same = T2012.breakpoints[key] == T2026.breakpoints[key]
        assert same is (key not in ("pm25_24h", "pm10_24h")), key
    assert T2026.breakpoints["pm25_24h"][2] == 60 and T2026.breakpoints["pm10_24h"][2] == 120


# --- hand-computed values ---

GOLDEN = [
    # version, measurement, concentration, IAQI
    ("2012", "pm25_24h", 75, 100),
    ("2026", "pm25_24h", 75, 114),  # 100 + 15/55 × 50 = 113.6 → 114
    ("2026", "pm25_24h", 60, 100),
    ("2026", "pm10_24h", 120, 100),
    ("2026", "pm10_24h", 150, 112),  # 100 + 30/130 × 50 = 111.5 → 112
    ("2012", "pm10_24h", 150, 100),
    ("2012", "no2_24h", 81, 101),
    ("2012", "o3_8h", 161, 101),  # 100 + 1/55 × 50 = 100.9 → 101
    ("2012", "o3_1h", 201, 101),
    ("2012", "co_1h", "10.1", 101),
    ("2012", "so2_1h", 501, 101),  # 100 + 1/150 × 50 = 100.3 → 101
]


@pytest.mark.parametrize(("version", "key", "c", "expected"), GOLDEN)
def test_hand_computed_values(version, key, c, expected):
    assert aqi.iaqi(key, c, table=TABLES[version]).iaqi == expected


def test_no_float_overshoot_at_exact_quotients():
    # CO 24 h 2.2: 50 + 50 × 0.2/2 = 55 exactly; (50/2)·(2.2−2)+50 in floats is 55.000000000000014.
    assert math.ceil((100 - 50) / (4 - 2) * (2.2 - 2) + 50) == 56
    assert aqi.iaqi("co_24h", 2.2, table=T2012).iaqi == 55
    # CO 1 h 65.4: 200 + 100 × 5.4/30 = 218 exactly.
    assert aqi.iaqi("co_1h", 65.4, table=T2026).iaqi == 218


# --- rounding of concentrations first (GB/T 8170, half to even) ---


@pytest.mark.parametrize(
    ("key", "c", "rounded", "expected"),
    [
        ("pm25_24h", "35.5", "36", 52),  # half → even 36
        ("pm25_24h", "36.5", "36", 52),  # half → even 36, not 37
        ("pm25_24h", "34.5", "34", 49),
        ("pm25_24h", "34.6", "35", 50),
        ("co_24h", "2.25", "2.2", 55),  # CO keeps one decimal
        ("co_24h", "2.35", "2.4", 60),
        ("co_24h", "2.05", "2.0", 50),
        ("co_24h", "2.06", "2.1", 53),
    ],
)
def test_concentrations_are_rounded_half_to_even_before_the_iaqi(key, c, rounded, expected):
    sub = aqi.iaqi(key, c, table=T2012)
    assert sub.concentration == Decimal(rounded)
    assert sub.iaqi == expected


def test_float_input_rounds_like_its_decimal_text():
    assert aqi.iaqi("co_24h", 2.25, table=T2012).concentration == Decimal("2.2")
    assert aqi.iaqi("co_24h", 0.35, table=T2012).concentration == Decimal("0.4")


# --- above the top breakpoint and the over-800 rules ---


@pytest.mark.parametrize("version", ["2012", "2026"])
@pytest.mark.parametrize(
    ("key", "c"),
    [
        ("pm25_24h", 501),
        ("pm10_24h", 601),
        ("so2_24h", 2621),
        ("no2_24h", 941),
        ("no2_1h", 3841),
        ("co_24h", "60.1"),
        ("co_1h", "150.1"),
        ("o3_1h", 1201),
        ("pm25_24h", 10**9),
    ],
)
def test_above_the_top_breakpoint_is_500_and_marked(version, key, c):
    sub = aqi.iaqi(key, c, table=TABLES[version])
    assert (sub.iaqi, sub.above_scale) == (500, True)
    assert "爆表" in sub.note


def test_a_row_above_500_is_reported_as_500_severe_and_marked():
    result = aqi.compute({"pm25": 650, "pm10": 300}, table=T2026)
    assert (result.aqi, result.level.level, result.category) == (500, "六级", "严重污染")
    assert result.above_scale and result.primary == ("pm25",)
    assert result.sub_indices["pm10"].above_scale is False


def test_top_breakpoint_itself_and_rounding_onto_it_are_not_off_the_scale():
    assert aqi.iaqi("pm25_24h", "500.5", table=T2012).above_scale is False  # → 500
    assert aqi.iaqi("pm25_24h", "500.6", table=T2012).above_scale is True  # → 501


def test_so2_1h_over_800_in_2012_reports_the_24h_sub_index():
    result = aqi.compute({"so2_1h": 801, "so2_24h": 300}, mode=aqi.HOURLY, table=T2012)
    so2 = result.sub_indices["so2"]
    assert so2.iaqi == aqi.iaqi("so2_24h", 300, table=T2012).iaqi == 124
    assert "so2_24h" in so2.note
    # the plain column is the 24 h mean when so2_1h is also given
    same = aqi.compute({"so2_1h": 900, "so2": 300}, mode=aqi.HOURLY, table=T2012)
    assert same.aqi == 124


def test_so2_1h_over_800_in_2012_without_the_24h_mean_is_a_clear_error():
    with pytest.raises(aqi.MissingValue, match="so2_24h"):
        aqi.compute({"so2": 801}, mode=aqi.HOURLY, table=T2012)


def test_so2_1h_over_800_in_2026_is_fixed_at_200():
    result = aqi.compute({"so2": 801}, mode=aqi.HOURLY, table=T2026)
    assert result.aqi == 200 and not result.above_scale
    assert aqi.compute({"so2": 5000}, mode=aqi.HOURLY, table=T2026).aqi == 200


def test_so2_1h_of_800_and_rounding_to_800_stay_on_the_table():
    for c in (800, "800.4", "800.5"):
        assert aqi.compute({"so2": c}, mode=aqi.HOURLY, table=T2012).aqi == 200
    with pytest.raises(aqi.MissingValue):
        aqi.compute({"so2": "800.6"}, mode=aqi.HOURLY, table=T2012)


def test_o3_8h_over_800_in_2012_reports_the_1h_sub_index():
    result = aqi.compute({"o3_8h": 801, "o3": 900}, mode=aqi.DAILY, table=T2012)
    assert result.sub_indices["o3_8h"].iaqi == aqi.iaqi("o3_1h", 900, table=T2012).iaqi == 350
    with pytest.raises(aqi.MissingValue, match="o3_1h"):
        aqi.compute({"o3_8h": 801}, mode=aqi.DAILY, table=T2012)


def test_o3_8h_over_800_in_2026_is_fixed_at_300():
    result = aqi.compute({"o3_8h": 801}, mode=aqi.DAILY, table=T2026)
    assert result.aqi == 300 and result.level.level == "五级"


def test_the_24h_fallback_above_its_own_top_is_500_and_marked():
    result = aqi.compute({"so2_1h": 900, "so2_24h": 3000}, mode=aqi.HOURLY, table=T2012)
    assert (result.aqi, result.above_scale) == (500, True)


# --- cases python-aqi 0.6.1 and aqi-hub 0.3.3 get wrong (standards.md §8) ---


@pytest.mark.parametrize(
    ("version", "key", "c", "correct", "wrong", "who"),
    [
        ("2012", "pm25_24h", 101, 133, 132, "python-aqi rounds IAQI half-even"),
        ("2012", "co_24h", "1.9", 48, 25, "python-aqi truncates CO to an integer"),
        ("2012", "co_24h", "2.9", 73, 50, "python-aqi truncates CO"),
        ("2012", "co_1h", "7.5", 75, 63, "python-aqi truncates CO"),
        ("2012", "pm25_24h", 36, 52, 51, "python-aqi uses EPA integer-gap segments"),
        ("2012", "pm25_24h", "75.9", 102, 100, "python-aqi uses EPA integer-gap segments"),
        ("2026", "so2_24h", 150, 100, 50, "aqi-hub holds the 1 h nodes in its SO2 24 h table"),
        ("2026", "so2_24h", 475, 150, 97, "aqi-hub SO2 24 h table"),
        ("2012", "pm25_24h", 75, 100, 114, "aqi-hub has no 2012 table"),
    ],
)
def test_cases_other_calculators_get_wrong(version, key, c, correct, wrong, who):
    assert aqi.iaqi(key, c, table=TABLES[version]).iaqi == correct != wrong, who


def test_cases_where_python_aqi_crashes_are_computed():
    assert aqi.iaqi("pm25_24h", 501, table=T2012).iaqi == 500  # IndexError there
    assert aqi.iaqi("pm10_24h", 601, table=T2012).iaqi == 500  # IndexError there
    hourly = aqi.compute({"so2_1h": 801, "so2_24h": 100}, mode=aqi.HOURLY, table=T2012)
    assert hourly.aqi == 75  # TypeError there; the 24 h rule applies (SO2 24 h 100 → 75)
    daily = aqi.compute({"o3_8h": 801, "o3": 500}, mode=aqi.DAILY, table=T2012)
    assert daily.aqi == aqi.iaqi("o3_1h", 500, table=T2012).iaqi  # TypeError there


# --- AQI, level, primary pollutants, over the limit ---


def test_aqi_is_the_largest_sub_index_with_level_category_and_colour():
    result = aqi.compute(
        {"so2": 10, "no2": 40, "co": "1.0", "o3_8h": 100, "pm10": 200, "pm25": 120}, table=T2026
    )
    assert result.aqi == 158 == result.iaqi("pm25")
    assert (result.level.level, result.category, result.level.color, result.color) == (
        "四级",
        "中度污染",
        "红色",
        "#FF0000",
    )
    assert result.primary == ("pm25",)
    assert result.over_limit == ("pm10", "pm25")
    assert result.standard == "HJ 633-2026"


def test_tied_primary_pollutants_are_all_listed():
    # PM2.5 115 and PM10 250 both give 150 (2026)
    result = aqi.compute({"pm25": 115, "pm10": 250, "no2": 20}, table=T2026)
    assert result.aqi == 150 and result.primary == ("pm10", "pm25")


def test_no_primary_pollutant_at_aqi_50_or_below():
    assert aqi.compute({"pm25": 35, "pm10": 50}, table=T2026).primary == ()
    assert aqi.compute({"pm25": 36}, table=T2026).primary == ("pm25",)


def test_over_limit_means_iaqi_above_100():
    assert aqi.compute({"pm25": 60, "pm10": 121}, table=T2026).over_limit == ("pm10",)


@pytest.mark.parametrize(
    ("value", "level", "category", "rgb"),
    [
        (50, "一级", "优", "#00E400"),
        (51, "二级", "良", "#FFFF00"),
        (150, "三级", "轻度污染", "#FF7E00"),
        (151, "四级", "中度污染", "#FF0000"),
        (300, "五级", "重度污染", "#99004C"),
        (301, "六级", "严重污染", "#7E0023"),
    ],
)
def test_levels_and_colours(value, level, category, rgb):
    found = T2026.level_for(value)
    assert (found.level, found.category, found.rgb) == (level, category, rgb)


# --- daily and real-time modes ---


def test_real_time_pm_uses_the_24h_table_with_the_1h_value():
    assert aqi.compute({"pm25": 75}, mode=aqi.HOURLY, table=T2012).aqi == 100
    assert aqi.compute({"pm25": 75}, mode=aqi.HOURLY, table=T2026).aqi == 114


def test_real_time_gases_use_the_1h_tables():
    hourly = aqi.compute({"so2": 150, "no2": 100, "co": 5, "o3": 160}, mode=aqi.HOURLY, table=T2026)
    assert {n: s.iaqi for n, s in hourly.sub_indices.items()} == {
        "so2": 50,
        "no2": 50,
        "co": 50,
        "o3": 50,
    }
    daily = aqi.compute({"so2": 150, "no2": 100, "co": 5}, mode=aqi.DAILY, table=T2026)
    assert {n: s.iaqi for n, s in daily.sub_indices.items()} == {"so2": 100, "no2": 110, "co": 105}


def test_daily_ozone_uses_8h_and_also_1h_only_where_the_version_says_so():
    values = {"o3": 300, "o3_8h": 100}
    assert aqi.compute(values, mode=aqi.DAILY, table=T2012).aqi == 150  # 1 h enters (2012)
    assert aqi.compute(values, mode=aqi.DAILY, table=T2026).aqi == 50  # 8 h only (2026)


def test_hourly_columns_with_suffix_take_precedence():
    assert aqi.column_map(["so2", "so2_1h", "pm25"], aqi.HOURLY) == {
        "so2": "so2_24h",
        "so2_1h": "so2_1h",
        "pm25": "pm25_1h",
    }
    assert aqi.column_map(["o3", "o3_8h", "pm25"], aqi.DAILY) == {
        "o3": "o3_1h",
        "o3_8h": "o3_8h",
        "pm25": "pm25_24h",
    }
    with pytest.raises(aqi.AQIError, match="只能给出一个"):
        aqi.column_map(["pm25", "pm25_24h"], aqi.DAILY)


def test_the_table_follows_the_date_or_is_forced():
    def loader(standard, *, on):
        if standard == "auto":
            return T2012 if on < dt.date(2026, 3, 1) else T2026
        return {"HJ633-2012": T2012, "HJ633-2026": T2026}[standard]

    auto = aqi.Resolver("auto", load=loader)
    assert auto(dt.date(2026, 2, 28)) is T2012 and auto(dt.date(2026, 3, 1)) is T2026
    forced = aqi.Resolver("HJ633-2012", load=loader)
    assert forced(dt.date(2026, 6, 1)) is T2012


def test_local_date_of_times():
    assert aqi.local_date("2026-03-01") == dt.date(2026, 3, 1)
    assert aqi.local_date("2026-02-28T17:00:00+00:00") == dt.date(2026, 3, 1)  # 01:00 Beijing
    assert aqi.local_date("2026-02-28 23:00") == dt.date(2026, 2, 28)
    with pytest.raises(aqi.AQIError):
        aqi.local_date("yesterday")


# --- bad input never crashes ---


@pytest.mark.parametrize("bad", [-1, "-0.1", float("inf"), "abc", True])
def test_negative_infinite_or_non_numeric_is_a_clear_error(bad):
    with pytest.raises(aqi.InvalidConcentration, match="pm25"):
        aqi.compute({"pm25": bad, "pm10": 50}, table=T2026)


@pytest.mark.parametrize("missing", [None, "", "  ", float("nan"), "NaN", "—", "-", "NA"])
def test_missing_marks_are_missing(missing):
    result = aqi.compute({"pm25": missing, "pm10": 50}, table=T2026)
    assert set(result.sub_indices) == {"pm10"}


def test_a_row_with_nothing_to_compute_is_a_clear_error():
    with pytest.raises(aqi.MissingValue, match="没有可用于计算"):
        aqi.compute({"pm25": None, "station": "X"}, table=T2026)
