"""When reports are due and when reminders go out. Pure: dates in, dates out, no Django.

- A line of work reports once a month, by the plan's report day (``0`` = 每月月底前), from the
  month after its start (the plan's issue date, else the day the task reached the ledger)
  until it is closed out. A line in 长期坚持 reports every ``interval`` months instead
  (March, June, September, December for 3): the periodic review.
- Reminders go out on working days only (China's holiday and 调休 calendar), ``N`` working
  days before a due date; a due date on a holiday still counts as the due date itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from lantian.lib.workdays import is_workday


def period_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_period(period: dt.date) -> dt.date:
    return dt.date(period.year + period.month // 12, period.month % 12 + 1, 1)


def month_end(period: dt.date) -> dt.date:
    return next_period(period) - dt.timedelta(days=1)


def report_due(period: dt.date, report_day: int) -> dt.date:
    """The last day a report for ``period`` is on time."""
    if not report_day:
        return month_end(period)
    return period.replace(day=min(report_day, month_end(period).day))


def first_period(start: dt.date) -> dt.date:
    return next_period(period_of(start))


def periods_between(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    period = period_of(first)
    while period <= last:
        yield period
        period = next_period(period)


def is_review_month(period: dt.date, interval: int) -> bool:
    return interval <= 1 or period.month % interval == 0


def owed_periods(
    start: dt.date,
    *,
    until: dt.date,
    report_day: int,
    closed_on: dt.date | None = None,
    sustained: bool = False,
    interval: int = 3,
) -> list[dt.date]:
    """The periods whose report was due on or before ``until`` for a line started on ``start``.

    A period closed out before its due date owes nothing; a 长期坚持 line owes only review months.
    """
    out = []
    for period in periods_between(first_period(start), until):
        due = report_due(period, report_day)
        if due > until:
            break
        if closed_on is not None and closed_on <= due:
            break
        if sustained and not is_review_month(period, interval):
            continue
        out.append(period)
    return out


def workdays_before(day: dt.date, count: int) -> dt.date:
    """The working day ``count`` working days before ``day`` (0: ``day`` itself, or the last
    working day before it when ``day`` is a holiday)."""
    current = day
    if count == 0:
        while not is_workday(current):
            current -= dt.timedelta(days=1)
        return current
    remaining = count
    while remaining > 0:
        current -= dt.timedelta(days=1)
        if is_workday(current):
            remaining -= 1
    return current


def reminder_offset(today: dt.date, due: dt.date, offsets: list[int]) -> int | None:
    """Which of ``offsets`` (working days before ``due``) falls on ``today``, if any.

    Offsets that land on the same working day count once (the largest wins), so a holiday
    week never sends two reminders on the day after it.
    """
    if not is_workday(today) or today > due:
        return None
    for offset in sorted(set(offsets), reverse=True):
        if workdays_before(due, offset) == today:
            return offset
    return None


def next_workday(day: dt.date) -> dt.date:
    """``day`` itself when it is a working day, else the next working day."""
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


def is_chase_day(today: dt.date, due: dt.date, every: int = 7) -> bool:
    """Overdue chasing: the first working day after ``due``, then every ``every`` days after
    that (each moved to the next working day when it falls on a day off)."""
    if today <= due or not is_workday(today):
        return False
    first = next_workday(due + dt.timedelta(days=1))
    step = 0
    while first + dt.timedelta(days=step) <= today:
        if next_workday(first + dt.timedelta(days=step)) == today:
            return True
        step += every
    return False
