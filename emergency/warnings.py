"""Propose a heavy-pollution warning level from a forecast AQI series. Pure: no Django.

The rules are data (``regulations`` family ``warning_rules``): each level, strictest first, is
met when any of its clause groups is met; a group is met when every clause holds for at least
``min_days`` consecutive days inside one pollution process. For the national baseline
(research/standards.md §3):

- red: AQI > 200 for ≥ 4 days and AQI > 300 for ≥ 2 days; or AQI ≥ 500 for ≥ 1 day;
- orange: AQI > 200 for ≥ 3 days and AQI > 300 for ≥ 1 day;
- yellow: AQI > 200 for ≥ 2 days.

Definitions used here:

1. A *day* is a calendar day (daily forecast) or any 24 consecutive hours, which may span
   midnight (hourly forecast): every one of the 24 possible day boundaries is tried and the
   strictest outcome wins. A 24-hour day needs all 24 hourly values.
2. A *process* is a maximal run of consecutive days on which at least one clause of any level
   holds (for the baseline: AQI > 200). A process takes the strictest level whose clauses it
   satisfies; a process that satisfies none (one day over 200) triggers nothing.
3. Processes separated by at most ``merge_gap_days`` days are one episode, at the highest of
   their levels (两次过程间隔过短视为一次，按较高级别启动). Merging never creates a level that
   none of the parts reached.

All comparisons are exact (fractions), so a mean of exactly 200 is not "over 200".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

HOURS_PER_DAY = 24


class RuleError(ValueError):
    """The warning rule data is malformed."""


class ForecastError(ValueError):
    """The forecast series cannot be read; ``line`` says where when known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message if line is None else f"第 {line} 行：{message}")
        self.line = line


# --- rules ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clause:
    """AQI over (or at least) ``threshold`` for ``min_days`` consecutive days."""

    threshold: Fraction
    inclusive: bool
    min_days: int

    def holds(self, aqi: Fraction | None) -> bool:
        if aqi is None:
            return False
        return aqi >= self.threshold if self.inclusive else aqi > self.threshold

    def describe(self) -> str:
        sign = "≥" if self.inclusive else ">"
        return f"AQI{sign}{_fmt(self.threshold)} 持续 {self.min_days} 天"


@dataclass(frozen=True)
class LevelRule:
    level: str
    name: str
    any_of: tuple[tuple[Clause, ...], ...]


@dataclass(frozen=True)
class Rules:
    """The levels, strictest first, and the gap (in days) that still joins two processes."""

    levels: tuple[LevelRule, ...]
    merge_gap_days: int = 0
    code: str = ""
    source: str = ""

    def in_process(self, aqi: Fraction | None) -> bool:
        return any(c.holds(aqi) for lv in self.levels for group in lv.any_of for c in group)

    def rank(self, level: str | None) -> int:
        """1 for the mildest level … len(levels) for the strictest; 0 for none."""
        names = [lv.level for lv in self.levels]
        return len(names) - names.index(level) if level in names else 0


def parse_rules(
    levels: Sequence[dict[str, Any]], *, merge_gap_days: int = 0, code: str = "", source: str = ""
) -> Rules:
    """Rules from the ``levels`` value of a ``warning_rules`` version (strictest first)."""
    if not isinstance(levels, Sequence) or not levels:
        raise RuleError("预警分级规则为空")
    parsed = []
    for spec in levels:
        try:
            groups = tuple(tuple(_clause(c) for c in g["all_of"]) for g in spec["any_of"])
            parsed.append(LevelRule(str(spec["level"]), str(spec.get("name", "")), groups))
        except (KeyError, TypeError) as exc:
            raise RuleError(f"预警分级规则格式错误：{spec!r}") from exc
        if not groups or not all(groups):
            raise RuleError(f"级别 {spec.get('level')} 没有条件")
    if int(merge_gap_days) < 0:
        raise RuleError("merge_gap_days 不能为负")
    return Rules(tuple(parsed), int(merge_gap_days), code, source)


def _clause(spec: dict[str, Any]) -> Clause:
    if set(spec) - {"aqi_over", "aqi_at_least", "min_days"}:
        raise RuleError(f"未知条件：{spec!r}")
    if ("aqi_over" in spec) == ("aqi_at_least" in spec):
        raise RuleError(f"条件须且只须有 aqi_over 或 aqi_at_least：{spec!r}")
    inclusive = "aqi_at_least" in spec
    threshold = Fraction(str(spec["aqi_at_least" if inclusive else "aqi_over"]))
    days = int(spec["min_days"])
    if days < 1:
        raise RuleError(f"min_days 至少为 1：{spec!r}")
    return Clause(threshold, inclusive, days)


# --- the series ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    """One day of the evaluated series: a calendar day or 24 consecutive hours."""

    start: dt.datetime
    aqi: Fraction | None

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(hours=HOURS_PER_DAY)


