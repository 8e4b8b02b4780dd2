"""Working days under China's official holiday and make-up-day (调休) calendar.

The calendar is regulation data (family ``workday_calendar``, one version per year: the
``chinese_calendar`` package's years, provisional years in ``regulations/data/calendar.json``,
and what the office enters from the State Council's notice, which wins). Without a database
the package answers directly. For a year nobody knows yet, weekends are the only days off;
``calendar_gaps`` names such years (and years known only provisionally) so callers can raise
a notice instead of silently treating the Spring Festival as working days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import chinese_calendar


@dataclass(frozen=True)
class YearCalendar:
    year: int
    holidays: dict[dt.date, str]
    workdays: frozenset[dt.date]
    official: bool
    source: str


_CACHE: dict[int, YearCalendar | None] = {}


def clear_cache() -> None:
    _CACHE.clear()


def calendar_for(year: int) -> YearCalendar | None:
    """The year's calendar: regulation data first, then the package; None when unknown."""
    if year not in _CACHE:
        _CACHE[year] = _from_regulations(year) or _from_package(year)
    return _CACHE[year]


def _from_regulations(year: int) -> YearCalendar | None:
    try:
        from regulations import lookup

        version = lookup.version("workday_calendar", on=dt.date(year, 7, 1))
    except Exception:  # no version in force, or regulations not importable here
        return None
    values = {key: value for (key, _), (value, _, _) in version.values.items()}
    return YearCalendar(
        year,
        {dt.date.fromisoformat(d): name for d, name in values.get("holidays", {}).items()},
        frozenset(dt.date.fromisoformat(d) for d in values.get("workdays", [])),
        bool(values.get("official", False)),
        version.code,
    )


def _from_package(year: int) -> YearCalendar | None:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return None
    holidays = {d: n for d, n in chinese_calendar.holidays.items() if d.year == year}
    workdays = frozenset(d for d in chinese_calendar.workdays if d.year == year)
    return YearCalendar(year, holidays, workdays, True, "chinese_calendar")


def is_known_year(year: int) -> bool:
    """True when the year's official arrangement (holidays and make-up days) is known."""
    calendar = calendar_for(year)
    return calendar is not None and calendar.official


def calendar_gaps(*days: dt.date) -> list[int]:
    """Years among ``days`` whose official arrangement is not known (deadlines computed in
    them may be wrong), in order."""
    return sorted({d.year for d in days if d is not None and not is_known_year(d.year)})


def gap_notice(year: int) -> str:
    calendar = calendar_for(year)
    if calendar is None:
        return (
            f"{year} 年的节假日与调休安排尚未录入：按周末推算工作日，期限可能有误，请录入后核对。"
        )
    return (
        f"{year} 年的调休安排尚未发布：工作日按法定节假日推算，调休上班日未计，期限可能有误，"
        "请在国务院通知发布后录入。"
    )


def is_workday(day: dt.date) -> bool:
    calendar = calendar_for(day.year)
    if calendar is None:
        return day.weekday() < 5
    if day in calendar.workdays:
        return True
    if day in calendar.holidays:
        return False
    return day.weekday() < 5


def add_workdays(start: dt.date, count: int) -> dt.date:
    """The date ``count`` working days after ``start`` (``start`` itself is not counted)."""
    day = start
    remaining = count
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_workday(day):
            remaining -= 1
    return day


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; negative when end is before start."""
    if end < start:
        return -workdays_between(end, start)
    return sum(1 for n in range(1, (end - start).days + 1) if is_workday(start + dt.timedelta(n)))


def add_hours(start: dt.datetime, hours: float, clock: str, tzinfo) -> dt.datetime:
    """``start`` plus ``hours`` on a clock: ``natural`` (every hour counts) or ``working``
    (only hours of working days count; a deadline that would fall on a holiday or weekend moves
    on by the days off in between). ``tzinfo`` is the local zone whose days are meant."""
    if clock != "working":
        return start + dt.timedelta(hours=hours)
    moment = start.astimezone(tzinfo)
    left = dt.timedelta(hours=hours)
    while left > dt.timedelta(0):
        if not is_workday(moment.date()):
            moment = (moment + dt.timedelta(days=1)).replace(
                hour=0, minute=0, second=0, microsecond=0
            )
            continue
        midnight = (moment + dt.timedelta(days=1)).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        step = min(left, midnight - moment)
        moment += step
        left -= step
    return moment.astimezone(start.tzinfo or dt.UTC)
