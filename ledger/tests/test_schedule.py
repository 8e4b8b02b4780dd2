import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from lantian.lib.workdays import is_workday
from ledger import schedule

DAYS = st.dates(min_value=dt.date(2021, 1, 1), max_value=dt.date(2025, 12, 31))


@given(DAYS, st.integers(min_value=0, max_value=28))
def test_the_report_due_day_is_inside_its_month(day, report_day):
    period = schedule.period_of(day)
    due = schedule.report_due(period, report_day)
    assert (due.year, due.month) == (period.year, period.month)
    assert due == schedule.month_end(period) if report_day == 0 else due.day == report_day


@given(DAYS, st.integers(min_value=0, max_value=10))
def test_reminders_fall_on_working_days_before_the_due_date(due, offset):
    day = schedule.workdays_before(due, offset)
    assert is_workday(day) and day <= due
    assert schedule.reminder_offset(day, due, [offset]) == offset


@given(DAYS, DAYS)
def test_chasing_only_happens_on_working_days_after_the_due_date(due, today):
    if schedule.is_chase_day(today, due):
        assert today > due and is_workday(today)


@given(DAYS)
def test_the_first_working_day_after_a_deadline_is_always_a_chase_day(due):
    first = schedule.next_workday(due + dt.timedelta(days=1))
    assert schedule.is_chase_day(first, due)


def test_owed_periods_stop_at_close_out_and_thin_out_for_sustained_lines():
    start = dt.date(2023, 10, 9)
    owed = schedule.owed_periods(start, until=dt.date(2024, 6, 30), report_day=0)
    assert owed[0] == dt.date(2023, 11, 1) and owed[-1] == dt.date(2024, 6, 1)
    closed = schedule.owed_periods(
        start, until=dt.date(2024, 6, 30), report_day=0, closed_on=dt.date(2024, 2, 10)
    )
    assert closed[-1] == dt.date(2024, 1, 1)
    sustained = schedule.owed_periods(
        start, until=dt.date(2024, 6, 30), report_day=0, sustained=True, interval=3
    )
    assert [p.month for p in sustained] == [12, 3, 6]