@dataclass
class Process:
    """A proposed episode: consecutive days, the level reached, and which clauses were met."""

    level: str | None
    days: list[Day]
    matched: list[str] = field(default_factory=list)

    @property
    def start(self) -> dt.datetime:
        return self.days[0].start

    @property
    def end(self) -> dt.datetime:
        return self.days[-1].end


@dataclass
class Proposal:
    """The outcome: the level proposed (None: no warning), its episodes, and how it was read."""

    level: str | None
    episodes: list[Process]
    days: list[Day]
    basis: str
    rules: Rules

    @property
    def first(self) -> Process | None:
        """The episode that carries the proposed level (the earliest at that level)."""
        return next((p for p in self.episodes if p.level == self.level), None)

    def as_dict(self) -> dict[str, Any]:
        first = self.first
        return {
            "level": self.level,
            "basis": self.basis,
            "rule_code": self.rules.code,
            "start": first.start.isoformat() if first else None,
            "end": first.end.isoformat() if first else None,
            "matched": first.matched if first else [],
            "episodes": [
                {
                    "level": p.level,
                    "start": p.start.isoformat(),
                    "end": p.end.isoformat(),
                    "matched": p.matched,
                }
                for p in self.episodes
            ],
            "days": [
                {"start": d.start.isoformat(), "aqi": None if d.aqi is None else _fmt(d.aqi)}
                for d in self.days
            ],
        }


def number(value: Any) -> Fraction | None:
    """An AQI value as an exact fraction; None for a gap. Refuses negatives and non-numbers."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and value != value:  # NaN marks a missing value
        return None
    try:
        exact = Fraction(Decimal(str(value).strip()))
    except (InvalidOperation, ValueError) as exc:
        raise ForecastError(f"不是数值：{value!r}") from exc
    if exact < 0:
        raise ForecastError(f"AQI 不能为负：{value}")
    return exact


def days_from_daily(values: Iterable[tuple[dt.date, Any]], tzinfo=None) -> list[Day]:
    """Calendar days from (date, AQI) pairs; missing dates become gaps."""
    by_date: dict[dt.date, Fraction | None] = {}
    for date, value in values:
        if date in by_date:
            raise ForecastError(f"日期重复：{date}")
        by_date[date] = number(value)
    if not by_date:
        return []
    first, last = min(by_date), max(by_date)
    return [
        Day(dt.datetime.combine(d, dt.time(0), tzinfo=tzinfo), by_date.get(d))
        for d in (first + dt.timedelta(days=i) for i in range((last - first).days + 1))
    ]


def _hour_map(values: Iterable[tuple[dt.datetime, Any]]) -> dict[dt.datetime, Fraction | None]:
    hours: dict[dt.datetime, Fraction | None] = {}
    for at, value in values:
        if at.minute or at.second or at.microsecond:
            raise ForecastError(f"逐时预报的时间须为整点：{at}")
        if at in hours:
            raise ForecastError(f"时间重复：{at}")
        hours[at] = number(value)
    return hours


def days_from_hourly(hours: dict[dt.datetime, Fraction | None], start_hour: int) -> list[Day]:
    """24-hour days beginning at ``start_hour`` o'clock; a day lacking any hour is a gap."""
    if not hours:
        return []
    first, last = min(hours), max(hours)
    start = first.replace(hour=start_hour)
    if start > first:
        start -= dt.timedelta(days=1)
    days = []
    step = dt.timedelta(hours=1)
    while start <= last:
        values = [hours.get(start + i * step) for i in range(HOURS_PER_DAY)]
        complete = all(v is not None for v in values)
        days.append(Day(start, sum(values) / HOURS_PER_DAY if complete else None))
        start += dt.timedelta(days=1)
    return _trim(days)


def _trim(days: list[Day]) -> list[Day]:
    while days and days[0].aqi is None:
        days.pop(0)
    while days and days[-1].aqi is None:
        days.pop()
    return days


# --- evaluation ----------------------------------------------------------------------------


def _longest_run(days: Sequence[Day], clause: Clause) -> int:
    best = run = 0
    for day in days:
        run = run + 1 if clause.holds(day.aqi) else 0
        best = max(best, run)
    return best


def _level_of(days: Sequence[Day], rules: Rules) -> tuple[str | None, list[str]]:
    """The strictest level whose clause group holds within ``days``, and the clauses met."""
    for rule in rules.levels:
        for group in rule.any_of:
            if all(_longest_run(days, c) >= c.min_days for c in group):
                return rule.level, [c.describe() for c in group]
    return None, []


def _runs(days: Sequence[Day], rules: Rules) -> list[list[Day]]:
    """Maximal runs of consecutive days that belong to a pollution process."""
    runs: list[list[Day]] = []
    for day in days:
        if not rules.in_process(day.aqi):
            continue
        if runs and runs[-1][-1].end == day.start:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def evaluate(days: Sequence[Day], rules: Rules) -> list[Process]:
    """Episodes in a series of days: processes with their levels, then merged across short gaps."""
    processes = []
    for run in _runs(days, rules):
        level, matched = _level_of(run, rules)
        processes.append(Process(level, run, matched))
    merged: list[Process] = []
    gap = dt.timedelta(days=rules.merge_gap_days)
    for process in processes:
        if merged and process.start - merged[-1].end <= gap:
            _join(merged[-1], process, days, rules)
        else:
            merged.append(process)
    return [p for p in merged if p.level is not None]


