"""Report periods: a calendar month (调度通报) or any run of days (简报). Pure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

MONTHLY, BRIEF = "monthly", "brief"


class PeriodError(ValueError):
    """A period that cannot be reported on, with a reason a person can read."""


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date

    @property
    def is_month(self) -> bool:
        return self.first.day == 1 and self.last == month_last(self.first)

    @property
    def series(self) -> str:
        return MONTHLY if self.is_month else BRIEF

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        """The month before, or the same number of days just before."""
        if self.is_month:
            return month(previous_month(self.first))
        return Period(self.first - dt.timedelta(days=self.days), self.first - dt.timedelta(days=1))

    def year_before(self) -> Period:
        if self.is_month:
            return month(self.first.replace(year=self.first.year - 1))
        return Period(_year_before(self.first), _year_before(self.last))

    @property
    def label(self) -> str:
        if self.is_month:
            return f"{self.first.year}年{self.first.month}月"
        if self.first.year == self.last.year:
            return (
                f"{self.first.year}年{self.first.month}月{self.first.day}日至"
                f"{self.last.month}月{self.last.day}日"
            )
        return f"{cn_date(self.first)}至{cn_date(self.last)}"


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def month_last(first: dt.date) -> dt.date:
    following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def previous_month(first: dt.date) -> dt.date:
    return (first.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def month(first: dt.date) -> Period:
    first = first.replace(day=1)
    return Period(first, month_last(first))


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def parse_month(text: str) -> Period:
    try:
        year, number = (int(p) for p in text.strip().split("-"))
        return month(dt.date(year, number, 1))
    except ValueError:
        raise PeriodError(f"月份应写作 YYYY-MM，例如 2026-11（收到“{text}”）") from None


def parse_day(text: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise PeriodError(f"{name}应写作 YYYY-MM-DD（收到“{text}”）") from None


def between(first: dt.date, last: dt.date, *, today: dt.date | None = None) -> Period:
    if last < first:
        raise PeriodError(f"结束日期 {last} 早于开始日期 {first}")
    if (last - first).days > 366:
        raise PeriodError("一期通报最长覆盖一年")
    if today is not None and first > today:
        raise PeriodError(f"开始日期 {first} 尚未到来")
    return Period(first, last)
