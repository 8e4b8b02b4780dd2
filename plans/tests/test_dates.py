import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plans.extract.dates import find_dates, resolve, year_only_commitments

D = dt.date


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("2024年6月底", D(2024, 6, 30)),
        ("2024 年 8 月底", D(2024, 8, 31)),
        ("6月底前", D(2022, 6, 30)),
        ("年底前", D(2022, 12, 31)),
        ("年内", D(2022, 12, 31)),
        ("到2022年底", D(2022, 12, 31)),
        ("2023年10月底前", D(2023, 10, 31)),
        ("5月10日前", D(2022, 5, 10)),
        ("2022年12月1日", D(2022, 12, 1)),
        ("一季度末", D(2022, 3, 31)),
        ("第三季度", D(2022, 9, 30)),
        ("上半年", D(2022, 6, 30)),
        ("2023年下半年", D(2023, 12, 31)),
        ("9月底前取得阶段性成效", D(2022, 9, 30)),
        ("二〇二四年三月底前", D(2024, 3, 31)),
        ("十月底前", D(2022, 10, 31)),
        ("2月份底前", D(2022, 2, 28)),
        ("2024年2月底", D(2024, 2, 29)),
        ("6月上旬", D(2022, 6, 10)),
        ("2024 年 2 月 1 日前", D(2024, 2, 1)),
        ("明年底前", D(2023, 12, 31)),
    ],
)
def test_date_expressions_resolve_relative_to_the_plan_year(raw, want):
    assert resolve(raw, 2022) == want


def test_working_days_follow_the_official_holiday_calendar():
    # issued Friday 2024-09-27: the National Day holiday 10-01…10-07 is skipped and the make-up
    # days Sunday 09-29 and Saturday 10-12 count (counted by hand; weekends alone give 11-08)
    hits = find_dates("在本方案印发后30个工作日内制定细化方案", 2024, D(2024, 9, 27))
    assert hits[0].kind == "relative" and hits[0].extra["amount"] == 30
    assert hits[0].date == D(2024, 11, 13)


def test_relative_days_and_months():
    assert resolve("收到通知后15日内", 2024, D(2024, 1, 10)) == D(2024, 1, 25)
    assert resolve("3个月内", 2024, D(2024, 1, 31)) == D(2024, 4, 30)
    assert resolve("30个工作日内", 2024, None) is None  # no issue date: no date, never a guess


def test_recurring_duties_are_not_deadlines():
    hits = find_dates("每月月底前将整改落实情况报市整改办，每季度末报送总结", 2024)
    assert [h.kind for h in hits] == ["recurring", "recurring"]
    assert all(h.date is None for h in hits)
    assert hits[0].extra["when"] == "月底"


def test_years_that_are_not_deadlines():
    text = (
        "按照《西安市大气污染治理专项行动方案（2023—2027年）》，"
        "对2023年度未纳入名单的企业，2022年以来先后8次"
    )
    assert [h for h in find_dates(text, 2023) if h.date] == []


def test_a_year_starting_a_commitment_is_a_year_end_milestone():
    hits = year_only_commitments("确保 2023 年技术可行的工业涂装企业全部使用低挥发性涂料。")
    assert [h.date for h in hits] == [D(2023, 12, 31)]
    assert year_only_commitments("在 2024 年调整环境监管重点单位名录时纳入") == []
    assert year_only_commitments("制定西安市 2023 年规上工业实施方案") == []


def test_impossible_dates_are_dropped_not_raised():
    assert resolve("2024年2月30日前", 2024) is None
    assert resolve("13月底前", 2024) is None


@given(st.text(alphabet="0123456789年月日底前内上下半季度一二三四十每个工作天 ，。", max_size=60))
def test_find_dates_never_raises(text):
    for hit in find_dates(text, 2024, D(2024, 5, 1)):
        assert hit.start <= hit.end


def test_next_year_and_this_year():
    assert resolve("明年6月底前", 2024) == D(2025, 6, 30)
    assert resolve("次年3月10日前", 2024) == D(2025, 3, 10)
    assert resolve("今年9月底前", 2024) == D(2024, 9, 30)


@pytest.mark.parametrize(
    "text, iso",
    [
        ("2024-06-30前完成", "2024-06-30"),
        ("2024.6.30前", "2024-06-30"),
        ("于2024/12/31前完成", "2024-12-31"),
        ("截至2024-06-30，完成80%", "2024-06-30"),
    ],
)
def test_numeric_dates_from_spreadsheets(text, iso):
    (hit,) = find_dates(text, 2024)
    assert (hit.kind, hit.iso) == ("day", iso)


def test_a_version_number_is_not_a_date():
    assert find_dates("系统版本1.2024.6.3", 2024) == []
