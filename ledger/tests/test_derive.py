"""The current-year programme derived from a plan whose deadlines lie in the past."""

import calendar
import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from ledger import derive

TODAY = dt.date(2026, 12, 6)


@given(st.dates(dt.date(1990, 1, 1), dt.date(2080, 12, 31)), st.integers(-240, 240))
def test_a_shift_keeps_month_ends_and_counts_whole_months(day, months):
    moved = derive.shift_months(day, months)
    assert derive.months_between(day, moved) == months
    last_of_moved = calendar.monthrange(moved.year, moved.month)[1]
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        assert moved.day == last_of_moved  # 6月底 stays 月底
    else:
        assert moved.day == min(day.day, last_of_moved)


def test_it_puts_today_inside_the_span_with_something_due_soon():
    deadlines = [dt.date(2023, 12, 31)] * 10 + [dt.date(2024, 3, 31)] * 5
    deadlines += [dt.date(2024, 6, 30), dt.date(2024, 8, 31)] + [dt.date(2024, 12, 31)] * 4
    deadlines += [dt.date(2025, 12, 31)]
    months = derive.choose_shift(deadlines, TODAY)
    moved = [derive.shift_months(d, months) for d in deadlines]
    past = sum(d < TODAY for d in moved) / len(moved)
    assert min(moved) < TODAY < max(moved)
    assert any(TODAY <= d <= TODAY + dt.timedelta(days=30) for d in moved)
    assert 0.5 <= past <= 0.8


@given(
    st.lists(st.dates(dt.date(2015, 1, 1), dt.date(2025, 12, 31)), min_size=1, max_size=40),
    st.dates(dt.date(2026, 1, 1), dt.date(2030, 12, 31)),
)
def test_any_plan_gets_a_deadline_within_the_coming_month(deadlines, today):
    months = derive.choose_shift(deadlines, today)
    moved = [derive.shift_months(d, months) for d in deadlines]
    assert any(today <= d <= today + dt.timedelta(days=31) for d in moved)


def test_the_extraction_moves_dates_only_and_keeps_the_texts():
    extraction = {
        "title": "咸阳市蓝天保卫战2022年工作方案",
        "issued": "2022-05-30",
        "year": 2022,
        "feedback_date": None,
        "items": [
            {
                "deadline": "2022-12-31",
                "deadline_raw": "年底前",
                "text": "2022-06-30 前完成",
                "measures": [{"milestones": [{"date": "2022-06-30", "raw": "6月底前"}]}],
                "targets": [{"by": "2022-10-31", "value": 50}],
            }
        ],
    }
    out = derive.shifted_extraction(extraction, 48, year=2026)
    item = out["items"][0]
    assert out["issued"] == "2026-05-30" and out["year"] == 2026
    assert item["deadline"] == "2026-12-31" and item["deadline_raw"] == "年底前"
    assert item["measures"][0]["milestones"][0]["date"] == "2026-06-30"
    assert item["targets"][0]["by"] == "2026-10-31"
    assert item["text"] == "2022-06-30 前完成" and out["title"] == extraction["title"]
    assert extraction["items"][0]["deadline"] == "2022-12-31"  # the seed is not touched


def test_a_plan_without_its_date_is_assumed_issued_a_month_after_the_feedback():
    out = derive.shifted_extraction(
        {"issued": None, "feedback_date": "2023-09-11", "items": []}, 30
    )
    assert out["issued"] == "2026-04-10"