def _join(into: Process, other: Process, days: Sequence[Day], rules: Rules) -> None:
    between = [d for d in days if into.end <= d.start < other.start]
    if rules.rank(other.level) > rules.rank(into.level):
        into.level, into.matched = other.level, other.matched
    into.days = [*into.days, *between, *other.days]


def _best(candidates: list[tuple[list[Process], list[Day], str]], rules: Rules):
    def key(item):
        episodes = item[0]
        top = max((rules.rank(p.level) for p in episodes), default=0)
        first = next((p.start for p in episodes if rules.rank(p.level) == top), None)
        return (-top, first.timestamp() if first else 0.0)

    return min(candidates, key=key)


def propose(
    rules: Rules,
    *,
    daily: Iterable[tuple[dt.date, Any]] = (),
    hourly: Iterable[tuple[dt.datetime, Any]] = (),
) -> Proposal:
    """The level to propose for a forecast given as daily and/or hourly AQI values.

    With hourly values every 24-hour day boundary is tried. With both, daily values also fill
    the days that the hourly values do not cover (day boundary at midnight).
    """
    hours = _hour_map(hourly)
    tzinfo = next(iter(hours)).tzinfo if hours else None
    daily_days = days_from_daily(daily, tzinfo)
    candidates: list[tuple[list[Process], list[Day], str]] = []
    if daily_days:
        candidates.append((evaluate(daily_days, rules), daily_days, "逐日预报"))
    for start_hour in range(HOURS_PER_DAY) if hours else ():
        series = days_from_hourly(hours, start_hour)
        label = f"逐时预报，以每日 {start_hour}:00 起算的 24 小时为一天"
        if start_hour == 0 and daily_days:
            series = _fill(series, daily_days)
            label = "逐时预报（0:00 起算）并以逐日预报补足其后日期"
        if series:
            candidates.append((evaluate(series, rules), series, label))
    if not candidates:
        raise ForecastError("预报序列为空")
    episodes, series, basis = _best(candidates, rules)
    top = max(episodes, key=lambda p: rules.rank(p.level), default=None)
    return Proposal(top.level if top else None, episodes, series, basis, rules)


def _fill(hourly_days: list[Day], daily_days: list[Day]) -> list[Day]:
    covered = {d.start.replace(tzinfo=None) for d in hourly_days}
    extra = [d for d in daily_days if d.start.replace(tzinfo=None) not in covered]
    return sorted([*hourly_days, *extra], key=lambda d: d.start)


# --- reading a pasted or uploaded forecast -------------------------------------------------


def parse_forecast(text: str) -> tuple[list[tuple[dt.date, Any]], list[tuple[dt.datetime, Any]]]:
    """Rows of ``time,aqi`` (comma, tab, space or full-width comma); a header row is optional.

    A time with an hour (``2024-01-12 14:00`` or ``2024-01-12T14``) is hourly, a bare date daily.
    """
    daily: list[tuple[dt.date, Any]] = []
    hourly: list[tuple[dt.datetime, Any]] = []
    text = text.replace("，", ",").replace("\t", ",")
    for line_no, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in row if c.strip()]
        if len(cells) == 1 and " " in cells[0]:
            cells = cells[0].rsplit(" ", 1)
        if not cells:
            continue
        if len(cells) != 2:
            raise ForecastError("每行应为“时间,AQI”两列", line_no)
        when, value = cells
        try:
            parsed = parse_time(when)
        except ValueError as exc:
            if line_no == 1 and not any(ch.isdigit() for ch in when):
                continue  # a header row
            raise ForecastError(str(exc), line_no) from None
        try:
            number(value)
        except ForecastError as exc:
            raise ForecastError(str(exc), line_no) from None
        if isinstance(parsed, dt.datetime):
            hourly.append((parsed, value))
        else:
            daily.append((parsed, value))
    return daily, hourly


def parse_time(text: str) -> dt.date | dt.datetime:
    """``2024-01-12`` → date; ``2024-01-12 14:00`` / ``2024-01-12T14`` / ``…14时`` → datetime."""
    cleaned = text.strip().replace("/", "-").replace("T", " ").replace("时", "")
    if " " not in cleaned:
        try:
            return dt.date.fromisoformat(cleaned)
        except ValueError:
            raise ValueError(f"无法识别的日期：{text}") from None
    day, hour = cleaned.split(" ", 1)
    hour = hour.strip()
    if ":" not in hour:
        hour = f"{int(hour):02d}:00" if hour.isdigit() else hour
    try:
        return dt.datetime.fromisoformat(f"{day} {hour}")
    except ValueError:
        raise ValueError(f"无法识别的时间：{text}") from None


def _fmt(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.1f}"
